"""The export stage: the adapter merged into its dequantized NF4 base, gated by a parity check, then servable.

    distillery export v0003 [--run-dir RUN]     # -> <store>/exports/<student>/v0003/{model,adapter,export.json}
    distillery serve student                    # serves the champion's export under `export.served_name`
    run_export(cfg, run_dir)                    # the flow's stage: the run's candidate, reused when servable

Why not merge into the original weights (docs/facts.md "Serve what you trained"): the adapter learned
against dequant(NF4(W)), not W; on the original weights a low-margin decision collapsed in a hand run.

The parity gate (models/parity.py): the training reference (transformers + peft on the NF4 base) answers
`export.parity_prompts` held-out prompts greedily; the export then reads the very same prompt + answer
tokens, and we count the positions where both pick the same next token and the largest drift of the
export's log-probability of the reference's pick. Teacher forcing keeps one flipped low-margin token from
cascading through a long answer, so a correct merge passes in fp32 and bf16 alike. For the record, the
same measure is taken for the naive alternatives (the adapter on, and merged into, the original weights),
and the export is served by vLLM to answer the same prompts greedily (identical texts: a diagnostic) and
to measure serving throughput for the cost report.
"""

import json
import logging
import shutil
import statistics
import time
from pathlib import Path
from typing import NoReturn

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from distillery.routes import answer_budget, route_schema, schema_valid
from distillery.store import write_json
from models.merge import merge_adapter
from models.parity import compare_logits, forced_logits, passes
from models.registry import Registry, RegistryError

log = logging.getLogger(__name__)
MERGE_METHOD = "W = dequant(NF4(W0)) + (alpha/r) * B @ A, computed in float32, saved in the compute dtype"


class ExportError(RuntimeError):
    """The export cannot be made or was refused; the message says why and what to do."""


def export_root(cfg: RunConfig, registry: Registry) -> Path:
    return Path(cfg.store.root) / "exports" / registry.dir.name


def run_export(cfg: RunConfig, run_dir: Path, version: str | None = None) -> dict:
    """The stage: export the run's candidate (the adapter it trained), reusing an export that is already servable."""
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    return ensure_export(cfg, version or registry.run_candidate(run_dir), run_dir)


def export_student(cfg: RunConfig, version: str, run_dir: Path | None = None, merge_scale: float = 1.0) -> dict:
    """Merge, check parity, register as servable; raises ExportError (record kept) when parity fails."""
    from models.resolve import resolve_model
    from models.served_student import dequantized_base

    registry = Registry(Path(cfg.store.root), cfg.student.model)
    base_path = resolve_model(cfg.student.model)
    registry.check_base(version, base_path)
    registry.check_intact(version)
    lineage = registry.lineage(version)
    final = export_root(cfg, registry) / version
    out = final.with_name(f".{version}.staging")  # a refused export never replaces one that passed
    shutil.rmtree(out, ignore_errors=True)
    merge = merge_adapter(dequantized_base(cfg.student), registry.dir / version, out / "model", scale=merge_scale)
    shutil.copytree(registry.dir / version, out / "adapter")
    run_dir = run_dir or Path(lineage["run_dir"])
    items = parity_items(run_dir, cfg.export.parity_prompts)
    reference, _, parity = forced_parity(cfg, registry, version, out / "model", items)
    bounds = gate_bounds(cfg)
    record = {"version": version, "base_model": lineage["base_model"], "base_hash": lineage["base_hash"],
              "quantization": lineage["quantization"], "prompt_shape": lineage["prompt_shape"],
              "removed_templates": lineage["removed_templates"], "merge": {"method": MERGE_METHOD, **merge},
              "parity": parity, "bounds": bounds, "servable": passes(parity["export"], **bounds),
              "model_dir": str(final / "model")}
    if not record["servable"]:  # refused on the forced comparison: not worth a vLLM start
        refuse(record, out, run_dir)
    shutil.rmtree(final, ignore_errors=True)
    out.rename(final)  # served from where it will stay, so the evaluation takes over this very server
    try:
        parity.update(served_parity(cfg, final / "model", items, reference, parity["max_tokens"]))
    except BaseException:
        unserved = final.with_name(f".{version}.unserved")  # never left where the registry would serve it
        shutil.rmtree(unserved, ignore_errors=True)
        final.rename(unserved)
        raise
    log.info("parity: export next-token agreement %s over %d positions (drift %s)%s; greedy texts identical %d/%d",
             parity["export"]["next_token_agreement"], parity["export"]["positions"], parity["export"]["max_top_logprob_gap"],
             "".join(f", {k} {v['next_token_agreement']}" for k, v in parity.get("naive", {}).items()),
             parity["identical_greedy"], len(items))
    write_records(record, final, run_dir)
    registry.mark_servable(version, str(final / "model"))
    return record


def write_records(record: dict, folder: Path, run_dir: Path) -> None:
    """export.json beside the model, and the run's stage-export.json (what serving measured, for the cost report)."""
    (folder / "export.json").write_text(json.dumps(record, indent=1, sort_keys=True))
    parity = record["parity"]
    write_json({"stage": "export", "version": record["version"], "servable": record["servable"],
                "serving": parity.get("serving"), "parity": {"prompts": parity["prompts"], **parity["export"]},
                "bounds": record["bounds"], "device": "cuda" if _cuda() else "cpu"}, run_dir / "stage-export.json")


def refuse(record: dict, staging: Path, run_dir: Path) -> NoReturn:
    """Keep a refused export as <version>.refused for inspection (an earlier good export is untouched), and say why."""
    refused = staging.with_name(f"{record['version']}.refused")
    write_records(record, staging, run_dir)
    shutil.rmtree(refused, ignore_errors=True)
    staging.rename(refused)
    raise ExportError(f"export {record['version']} refused: {refusal(record['parity']['export'], record['bounds'])}; "
                      f"details in {refused / 'export.json'}")


def gate_bounds(cfg: RunConfig) -> dict:
    e = cfg.export
    return {"min_agreement": e.min_token_agreement, "max_top_logprob_gap": e.max_top_logprob_gap, "min_positions": e.min_positions}


def refusal(measured: dict, bounds: dict) -> str:
    """Why the export was refused, in the gate's own terms."""
    if measured["positions"] < bounds["min_positions"]:
        return (f"only {measured['positions']} answer tokens were compared with the NF4 reference (at least "
                f"{bounds['min_positions']} needed to judge a merge): raise export.parity_prompts")
    return (f"next-token agreement with the NF4 reference {measured['next_token_agreement']} over {measured['positions']} "
            f"teacher-forced positions (export.min_token_agreement {bounds['min_agreement']}), largest drift of the "
            f"reference token's log-probability {measured['max_top_logprob_gap']} (export.max_top_logprob_gap "
            f"{bounds['max_top_logprob_gap']})")


def ensure_export(cfg: RunConfig, version: str, run_dir: Path) -> dict:
    """The version's export record: the one already registered as servable, else a new export (merge + parity)."""
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    try:
        record = registry.export_record(version)
    except (RegistryError, FileNotFoundError):
        return export_student(cfg, version, run_dir)
    log.info("adapter %s already has a servable export at %s; reusing it", version, record["model_dir"])
    return record


def parity_items(run_dir: Path, count: int) -> list[tuple[str, str]]:
    """(route, user) of the first `count` eval-split prompts of a run, by prompt_id: fixed across exports."""
    import pyarrow.parquet as pq

    path = run_dir / "prompts.parquet"
    if not path.is_file():
        raise ExportError(f"{path} does not exist: pass --run-dir with a run whose eval prompts the parity check can use")
    rows = sorted((p for p in pq.read_table(path).to_pylist() if p["split"] == "eval"), key=lambda p: p["prompt_id"])
    if not rows:
        raise ExportError(f"{path} has no eval prompts for the parity check")
    return [(p["route"], p["user"]) for p in rows[:count]]


def served_parity(cfg: RunConfig, model_dir: Path, items, reference: list[str], budget: int) -> dict:
    """The export served by vLLM on the same prompts: its throughput for the cost report, and, as a diagnostic,
    how many greedy texts are identical to the reference's (one flipped token parts a long text: not the gate)."""
    served, serving = served_answers(cfg, model_dir, items, budget)
    return {"serving": serving, "routes": route_validity(cfg, items, served, reference),
            "examples": [{"route": r, "reference": ref[:200], "export": s[:200]}
                         for (r, _), ref, s in zip(items, reference, served) if ref != s][:5],
            "identical_greedy": sum(a.strip() == b.strip() for a, b in zip(served, reference))}


def forced_parity(cfg: RunConfig, registry: Registry, version: str, model_dir: Path,
                  items: list[tuple[str, str]]) -> tuple[list[str], list, dict]:
    """The reference's greedy answers and logits on them, and the export (and, if asked, the naive merges)
    teacher-forced on the same tokens and compared."""
    budget = max(answer_budget(cfg, route) for route, _ in items)
    reference, reference_logits = reference_run(cfg, registry, version, items, budget)
    out = {"prompts": len(items), "max_tokens": budget,
           "export": compare_logits(reference_logits, export_logits(cfg, model_dir, items, reference))}
    if cfg.export.compare_naive:
        out["naive"] = {name: compare_logits(reference_logits, logits)
                        for name, logits in naive_logits(cfg, registry, version, items, reference).items()}
    return reference, reference_logits, out


def reference_run(cfg: RunConfig, registry: Registry, version: str, items, budget: int) -> tuple[list[str], list]:
    """The training reference (transformers + peft, the adapter on the NF4 base): its greedy answers, and its
    teacher-forced logits on them."""
    from models.resolve import resolve_model
    from models.student import load_student
    from models.student_generate import generate_answers

    model, tokenizer, _ = load_student(cfg.student)
    model = registry.load(version, model, resolve_model(cfg.student.model))
    answers = generate_answers(model, tokenizer, items, max_new_tokens=budget)
    return answers, forced_logits(model, tokenizer, items, answers)


def export_logits(cfg: RunConfig, model_dir: Path, items, answers: list[str]) -> list:
    """The merged export, loaded as a plain model in the compute dtype it was saved in, on the reference's tokens."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from models.device import choose_device

    choice = choose_device(cfg.student.device, cfg.student.quant.compute_dtype)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=choice.dtype, device_map={"": choice.device})
    return forced_logits(model, AutoTokenizer.from_pretrained(model_dir), items, answers)


def naive_logits(cfg: RunConfig, registry: Registry, version: str, items, answers: list[str]) -> dict[str, list]:
    """What shipping without the dequantized base would compute: adapter on, and merge into, the original weights."""
    import tempfile

    from transformers import AutoModelForCausalLM

    from models.resolve import resolve_model
    from models.student import load_student

    plain = cfg.student.model_copy(update={"quant": cfg.student.quant.model_copy(update={"load_in_4bit": False})})
    model, tokenizer, choice = load_student(plain)
    adapter_on_original = registry.load(version, model, resolve_model(cfg.student.model))
    logits = {"adapter_on_original_weights": forced_logits(adapter_on_original, tokenizer, items, answers)}
    del adapter_on_original, model
    with tempfile.TemporaryDirectory() as tmp:
        merge_adapter(Path(resolve_model(cfg.student.model)), registry.dir / version, Path(tmp) / "merged")
        merged = AutoModelForCausalLM.from_pretrained(Path(tmp) / "merged", dtype=choice.dtype, device_map={"": choice.device})
        logits["merged_into_original_weights"] = forced_logits(merged, tokenizer, items, answers)
    return logits


def served_answers(cfg: RunConfig, model_dir: Path, items, budget: int) -> tuple[list[str], dict]:
    """The export's greedy answers through vLLM, with the serving throughput and latency they took."""
    import asyncio

    from models.client_pool import ClientPool
    from models.prompt_shape import student_messages
    from models.served_student import export_config, export_server

    async def ask(endpoint) -> tuple[list, float]:
        pool = ClientPool(endpoint, export_config(cfg, model_dir), role="student export")
        started = time.monotonic()
        try:
            results = await asyncio.gather(*(pool.complete(student_messages(r, u), {"max_tokens": budget, "temperature": 0.0})
                                             for r, u in items))
        finally:
            await pool.close()
        return results, time.monotonic() - started

    # handed over: the evaluation serves this same export next and takes the running server over
    with export_server(cfg, model_dir, Path(cfg.store.root) / "logs", hand_over=True) as endpoint:
        results, wall = asyncio.run(ask(endpoint))
        failpoint("export.served")  # the parity server still up: a kill here orphans it
    failed = [r for r in results if isinstance(r, str)]
    if failed:
        raise ExportError(f"the served export refused {len(failed)} requests, e.g. {failed[0]}")
    latencies = sorted(r.latency_s for r in results)
    tokens = sum(r.completion_tokens for r in results)
    serving = {"requests": len(results), "concurrency": cfg.evaluation.concurrency, "wall_s": round(wall, 2),
               "output_tok_s": round(tokens / wall, 1), "latency_p50_s": round(statistics.median(latencies), 3),
               "latency_p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3)}
    return [r.texts[0].strip() for r in results], serving


def route_validity(cfg: RunConfig, items, served: list[str], reference: list[str]) -> dict:
    """Per JSON route: the share of schema-valid answers from the export and from the reference."""
    out = {}
    for route in sorted({r for r, _ in items}):
        schema = route_schema(cfg, route)
        idx = [i for i, (r, _) in enumerate(items) if r == route]
        if schema:
            out[route] = {"n": len(idx),
                          "schema_valid_export": round(sum(schema_valid(served[i], schema) for i in idx) / len(idx), 4),
                          "schema_valid_reference": round(sum(schema_valid(reference[i], schema) for i in idx) / len(idx), 4)}
    return out


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()
