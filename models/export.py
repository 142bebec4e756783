"""Ship the student: the adapter merged into its dequantized NF4 base, gated by a parity check, then servable.

    distillery export v0003 [--run-dir RUN]     # -> <store>/exports/<student>/v0003/{model,adapter,export.json}
    distillery serve student                    # serves the champion's export under `export.served_name`

Why not merge into the original weights (FACTS.md): the adapter learned against dequant(NF4(W)), not W.
On the original weights a low-margin decision collapsed in a hand run here. The parity check answers a
fixed set of held-out prompts three ways, greedily, and counts identical answers against the training
reference (transformers + peft on the NF4 base): the export served by vLLM (the gate), and, for the
report, the two naive alternatives (the adapter on the original weights; the merge into them).
"""

import json
import logging
import shutil
import statistics
import time
from pathlib import Path

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from models.merge import merge_adapter
from models.registry import Registry, RegistryError
from tasks.store import write_json

log = logging.getLogger(__name__)
MERGE_METHOD = "W = dequant(NF4(W0)) + (alpha/r) * B @ A, computed in float32, saved in the compute dtype"


class ExportError(RuntimeError):
    """The export cannot be made or was refused; the message says why and what to do."""


def export_root(cfg: RunConfig, registry: Registry) -> Path:
    return Path(cfg.store.root) / "exports" / registry.dir.name


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
    parity = check_parity(cfg, registry, version, out / "model", items)
    bound = cfg.export.max_disagreement
    servable = parity["export"]["disagreement"] <= bound
    record = {"version": version, "base_model": lineage["base_model"], "base_hash": lineage["base_hash"],
              "quantization": lineage["quantization"], "prompt_shape": lineage["prompt_shape"],
              "removed_templates": lineage["removed_templates"], "merge": {"method": MERGE_METHOD, **merge},
              "parity": parity, "max_disagreement": bound, "servable": servable, "model_dir": str(final / "model")}
    (out / "export.json").write_text(json.dumps(record, indent=1, sort_keys=True))
    # the run's record of it, for the cost report: what serving the student measured
    write_json({"stage": "export", "version": version, "servable": servable, "serving": parity["serving"],
                "parity": {"prompts": parity["prompts"], **parity["export"]}, "device": "cuda" if _cuda() else "cpu"},
               run_dir / "stage-export.json")
    if not servable:
        refused = final.with_name(f"{version}.refused")
        shutil.rmtree(refused, ignore_errors=True)
        out.rename(refused)
        raise ExportError(f"export {version} refused: {parity['export']['identical']} of {parity['prompts']} greedy answers "
                          f"match the NF4 reference ({parity['export']['disagreement']:.0%} differ, bound {bound:.0%}); "
                          f"details in {refused / 'export.json'}")
    shutil.rmtree(final, ignore_errors=True)
    out.rename(final)
    registry.mark_servable(version, str(final / "model"))
    return record


def ensure_export(cfg: RunConfig, version: str, run_dir: Path) -> dict:
    """The version's export record: the one already registered as servable, else a new export (merge + parity)."""
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    try:
        record = json.loads((Path(registry.servable(version)).parent / "export.json").read_text())
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


def check_parity(cfg: RunConfig, registry: Registry, version: str, model_dir: Path, items: list[tuple[str, str]]) -> dict:
    budget = max(_budget(cfg, route) for route, _ in items)
    reference = reference_answers(cfg, registry, version, items, budget)
    served, serving = served_answers(cfg, model_dir, items, budget)
    out = {"prompts": len(items), "max_tokens": budget, "export": _agreement(served, reference), "serving": serving,
           "routes": route_validity(cfg, items, served, reference),
           "examples": [{"route": r, "reference": ref[:200], "export": s[:200]}
                        for (r, _), ref, s in zip(items, reference, served) if ref != s][:5]}
    if cfg.export.compare_naive:
        out["naive"] = {name: _agreement(answers, reference) for name, answers in naive_answers(cfg, registry, version, items, budget).items()}
    log.info("parity: export %d/%d identical to the NF4 reference%s", out["export"]["identical"], len(items),
             "".join(f", {k} {v['identical']}/{len(items)}" for k, v in out.get("naive", {}).items()))
    return out


def reference_answers(cfg: RunConfig, registry: Registry, version: str, items, budget: int) -> list[str]:
    """The training reference: transformers + peft with the adapter on the NF4 base."""
    from models.resolve import resolve_model
    from models.student import load_student
    from models.student_generate import generate_answers

    model, tokenizer, _ = load_student(cfg.student)
    model = registry.load(version, model, resolve_model(cfg.student.model))
    return generate_answers(model, tokenizer, items, max_new_tokens=budget)


def naive_answers(cfg: RunConfig, registry: Registry, version: str, items, budget: int) -> dict[str, list[str]]:
    """What shipping without the dequantized base would have answered: adapter on, and merge into, the original weights."""
    import tempfile

    from transformers import AutoModelForCausalLM

    from models.resolve import resolve_model
    from models.student import load_student
    from models.student_generate import generate_answers

    plain = cfg.student.model_copy(update={"quant": cfg.student.quant.model_copy(update={"load_in_4bit": False})})
    model, tokenizer, choice = load_student(plain)
    adapter_on_original = registry.load(version, model, resolve_model(cfg.student.model))
    answers = {"adapter_on_original_weights": generate_answers(adapter_on_original, tokenizer, items, max_new_tokens=budget)}
    del adapter_on_original, model
    with tempfile.TemporaryDirectory() as tmp:
        merge_adapter(Path(resolve_model(cfg.student.model)), registry.dir / version, Path(tmp) / "merged")
        merged = AutoModelForCausalLM.from_pretrained(Path(tmp) / "merged", dtype=choice.dtype, device_map={"": choice.device})
        answers["merged_into_original_weights"] = generate_answers(merged, tokenizer, items, max_new_tokens=budget)
    return answers


def served_answers(cfg: RunConfig, model_dir: Path, items, budget: int) -> tuple[list[str], dict]:
    """The export's greedy answers through vLLM, with the serving throughput and latency they took."""
    import asyncio

    from models.prompt_shape import student_messages
    from models.served_student import export_config, export_server
    from models.teacher_async import TeacherPool

    async def ask(endpoint) -> tuple[list, float]:
        pool = TeacherPool(endpoint, export_config(cfg, model_dir))
        started = time.monotonic()
        try:
            results = await asyncio.gather(*(pool.complete(student_messages(r, u), {"max_tokens": budget, "temperature": 0.0})
                                             for r, u in items))
        finally:
            await pool.close()
        return results, time.monotonic() - started

    with export_server(cfg, model_dir, Path(cfg.store.root) / "logs") as endpoint:
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
    from tasks.evaluation.items import route_schema
    from tasks.evaluation.metrics import schema_valid

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


def _agreement(answers: list[str], reference: list[str]) -> dict:
    same = sum(a.strip() == b.strip() for a, b in zip(answers, reference))
    return {"identical": same, "disagreement": round(1 - same / max(len(reference), 1), 4)}


def _budget(cfg: RunConfig, route: str) -> int:
    from tasks.evaluation.answer import answer_params

    return answer_params(cfg, route)["max_tokens"]
