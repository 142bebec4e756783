"""The run history: each report's headline numbers in `<store>/history.json`, for the trend across nightly runs.

Keyed by run id, so rebuilding a report replaces its own entry instead of adding one; the trend a report
shows stops at its own run (ids start with the date), so rebuilding last week's report gives the same bytes
after newer runs. Written under a lock and renamed into place: two runs finishing together lose nothing.
"""

import fcntl
import json
from pathlib import Path

from distillery.store import write_json

HISTORY = "history.json"


def headline(run_id: str, ab: dict, summary: dict, training_examples: int | None) -> dict:
    """What the trend plots for one run: cost, quality, data size, and the verdict (with the routes it promoted)."""
    overall = ab["scopes"].get("overall", {}).get("vs_teacher", {})
    estimate = lambda metric: overall[metric]["student"]["estimate"] if metric in overall else None  # noqa: E731
    return {"run": run_id, "candidate": ab["candidate"], "decision": ab["decision"]["action"],
            "teacher_per_1k": summary["teacher_per_1k"], "student_per_1k": summary["student_per_1k"],
            "saving_monthly": summary["saving_monthly"], "schema_validity": estimate("schema_validity"),
            "judge_win_rate": estimate("judge_win_rate"), "training_examples": training_examples,
            "eval_items": ab.get("counts", {}).get("items"), "promoted_routes": promoted_routes(ab["decision"])}


def promoted_routes(decision: dict) -> list[str] | None:
    """The routes this run promoted; None for an ab.json from before per-route decisions (all or nothing: the
    decision says it)."""
    if "routes" not in decision:
        return None
    return sorted(r for r, d in decision["routes"].items() if d.get("promote"))


def record_run(store: Path, entry: dict) -> list[dict]:
    """Put the run's entry into the history; return the runs up to and including it, oldest first."""
    path = store / HISTORY
    with open(store / f".{HISTORY}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        runs = json.loads(path.read_text()) if path.is_file() else {}
        runs[entry["run"]] = entry
        write_json(runs, path)
    return [runs[k] for k in sorted(runs) if k <= entry["run"]]
