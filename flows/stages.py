"""Single stages as flows, for the engineer in the UI: re-evaluate an adapter on a past run, rebuild a report.

Both name a run by its id (`<date>-<config hash>`, a folder under the store's runs/); an id that could
leave the store is refused by the server before a run exists (the parameter's schema carries the pattern).
"""

from typing import Annotated

from prefect import flow
from pydantic import Field

from distillery.config import RunConfig
from distillery.paths import RUN_ID_PATTERN
from distillery.paths import run_dir as store_run_dir
from flows.nightly import DEFAULT_CONFIG
from flows.slots import machine_slot
from tasks.evaluation.task import evaluate_candidate
from tasks.export.task import export_candidate
from tasks.report.task import publish_report

RunId = Annotated[str, Field(pattern=RUN_ID_PATTERN, description="a folder under <store>/runs/, e.g. 2026-11-23-1a2b3c4d")]


@flow(name="re-evaluate", flow_run_name="re-evaluate {adapter} on {run_id}", log_prints=True)
def re_evaluate(run_id: RunId, adapter: str | None = None, config: RunConfig = DEFAULT_CONFIG) -> dict:
    """Evaluate an adapter (default: the one the run trained) on a past run's held-out prompts, then rebuild its
    report. Promotes it only if it passes the gate."""
    run_dir = str(store_run_dir(config.store.root, run_id))
    with machine_slot("re-evaluate", run_id):
        export_candidate(config, run_dir, adapter)  # what would ship; reused when the adapter already has one
        ab = evaluate_candidate(config, run_dir, adapter)
    publish_report(config, run_dir)
    return {"candidate": ab["candidate"], "decision": ab["decision"]["action"]}


@flow(name="rebuild-report", flow_run_name="report {run_id}", log_prints=True)
def rebuild_report(run_id: RunId, config: RunConfig = DEFAULT_CONFIG) -> dict:
    """Rebuild a past run's report.html, cost.csv and PDF from its records (e.g. after changing prices)."""
    record = publish_report(config, str(store_run_dir(config.store.root, run_id)))
    return record["summary"]
