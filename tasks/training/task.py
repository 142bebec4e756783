"""The train stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.timing import timed
from tasks.training.stage import run_train


@task(name="train", task_run_name="train {run_dir}", cache_policy=NO_CACHE)
@timed("train")
def train_student(cfg: RunConfig, run_dir: str, resume: bool = True) -> dict:
    """QLoRA-train the student on the run's curated examples; resumes from the run's checkpoint if there is one."""
    return run_train(cfg, Path(run_dir), resume=resume)
