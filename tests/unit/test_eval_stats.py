"""The statistics behind the teacher-vs-student verdict: paired CIs, both-orders judging, the gate, the registry."""

import json
import random

import pytest

from models.registry import Registry, RegistryError
from tasks.evaluation.judge import outcome
from tasks.evaluation.score import decide, sanity_checks, summarize
from tasks.evaluation.stats import mean_ci, paired_diff_ci

STATS = {"resamples": 1000, "confidence": 0.95, "seed": 0}


def test_paired_bootstrap_separates_a_real_difference_from_noise():
    rng = random.Random(1)
    teacher = [1.0] * 60
    clearly_worse = [0.0 if i % 3 == 0 else 1.0 for i in range(60)]        # 67% vs 100%
    noisy_equal = [1.0 if rng.random() < 0.97 else 0.0 for _ in range(60)]
    worse = paired_diff_ci(clearly_worse, teacher, **STATS)
    assert worse["ci"][1] < 0 and worse["estimate"] == pytest.approx(-1 / 3, abs=1e-3)
    same = paired_diff_ci(noisy_equal, [1.0 if rng.random() < 0.97 else 0.0 for _ in range(60)], **STATS)
    assert same["ci"][0] <= 0 <= same["ci"][1]
    assert paired_diff_ci(clearly_worse, teacher, **STATS) == worse, "seeded: the same data gives the same CI"


def test_pairing_matters_when_items_differ_in_difficulty():
    """Hard items sink both arms; an unpaired view would drown a consistent 10-point gap in item variance."""
    hard = [0.2, 0.3, 0.25] * 10
    easy = [0.9, 0.95, 1.0] * 10
    teacher = hard + easy
    student = [x - 0.1 for x in teacher]
    diff = paired_diff_ci(student, teacher, **STATS)
    assert diff["ci"] == [pytest.approx(-0.1), pytest.approx(-0.1)]
    assert mean_ci(student, **STATS)["ci"][1] - mean_ci(student, **STATS)["ci"][0] > 0.1


def test_a_win_counts_only_when_both_orders_agree():
    assert outcome("A", "B") == "first"       # first answer won as A and as B
    assert outcome("B", "A") == "second"
    assert outcome("A", "A") == "tie"         # position bias: "whatever comes first"
    assert outcome("tie", "B") == "tie"
    assert outcome(None, "B") == "failed"     # an unparseable verdict is no evidence: never a win, never a tie


def test_aa_and_swap_sanity_checks_hold_for_a_position_biased_judge():
    biased = [("A", "A")] * 30 + [("A", "B")] * 10 + [("B", "A")] * 10   # student wins 10, loses 10, ties 30
    checks = sanity_checks([], biased, [("A", "A")] * 16, STATS)
    assert checks["aa"]["estimate"] == 0.5 and checks["aa"]["passes"]
    assert checks["swap"]["passes"]
    s, t = checks["swap"]["student_win_rate"], checks["swap"]["teacher_win_rate_swapped"]
    assert s["estimate"] + t["estimate"] == pytest.approx(1.0) and s["ci"][0] == pytest.approx(1 - t["ci"][1])


def rows(student_valid: list[float], route: str = "ticket-triage") -> list[dict]:
    return [{"route": route, "schema_valid_teacher": 1.0, "schema_valid_student": v, "schema_valid_base": 0.0,
             "agreement_teacher": 1.0, "agreement_student": v * 0.9, "agreement_base": 0.0, "judge_outcome": None,
             "fields_student": json.dumps({"category": bool(v), "urgency": i % 2 == 0})}
            for i, v in enumerate(student_valid)]


def test_the_gate_promotes_only_when_every_gated_metric_is_non_inferior():
    good = summarize(rows([1.0] * 40), {"schema_validity": 0.05}, STATS, has_base=True)
    assert decide(good, {"schema_validity": 0.05}) == (True, [])
    assert good["overall"]["vs_base"]["schema_validity"]["diff"]["ci"][0] > 0, "trained beats the base"
    by_field = good["ticket-triage"]["field_agreement_by_field"]
    assert by_field["category"]["estimate"] == 1.0 and by_field["urgency"]["estimate"] == 0.5
    bad = summarize(rows([1.0, 0.0] * 20), {"schema_validity": 0.05}, STATS, has_base=True)
    ok, reasons = decide(bad, {"schema_validity": 0.05})
    assert not ok and any(r.startswith("ticket-triage: schema_validity") for r in reasons) and "overall" in reasons[-1]
    strict = {"schema_validity": 0.05, "field_agreement": 0.05}
    ok, reasons = decide(summarize(rows([1.0] * 40), strict, STATS, has_base=False), strict)
    assert not ok and all("field_agreement" in r for r in reasons), "agreement 0.9 trails the teacher's 1.0 by 10 points"


def test_gating_on_the_judge_without_verdicts_refuses():
    gates = {"judge_win_rate": 0.1}
    ok, reasons = decide(summarize(rows([1.0] * 10), gates, STATS, has_base=False), gates)
    assert not ok and "judge.enabled" in reasons[0]


@pytest.fixture()
def registry(tmp_path):
    reg = Registry(tmp_path, "demo:student")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        (adapter / name).write_text("{}")
    for _ in range(3):
        reg.register(adapter, {"base_hash": "x"})
    return reg


def test_promotion_is_idempotent_and_rollback_restores_the_previous_champion(registry):
    assert registry.promote("v0001", "first") and not registry.promote("v0001", "again")
    assert registry.promote("v0002", "better")
    registry.keep_champion("v0003", "field_agreement inferior")
    status = registry.status()
    assert status["champion"] == "v0002" and status["candidates"] == ["v0003"]
    assert [h["action"] for h in status["history"]] == ["promote", "promote", "keep"]
    assert registry.rollback("bad in production") == "v0001"
    assert registry.rollback() is None
    with pytest.raises(RegistryError, match="no champion"):
        registry.rollback()
    with pytest.raises(RegistryError, match="no adapter version 'v0009'"):
        registry.promote("v0009", "typo")
    assert json.loads((registry.dir / "status.json").read_text())["candidates"] == ["v0001", "v0002", "v0003"]
