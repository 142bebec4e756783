"""A finished run's routes decided again by this checkout's gate and a config's knobs, from its eval.parquet alone.

    .venv/bin/python benchmarks/redecide.py <run folder> -c configs/demo.yaml [-o evaluation.student_sure=0.8]

No server and no model: the answers, their per-item metrics and the student's confidences are in eval.parquet, so a
change of margin, threshold or min_served_share can be tried on a past night in seconds. The registry is not touched.
The judge's reliability is the run's own (ab.json), as the evaluate stage decided with it. One JSON line: per route,
promote, with deferral or not, the share the student would answer, and the reasons.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    import pyarrow.parquet as pq

    from distillery.config import ConfigError, load_config
    from tasks.evaluation.score import decide_routes, summarize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("-c", "--config", type=Path, default=ROOT / "configs/demo.yaml")
    ap.add_argument("-o", "--override", action="append", default=[])
    args = ap.parse_args(argv)
    try:
        e = load_config(args.config, args.override).evaluation
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [name for name in ("eval.parquet", "ab.json") if not (args.run / name).is_file()]
    if missing:
        print(f"error: {args.run} has no {' or '.join(missing)}: run distillery evaluate --run-dir {args.run} first",
              file=sys.stderr)
        return 2
    rows = pq.read_table(args.run / "eval.parquet").to_pylist()
    judge = json.loads((args.run / "ab.json").read_text()).get("judge", {}).get("reliability")
    stats = {"resamples": e.bootstrap_resamples, "confidence": e.confidence, "seed": e.seed}
    summary = summarize(rows, e.gates, stats, e.include_base, e.min_items, e.teacher_sure, e.student_sure)
    min_served = e.min_served_share if e.defer_to_teacher and e.student_sure else None
    decided = decide_routes(summary, e.gates, judge, e.min_items, min_served)
    routes = {r: {"promote": d["promote"], "with_deferral": bool(d.get("defer_below")),
                  "served_share": (summary[r].get("student_sure") or {}).get("coverage", {}).get("estimate"),
                  "reasons": d["reasons"] or d.get("alone", [])} for r, d in decided.items()}
    print(json.dumps({"benchmark": "redecide", "run": str(args.run), "overrides": args.override, "routes": routes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
