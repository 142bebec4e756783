"""The sample stage runs as a Prefect task inside a flow on a real (temporary) Prefect server."""

from datetime import date

import pyarrow.parquet as pq
from prefect import flow
from prefect.artifacts import Artifact

from distillery.config import load_config
from tasks.sampling.task import sample_prompts
from tests.conftest import REPO


def test_sample_task_in_a_flow_writes_the_run_and_publishes_the_funnel(prefect_server, demo_log, tmp_path):
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{demo_log / 'production.db'}",
                                                   "sampling.budget=60", f"store.root={tmp_path}"])

    @flow
    def nightly_sample():
        return sample_prompts(cfg, str(tmp_path / "run"), date(2026, 11, 23))

    record = nightly_sample()
    assert record["funnel"]["split"]["train"] + record["funnel"]["split"]["eval"] == 60
    assert pq.read_table(tmp_path / "run" / "prompts.parquet").num_rows == 60
    artifact = Artifact.get("sample-funnel")
    assert artifact is not None and "quarantined: too_long" in str(artifact.data)
