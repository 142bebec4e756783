"""Earlier nights' training examples that join tonight's (curation.history_nights).

One night of the demo's log gives ~300 training examples, and a student trained on tonight's alone never sees the
tickets earlier nights sampled (each night samples apart from the ones before). The label stage paid for every
earlier night's answers, so tonight's training set takes the examples of up to `history_nights` earlier runs in the
same store (which runs: distillery/run_history.py), as their curate stage wrote them, at no teacher cost. Measured
on the demo's second night (docs/facts.md "Every night's labels"; docs/recipe-trials.md t11/t12): triage agreement
0.82 -> 0.87 and hand-labelled accuracy 0.54 -> 0.65 (its teacher's 0.66), for twice the training time.

An earlier example counts only when it would be one tonight:
- labelled by tonight's teacher with the route's generation settings of tonight: its labels.parquet row's teacher
  fingerprint and gen_hash are among those of tonight's labels of that route (the filter the evaluation applies to
  earlier nights' items, read from tonight's labels so that curating needs no teacher at hand);
- answered under a system prompt that tonight's prompts of that route still use (template_hash), and written
  in the current student prompt shape (train.parquet's `distillery.prompt_shape`);
- of a route tonight's run labelled (a route dropped from sampling is dropped from training too);
- not a prompt tonight (or a newer night) already has: the newest copy wins.
Held-out prompts never come back as training examples: every run's sample leaves out the prompts (and near
duplicates) of earlier runs, which is why the config refuses history_nights without sampling.dedup_earlier_runs.
An earlier run's own train.parquet may hold examples it carried itself; only the ones it made (its `night`)
are read (tonight's own rows carry no `night`, so a run's train.parquet does not depend on its folder's name), so
each example comes from the night that labelled it and a night is never counted twice.
"""

import hashlib
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from distillery.config import RunConfig
from distillery.run_history import earlier_runs
from models.prompt_shape import SHAPE_VERSION, template_hash

log = logging.getLogger(__name__)


def carried_total(earlier: dict | None) -> int:
    """How many examples earlier nights gave, from earlier_examples' summary (the funnel's "earlier_nights"; None or
    absent in the funnel of a night without curation.history_nights: 0)."""
    return sum((earlier or {}).get("examples", {}).values())


def earlier_examples(cfg: RunConfig, run_dir: Path, tonight: list[dict], labels: list[dict]) -> tuple[list[dict], dict]:
    """The training rows of up to curation.history_nights earlier runs that still hold tonight (each tagged with its
    `night`), given tonight's prompts and labels; and what was read: the nights, examples per route, rows skipped per
    reason, and a digest of the rows (a repeated curate reuses its output only when the earlier examples are the same)."""
    summary: dict = {"nights": [], "examples": {}, "skipped": {}, "digest": None}
    wanted = cfg.curation.history_nights
    if not wanted:
        return [], summary
    teachers: dict[str, set[tuple[str, str]]] = defaultdict(set)  # route -> tonight's (fingerprint, gen_hash)
    for label in labels:
        teachers[label["route"]].add((label["teacher_fingerprint"], label["gen_hash"]))
    templates = _templates(tonight)
    seen = {p["prompt_id"] for p in tonight}
    carried: list[dict] = []
    skipped: Counter = Counter()
    for folder in earlier_runs(run_dir):
        if len(summary["nights"]) == wanted:
            break
        night = _read_night(folder)
        if night is None:  # incomplete or unreadable: warned, and it takes no night's place
            continue
        rows, labelled, shape = night
        summary["nights"].append(folder.name)
        if shape != SHAPE_VERSION:
            skipped["student prompt shape changed"] += len(rows)
            log.warning("curate: %s's examples are in student prompt shape %s, tonight's is %s: not carried",
                        folder.name, shape, SHAPE_VERSION)
            continue
        for row in rows:
            reason = _why_not(row, labelled, teachers, templates, seen)
            if reason:
                skipped[reason] += 1
                continue
            seen.add(row["prompt_id"])
            carried.append(row)
    summary["examples"] = dict(sorted(Counter(r["route"] for r in carried).items()))
    summary["skipped"] = dict(sorted(skipped.items()))
    summary["digest"] = _digest(carried)
    return carried, summary


def _templates(tonight: list[dict]) -> dict[str, set[str]]:
    """route -> the hashes of the system prompts tonight's prompts of that route carry."""
    out: dict[str, set[str]] = defaultdict(set)
    for p in tonight:
        system = next((m["content"] for m in json.loads(p["messages"]) if m["role"] == "system"), "")
        out[p["route"]].add(template_hash(system))
    return out


def _read_night(folder: Path) -> tuple[list[dict], dict[str, set[tuple[str, str]]], str | None] | None:
    """An earlier run's own training rows, the (teacher fingerprint, gen_hash) pairs each prompt was labelled under,
    and the student prompt shape its rows are in; None (with a warning) when the run cannot be read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    missing = [n for n in ("train.parquet", "labels.parquet") if not (folder / n).is_file()]
    if missing:
        log.warning("curate: skipping earlier run %s: no %s (it never reached curation)", folder.name, " or ".join(missing))
        return None
    try:
        table = pq.read_table(folder / "train.parquet")
        shape = (table.schema.metadata or {}).get(b"distillery.prompt_shape", b"").decode() or None
        # a train.parquet written before carrying existed has no `night`: all its rows are its own
        rows = [{**r, "night": folder.name} for r in table.to_pylist() if r.get("night") in (None, folder.name)]
        labels = pq.read_table(folder / "labels.parquet", columns=["prompt_id", "teacher_fingerprint", "gen_hash"])
    except (OSError, KeyError, ValueError, pa.ArrowException) as e:
        log.warning("curate: skipping earlier run %s: unreadable (%s: %s)", folder.name, type(e).__name__, e)
        return None
    labelled: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for pid, fp, gen in zip(*(labels[c].to_pylist() for c in ("prompt_id", "teacher_fingerprint", "gen_hash"))):
        labelled[pid].add((fp, gen))
    return rows, labelled, shape


def _why_not(row: dict, labelled: dict, teachers: dict[str, set[tuple[str, str]]], templates: dict[str, set[str]],
             seen: set[str]) -> str | None:
    """Why an earlier example does not join tonight's training set; None when it does."""
    route = row["route"]
    if not teachers.get(route):
        return "route not labelled tonight"
    if not teachers[route] & labelled.get(row["prompt_id"], set()):
        return "another teacher or generation settings"
    if row.get("template_hash") not in templates[route]:
        return "the route's system prompt changed"
    if row["prompt_id"] in seen:
        return "a newer copy"
    return None


def _digest(rows: list[dict]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps([r["night"], r["prompt_id"], r["route"], r["messages"]]).encode())
        h.update(b"\n")
    return h.hexdigest()
