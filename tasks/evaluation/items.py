"""The eval split as items to compare: each held-out prompt with the teacher's recorded answer.

The teacher arm reuses labels.parquet: the label stage answered every sampled prompt, the eval split
included, and labels are keyed by the generation config, so only labels made with the current
teacher and route settings count. The teacher's token counts include its long system prompt.
"""

from dataclasses import dataclass, field
from pathlib import Path

from distillery.config import RunConfig


class EvalError(RuntimeError):
    """The stage cannot run; the message says what to do."""


@dataclass
class Answer:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    finish_reason: str = ""


@dataclass
class Item:
    prompt_id: str
    route: str
    user: str
    instructions: str                       # the system prompt the teacher answered under (the judge sees it too)
    teacher: Answer
    teacher_second: str | None = None       # a second teacher sample (n >= 2): the teacher's self-agreement
    arms: dict[str, Answer] = field(default_factory=dict)   # "student", "base"


def load_items(cfg: RunConfig, run_dir: Path) -> tuple[list[Item], dict]:
    """Eval-split prompts joined with the current teacher's labels; counts of what was left out and why."""
    import pyarrow.parquet as pq

    from distillery.routes import messages_for, plan_route
    from models.client_pool import teacher_fingerprint

    for name, stage in (("prompts.parquet", "sample"), ("labels.parquet", "label")):
        if not (run_dir / name).is_file():
            raise EvalError(f"{run_dir / name} does not exist: run the {stage} stage first (distillery {stage} --run-dir {run_dir})")
    prompts = [p for p in pq.read_table(run_dir / "prompts.parquet").to_pylist() if p["split"] == "eval"]
    if not prompts:
        raise EvalError(f"{run_dir / 'prompts.parquet'} has no eval split: raise sampling.eval_fraction and sample again")
    fingerprint = teacher_fingerprint(cfg.teacher)
    plans = {route: plan_route(cfg, route) for route in {p["route"] for p in prompts}}
    labels: dict[str, list[dict]] = {}
    for row in pq.read_table(run_dir / "labels.parquet").to_pylist():
        if row["teacher_fingerprint"] == fingerprint and row["route"] in plans and row["gen_hash"] == plans[row["route"]].gen_hash:
            labels.setdefault(row["prompt_id"], []).append(row)
    items, unlabeled = [], 0
    for p in sorted(prompts, key=lambda p: p["prompt_id"]):
        rows = sorted(labels.get(p["prompt_id"], []), key=lambda r: r["sample_index"])
        if not rows:
            unlabeled += 1
            continue
        first = rows[0]
        system = next((m["content"] for m in messages_for(p, plans[p["route"]]) if m["role"] == "system"), "")
        items.append(Item(p["prompt_id"], p["route"], p["user"], system,
                          Answer(first["text"], first["prompt_tokens"], first["completion_tokens"], first["latency_s"],
                                 first["finish_reason"]),
                          rows[1]["text"] if len(rows) > 1 else None))
    if unlabeled == len(prompts):
        raise EvalError(f"none of the {len(prompts)} eval prompts has a label from teacher {cfg.teacher.model} with the "
                        f"current generation settings: run distillery label --run-dir {run_dir} first")
    items = cap_per_route(items, cfg.evaluation.max_items)
    return items, {"eval_prompts": len(prompts), "unlabeled": unlabeled, "items": len(items)}


def cap_per_route(items: list[Item], cap: int | None) -> list[Item]:
    if cap is None:
        return items
    seen: dict[str, int] = {}
    kept = []
    for it in items:  # items are sorted by prompt_id: a stable, content-derived choice
        seen[it.route] = seen.get(it.route, 0) + 1
        if seen[it.route] <= cap:
            kept.append(it)
    return kept
