"""The evaluate stage as a Prefect task, for the nightly flow and the UI."""

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.evaluation.stage import run_evaluate
from tasks.timing import timed


@task(name="evaluate", task_run_name="evaluate {run_dir}", cache_policy=NO_CACHE)
@timed("evaluate")
def evaluate_candidate(cfg: RunConfig, run_dir: str, version: str | None = None) -> dict:
    """Teacher vs the candidate student on the held-out prompts; promote it only if non-inferior."""
    return run_evaluate(cfg, Path(run_dir), version)
