"""The train stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import to_markdown
from tasks.timing import timed
from tasks.training.stage import run_train
from tasks.training.summary import summarize


@task(name="train", task_run_name="train {run_dir}", cache_policy=NO_CACHE)
@timed("train")
def train_student(cfg: RunConfig, run_dir: str, resume: bool = True) -> dict:
    """QLoRA-train the student on the run's curated examples; resumes from the run's checkpoint if there is one."""
    record = run_train(cfg, Path(run_dir), resume=resume)
    s = summarize(record)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    return record
