"""The eval split as items to compare: each held-out prompt with the teacher's recorded answer.

The teacher arm reuses labels.parquet: the label stage answered every sampled prompt, the eval split
included, and labels are keyed by the generation config, so only labels made with the current
teacher and route settings count. The teacher's token counts include its long system prompt.

One night holds ~20 eval prompts per route: too few for a decisive interval. evaluation.history_nights pools
the eval split of earlier runs in the same store (distillery/run_history.py says which): the split is fixed
by the prompt_id, so no earlier held-out prompt ever trained a later student, and their teacher answers are
reused as they are, under the same fingerprint and gen_hash filter as tonight's (no teacher cost); the student
answers them again. Each item names the run folder it came from (Item.night).
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from distillery.config import RunConfig

log = logging.getLogger(__name__)


class EvalError(RuntimeError):
    """The stage cannot run; the message says what to do."""


@dataclass
class Answer:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    finish_reason: str = ""
    logprobs: str | None = None  # JSON [[token, logprob, alternatives], ...] when asked for (evaluation.student_sure)


@dataclass
class Item:
    prompt_id: str
    route: str
    user: str
    instructions: str                       # the system prompt the teacher answered under (the judge sees it too)
    teacher: Answer
    teacher_second: str | None = None       # a second teacher sample (n >= 2): the teacher's self-agreement
    arms: dict[str, Answer] = field(default_factory=dict)   # "student", "base"
    night: str = ""                         # the run folder the prompt and its teacher answer come from
    teacher_logprobs: str | None = None     # its first sample's, when the route records them (top_logprobs)


def load_items(cfg: RunConfig, run_dir: Path) -> tuple[list[Item], dict]:
    """Eval-split prompts joined with the current teacher's labels, tonight's and (evaluation.history_nights) those
    of earlier runs in the same store; counts of what was left out and why, and how much evidence each route has.

    Only labels of the current teacher (its fingerprint) and the route's current generation settings (gen_hash)
    count, tonight's and earlier ones alike, and only for the routes this run sampled. A prompt_id in more than
    one run is one item: tonight's, else the newest night's. evaluation.max_items then keeps, per route,
    tonight's items first, then the newest nights'.
    """
    import pyarrow.parquet as pq

    from distillery.routes import plan_route
    from distillery.run_history import earlier_runs
    from models.client_pool import teacher_fingerprint

    for name, stage in (("prompts.parquet", "sample"), ("labels.parquet", "label")):
        if not (run_dir / name).is_file():
            raise EvalError(f"{run_dir / name} does not exist: run the {stage} stage first (distillery {stage} --run-dir {run_dir})")
    sampled = pq.read_table(run_dir / "prompts.parquet").to_pylist()
    prompts = [p for p in sampled if p["split"] == "eval"]
    if not prompts:
        raise EvalError(f"{run_dir / 'prompts.parquet'} has no eval split: raise sampling.eval_fraction and sample again")
    fingerprint = teacher_fingerprint(cfg.teacher)
    # The routes this run evaluates: the ones it sampled (a route with no eval prompt tonight may still have
    # earlier nights' items); an earlier night's route tonight's run no longer has is left out.
    plans = {route: plan_route(cfg, route) for route in sorted({p["route"] for p in sampled})}
    items, unlabeled = _join(prompts, pq.read_table(run_dir / "labels.parquet").to_pylist(), fingerprint, plans, run_dir.name)
    if unlabeled == len(prompts):
        raise EvalError(f"none of the {len(prompts)} eval prompts has a label from teacher {cfg.teacher.model} with the "
                        f"current generation settings: run distillery label --run-dir {run_dir} first")
    seen = {it.prompt_id for it in items}
    nights_read = 0
    if cfg.evaluation.history_nights:
        for folder in earlier_runs(run_dir):
            if nights_read == cfg.evaluation.history_nights:
                break
            theirs = _earlier_items(folder, fingerprint, plans)
            if theirs is None:  # incomplete or unreadable: warned, and it takes no night's place
                continue
            nights_read += 1
            fresh = [it for it in theirs if it.prompt_id not in seen]  # tonight's (or a newer night's) copy wins
            seen.update(it.prompt_id for it in fresh)
            items += fresh
    items = cap_per_route(items, cfg.evaluation.max_items)
    tonight = run_dir.name
    evidence = {route: {"items": sum(it.route == route for it in items),
                        "nights": len({it.night for it in items if it.route == route})}
                for route in sorted({it.route for it in items})}
    earlier = {route: sum(it.route == route and it.night != tonight for it in items) for route in evidence}
    pooled = sum(earlier.values())
    log.info("eval items per route: %s (%d of %d from %d earlier run(s); evaluation.history_nights=%d)",
             ", ".join(f"{r} {e['items']} ({earlier[r]} from earlier nights)" for r, e in evidence.items()),
             pooled, len(items), nights_read, cfg.evaluation.history_nights)
    return items, {"eval_prompts": len(prompts), "unlabeled": unlabeled, "items": len(items),
                   "evidence": evidence, "pooled": pooled, "items_sha256": items_digest(items)}


def _join(prompts: list[dict], label_rows: list[dict], fingerprint: str, plans: dict, night: str) -> tuple[list[Item], int]:
    """One run's eval prompts (of the planned routes) with their current labels, by prompt_id; and how many had none."""
    from distillery.routes import messages_for

    labels: dict[str, list[dict]] = {}
    for row in label_rows:
        if row["teacher_fingerprint"] == fingerprint and row["route"] in plans and row["gen_hash"] == plans[row["route"]].gen_hash:
            labels.setdefault(row["prompt_id"], []).append(row)
    items, unlabeled = [], 0
    for p in sorted(prompts, key=lambda p: p["prompt_id"]):
        if p["route"] not in plans:
            continue
        rows = sorted(labels.get(p["prompt_id"], []), key=lambda r: r["sample_index"])
        if not rows:
            unlabeled += 1
            continue
        first = rows[0]
        system = next((m["content"] for m in messages_for(p, plans[p["route"]]) if m["role"] == "system"), "")
        items.append(Item(p["prompt_id"], p["route"], p["user"], system,
                          Answer(first["text"], first["prompt_tokens"], first["completion_tokens"], first["latency_s"],
                                 first["finish_reason"]),
                          rows[1]["text"] if len(rows) > 1 else None, night=night,
                          teacher_logprobs=first.get("logprobs")))
    return items, unlabeled


def _earlier_items(folder: Path, fingerprint: str, plans: dict) -> list[Item] | None:
    """An earlier run's items under tonight's teacher and settings; None (with a warning) when it cannot be used."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    missing = [n for n in ("prompts.parquet", "labels.parquet") if not (folder / n).is_file()]
    if missing:
        log.warning("skipping earlier run %s: no %s (an incomplete run)", folder.name, " or ".join(missing))
        return None
    try:
        prompts = [p for p in pq.read_table(folder / "prompts.parquet").to_pylist() if p["split"] == "eval"]
        items, _ = _join(prompts, pq.read_table(folder / "labels.parquet").to_pylist(), fingerprint, plans, folder.name)
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException) as e:
        log.warning("skipping earlier run %s: unreadable (%s: %s)", folder.name, type(e).__name__, e)
        return None
    return items


def items_digest(items: list[Item]) -> str:
    """Which items, with which teacher answers, in which order: what a repeated evaluation must match to reuse a
    verdict (earlier runs' files are not among the run's own inputs)."""
    h = hashlib.sha256()
    for it in items:
        # not the run folder's name: the same items in another store (another folder name) are the same evidence
        h.update(json.dumps([it.prompt_id, it.route, it.user, it.instructions, it.teacher.text,
                             it.teacher_second]).encode())
        h.update(b"\n")
    return h.hexdigest()


def cap_per_route(items: list[Item], cap: int | None) -> list[Item]:
    if cap is None:
        return items
    seen: dict[str, int] = {}
    kept = []
    for it in items:  # tonight's by prompt_id, then each earlier night's (newest first) by prompt_id: stable, content-derived
        seen[it.route] = seen.get(it.route, 0) + 1
        if seen[it.route] <= cap:
            kept.append(it)
    return kept
