"""A broken judge never promotes: its verdicts go through the real client pool to tests/fake_teacher.py playing
a planted judge, and every broken one ends in "judge_win_rate is unavailable", naming why."""

import asyncio
import json

import httpx
import pytest

from distillery.config import ServedModelConfig
from models.client_pool import ClientPool
from models.vllm_server import external_endpoint
from tasks.evaluation.judge import Pair, judge_pairs, reliability
from tasks.evaluation.score import decide, judge_outcomes, summarize

GATES = {"judge_win_rate": 0.05}
STATS = {"resamples": 1000, "confidence": 0.95, "seed": 0}
ITEMS = 12


def pairs() -> list[Pair]:
    """Student and teacher both answer valid triage JSON; the student's answer is the longer one on half the items."""
    short, long = json.dumps({"category": "billing"}), json.dumps({"category": "billing", "urgency": "high"})
    return [Pair("Answer as JSON.", f"ticket {i}", long if i % 2 else short, short if i % 2 else long) for i in range(ITEMS)]


def verdicts_from(fake_teacher: str, judge: str, **failing) -> tuple[list, ClientPool]:
    httpx.post(f"{fake_teacher}/control", json={"reset": True, "judge": judge, **failing}).raise_for_status()
    spec = ServedModelConfig(model="fake-teacher", endpoint=f"{fake_teacher}/v1", max_retries=2, retry_backoff_s=5.0)
    pool = ClientPool(external_endpoint(spec), spec, role="judge")

    async def run():
        try:
            return await judge_pairs(pool, pairs(), max_tokens=16)
        finally:
            await pool.close()

    return asyncio.run(run()), pool


def verdict(verdicts, pool: ClientPool | None = None) -> tuple[dict, bool, list[str]]:
    rel = reliability(verdicts, max_failure_rate=0.1, max_position_bias=0.3, failed_calls=pool and pool.stats.failures)
    rows = [{"route": "ticket-triage", "judge_outcome": o} for o in judge_outcomes(verdicts)]
    promote, reasons = decide(summarize(rows, GATES, STATS, has_base=False), GATES, rel)
    return rel, promote, reasons


@pytest.mark.parametrize("judge, failing, why", [
    ("always_a", {}, "picked the same position in both orders on 12 of 12 items"),
    ("garbage", {}, "no usable verdict on 12 items"),
    ("json", {"mode": "fail", "status": 429, "retry_after": 0, "count": -1},
     "no usable verdict on 12 items (failed calls: http_429 x24)"),
])
def test_a_broken_judge_never_promotes_and_the_reason_names_it(fake_teacher, judge, failing, why):
    verdicts, pool = verdicts_from(fake_teacher, judge, **failing)
    rel, promote, reasons = verdict(verdicts, pool)
    assert not rel["available"] and not promote
    assert len(reasons) == 1 and reasons[0].startswith("judge_win_rate is unavailable: the judge is not reliable")
    assert why in reasons[0], reasons
    if failing:  # rate limited: retried at once (Retry-After: 0, not the 5 s backoff), then each request failed
        assert pool.stats.retries == 2 * ITEMS * 2 and pool.stats.failures == {"http_429": 2 * ITEMS}


def test_a_missing_verdict_is_no_evidence_not_a_tie(fake_teacher):
    """Before: a failed verdict became a tie, scoring exactly the reference, so a dead judge 'passed' a gate."""
    verdicts, _ = verdicts_from(fake_teacher, "longer")
    broken = [(None, b) for _, b in verdicts[:2]] + verdicts[2:]  # two items lost one order each
    assert judge_outcomes(broken)[:2] == ["failed", "failed"]
    rel, _, _ = verdict(broken)
    assert rel["failed"] == 2 and rel["failure_rate"] == round(2 / ITEMS, 4) and not rel["available"]
    rows = [{"route": "ticket-triage", "judge_outcome": o} for o in judge_outcomes(broken)]
    assert summarize(rows, GATES, STATS, has_base=False)["overall"]["vs_teacher"]["judge_win_rate"]["diff"]["n"] == ITEMS - 2


def test_a_judge_that_reads_the_answers_is_usable_and_a_short_rate_limit_is_waited_out(fake_teacher):
    """The control: a judge that answers on content (here: the longer answer) in both orders is reliable; two 429s
    with Retry-After are retried and every verdict arrives."""
    verdicts, pool = verdicts_from(fake_teacher, "longer", mode="fail", status=429, retry_after=0, count=2)
    rel, _, reasons = verdict(verdicts)
    assert rel["available"] and rel["failed"] == 0 and rel["position_bias"] == 0.0, rel
    assert pool.stats.retries == 2 and not pool.stats.failures
    assert not any("judge is not reliable" in r for r in reasons)
    assert sorted(judge_outcomes(verdicts)) == ["student"] * (ITEMS // 2) + ["teacher"] * (ITEMS // 2)
