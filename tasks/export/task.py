"""The export stage as a Prefect task: make the artifact that would ship before it is evaluated."""

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from models.registry import Registry
from tasks.evaluation.stage import candidate_version
from tasks.timing import timed


@task(name="export", task_run_name="export {run_dir}", cache_policy=NO_CACHE)
@timed("export")
def export_candidate(cfg: RunConfig, run_dir: str) -> dict:
    """Merge the run's adapter into its dequantized NF4 base and check parity; reuses a servable export."""
    from models.export import ensure_export

    folder = Path(run_dir)
    version = candidate_version(folder, Registry(Path(cfg.store.root), cfg.student.model))
    return ensure_export(cfg, version, folder)
