"""Does the sample stage scale near-linearly? The whole stage at 10k and 100k log rows, same process.

    .venv/bin/python benchmarks/sample_throughput.py            # ~3 min on 2 cores (most of it generating logs)

Targets (issue 3): time(100k) / time(10k) <= 12, and 100k rows in under 60 s here.
The last stdout line is one JSON document.
"""

import json
import logging
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from distillery.config import load_config  # noqa: E402
from tasks.sampling.stage import run_sample  # noqa: E402


def make_log(rows: int, folder: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "data/generate_demo_log.py"), "--rows", str(rows), "--out", str(folder),
                    "--no-unique"], check=True, stdout=subprocess.DEVNULL)
    return folder / "production.db"


def time_stage(db: Path, work: Path, name: str) -> dict:
    cfg = load_config(ROOT / "configs/demo.yaml", [f"source.url=sqlite:///{db}", f"store.root={work / 'store'}"])
    started = time.monotonic()
    record = run_sample(cfg, work / "store" / "runs" / name, date(2026, 11, 23))
    wall = time.monotonic() - started
    return {"rows": record["funnel"]["read"], "wall_s": round(wall, 2), "rows_per_s": round(record["funnel"]["read"] / wall),
            "phases_s": record["phases_s"]}


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small = make_log(10_000, work / "log10k")
        big = make_log(100_000, work / "log100k")
        time_stage(small, work, "warmup")  # imports, lingua models, Faker name lists: not the stage's scaling
        r10 = time_stage(small, work, "r10k")
        r100 = time_stage(big, work, "r100k")
    ratio = r100["wall_s"] / r10["wall_s"]
    print(json.dumps({"benchmark": "sample_throughput", "rows_10k": r10, "rows_100k": r100, "time_ratio_100k_10k": round(ratio, 2),
                      "ok_ratio_le_12": ratio <= 12, "ok_100k_under_60s": r100["wall_s"] < 60}))


if __name__ == "__main__":
    main()
