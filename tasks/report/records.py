"""The run folder's records the report reads, and the error it stops with when one is missing.

Every reader here turns a missing file into a ReportError that names the stage to run, so the CLI can say
what to do instead of showing a traceback.
"""

import json
from pathlib import Path


class ReportError(RuntimeError):
    """The report cannot be built from this run folder; the message says what is missing."""


def optional_record(run_dir: Path, name: str) -> dict | None:
    """A stage record that a run may lack (a stage it skipped, or a record from before it was written)."""
    path = run_dir / name
    return json.loads(path.read_text()) if path.is_file() else None


def read_record(run_dir: Path, name: str, needed_for: str) -> dict:
    record = optional_record(run_dir, name)
    if record is None:
        raise ReportError(f"{run_dir / name} does not exist: the report needs it for {needed_for}; run that stage first")
    return record


def read_records(run_dir: Path) -> tuple[dict, dict, dict, list[dict]]:
    """The sample, label and train records and the eval rows; ab.json must be there too (the verdict)."""
    import pyarrow.parquet as pq

    sample = read_record(run_dir, "stage-sample.json", "the request volume")
    label = read_record(run_dir, "stage-label.json", "the labeling cost")
    train = read_record(run_dir, "stage-train.json", "the training cost")
    read_record(run_dir, "ab.json", "the quality verdict")
    if not (run_dir / "eval.parquet").is_file():
        raise ReportError(f"{run_dir / 'eval.parquet'} does not exist: run the evaluate stage first")
    return sample, label, train, pq.read_table(run_dir / "eval.parquet").to_pylist()
