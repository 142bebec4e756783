"""The sample stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from datetime import date
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.sampling.stage import run_sample
from tasks.sampling.summary import summarize
from tasks.timing import timed


@task(name="sample", task_run_name="sample {run_date}", cache_policy=NO_CACHE)
@timed("sample")
def sample_prompts(cfg: RunConfig, run_dir: str, run_date: date) -> dict:
    """Draw the night's prompts: validated, PII-scrubbed, deduplicated, stratified, split train/eval."""
    record = run_sample(cfg, Path(run_dir), run_date)
    s = summarize(record)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return record
