"""The evaluate stage as a Prefect task, for the nightly flow and the UI."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.evaluation.stage import run_evaluate
from tasks.evaluation.summary import summarize
from tasks.timing import timed


@task(name="evaluate", task_run_name="evaluate {run_dir}", cache_policy=NO_CACHE)
@timed("evaluate")
def evaluate_candidate(cfg: RunConfig, run_dir: str, version: str | None = None) -> dict:
    """Teacher vs the candidate student on the held-out prompts; promote it only if non-inferior."""
    ab = run_evaluate(cfg, Path(run_dir), version)
    s = summarize(ab)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return ab
