"""The sample stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from datetime import date
from pathlib import Path

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.sampling.stage import run_sample
from tasks.timing import timed


@task(name="sample", task_run_name="sample {run_date}", cache_policy=NO_CACHE)
@timed("sample")
def sample_prompts(cfg: RunConfig, run_dir: str, run_date: date) -> dict:
    """Draw the night's prompts: validated, PII-scrubbed, deduplicated, stratified, split train/eval."""
    record = run_sample(cfg, Path(run_dir), run_date)
    f = record["funnel"]
    rows = [{"step": "read", "rows": f["read"]}, {"step": "outside the window", "rows": f["outside_window"]}]
    rows += [{"step": f"quarantined: {reason}", "rows": n} for reason, n in f["quarantined"].items()]
    rows += [{"step": f"duplicate: {kind}", "rows": n} for kind, n in f["duplicates"].items()]
    rows += [{"step": f"sampled: {route}", "rows": n} for route, n in f["sampled"].items()]
    rows += [{"step": f"split: {split}", "rows": n} for split, n in f["split"].items()]
    create_table_artifact(key="sample-funnel", table=rows, description=f"Sample funnel for {run_date} ({record['wall_s']:.0f} s)")
    return record
