"""Where the student disagrees, was the teacher unsure? The teacher's probability of its own category, by who is right.

    .venv/bin/python benchmarks/teacher_confidence.py /tmp/distillery-trials/runs/<run> --config <the run's config>

benchmarks/agreement_ceiling.py shows that agreement with the teacher is capped by the teacher's mistakes on the
demo's tickets. This asks whether those mistakes can be told apart without true labels: the teacher answers the
run's held-out triage tickets again, as the label stage asks them (the route's plan: system prompt, JSON schema,
greedy), with `logprobs`, and the probability of the first token of its category value is its confidence
(vLLM returns the model's own log-probabilities, before the schema's mask). One JSON line:

- per cell of agreement_ceiling's split (both right, only the student right, ...): n, mean and median confidence;
- AUC of the confidence for "the student agrees" and for "the teacher is right" (0.5: no signal);
- agreement and the teacher's accuracy among the tickets the teacher answers with confidence >= 0.5, 0.7, 0.9.

Starts the teacher's vLLM server (or uses teacher.endpoint): about 4 min for 187 tickets on 2 cores with the 1.5B.
The demo log's answers are true labels (see agreement_ceiling.py); a production log's are not.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import agreement_ceiling  # noqa: E402

from models.answer_confidence import field_confidences  # noqa: E402

ROUTE = agreement_ceiling.ROUTE
THRESHOLDS = (0.5, 0.7, 0.9)


def category_confidence(tokens: list) -> float | None:
    """The probability of the token that opens the category's value, from a completion's logprobs
    ([[token, logprob, alternatives], ...], models.client_pool.Completion); None when the answer has no category.
    The evaluate stage's own reading (tasks/evaluation/confidence.py), for this route's one field."""
    return field_confidences(json.dumps(tokens), ["category"]).get("category")


def auc(positives: list[float], negatives: list[float]) -> float | None:
    """P(a positive scores above a negative), ties counting half: the Mann-Whitney form of the ROC AUC.
    Hand-written: a double loop over at most a few hundred items needs no library."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def summarize(rows: list[dict]) -> dict:
    """rows: {"cell", "confidence", "agrees", "teacher_right"} per ticket with a confidence."""
    cells = {}
    for name in ("both_right", "student_only_right", "teacher_only_right", "both_wrong_same", "both_wrong_different"):
        values = [r["confidence"] for r in rows if r["cell"] == name]
        cells[name] = {"n": len(values), "mean": round(statistics.mean(values), 3) if values else None,
                       "median": round(statistics.median(values), 3) if values else None}
    confident = {}
    for threshold in THRESHOLDS:
        kept = [r for r in rows if r["confidence"] >= threshold]
        confident[str(threshold)] = {"n": len(kept),
                                     "agreement": round(sum(r["agrees"] for r in kept) / len(kept), 3) if kept else None,
                                     "teacher_accuracy": round(sum(r["teacher_right"] for r in kept) / len(kept), 3)
                                     if kept else None}

    def split(key):
        return auc([r["confidence"] for r in rows if r[key]], [r["confidence"] for r in rows if not r[key]])

    return {"n": len(rows), "cells": cells, "auc_student_agrees": _round(split("agrees")),
            "auc_teacher_right": _round(split("teacher_right")), "confident": confident}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def ask_teacher(cfg, run: Path, items: list[dict]) -> tuple[list[list], float]:
    """The teacher's logprobs for each held-out item (eval.parquet rows), asked as the label stage asks them."""
    import pyarrow.parquet as pq

    from distillery.routes import messages_for, plan_route
    from models.client_pool import ClientPool
    from models.vllm_server import served_endpoint

    plan = plan_route(cfg, ROUTE)
    params = {**plan.params, "logprobs": True, "top_logprobs": 1}
    prompts = {p["prompt_id"]: p for p in pq.read_table(run / "prompts.parquet").to_pylist()}

    async def all_of(endpoint):
        pool = ClientPool(endpoint, cfg.teacher)
        try:
            return await asyncio.gather(*(pool.complete(messages_for(prompts[r["prompt_id"]], plan), params)
                                          for r in items))
        finally:
            await pool.close()

    with served_endpoint(cfg.teacher, Path(cfg.store.root) / "logs") as endpoint:
        started = time.monotonic()
        answers = asyncio.run(all_of(endpoint))
        seconds = time.monotonic() - started
    return [[] if isinstance(a, str) else json.loads(a.logprobs[0] or "[]") for a in answers], seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a run folder with eval.parquet and prompts.parquet")
    parser.add_argument("-c", "--config", default=str(ROOT / "configs/demo.yaml"), help="the run's config")
    parser.add_argument("-o", "--override", action="append", default=[], help="dotted config overrides")
    parser.add_argument("--log", type=Path, default=ROOT / "data/demo/production.jsonl")
    args = parser.parse_args(argv)
    from distillery.config import load_config

    cfg = load_config(args.config, args.override)
    joined = agreement_ceiling.labelled_items(args.run, args.log)  # only items with a label are asked
    arms = joined["fields"]["category"]
    invalid = agreement_ceiling._handlabelled().INVALID
    tokens, seconds = ask_teacher(cfg, args.run, joined["items"])
    rows = []
    for i, answer in enumerate(tokens):
        confidence = category_confidence(answer)
        if confidence is None:
            continue
        s, t, y = arms["student"][i], arms["teacher"][i], arms["truth"][i]
        cell = next(k for k, v in agreement_ceiling.decompose([s], [t], [y], invalid).items() if v)
        rows.append({"cell": cell, "confidence": confidence, "agrees": s == t, "teacher_right": t == y})
    print(json.dumps({"run": args.run.name, "route": ROUTE, "teacher": cfg.teacher.model,
                      "eval_items": joined["eval_items"], "answer_s": round(seconds, 1), **summarize(rows)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
