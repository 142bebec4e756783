"""The export stage as a Prefect task: make the artifact that would ship before it is evaluated."""

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.export.stage import run_export
from tasks.timing import timed


@task(name="export", task_run_name="export {run_dir}", cache_policy=NO_CACHE)
@timed("export")
def export_candidate(cfg: RunConfig, run_dir: str, version: str | None = None) -> dict:
    """Merge the run's adapter into its dequantized NF4 base and check parity; reuses a servable export."""
    return run_export(cfg, Path(run_dir), version)
