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
    """'first', 'second' or 'tie': a win counts only when both orders name the same answer."""
    one = {"A": "first", "B": "second"}.get(verdict_first_as_a or "", "tie")
    two = {"B": "first", "A": "second"}.get(verdict_first_as_b or "", "tie")
    return one if one == two else "tie"


async def judge_pairs(pool, pairs: list[Pair], max_tokens: int) -> list[tuple[str | None, str | None]]:
    """Both orders for every pair: [(verdict with arm 1 as A, verdict with arm 1 as B), ...]."""
    params = {"max_tokens": max_tokens, "temperature": 0.0,
              "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA}}}
    calls = [pool.complete(judge_messages(p, order), params) for p in pairs for order in (True, False)]
    results = await asyncio.gather(*calls)
    verdicts = [parse_verdict(r) for r in results]
    return [(verdicts[2 * i], verdicts[2 * i + 1]) for i in range(len(pairs))]
