"""A broken judge never promotes: its verdicts, and its verdicts on calibration pairs with a known answer, go through
the real client pool to tests/fake_teacher.py playing a planted judge, and every broken one ends in "judge_win_rate
is unavailable", naming why."""

import asyncio
import json

import httpx
import pytest

from distillery.config import PairJudgeConfig, ServedModelConfig
from models.client_pool import ClientPool
from models.vllm_server import external_endpoint
from tasks.evaluation.calibration import calibration_pairs, calibration_result
from tasks.evaluation.items import Answer, Item
from tasks.evaluation.judge import Pair, judge_pairs, reliability
from tasks.evaluation.score import decide, judge_outcomes, summarize
from tests.conftest import REPO

GATES = {"judge_win_rate": 0.05}
STATS = {"resamples": 1000, "confidence": 0.95, "seed": 0}
LIMITS = PairJudgeConfig()  # the shipped limits: 10% failures, 30% position bias, 75% calibration accuracy
ITEMS = 12
SHORT, LONG = json.dumps({"category": "billing"}), json.dumps({"category": "billing", "urgency": "high"})


def pairs() -> list[Pair]:
    """Student and teacher both answer valid triage JSON; the student's answer is the longer one on half the items."""
    return [Pair("Answer as JSON.", f"ticket {i}", LONG if i % 2 else SHORT, SHORT if i % 2 else LONG) for i in range(ITEMS)]


def known_pairs() -> list[tuple[Pair, str]]:
    """Calibration pairs from teacher triage answers, each against a planted flaw (the evaluate stage's own code)."""
    schema = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    answers = [json.dumps({"category": c, "urgency": u, "summary": f"Customer reports problem number {i} with the order."})
               for i, (c, u) in enumerate([("billing", "high"), ("shipping", "low"), ("outage", "medium")] * 4)]
    items = [Item(f"p{i:02d}", "ticket-triage", f"ticket {i}", "Answer as JSON.", Answer(a)) for i, a in enumerate(answers)]
    return calibration_pairs(items, {"ticket-triage": schema}, LIMITS.calibration_items)


def judged_by(fake_teacher: str, judge: str, prefer=(), **failing) -> tuple[list, dict, ClientPool]:
    httpx.post(f"{fake_teacher}/control", json={"reset": True, "judge": judge, "prefer": list(prefer), **failing}).raise_for_status()
    spec = ServedModelConfig(model="fake-teacher", endpoint=f"{fake_teacher}/v1", max_retries=2, retry_backoff_s=5.0)
    pool = ClientPool(external_endpoint(spec), spec, role="judge")
    known = known_pairs()

    async def run():
        try:
            return await judge_pairs(pool, pairs(), 16), await judge_pairs(pool, [p for p, _ in known], 16)
        finally:
            await pool.close()

    verdicts, on_known = asyncio.run(run())
    return verdicts, calibration_result(on_known, [kind for _, kind in known]), pool


def verdict(verdicts, calibration: dict | None, pool: ClientPool | None = None) -> tuple[dict, bool, list[str]]:
    rel = reliability(verdicts, LIMITS, pool and pool.stats.failures, calibration)
    rows = [{"route": "ticket-triage", "judge_outcome": o} for o in judge_outcomes(verdicts)]
    promote, reasons = decide(summarize(rows, GATES, STATS, has_base=False), GATES, rel)
    return rel, promote, reasons


def test_the_calibration_set_plants_every_kind_of_flaw():
    known = known_pairs()
    assert len(known) == LIMITS.calibration_items
    assert {kind for _, kind in known} == {"invalid_json", "wrong_value", "invented"}
    for pair, kind in known:
        assert pair.first != pair.second
        if kind == "invented":
            assert len(pair.second) > len(pair.first), "the flaw a length-loving judge falls for"


CALLS = 2 * (ITEMS + 12)  # both orders of every pair and every calibration pair


@pytest.mark.parametrize("judge, failing, why", [
    ("always_a", {}, "picked the same position in both orders on 12 of 12 items"),
    ("garbage", {}, "no usable verdict on 12 items"),
    ("json", {"mode": "fail", "status": 429, "retry_after": 0, "count": -1},
     f"no usable verdict on 12 items (failed calls: http_429 x{CALLS})"),
    ("longer", {}, "it preferred the original over a planted flaw in"),
])
def test_a_broken_judge_never_promotes_and_the_reason_names_it(fake_teacher, judge, failing, why):
    verdicts, calibration, pool = judged_by(fake_teacher, judge, **failing)
    rel, promote, reasons = verdict(verdicts, calibration, pool)
    assert not rel["available"] and not promote
    assert len(reasons) == 1 and reasons[0].startswith("judge_win_rate is unavailable: the judge is not reliable")
    assert why in reasons[0], reasons
    if failing:  # rate limited: retried at once (Retry-After: 0, not the 5 s backoff), then each request failed
        assert pool.stats.retries == 2 * CALLS and pool.stats.failures == {"http_429": CALLS}
    if judge == "longer":  # it reads length, not content: right on truncations, wrong on the invented claims
        assert rel["position_bias"] == 0.0 and calibration["by_kind"]["invented"]["correct"] == 0, calibration


def test_without_calibration_the_judge_is_not_trusted(fake_teacher):
    verdicts, _, pool = judged_by(fake_teacher, "longer")
    rel, promote, reasons = verdict(verdicts, None, pool)
    assert not promote and "its accuracy is unknown" in reasons[0]


def test_a_missing_verdict_is_no_evidence_not_a_tie(fake_teacher):
    """Before: a failed verdict became a tie, scoring exactly the reference, so a dead judge 'passed' a gate."""
    verdicts, calibration, _ = judged_by(fake_teacher, "oracle", prefer=[LONG] + [p.first for p, _ in known_pairs()])
    broken = [(None, b) for _, b in verdicts[:2]] + verdicts[2:]  # two items lost one order each
    assert judge_outcomes(broken)[:2] == ["failed", "failed"]
    rel, _, _ = verdict(broken, calibration)
    assert rel["failed"] == 2 and rel["failure_rate"] == round(2 / ITEMS, 4) and not rel["available"]
    rows = [{"route": "ticket-triage", "judge_outcome": o} for o in judge_outcomes(broken)]
    assert summarize(rows, GATES, STATS, has_base=False)["overall"]["vs_teacher"]["judge_win_rate"]["diff"]["n"] == ITEMS - 2


def test_a_judge_that_reads_the_answers_is_usable_and_a_short_rate_limit_is_waited_out(fake_teacher):
    """The control: a judge that picks the right answer in both orders (here it is told which: the longer triage
    answer, and each calibration pair's original) is reliable; two 429s with Retry-After are retried and every
    verdict arrives."""
    verdicts, calibration, pool = judged_by(fake_teacher, "oracle", prefer=[LONG] + [p.first for p, _ in known_pairs()],
                                            mode="fail", status=429, retry_after=0, count=2)
    rel, _, reasons = verdict(verdicts, calibration)
    assert rel["available"] and rel["failed"] == 0 and rel["position_bias"] == 0.0, rel
    assert calibration["accuracy"] == 1.0 and calibration["pairs"] == LIMITS.calibration_items
    assert pool.stats.retries == 2 and not pool.stats.failures
    assert not any("judge is not reliable" in r for r in reasons)
    assert sorted(judge_outcomes(verdicts)) == ["student"] * (ITEMS // 2) + ["teacher"] * (ITEMS // 2)


def test_every_route_gets_every_kind_of_flaw_it_can_carry():
    """Routes are taken in turn and each cycles through its own kinds: with three routes a global cycle would give
    one route the same flaw every time."""
    triage = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    invoice = json.loads((REPO / "data/routes/invoice-extract.schema.json").read_text())
    answer = {"ticket-triage": json.dumps({"category": "billing", "urgency": "high", "summary": "Charged twice in May."}),
              "invoice-extract": json.dumps({"vendor": "Acme", "number": "A-1", "date": "2026-05-01", "total": 12.5,
                                             "currency": "EUR"}),
              "support-reply": "Thanks for writing in. We have refunded the duplicate charge to your card today."}
    items = [Item(f"{route}-{i}", route, f"request {i}", "", Answer(text)) for route, text in answer.items() for i in range(4)]
    known = calibration_pairs(items, {"ticket-triage": triage, "invoice-extract": invoice, "support-reply": None}, 12)
    kinds: dict[str, set] = {}
    for pair, kind in known:
        route = next(r for r, text in answer.items() if text == pair.first)
        kinds.setdefault(route, set()).add(kind)
    assert kinds == {"ticket-triage": {"invalid_json", "wrong_value", "invented"},
                     "invoice-extract": {"invalid_json", "wrong_value", "invented"}, "support-reply": {"truncated", "invented"}}


def test_the_judge_is_asked_only_on_the_routes_it_is_configured_for(fake_teacher, tmp_path):
    """evaluation.judge.routes: JSON routes are compared field by field, so a user may judge the free-text route alone;
    the other routes' items get no verdict (None), and the calls are only the judged items' and their calibration's."""
    from distillery.config import load_config
    from tasks.evaluation.stage import run_judge

    cfg = load_config(REPO / "configs/demo.yaml", [f"store.root={tmp_path}", f"evaluation.judge.endpoint={fake_teacher}/v1",
                                                   "evaluation.judge.model=fake-teacher", "evaluation.judge.routes=[support-reply]",
                                                   "evaluation.judge.calibration_items=4", "evaluation.min_items=5"])
    httpx.post(f"{fake_teacher}/control", json={"reset": True, "judge": "json"}).raise_for_status()
    verdicts, calibration, usage = run_judge(cfg, TICKETS[:3] + REPLIES + TICKETS[3:])
    assert [v is None for v in verdicts] == [True] * 3 + [False] * 5 + [True] * 3
    assert calibration["pairs"] == 4 and usage["calls"] == 2 * (5 + 4)
    assert httpx.get(f"{fake_teacher}/stats").json()["pairwise"] == 2 * (5 + 4)


REPLIES = [Item(f"r{i}", "support-reply", f"question {i}", "Reply kindly.",
                Answer(f"Thanks for writing, we will refund order {i} today."), arms={"student": Answer("We will refund it.")})
           for i in range(5)]
TICKETS = [Item(f"t{i}", "ticket-triage", f"ticket {i}", "Answer as JSON.", Answer(SHORT), arms={"student": Answer(LONG)})
           for i in range(6)]


def test_a_route_with_too_few_items_is_not_judged_and_says_why(fake_teacher, tmp_path):
    """A judged route with fewer than evaluation.min_items items could not pass on its verdict anyway: the judge is
    not asked there (no server, no call), and the route stays with the teacher for insufficient evidence, not for an
    unreliable judge. A route with enough items is still judged."""
    from distillery.config import load_config
    from tasks.evaluation.score import decide_routes
    from tasks.evaluation.stage import judge_record, run_judge

    cfg = load_config(REPO / "configs/demo.yaml", [f"store.root={tmp_path}", f"evaluation.judge.endpoint={fake_teacher}/v1",
                                                   "evaluation.judge.model=fake-teacher", "evaluation.judge.routes=[]",
                                                   "evaluation.judge.calibration_items=4", "evaluation.min_items=6"])
    httpx.post(f"{fake_teacher}/control", json={"reset": True, "judge": "json"}).raise_for_status()
    items = REPLIES + TICKETS  # 5 replies (< 6), 6 tickets
    verdicts, calibration, usage = run_judge(cfg, items)
    assert [v is None for v in verdicts] == [True] * 5 + [False] * 6
    assert usage["too_few"] == {"support-reply": 5}
    assert httpx.get(f"{fake_teacher}/stats").json()["pairwise"] == 2 * (6 + 4)  # the tickets and their calibration

    httpx.post(f"{fake_teacher}/control", json={"reset": True, "judge": "json"}).raise_for_status()
    cfg = cfg.model_copy(update={"evaluation": cfg.evaluation.model_copy(update={"min_items": 30})})
    verdicts, calibration, usage = run_judge(cfg, items)
    assert verdicts == [] and calibration is None and usage["calls"] == 0
    assert httpx.get(f"{fake_teacher}/stats").json()["pairwise"] == 0
    judged = judge_record(cfg, items, [], usage, calibration)
    assert not judged["available"] and not judged["asked"]
    assert judged["reasons"] == ["not asked: support-reply has 5 items, ticket-triage has 6 items, fewer than "
                                 "evaluation.min_items 30"]
    rows = [{"route": it.route, "judge_outcome": None} for it in items]
    summary = summarize(rows, GATES, STATS, has_base=False)
    routes = decide_routes(summary, GATES, judged, 30)
    for route, n in (("support-reply", 5), ("ticket-triage", 6)):
        assert not routes[route]["promote"]
        assert routes[route]["reasons"] == [f"{route}: judge_win_rate has insufficient evidence: {n} items < "
                                            "evaluation.min_items 30, so the judge was not asked"]


def test_a_night_without_the_judged_routes_items_leaves_the_others_to_their_gates(tmp_path, caplog):
    """evaluation.judge.routes names support-reply; a night that sampled no reply is not judged, and the ticket route
    is decided by its own gates, not blocked by a judge that had nothing to judge."""
    from distillery.config import load_config
    from tasks.evaluation.score import decide_routes
    from tasks.evaluation.stage import judge_record, run_judge

    cfg = load_config(REPO / "configs/demo.yaml", [f"store.root={tmp_path}", "evaluation.judge.routes=[support-reply]",
                                                   "evaluation.min_items=6"])
    verdicts, calibration, usage = run_judge(cfg, TICKETS)
    assert verdicts == [] and usage["calls"] == 0
    judged = judge_record(cfg, TICKETS, [], usage, calibration)
    assert judged["routes"] == ["support-reply"] and not judged["asked"]
    assert judged["reasons"] == ["not asked: no eval item of its routes (support-reply) in this run"]
    assert "evaluation.judge.routes names support-reply, which has no eval item in this run" in caplog.text  # a typo?
    gates = {**GATES, "schema_validity": 0.5}
    rows = [{"route": "ticket-triage", "judge_outcome": None, "schema_valid_teacher": 1.0, "schema_valid_student": 1.0}
            for _ in TICKETS]
    routes = decide_routes(summarize(rows, gates, STATS, has_base=False), gates, judged, 6)
    assert routes["ticket-triage"] == {"promote": True, "reasons": []}, routes


def test_the_run_notes_tell_a_judge_not_asked_from_an_unreliable_one():
    from tasks.evaluation.summary import judge_notes

    ungated = {"config": {"gates": {"field_agreement": 0.2}}}
    not_asked = {"available": False, "asked": False, "reasons": ["not asked: support-reply has 5 items, fewer than "
                                                                 "evaluation.min_items 30"]}
    unreliable = {"available": False, "asked": True, "reasons": ["no usable verdict on 12 items"]}
    assert judge_notes({**ungated, "judge": {"reliability": not_asked}}) == [
        "judge not asked: support-reply has 5 items, fewer than evaluation.min_items 30"]
    assert judge_notes({**ungated, "judge": {"reliability": unreliable}}) == [
        "judge win rate not usable this run: no usable verdict on 12 items"]
