"""The judge's calibration set: pairs whose right answer is known, judged alongside the real ones every run.

Each pair is one of the teacher's own answers against a planted corruption of it, so the original is the
better answer by construction, whatever the route:
- `invalid_json`: a JSON answer cut off before it closes (what a truncated generation looks like);
- `wrong_value`: one enum field set to another allowed value, or a number changed (valid JSON, wrong fact);
- `truncated`: a free-text answer cut to its first half, mid-sentence;
- `invented`: a claim no request supports appended to the longest text. It makes the answer longer, so a judge
  that prefers longer answers fails here while passing the other kinds.
A judge that reads the answers picks the original in both orders; one that follows position, length or
nothing at all does not. The accuracy (originals picked in both orders, out of the pairs with a verdict) is
one of the three figures that decide whether this run's win rate counts (tasks/evaluation/judge.py).
"""

import json
from collections import defaultdict

from distillery.routes import parse_json
from tasks.evaluation.items import Item
from tasks.evaluation.judge import Pair, outcome

INVENTED = (" In addition, a refund of 500 USD was already approved and a technician will visit on Monday,"
            " as agreed by phone.")
JSON_KINDS = ("invalid_json", "wrong_value", "invented")
TEXT_KINDS = ("truncated", "invented")


def corrupt(answer: str, schema: dict | None, kind: str) -> str | None:
    """The answer with one planted flaw of `kind`, or None when this answer cannot carry that flaw."""
    if schema is None:
        if kind == "truncated":
            words = answer.split()
            return " ".join(words[: len(words) // 2]) if len(words) >= 4 else None
        return answer + INVENTED if kind == "invented" and answer.strip() else None
    value = parse_json(answer)
    if not isinstance(value, dict) or not value:
        return None
    if kind == "invalid_json":
        return answer.rstrip()[: max(1, len(answer.rstrip()) * 2 // 3)]
    if kind == "wrong_value":
        changed = _wrong_value(value, schema.get("properties", {}))
        return json.dumps(changed) if changed else None
    if kind == "invented":
        texts = [k for k, v in value.items() if isinstance(v, str) and v.strip()]
        if not texts:
            return None
        longest = max(texts, key=lambda k: len(value[k]))
        return json.dumps({**value, longest: value[longest] + INVENTED})
    return None


def _wrong_value(value: dict, props: dict) -> dict | None:
    for key, prop in props.items():
        choices = prop.get("enum") or []
        if key in value and value[key] in choices and len(choices) > 1:
            return {**value, key: choices[(choices.index(value[key]) + 1) % len(choices)]}
    for key, v in value.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {**value, key: v * 10 + 1}
    return None


def calibration_pairs(items: list[Item], schemas: dict[str, dict | None], count: int) -> list[tuple[Pair, str]]:
    """Up to `count` (pair, kind): the original answer first, its corruption second; routes taken in turn and
    the kinds cycled, so every route and every kind is checked. Deterministic (items are sorted by prompt_id)."""
    by_route: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_route[it.route].append(it)
    queues = [iter(v) for _, v in sorted(by_route.items())]
    out: list[tuple[Pair, str]] = []
    made: dict[str, int] = defaultdict(int)  # pairs per route: each route cycles through its own kinds
    turn = 0
    while len(out) < count and queues:
        queue = queues[turn % len(queues)]
        it = next(queue, None)
        if it is None:
            queues.remove(queue)
            continue
        schema = schemas.get(it.route)
        kinds = JSON_KINDS if schema else TEXT_KINDS
        for k in range(len(kinds)):  # this answer's kind in the route's cycle, or the next one it can carry
            kind = kinds[(made[it.route] + k) % len(kinds)]
            bad = corrupt(it.teacher.text, schema, kind)
            if bad is not None and bad != it.teacher.text:
                out.append((Pair(it.instructions, it.user, it.teacher.text, bad), kind))
                made[it.route] += 1
                break
        turn += 1
    return out


def calibration_result(verdicts: list[tuple[str | None, str | None]], kinds: list[str]) -> dict:
    """Accuracy over the pairs with a verdict in both orders, overall and per kind of corruption."""
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failed = 0
    for (ab, ba), kind in zip(verdicts, kinds):
        o = outcome(ab, ba)
        if o == "failed":
            failed += 1
            continue
        per_kind[kind][0] += o == "first"
        per_kind[kind][1] += 1
    right, judged = sum(r for r, _ in per_kind.values()), sum(n for _, n in per_kind.values())
    return {"pairs": len(verdicts), "failed": failed, "correct": right,
            "accuracy": round(right / judged, 4) if judged else None,
            "by_kind": {k: {"correct": r, "judged": n} for k, (r, n) in sorted(per_kind.items())}}
