"""The curate stage as a Prefect task, for the nightly flow (flows/nightly.py) and the UI."""

from pathlib import Path

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.curation.stage import run_curate
from tasks.timing import timed


@task(name="curate", task_run_name="curate {run_dir}", cache_policy=NO_CACHE)
@timed("curate")
def curate_examples(cfg: RunConfig, run_dir: str) -> dict:
    """Filter the teacher's answers into train.parquet; publish the funnel per route."""
    record = run_curate(cfg, Path(run_dir))
    f = record["funnel"]
    routes = sorted(f["in"])
    rows = [{"step": "in", **{r: f["in"].get(r, 0) for r in routes}}]
    rows += [{"step": f"dropped: {name}", **{r: counts.get(r, 0) for r in routes}} for name, counts in f["dropped"].items()]
    rows.append({"step": "out", **{r: f["out"].get(r, 0) for r in routes}})
    create_table_artifact(key="curation-funnel", table=rows, description="Curation funnel per route")
    return record
