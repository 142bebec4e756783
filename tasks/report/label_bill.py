"""What this run paid for labels: a label is billed once, by the run that paid for it.

The label store is shared across runs, so labels.parquet holds labels this run reused as well as ones it
paid for; the run's attempts (attempts.jsonl) say which were made while it ran.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from distillery.store import HEARTBEAT_S


@dataclass(frozen=True)
class LabelBill:
    """The labels this run paid for (not the ones it reused), and their tokens."""

    prompt_tokens: float
    completion_tokens: float
    cached_tokens: float
    paid: int | None         # None: the record does not say how many labels
    reused: int
    how: str


def label_bill(label: dict, run_dir: Path, attempts: list[dict], cached: dict[str, float]) -> LabelBill:
    """The labels this run paid for. The label store is shared: a run that finds a prompt already labeled (by an
    earlier run, or on the same date under other knobs) reuses the label without a request, so it is not billed
    again; the run whose attempt made it was. Labels made during one of this run's label attempts are its own."""
    rows = _label_rows(run_dir)
    if rows is None:
        return _bill_from_record(label)
    # a killed attempt's time ends at its last heartbeat: labels of its last seconds are still its own
    windows = [(a["started_at"], a["started_at"] + a["wall_s"] + (HEARTBEAT_S if a["outcome"] == "killed" else 0))
               for a in attempts if a["stage"] == "label" and a.get("wall_s") is not None]
    if windows:
        mine = [r for r in rows if _made_during(r["created_at"], windows)]
        how = "made during this run's label attempts (labels.parquet created_at within attempts.jsonl)"
    elif label.get("already_labeled"):  # no attempts on record: the stage record's count of reused prompts
        mine = _newest_labels(rows, label.get("prompts", 0) - label["already_labeled"])
        how = "the newest labels, as many prompts as stage-label.json says were not already labeled"
    else:
        mine, how = rows, "every label in labels.parquet: stage-label.json reused none"
    return LabelBill(sum(r["prompt_tokens"] or 0 for r in mine), sum(r["completion_tokens"] or 0 for r in mine),
                     sum(min(cached.get(r["route"], 0.0), r["prompt_tokens"] or 0) for r in mine),
                     len(mine), len(rows) - len(mine), how)


def _label_rows(run_dir: Path) -> list[dict] | None:
    import pyarrow.parquet as pq

    path = run_dir / "labels.parquet"
    columns = ["prompt_id", "route", "prompt_tokens", "completion_tokens", "created_at"]
    return pq.read_table(path, columns=columns).to_pylist() if path.is_file() else None


def _made_during(created_at: str | None, windows: list[tuple[float, float]]) -> bool:
    if not created_at:  # when it was made is unknown: billed here rather than by nobody
        return True
    # created_at is kept to the second (truncated): a label made at `start` may read up to 1 s earlier
    t = datetime.fromisoformat(created_at).timestamp()
    return any(start - 1 < t <= end for start, end in windows)


def _newest_labels(rows: list[dict], prompts: int) -> list[dict]:
    """The labels of the `prompts` most recently labeled prompts."""
    newest: dict[str, str] = {}
    for r in rows:
        newest[r["prompt_id"]] = max(newest.get(r["prompt_id"], ""), r["created_at"] or "")
    keep = set(sorted(newest, key=lambda pid: (newest[pid], pid), reverse=True)[:max(prompts, 0)])
    return [r for r in rows if r["prompt_id"] in keep]


def _bill_from_record(label: dict) -> LabelBill:
    """Without labels.parquet: the stage record's totals, less the reused prompts' share when it counts them."""
    tokens = label.get("tokens", {"prompt": 0, "completion": 0})
    prompts, reused = label.get("prompts", 0), label.get("already_labeled", 0)
    share = (prompts - reused) / prompts if prompts else 1.0
    how = ("stage-label.json's token totals" if share == 1 else
           f"estimated: stage-label.json's token totals x {prompts - reused} of {prompts} prompts not already labeled")
    return LabelBill(tokens["prompt"] * share, tokens["completion"] * share, 0.0, None, reused, how)
