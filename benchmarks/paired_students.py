"""Two runs' students on the held-out items both answered: each one's agreement with the teacher, and the difference.

    .venv/bin/python benchmarks/paired_students.py <run A> <run B> [--route ticket-triage]

Two runs of the same night that differ in one knob (curation.history_nights, a learning rate) evaluate the same items
when they sample the same prompts and pool the same earlier nights: their students can then be compared item by item,
which is tighter than comparing two intervals. Reads only eval.parquet (no server, no model); joins on prompt_id.
Per exact field of the route: each student's agreement with the teacher on the shared items (Clopper-Pearson) and B - A
(Tango's interval for paired yes/no data, tasks/evaluation/stats.py, the evaluation's own). One JSON line.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def agreements(run: Path, route: str) -> dict[str, dict[str, bool]]:
    """prompt_id -> {field: the student gave the teacher's value} for the route's items of a run's eval.parquet."""
    import pyarrow.parquet as pq

    rows = pq.read_table(run / "eval.parquet", columns=["prompt_id", "route", "fields_student"]).to_pylist()
    return {r["prompt_id"]: json.loads(r["fields_student"]) for r in rows if r["route"] == route and r["fields_student"]}


def compare(a: dict[str, dict[str, bool]], b: dict[str, dict[str, bool]], confidence: float = 0.95) -> dict:
    from tasks.evaluation.stats import tango_ci

    shared = sorted(a.keys() & b.keys())
    out: dict = {"items": len(shared), "only_a": len(a.keys() - b.keys()), "only_b": len(b.keys() - a.keys())}
    fields = sorted({f for pid in shared for f in a[pid]} & {f for pid in shared for f in b[pid]})
    for f in fields:
        xs = [(bool(a[pid].get(f)), bool(b[pid].get(f))) for pid in shared]
        n = len(xs)
        only_b, only_a = sum(y and not x for x, y in xs), sum(x and not y for x, y in xs)
        lo, hi = tango_ci(only_b, only_a, n, confidence)
        out[f] = {"a": _rate([x for x, _ in xs], confidence), "b": _rate([y for _, y in xs], confidence),
                  "b_minus_a": {"estimate": round((only_b - only_a) / n, 4), "ci": [round(float(lo), 4), round(float(hi), 4)],
                                "method": "tango", "discordant": [only_b, only_a]}}
    return out


def _rate(hits: list[bool], confidence: float) -> dict:
    from tasks.evaluation.stats import mean_ci

    out = mean_ci([float(h) for h in hits], resamples=0, confidence=confidence, seed=0)  # yes/no: Clopper-Pearson
    return {"estimate": round(out["estimate"], 4), "ci": [round(x, 4) for x in out["ci"]], "agreed": sum(hits)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_a", type=Path)
    ap.add_argument("run_b", type=Path)
    ap.add_argument("--route", default="ticket-triage")
    args = ap.parse_args(argv)
    for run in (args.run_a, args.run_b):
        if not (run / "eval.parquet").is_file():
            print(f"{run / 'eval.parquet'} does not exist: evaluate that run first (distillery evaluate --run-dir {run})",
                  file=sys.stderr)
            return 2
    result = compare(agreements(args.run_a, args.route), agreements(args.run_b, args.route))
    if not result["items"]:
        print(f"the runs share no {args.route} item: nothing to pair", file=sys.stderr)
        return 1
    print(json.dumps({"a": args.run_a.name, "b": args.run_b.name, "route": args.route, **result}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
