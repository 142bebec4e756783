"""Per-route promotion: the gate decides each route on its own, and the registry's routing plan sends a route to the
newest student version that passed there, keeps a route the newest candidate failed where it was, and says why."""

import json

import pytest

from models.registry import Registry
from tasks.evaluation.score import decide_routes, summarize

STATS = {"resamples": 1000, "confidence": 0.95, "seed": 0}
GATES = {"schema_validity": 0.05}


def rows(route: str, valid: list[float]) -> list[dict]:
    return [{"route": route, "schema_valid_teacher": 1.0, "schema_valid_student": v, "judge_outcome": None} for v in valid]


@pytest.fixture
def registry(tmp_path):
    reg = Registry(tmp_path, "demo:student")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        (adapter / name).write_text("{}")
    for _ in range(2):
        reg.register(adapter, {"base_hash": "x"})
    return reg


def test_each_route_is_decided_on_its_own_evidence():
    """A perfect route is promoted beside one that is worse and one with too few items; 'overall' decides nothing.
    (80 items: with none discordant the score interval is +/-3.84/(n+3.84), inside the 0.05 margin from n = 73.)"""
    data = rows("ticket-triage", [1.0] * 80) + rows("invoice-extract", [0.0] * 10 + [1.0] * 30) + rows("support-reply", [1.0] * 8)
    decided = decide_routes(summarize(data, GATES, STATS, has_base=False, min_items=30), GATES, min_items=30)
    assert set(decided) == {"ticket-triage", "invoice-extract", "support-reply"}
    assert decided["ticket-triage"] == {"promote": True, "reasons": []}
    assert not decided["invoice-extract"]["promote"]
    assert decided["invoice-extract"]["reasons"][0].startswith("invoice-extract: schema_validity student 0.75 vs teacher 1.0")
    assert not decided["support-reply"]["promote"] and "insufficient evidence: 8 items" in decided["support-reply"]["reasons"][0]


def test_a_gated_judge_with_no_verdicts_blocks_every_route():
    """Missing evidence never reads as a pass: gating the judge's win rate with the judge off promotes nothing."""
    gates = {**GATES, "judge_win_rate": 0.05}
    data = rows("ticket-triage", [1.0] * 80) + rows("invoice-extract", [1.0] * 80)
    assert all(d["promote"] for d in decide_routes(summarize(data, GATES, STATS, has_base=False), GATES).values())
    decided = decide_routes(summarize(data, gates, STATS, has_base=False), gates)
    assert all(not d["promote"] for d in decided.values())
    assert all(d["reasons"] == [f"{r}: judge_win_rate is gated but has no judge verdicts (evaluation.judge.enabled is false)"]
               for r, d in decided.items())
    unreliable = {"available": False, "reasons": ["picked the same position in both orders on 12 of 12 items"]}
    decided = decide_routes(summarize(data, gates, STATS, has_base=False), gates, unreliable)
    assert all(d["reasons"][0].startswith("judge_win_rate is unavailable") for d in decided.values())


def test_the_plan_sends_each_route_to_the_newest_version_that_passed_there(registry):
    night1 = {"ticket-triage": {"promote": True, "reasons": []},
              "invoice-extract": {"promote": False, "reasons": ["invoice-extract: schema_validity ... inferior"]}}
    plan = registry.decide_routes("v0001", night1, "2026-11-01-aaa")
    assert plan["ticket-triage"] == {"to": "student", "version": "v0001", "since": "2026-11-01-aaa",
                                     "why": "non-inferior on every gated metric (2026-11-01-aaa)"}
    assert plan["invoice-extract"]["to"] == "teacher" and "inferior" in plan["invoice-extract"]["why"]
    assert registry.status()["champion"] == "v0001"
    routing = json.loads((registry.dir / "routing.json").read_text())
    assert routing["routes"] == plan, "the serving side reads the plan from routing.json"

    # night 2: the new candidate passes invoices but fails triage; triage keeps the version that passed it
    night2 = {"ticket-triage": {"promote": False, "reasons": ["ticket-triage: field_agreement on category ..."]},
              "invoice-extract": {"promote": True, "reasons": []}}
    plan = registry.decide_routes("v0002", night2, "2026-11-02-bbb")
    assert plan["invoice-extract"]["version"] == "v0002"
    assert plan["ticket-triage"]["version"] == "v0001" and "v0002 not promoted here" in plan["ticket-triage"]["last_candidate"]
    assert registry.plan_versions() == ["v0001", "v0002"], "both versions serve traffic: serve student serves both"

    # rolling back v0002 restores the plan as it was before its promotion
    assert registry.rollback("invoices wrong in production") == "v0001"
    assert registry.plan()["invoice-extract"]["to"] == "teacher" and registry.plan_versions() == ["v0001"]


def test_a_night_that_promotes_nothing_keeps_the_plan_and_says_why(registry):
    failed = {"ticket-triage": {"promote": False, "reasons": ["ticket-triage: too few items"]}}
    plan = registry.decide_routes("v0001", failed, "2026-11-01-aaa")
    assert plan == {"ticket-triage": {"to": "teacher", "version": None, "since": "2026-11-01-aaa",
                                      "why": "ticket-triage: too few items"}}
    status = registry.status()
    assert status["champion"] is None and status["history"][-1]["action"] == "keep"
    assert registry.plan_versions() == []


def test_a_route_no_gated_metric_applies_to_is_not_promoted():
    """Planted: a free-text route under JSON-only gates has nothing checked; that must not read as a pass."""
    prose = [{"route": "support-reply", "chrf_teacher": 1.0, "chrf_student": 0.3, "judge_outcome": None}] * 40
    decided = decide_routes(summarize(prose + rows("ticket-triage", [1.0] * 80), GATES, STATS, has_base=False), GATES)
    assert decided["ticket-triage"]["promote"] and not decided["support-reply"]["promote"]
    assert decided["support-reply"]["reasons"] == ["support-reply: no gated metric applies here (schema_validity); gate chrf "
                                                   "or judge_win_rate to decide a free-text route"]
    gated = {**GATES, "chrf": 0.1}
    decided = decide_routes(summarize(prose, gated, STATS, has_base=False), gated)
    assert "chrf student 0.3 vs teacher 1.0" in decided["support-reply"]["reasons"][0]


def test_the_judge_gate_applies_only_on_the_routes_the_judge_is_configured_for():
    """evaluation.judge.routes=[support-reply] with judge_win_rate gated: the JSON routes are decided without it, the
    judged route by it, and an unreliable judge blocks only the route it was asked on."""
    gates = {**GATES, "judge_win_rate": 0.1}
    replies = [{"route": "support-reply", "judge_outcome": "teacher"}] * 40
    data = rows("ticket-triage", [1.0] * 80) + replies
    reliable = {"available": True, "reasons": [], "routes": ["support-reply"]}
    decided = decide_routes(summarize(data, gates, STATS, has_base=False), gates, reliable)
    assert decided["ticket-triage"]["promote"]
    assert decided["support-reply"]["reasons"][0].startswith("support-reply: judge_win_rate student 0.0 vs teacher 0.5")
    unreliable = {"available": False, "reasons": ["calibration 3 of 12"], "routes": ["support-reply"]}
    decided = decide_routes(summarize(data, gates, STATS, has_base=False), gates, unreliable)
    assert decided["ticket-triage"]["promote"] and decided["support-reply"]["reasons"][0].startswith("judge_win_rate is unavailable")


def test_a_route_promoted_with_deferral_carries_its_terms_and_never_displaces_a_student_serving_alone(registry):
    deferring = {"promote": True, "reasons": [], "defer_below": 0.7, "fields": ["category", "urgency"],
                 "served_share": 0.51, "served_ci": [0.39, 0.63],
                 "alone": ["ticket-triage: field_agreement on category ... inferior"]}
    plan = registry.decide_routes("v0001", {"ticket-triage": deferring}, "2026-11-01-aaa")
    assert plan["ticket-triage"] == {"to": "student", "version": "v0001", "since": "2026-11-01-aaa",
                                     "why": "non-inferior on every gated metric with deferral to the teacher below "
                                            "p 0.7 (2026-11-01-aaa); alone it was not",
                                     "defer_below": 0.7, "fields": ["category", "urgency"], "served_share": 0.51}
    # the same version passing alone the next night is a new promotion: the route loses its deferral
    assert registry.promote("v0001", "alone now", ["ticket-triage"], "2026-11-02-bbb")
    assert "defer_below" not in registry.plan()["ticket-triage"]
    # a newer candidate that passes only with deferral does not take a route a student serves alone
    plan = registry.decide_routes("v0002", {"ticket-triage": deferring}, "2026-11-03-ccc")
    assert plan["ticket-triage"]["version"] == "v0001" and "defer_below" not in plan["ticket-triage"]
    assert "passed only with deferral below p 0.7; v0001 serves this route alone" in plan["ticket-triage"]["last_candidate"]


def test_serve_student_prints_the_deferral_rule_a_gateway_must_follow():
    from cli.main import routing_lines

    plan = {"ticket-triage": {"to": "student", "version": "v0002", "defer_below": 0.7, "fields": ["category", "urgency"],
                              "served_share": 0.51},
            "invoice-extract": {"to": "student", "version": "v0002"},
            "support-reply": {"to": "teacher", "version": None, "why": "too few items"}}
    text = routing_lines(plan, False, "student")
    assert "ticket-triage: student, model=student, asked with logprobs=true; the teacher answers instead when the " \
           "student's probability of the first token of any of category, urgency's values is below 0.7 (51% of " \
           "requests stayed with the student at evaluation)" in text
    assert "invoice-extract: student, model=student\n" in text and "support-reply: teacher (too few items)" in text


def test_the_decision_record_says_when_the_registry_kept_a_route_from_a_deferring_candidate(registry, tmp_path):
    """ab.json must not claim a promotion the routing plan did not make."""
    from tasks.evaluation.stage import apply_decision

    registry.decide_routes("v0001", {"ticket-triage": {"promote": True, "reasons": []}}, "2026-11-01-aaa")
    deferring = {"promote": True, "reasons": [], "defer_below": 0.7, "fields": ["category"], "served_share": 0.6}
    decision = apply_decision(registry, "v0002", {"ticket-triage": deferring}, tmp_path / "2026-11-02-bbb")
    assert decision["promote"] is False and decision["action"] == "kept champion"
    assert not decision["routes"]["ticket-triage"]["promote"]
    assert "v0001 serves this route alone" in decision["routes"]["ticket-triage"]["reasons"][0]
    assert decision["plan"]["ticket-triage"]["version"] == "v0001"
