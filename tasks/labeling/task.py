"""The label stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.labeling.stage import run_label
from tasks.labeling.summary import summarize
from tasks.timing import timed


@task(name="label", task_run_name="label {run_dir}", cache_policy=NO_CACHE)
@timed("label")
def label_prompts(cfg: RunConfig, run_dir: str) -> dict:
    """Have the teacher answer every prompt that has no committed label; progress goes to the run's log."""
    record = run_label(cfg, Path(run_dir))
    s = summarize(record)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return record
