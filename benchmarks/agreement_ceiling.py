"""How high can agreement with the teacher go? Teacher and student scored against the truth the demo log was built from.

    .venv/bin/python benchmarks/agreement_ceiling.py .distillery/runs/<run>            # one JSON line per run
    .venv/bin/python benchmarks/agreement_ceiling.py /tmp/distillery-trials/runs/*      # every trial run

The gate compares the student with the teacher: on ticket-triage, the share of held-out tickets where the student
gives the teacher's category. That share is capped by the teacher's own mistakes: a student that learns what the
tickets say, rather than where the teacher slips, disagrees wherever the teacher is wrong. The demo log knows the
truth: data/generate_demo_log.py picks a category, writes a ticket for it and logs that label as the production
answer (`response`). This joins a run's eval.parquet (teacher and student answers) with that answer through
prompts.parquet's request_id and reports, per field:

- each arm's accuracy against the log's label (Clopper-Pearson), and the paired difference student - teacher
  (Tango's interval; the scoring of benchmarks/handlabelled.py, so an answer outside the schema counts wrong);
- agreement student~teacher, split into: both right, only the student right, only the teacher right, both wrong with
  the same label (an error copied), both wrong differently;
- `perfect_student_agreement`: the agreement a student right on every ticket would get (the teacher's accuracy),
  and `copied_errors_needed` for a target agreement: how many of the teacher's errors a student must reproduce.

Only for logs whose `response` is a true label (the demo's generator writes one). A production log's response is
what production answered, not a truth: do not read these figures off it.
"""

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUTE = "ticket-triage"
TARGET_AGREEMENT = 0.90  # issue 20's triage target: category agreement with the teacher


def _handlabelled():
    """benchmarks/handlabelled.py's scoring (parse against the schema's enums, accuracy, paired difference)."""
    spec = importlib.util.spec_from_file_location("handlabelled", ROOT / "benchmarks/handlabelled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log_labels(path: Path, route: str) -> tuple[dict[str, dict], set[str]]:
    """request_id -> the logged answer (a dict) for `route`'s rows of a JSONL log; and the ids that are unusable:
    logged twice with different answers (the demo plants reused ids), or an answer that is not a JSON object."""
    labels: dict[str, dict] = {}
    unusable: set[str] = set()
    for line in Path(path).read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # the demo log plants malformed rows; the sample stage quarantines them too
        if not isinstance(row, dict) or row.get("route") != route:
            continue
        rid = str(row.get("request_id"))
        try:
            answer = json.loads(row.get("response") or "")
        except (TypeError, json.JSONDecodeError):
            answer = None
        if not isinstance(answer, dict) or (rid in labels and labels[rid] != answer):
            unusable.add(rid)
        labels.setdefault(rid, answer)
    return {k: v for k, v in labels.items() if k not in unusable}, unusable


def decompose(student: list[str], teacher: list[str], truth: list[str], invalid: str) -> dict[str, int]:
    """Every item in exactly one cell: who is right, and when both are wrong, whether the student copied the error."""
    cells = dict.fromkeys(("both_right", "student_only_right", "teacher_only_right", "both_wrong_same",
                           "both_wrong_different"), 0)
    for s, t, y in zip(student, teacher, truth, strict=True):
        s_ok, t_ok = s == y and s != invalid, t == y and t != invalid
        if s_ok and t_ok:
            cells["both_right"] += 1
        elif s_ok or t_ok:
            cells["student_only_right" if s_ok else "teacher_only_right"] += 1
        else:
            cells["both_wrong_same" if s == t else "both_wrong_different"] += 1
    return cells


def ceiling(cells: dict[str, int], target: float = TARGET_AGREEMENT) -> dict:
    """Agreement with the teacher as the sum of its parts, and what a target agreement asks of a student: a student
    right on every item agrees exactly where the teacher is right; beyond that it must share the teacher's errors."""
    n = sum(cells.values())
    teacher_right = cells["both_right"] + cells["teacher_only_right"]
    teacher_wrong = n - teacher_right
    return {"agreement": (cells["both_right"] + cells["both_wrong_same"]) / n,
            "perfect_student_agreement": teacher_right / n,
            "teacher_errors": teacher_wrong,
            "errors_copied": cells["both_wrong_same"],
            "target_agreement": target,
            # a student right wherever the teacher is: teacher_right agreements, plus one per copied error
            "copied_errors_needed": max(0, math.ceil(target * n - 1e-9) - teacher_right)}


def labelled_items(run: Path, log: Path) -> dict:
    """A run's held-out triage items joined with the log's label through prompts.parquet's request_id: the items
    (eval.parquet rows) that have a label, and per field the truth and both arms' answers as the schema reads them
    (benchmarks/handlabelled.py's parse: INVALID where an answer gives no allowed value)."""
    import pyarrow.parquet as pq

    hl = _handlabelled()
    enums = hl.schema_enums(json.loads((ROOT / f"data/routes/{ROUTE}.schema.json").read_text()))
    evals = [r for r in pq.read_table(run / "eval.parquet").to_pylist() if r["route"] == ROUTE]
    request_of = {p["prompt_id"]: p["request_id"] for p in
                  pq.read_table(run / "prompts.parquet", columns=["prompt_id", "request_id"]).to_pylist()}
    labels, unusable = log_labels(log, ROUTE)
    known = [(r, labels[request_of[r["prompt_id"]]]) for r in evals if request_of.get(r["prompt_id"]) in labels]
    student = [hl.parse_answer(r["student_answer"], enums) for r, _ in known]
    teacher = [hl.parse_answer(r["teacher_answer"], enums) for r, _ in known]
    return {"items": [r for r, _ in known], "eval_items": len(evals), "log_ids_unusable": len(unusable),
            "fields": {f: {"truth": [label.get(f) for _, label in known], "student": [a[f] for a in student],
                           "teacher": [a[f] for a in teacher]} for f in hl.FIELDS}}


def score_run(run: Path, log: Path, confidence: float = 0.95) -> dict:
    """One run's figures (see the module docstring)."""
    hl = _handlabelled()
    joined = labelled_items(run, log)
    n = len(joined["items"])
    out: dict = {"run": run.name, "route": ROUTE, "n": n, "eval_items": joined["eval_items"],
                 "without_label": joined["eval_items"] - n, "log_ids_unusable": joined["log_ids_unusable"]}
    for f, arms in joined["fields"].items():
        s, t, y = arms["student"], arms["teacher"], arms["truth"]
        cells = decompose(s, t, y, hl.INVALID)
        out[f] = {"teacher_accuracy": _rounded(hl.accuracy(t, y, confidence)),
                  "student_accuracy": _rounded(hl.accuracy(s, y, confidence)),
                  "student_minus_teacher": _rounded(hl.paired_difference(s, t, y, confidence)),
                  "cells": cells, **_rounded(ceiling(cells))}
    return out


def _rounded(d: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (each with eval.parquet and prompts.parquet)")
    parser.add_argument("--log", type=Path, default=ROOT / "data/demo/production.jsonl",
                        help="the JSONL log the runs sampled (default: the demo log, whose answers are true labels)")
    args = parser.parse_args(argv)
    if not args.log.is_file():
        parser.error(f"{args.log}: no such log; run `make data` to generate the demo log")
    status = 0
    for run in args.runs:
        if not (run / "eval.parquet").is_file() or not (run / "prompts.parquet").is_file():
            print(f"{run}: no eval.parquet/prompts.parquet (not an evaluated run); skipped", file=sys.stderr)
            status = 1
            continue
        print(json.dumps(score_run(run, args.log)))
    return status


if __name__ == "__main__":
    sys.exit(main())
