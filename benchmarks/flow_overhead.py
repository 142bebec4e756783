"""How much of a nightly run is Prefect's, not the stages'? Issue 8's target: under 5% of the run.

    .venv/bin/python benchmarks/flow_overhead.py                     # the nightly flow once on configs/demo.yaml
    .venv/bin/python benchmarks/flow_overhead.py -o sampling.budget=60 -o student.training.max_steps=2   # quicker
    .venv/bin/python benchmarks/flow_overhead.py --from-run .distillery/runs/<run>   # a run that already happened

The flow times itself (flows/nightly.py writes flow-nightly.json): its wall time, and the seconds spent inside
each stage's own function, measured in the same process around the same calls. Overhead = wall - stages: task
and flow run bookkeeping, state changes sent to the server, artifacts, the machine slot. A repeated run whose
stages all reuse their outputs shows Prefect's fixed cost on its own. The last stdout line is one JSON document.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 0.05


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-c", "--config", default=str(ROOT / "configs/demo.yaml"))
    ap.add_argument("-o", "--override", action="append", default=[])
    ap.add_argument("--run-date", default=None, help="YYYY-MM-DD (default: today)")
    ap.add_argument("--from-run", type=Path, default=None, help="read flow-nightly.json of a finished run instead")
    args = ap.parse_args()
    if args.from_run:
        timing, run = json.loads((args.from_run / "flow-nightly.json").read_text()), args.from_run.name
    else:
        from datetime import date

        from flows.nightly import nightly

        result = nightly(config_file=str(Path(args.config).resolve()), overrides=dict(o.split("=", 1) for o in args.override),
                         run_date=date.fromisoformat(args.run_date) if args.run_date else None)
        timing, run = result["timing"], Path(result["run_dir"]).name
    print(json.dumps({"benchmark": "flow_overhead", "run": run, "wall_s": timing["wall_s"], "stages_s": timing["stages_s"],
                      "overhead_s": timing["overhead_s"], "overhead_ratio": timing["overhead_ratio"], "target": TARGET,
                      "meets_target": timing["overhead_ratio"] < TARGET, "stages": timing["stages"]}))


if __name__ == "__main__":
    main()
