"""The curate stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.curation.stage import run_curate
from tasks.curation.summary import summarize
from tasks.timing import timed


@task(name="curate", task_run_name="curate {run_dir}", cache_policy=NO_CACHE)
@timed("curate")
def curate_examples(cfg: RunConfig, run_dir: str) -> dict:
    """Filter the teacher's answers into train.parquet; publish the funnel per route."""
    record = run_curate(cfg, Path(run_dir))
    s = summarize(record)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return record
