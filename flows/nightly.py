"""The nightly run as one Prefect flow: sample -> label -> curate -> train -> export -> evaluate -> report.

Orchestration only: each step is a task from tasks/ that wraps a plain stage function. A run is its date
and its config (`<store>/runs/<date>-<config hash>`); starting the same run again, or retrying a crashed
one, reuses every committed stage output (each stage checks the bytes of its inputs, never a run id) and
pays the teacher for nothing twice. The models' heavy work holds the machine slot (flows/slots.py).

The parameters are the UI's form (flows/parameters.py): a shipped config file, the run date, a few knobs and
an overrides map, merged on top of that file. No `from __future__ import annotations` here: Prefect must see
the real pydantic types to build the form and to validate deployment parameters (docs/facts.md "No future
annotations in flows").
"""

import logging
import time
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import deployment, flow_run

from distillery.config import RunConfig
from distillery.paths import run_dir as store_run_dir
from distillery.paths import run_id_for
from distillery.store import write_json
from flows.known_errors import quiet_known_errors
from flows.parameters import DEFAULT_FILE, KNOBS, ConfigFile, Overrides, RunDate, described, form_overrides, knob, remember_prices, resolve_config
from flows.pools import STAGE_POOLS_ENV, run_stage_elsewhere, stage_deployments, stage_pools
from flows.slots import machine_slot
from tasks.curation.task import curate_examples
from tasks.evaluation.task import evaluate_candidate
from tasks.export.task import export_candidate
from tasks.labeling.task import label_prompts
from tasks.report.task import publish_report, report_link
from tasks.sampling.task import sample_prompts
from tasks.training.task import train_student

# The packages whose INFO lines are stage progress (counts, rates, ETAs): the run's log tab shows them.
PROGRESS_LOGGERS = ("distillery", "tasks", "models", "flows")


def run_name() -> str:
    """'nightly 2026-12-02 demo': the night it distils and the config file it ran, not 'nightly None'."""
    params = flow_run.parameters
    day = params.get("run_date") or night_of(flow_run.scheduled_start_time)
    return f"{flow_run.flow_name} {day} {Path(params.get('config_file') or DEFAULT_FILE).stem}"


@flow(name="nightly", flow_run_name=run_name, log_prints=True)
@described
def nightly(config_file: ConfigFile = DEFAULT_FILE, run_date: RunDate = None,
            budget: knob("sampling.budget") = None, teacher_model: knob("teacher.model") = None,
            student_model: knob("student.model") = None, epochs: knob("student.training.epochs") = None,
            learning_rate: knob("student.training.learning_rate") = None, lora_rank: knob("student.lora.r") = None,
            gate_margins: knob("evaluation.gates") = None, judge: knob("evaluation.judge.enabled") = None,
            overrides: Overrides = None) -> dict:
    """Distil one night: sample the production log, label with the teacher, curate, QLoRA-train the student,
    export it (merged, parity-checked), evaluate that against the teacher (promoting it only if non-inferior)
    and write the cost report. Every field left empty keeps the config file's value."""
    knobs = {name: value for name, value in locals().items() if name in KNOBS}  # first line: locals are the parameters
    run_logs()
    config = resolve_config(config_file, knobs, overrides, from_run=deployment.id is not None)
    remember_prices(config, overrides, f"run {flow_run.name}")
    elsewhere = stages_elsewhere()  # before any work: a wrong setting fails the run, not its label stage
    form = {"config_file": config_file, "overrides": form_overrides(knobs, overrides)}
    return run_night(config, run_date or night_of(flow_run.scheduled_start_time), elsewhere, form)


def stages_elsewhere() -> dict[str, tuple[str, str]]:
    """{stage: (deployment, pool)}: the stages the operator sends to other work pools (DISTILLERY_STAGE_POOLS, read
    here, in the worker's environment; flows/pools.py). Only a run from a deployment sends any: in-process
    (`distillery demo`, `python flows/nightly.py`) every stage runs here."""
    pools = stage_pools()
    if pools and deployment.id is None:
        get_run_logger().info("%s is set, but this run is not from a deployment: every stage runs here", STAGE_POOLS_ENV)
        return {}
    return stage_deployments(pools)


def run_logs() -> None:
    """A flow run's logs: the stages' progress lines shown, their known errors as one line each."""
    show_progress()
    quiet_known_errors()


def show_progress() -> None:
    """Under a Prefect worker the project's loggers inherit WARNING, so the INFO progress lines never reached the
    run's log tab (PREFECT_LOGGING_EXTRA_LOGGERS attaches Prefect's handler but sets no level)."""
    for name in PROGRESS_LOGGERS:
        if logging.getLogger(name).getEffectiveLevel() > logging.INFO:
            logging.getLogger(name).setLevel(logging.INFO)


def run_night(config: RunConfig, day: date, elsewhere: dict[str, tuple[str, str]] | None = None,
              form: dict | None = None) -> dict:
    """The seven stages of one night, in order, the heavy ones holding the machine slot. A stage in `elsewhere`
    runs as its own deployment on that pool (started with the run's config file and `form`), which holds the
    slot of the machine it runs on."""
    started = time.monotonic()
    logger = get_run_logger()
    folder = store_run_dir(config.store.root, run_id_for(day, config.config_hash()))
    run_dir = str(folder)
    logger.info("run %s in %s", folder.name, folder.resolve())

    records = {"sample": sample_prompts(config, run_dir, day)}
    if "label" in (elsewhere or {}):  # on the operator's GPU pool, as a subflow of this run
        deployment_name, pool = elsewhere["label"]
        records["label"] = run_stage_elsewhere("label", deployment_name, pool, {"run_id": folder.name, **form}, folder)
    else:
        with machine_slot("label", folder.name):  # a managed teacher is a vLLM server on this machine
            records["label"] = label_prompts(config, run_dir)
    records["curate"] = curate_examples(config, run_dir)
    with machine_slot("train", folder.name):
        records["train"] = train_student(config, run_dir)
    with machine_slot("export", folder.name):  # what would ship, parity-checked, so the A/B scores exactly that
        records["export"] = export_candidate(config, run_dir)
    with machine_slot("evaluate", folder.name):
        records["evaluate"] = evaluate_candidate(config, run_dir)
    records["report"] = publish_report(config, run_dir)

    timing = flow_timing(records, time.monotonic() - started)
    write_json(timing, folder / "flow-nightly.json")
    logger.info("run %s done in %.0f s (stages %.0f s, orchestration %.1f%%); decision: %s; report: %s", folder.name,
                timing["wall_s"], timing["stages_s"], 100 * timing["overhead_ratio"],
                records["evaluate"]["decision"]["action"], report_link(folder))
    return {"run_dir": str(folder.resolve()), "report": str((folder / "report.html").resolve()),
            "decision": records["evaluate"]["decision"]["action"], "timing": timing}


def night_of(scheduled: datetime | None) -> date:
    """The date a run belongs to: its scheduled start (UTC), so a retry the next morning is the same run."""
    return (scheduled or datetime.now(UTC)).astimezone(UTC).date()


def flow_timing(records: dict[str, dict], wall_s: float) -> dict:
    """Wall time of the flow vs the seconds spent inside its stages: the rest is orchestration overhead."""
    stages = {name: r["work_s"] for name, r in records.items()}
    total = sum(stages.values())
    # a stage run on another pool: its pool and flow run (its process start and the polling are overhead here)
    elsewhere = {name: {"work_pool": r["work_pool"], "flow_run_id": r["flow_run_id"]}
                 for name, r in records.items() if "work_pool" in r}
    return {"wall_s": round(wall_s, 3), "stages_s": round(total, 3), "stages": stages,
            "overhead_s": round(wall_s - total, 3), "overhead_ratio": round((wall_s - total) / wall_s, 4),
            **({"elsewhere": elsewhere} if elsewhere else {})}


if __name__ == "__main__":  # `python flows/nightly.py`: one run now, on the default config
    nightly()
