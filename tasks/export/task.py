"""The export stage as a Prefect task: make the artifact that would ship before it is evaluated."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.export.stage import run_export
from tasks.export.summary import summarize
from tasks.timing import timed


@task(name="export", task_run_name="export {run_dir}", cache_policy=NO_CACHE)
@timed("export")
def export_candidate(cfg: RunConfig, run_dir: str, version: str | None = None) -> dict:
    """Merge the run's adapter into its dequantized NF4 base and check parity; reuses a servable export."""
    record = run_export(cfg, Path(run_dir), version)
    s = summarize(record)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return record
