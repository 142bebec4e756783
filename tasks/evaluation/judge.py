"""The pairwise judge: an LLM sees two answers to the same request and picks one, in both orders.

A position-biased judge prefers whichever answer comes first; asking twice with the answers swapped
and counting a win only when both orders agree turns that bias into ties instead of fake wins. The
prompt is versioned by its hash and stored in ab.json, so a verdict can be traced to the words that
produced it.
"""

import asyncio
import hashlib
import json
from dataclasses import dataclass

JUDGE_SYSTEM = (
    "You compare two answers to the same request and decide which one better does what the instructions ask: "
    "correct, complete, in the required format, nothing invented. Length and style matter only where the "
    "instructions say so. If both are equally good or equally bad, say tie. "
    'Reply with JSON only: {"winner": "A"} or {"winner": "B"} or {"winner": "tie"}.'
)
JUDGE_HASH = hashlib.sha256(JUDGE_SYSTEM.encode()).hexdigest()[:16]
VERDICT_SCHEMA = {"type": "object", "properties": {"winner": {"type": "string", "enum": ["A", "B", "tie"]}},
                  "required": ["winner"]}


@dataclass
class Pair:
    """One item to judge: the request, its instructions, and the two arms' answers."""

    instructions: str
    request: str
    first: str    # answer of arm 1 (e.g. the student)
    second: str   # answer of arm 2 (e.g. the teacher)


def judge_messages(pair: Pair, first_as_a: bool) -> list[dict]:
    a, b = (pair.first, pair.second) if first_as_a else (pair.second, pair.first)
    system = JUDGE_SYSTEM + (f"\n\nInstructions the answers were meant to follow:\n{pair.instructions}" if pair.instructions else "")
    return [{"role": "system", "content": system},
            {"role": "user", "content": f"Request:\n{pair.request}\n\nAnswer A:\n{a}\n\nAnswer B:\n{b}"}]


def parse_verdict(result) -> str | None:
    """'A', 'B', 'tie', or None for a failed call or an answer that is not a verdict."""
    if isinstance(result, str) or result is None:
        return None
    try:
        winner = json.loads(result.texts[0])["winner"]
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return winner if winner in ("A", "B", "tie") else None


def outcome(verdict_first_as_a: str | None, verdict_first_as_b: str | None) -> str:
    """'first', 'second' or 'tie': a win counts only when both orders name the same answer. 'failed' when either
    order has no verdict: a missing verdict is no evidence, never a tie (a tie scores exactly the reference)."""
    if verdict_first_as_a is None or verdict_first_as_b is None:
        return "failed"
    one = {"A": "first", "B": "second"}.get(verdict_first_as_a, "tie")
    two = {"B": "first", "A": "second"}.get(verdict_first_as_b, "tie")
    return one if one == two else "tie"


def reliability(verdicts: list[tuple[str | None, str | None]], limits, failed_calls: dict[str, int] | None = None,
                calibration: dict | None = None) -> dict:
    """How far this run's verdicts can be trusted, from three figures, each against its limit in `limits`
    (evaluation.judge): the share of items with a failed verdict; position bias, the share of judged items where
    the judge picked the same position in both orders (a coin flip gives 0.5, a judge that reads the answers ~0);
    and calibration accuracy on pairs with a known answer (tasks/evaluation/calibration.py). Any figure past its
    limit, or missing (no verdict, no calibration), makes the judge unavailable: missing evidence is no pass.
    `failed_calls` (HTTP status -> count, from the client pool) says why calls failed, when they did."""
    n = len(verdicts)
    answered = [(a, b) for a, b in verdicts if a is not None and b is not None]
    failed = n - len(answered)
    same_position = sum(a == b and a in ("A", "B") for a, b in answered)
    out = {"items": n, "failed": failed, "failure_rate": round(failed / n, 4) if n else None,
           "position_bias": round(same_position / len(answered), 4) if answered else None,
           "calibration": calibration, "reasons": []}
    why = f" (failed calls: {', '.join(f'{k} x{v}' for k, v in sorted(failed_calls.items()))})" if failed_calls else ""
    if not answered:
        out["reasons"].append(f"no usable verdict on {n} items{why}")
    else:
        if out["failure_rate"] > limits.max_failure_rate:
            out["reasons"].append(f"{failed} of {n} verdicts failed or were not verdicts{why} "
                                  f"({out['failure_rate']:.0%} > evaluation.judge.max_failure_rate {limits.max_failure_rate:.0%})")
        if out["position_bias"] > limits.max_position_bias:
            out["reasons"].append(f"it picked the same position in both orders on {same_position} of {len(answered)} "
                                  f"items ({out['position_bias']:.0%} > evaluation.judge.max_position_bias "
                                  f"{limits.max_position_bias:.0%}): it follows position, not the answers")
        out["reasons"].extend(calibration_reasons(calibration, limits.min_calibration_accuracy))
    out["available"] = not out["reasons"]
    return out


def calibration_reasons(calibration: dict | None, minimum: float) -> list[str]:
    if not calibration or not calibration["pairs"]:
        return ["its accuracy is unknown: no calibration pairs were judged (evaluation.judge.calibration_items is 0, or "
                "no teacher answer could carry a planted flaw)"]
    if calibration["accuracy"] is None:
        return [f"none of its {calibration['pairs']} calibration pairs got a verdict"]
    if calibration["accuracy"] < minimum:
        wrong = ", ".join(f"{k} {v['correct']}/{v['judged']}" for k, v in calibration["by_kind"].items())
        return [f"it preferred the original over a planted flaw in {calibration['correct']} of "
                f"{calibration['pairs'] - calibration['failed']} calibration pairs ({calibration['accuracy']:.0%} < "
                f"evaluation.judge.min_calibration_accuracy {minimum:.0%}; by flaw: {wrong})"]
    return []


async def judge_pairs(pool, pairs: list[Pair], max_tokens: int) -> list[tuple[str | None, str | None]]:
    """Both orders for every pair: [(verdict with arm 1 as A, verdict with arm 1 as B), ...]."""
    params = {"max_tokens": max_tokens, "temperature": 0.0,
              "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA}}}
    calls = [pool.complete(judge_messages(p, order), params) for p in pairs for order in (True, False)]
    results = await asyncio.gather(*calls)
    verdicts = [parse_verdict(r) for r in results]
    return [(verdicts[2 * i], verdicts[2 * i + 1]) for i in range(len(pairs))]
