"""The nightly run as one Prefect flow: sample -> label -> curate -> train -> export -> evaluate -> report.

Orchestration only: each step is a task from tasks/ that wraps a plain stage function. A run is its date
and its config (`<store>/runs/<date>-<config hash>`); starting the same run again, or retrying a crashed
one, reuses every committed stage output (each stage checks the bytes of its inputs, never a run id) and
pays the teacher for nothing twice. The models' heavy work holds the machine slot (flows/slots.py).

No `from __future__ import annotations` here: Prefect must see the real pydantic type of `config` to build
the UI form and to validate deployment parameters (docs/facts.md "No future annotations in flows").
"""

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from distillery.config import RunConfig, load_config
from distillery.paths import run_dir as store_run_dir
from distillery.paths import run_id_for
from distillery.store import write_json
from flows.slots import machine_slot
from tasks.curation.task import curate_examples
from tasks.evaluation.task import evaluate_candidate
from tasks.export.task import export_candidate
from tasks.labeling.task import label_prompts
from tasks.report.task import publish_report
from tasks.sampling.task import sample_prompts
from tasks.training.task import train_student

REPO = Path(__file__).resolve().parents[1]
# The UI form opens on this config; DISTILLERY_CONFIG (set where the worker runs) picks another file.
DEFAULT_CONFIG = load_config(REPO / os.environ.get("DISTILLERY_CONFIG", "configs/demo.yaml"))


@flow(name="nightly", flow_run_name="nightly {run_date}", log_prints=True)
def nightly(config: RunConfig = DEFAULT_CONFIG, run_date: date | None = None) -> dict:
    """Distil one night: sample the production log, label with the teacher, curate, QLoRA-train the student,
    export it (merged, parity-checked), evaluate that against the teacher (promoting it only if non-inferior)
    and write the cost report.
    Leave run_date empty for the night the run was scheduled for."""
    started = time.monotonic()
    logger = get_run_logger()
    day = run_date or night_of(flow_run.scheduled_start_time)
    folder = store_run_dir(config.store.root, run_id_for(day, config.config_hash()))
    run_dir = str(folder)
    logger.info("run %s in %s", folder.name, folder.resolve())

    records = {"sample": sample_prompts(config, run_dir, day)}
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
                records["evaluate"]["decision"]["action"], (folder / "report.html").resolve())
    return {"run_dir": str(folder.resolve()), "report": str((folder / "report.html").resolve()),
            "decision": records["evaluate"]["decision"]["action"], "timing": timing}


def night_of(scheduled: datetime | None) -> date:
    """The date a run belongs to: its scheduled start (UTC), so a retry the next morning is the same run."""
    return (scheduled or datetime.now(UTC)).astimezone(UTC).date()


def flow_timing(records: dict[str, dict], wall_s: float) -> dict:
    """Wall time of the flow vs the seconds spent inside its stages: the rest is orchestration overhead."""
    stages = {name: r["work_s"] for name, r in records.items()}
    total = sum(stages.values())
    return {"wall_s": round(wall_s, 3), "stages_s": round(total, 3), "stages": stages,
            "overhead_s": round(wall_s - total, 3), "overhead_ratio": round((wall_s - total) / wall_s, 4)}


if __name__ == "__main__":  # `python flows/nightly.py`: one run now, on the default config
    nightly()
