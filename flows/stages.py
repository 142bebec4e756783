"""Single stages as flows, for the engineer in the UI: re-evaluate an adapter on a past run, rebuild a report;
and the label stage alone, which the nightly flow starts on another work pool when the operator says so
(flows/pools.py, docs/cluster.md).

Each names a run by its id (`<date>-<config hash>`, a folder under the store's runs/); an id that could
leave the store is refused by the server before a run exists (the parameter's schema carries the pattern).
"""

from typing import Annotated

from prefect import flow
from prefect.runtime import deployment, flow_run
from pydantic import Field

from distillery.paths import RUN_ID_PATTERN
from distillery.paths import run_dir as store_run_dir
from flows.nightly import run_logs
from flows.parameters import DEFAULT_FILE, ConfigFile, Overrides, described, remember_prices, resolve_config
from flows.pools import check_run_here
from flows.slots import machine_slot
from tasks.evaluation.task import evaluate_candidate
from tasks.export.task import export_candidate
from tasks.labeling.task import label_prompts
from tasks.report.task import publish_report

RunId = Annotated[str, Field(pattern=RUN_ID_PATTERN, description="a folder under the store's runs/, e.g. 2026-11-23-1a2b3c4d")]


Adapter = Annotated[str | None, Field(description="an adapter version in the registry, e.g. v0003; empty: the one "
                                                   "this run trained")]


def re_evaluate_name() -> str:
    params = flow_run.parameters
    return f"re-evaluate {params.get('adapter') or 'its adapter'} on {params['run_id']}"


@flow(name="re-evaluate", flow_run_name=re_evaluate_name, log_prints=True)
@described
def re_evaluate(run_id: RunId, adapter: Adapter = None, config_file: ConfigFile = DEFAULT_FILE,
                overrides: Overrides = None) -> dict:
    """Evaluate an adapter (default: the one the run trained) on a past run's held-out prompts, then rebuild its
    report. Promotes it only if it passes the gate."""
    run_logs()
    config = resolve_config(config_file, {}, overrides, from_run=deployment.id is not None)
    remember_prices(config, overrides, f"run {flow_run.name}")
    run_dir = str(store_run_dir(config.store.root, run_id))
    with machine_slot("re-evaluate", run_id):
        export_candidate(config, run_dir, adapter)  # what would ship; reused when the adapter already has one
        ab = evaluate_candidate(config, run_dir, adapter)
    publish_report(config, run_dir)
    return {"candidate": ab["candidate"], "decision": ab["decision"]["action"]}


@flow(name="rebuild-report", flow_run_name="report {run_id}", log_prints=True)
@described
def rebuild_report(run_id: RunId, config_file: ConfigFile = DEFAULT_FILE, overrides: Overrides = None) -> dict:
    """Rebuild a past run's report.html, cost.csv and PDF from its records. A price in the overrides (e.g.
    {"pricing.teacher.api.output_per_mtok": "12"}) becomes the store's price table: later reports keep it."""
    run_logs()
    config = resolve_config(config_file, {}, overrides, from_run=deployment.id is not None)
    remember_prices(config, overrides, f"run {flow_run.name}")
    record = publish_report(config, str(store_run_dir(config.store.root, run_id)))
    return record["summary"]


def label_stage_name() -> str:
    return f"label {flow_run.parameters['run_id']}"


@flow(name="label-stage", flow_run_name=label_stage_name, log_prints=True)
@described
def label_stage(run_id: RunId, config_file: ConfigFile = DEFAULT_FILE, overrides: Overrides = None) -> dict:
    """The label stage of one nightly run, on its own: the nightly flow starts it on the work pool that has the
    teacher's GPUs when the operator sends the label stage there (DISTILLERY_STAGE_POOLS, docs/cluster.md), with
    the run's config file and form as overrides. Sends the teacher only the prompts without a committed label
    (the store's label database), holding this machine's slot."""
    run_logs()
    config = resolve_config(config_file, {}, overrides, from_run=deployment.id is not None)
    run_dir = check_run_here(config, run_id)  # the same run (config hash) in the same, shared, store
    with machine_slot("label", run_id):  # a managed teacher is a vLLM server on this machine
        record = label_prompts(config, str(run_dir))
    return {key: record[key] for key in ("prompts", "already_labeled", "prompts_labeled", "work_s")}
