"""The statistics behind the teacher-vs-student verdict: paired CIs, both-orders judging, the gate, the registry."""

import json
import random

import pytest

from models.registry import Registry, RegistryError
from tasks.evaluation.judge import outcome
from tasks.evaluation.metrics import field_kinds, field_matches, field_similarity
from tasks.evaluation.score import decide, summarize
from tasks.evaluation.stats import items_needed, mean_ci, paired_diff_ci, tango_ci
from tests.conftest import REPO

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


def test_tango_interval_matches_the_published_example_and_inverts_its_score_test():
    """Fagerland, Lydersen & Laake 2013 (BMC Med Res Methodol 13:84), Table 1 data: 1 of 21 pairs yes only in arm 1,
    7 yes only in arm 2; their Tango asymptotic score interval is -0.517 to -0.026."""
    lo, hi = tango_ci(1, 7, 21, 0.95)
    assert float(lo) == pytest.approx(-0.517, abs=5e-4) and float(hi) == pytest.approx(-0.026, abs=5e-4)
    lo, hi = tango_ci(0, 0, 10, 0.95)
    assert float(lo) == pytest.approx(-0.2775, abs=1e-3) and float(hi) == pytest.approx(0.2775, abs=1e-3), \
        "10 of 10 alike is not proof of equality: the interval is +/-0.28, not a point"


def test_yes_no_metrics_get_the_score_interval_and_continuous_ones_the_bootstrap():
    validity = paired_diff_ci([1.0] * 9 + [0.0], [1.0] * 10, **STATS)
    assert validity["method"] == "tango" and validity["discordant"] == [0, 1]
    assert validity["ci"][0] < -0.3, "one miss in ten: the old percentile bootstrap said [-0.3, 0], Tango is wider"
    chrf = paired_diff_ci([0.5, 0.6, 0.7] * 10, [0.6] * 30, **STATS)
    assert chrf["method"] == "bootstrap"
    unanimous = paired_diff_ci([0.5] * 40, [0.5] * 40, **STATS)  # e.g. 40 judge ties
    assert unanimous["method"] == "unanimous" and unanimous["ci"][0] < -0.05 < 0.05 < unanimous["ci"][1], \
        "no spread seen is not a zero-width interval"
    assert mean_ci([1.0] * 10, **STATS)["ci"][0] == pytest.approx(0.6915, abs=1e-3), "Clopper-Pearson for 10 of 10"


def test_items_needed_says_what_the_margin_costs():
    zero_discordance = paired_diff_ci([1.0] * 20, [1.0] * 20, **STATS)
    n = items_needed(zero_discordance, 0.05, 0.95)
    assert 60 <= n <= 80, n  # close to the rule of three (3 / 0.05 = 60)
    assert float(tango_ci(0, 0, n, 0.95)[0]) >= -0.05 > float(tango_ci(0, 0, n - 1, 0.95)[0])
    noisy = paired_diff_ci([1.0, 0.0, 1.0, 1.0] * 10, [1.0, 1.0, 0.0, 1.0] * 10, **STATS)
    assert items_needed(noisy, 0.05, 0.95) > items_needed(zero_discordance, 0.05, 0.95), "more disagreement, more items"


def test_fields_are_compared_by_type_exact_for_labels_and_numbers_text_similarity_for_prose():
    schema = json.loads((REPO / "data/routes/invoice-extract.schema.json").read_text())
    assert field_kinds(schema) == {"vendor": "text", "number": "exact", "date": "exact", "total": "exact", "currency": "exact"}
    triage = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    assert field_kinds(triage) == {"category": "exact", "urgency": "exact", "summary": "text"}
    ref = json.dumps({"vendor": "Acme Corp", "number": "001", "total": 120, "currency": "EUR"})
    answer = json.dumps({"vendor": "ACME Corporation", "number": "1", "total": "120.00", "currency": " eur"})
    assert field_matches(answer, ref, ["number", "total", "currency"]) == {"number": False, "total": True, "currency": True}
    sim = field_similarity(answer, ref, ["vendor"])["vendor"]
    assert 0.2 < sim < 1.0, "a vendor written differently is close, not wrong"
    assert field_similarity("not json", ref, ["vendor"]) == {"vendor": 0.0}


def test_a_route_with_too_few_items_is_insufficient_evidence_never_a_pass():
    gates = {"schema_validity": 0.2}
    perfect_but_few = summarize(rows([1.0] * 12), gates, STATS, has_base=False)
    ok, reasons = decide(perfect_but_few, gates, min_items=30)
    assert not ok and reasons[0].startswith("ticket-triage: schema_validity has insufficient evidence: 12 items < "
                                            "evaluation.min_items 30"), reasons
    assert decide(summarize(rows([1.0] * 30), gates, STATS, has_base=False), gates, min_items=30) == (True, [])


def test_field_agreement_is_gated_field_by_field():
    """Every category right and every urgency wrong: the mean (0.5 vs 1.0) hides which; the gate names the field."""
    gates = {"field_agreement": 0.05}
    data = [{**r, "fields_student": json.dumps({"category": True, "urgency": False}), "agreement_student": 0.5,
             "fields_teacher": json.dumps({"category": True, "urgency": True})} for r in rows([1.0] * 80)]
    summary = summarize(data, gates, STATS, has_base=False)
    by_field = summary["ticket-triage"]["vs_teacher"]["field_agreement"]["by_field"]
    assert by_field["category"]["non_inferior"] and not by_field["urgency"]["non_inferior"]
    assert by_field["urgency"]["diff"]["method"] == "tango"
    ok, reasons = decide(summary, gates, min_items=30)
    assert not ok and any(r.startswith("ticket-triage: field_agreement on urgency student 0.0 vs teacher 1.0") for r in reasons)
    assert not any("on category" in r for r in reasons)


def rows(student_valid: list[float], route: str = "ticket-triage") -> list[dict]:
    return [{"route": route, "schema_valid_teacher": 1.0, "schema_valid_student": v, "schema_valid_base": 0.0,
             "agreement_teacher": 1.0, "agreement_student": (1.0 + (i % 2 == 0)) / 2 if v else 0.0, "agreement_base": 0.0,
             "judge_outcome": None, "fields_teacher": json.dumps({"category": True, "urgency": True}),
             "fields_base": json.dumps({"category": False, "urgency": False}),
             "fields_student": json.dumps({"category": bool(v), "urgency": bool(v) and i % 2 == 0})}
            for i, v in enumerate(student_valid)]


def test_the_gate_promotes_only_when_every_gated_metric_is_non_inferior():
    good = summarize(rows([1.0] * 40), {"schema_validity": 0.1}, STATS, has_base=True)
    assert decide(good, {"schema_validity": 0.1}) == (True, [])
    tight = {"schema_validity": 0.05}
    assert not decide(summarize(rows([1.0] * 40), tight, STATS, has_base=False), tight)[0], \
        "40 of 40 resolves +/-0.09: a 0.05 margin needs ~73 items"
    assert good["overall"]["vs_base"]["schema_validity"]["diff"]["ci"][0] > 0, "trained beats the base"
    by_field = good["ticket-triage"]["vs_teacher"]["field_agreement"]["by_field"]
    assert by_field["category"]["student"]["estimate"] == 1.0 and by_field["urgency"]["student"]["estimate"] == 0.5
    bad = summarize(rows([1.0, 0.0] * 20), {"schema_validity": 0.1}, STATS, has_base=True)
    ok, reasons = decide(bad, {"schema_validity": 0.1})
    assert not ok and any(r.startswith("ticket-triage: schema_validity") for r in reasons) and "overall" in reasons[-1]
    strict = {"schema_validity": 0.1, "field_agreement": 0.05}
    ok, reasons = decide(summarize(rows([1.0] * 40), strict, STATS, has_base=False), strict)
    assert not ok and all("field_agreement on" in r for r in reasons)
    assert any("field_agreement on urgency student 0.5 vs teacher 1.0" in r for r in reasons), reasons


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


def test_a_student_whose_answers_are_all_empty_is_never_promoted():
    from tasks.evaluation.items import Answer, Item
    from tasks.evaluation.score import item_metrics

    schema = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    teacher = json.dumps({"category": "billing", "urgency": "high", "summary": "Charged twice for the May invoice."})
    items = [Item(f"p{i}", "ticket-triage", f"ticket {i}", "", Answer(teacher), arms={"student": Answer("")}) for i in range(80)]
    rows_ = [{"route": it.route, "judge_outcome": None, **item_metrics(it, schema)} for it in items]
    assert rows_[0]["chrf_student"] == 0.0 and rows_[0]["chrf_teacher"] == 1.0, "the summary is compared as text"
    gates = {"schema_validity": 0.05, "field_agreement": 0.05}
    ok, reasons = decide(summarize(rows_, gates, STATS, has_base=False), gates, min_items=30)
    assert not ok and any(r.startswith("ticket-triage: schema_validity student 0.0 vs teacher 1.0") for r in reasons)
    assert any("field_agreement on category" in r for r in reasons) and any("field_agreement on urgency" in r for r in reasons)


def test_an_arm_that_answered_only_the_json_routes_is_counted_where_it_answered():
    from tasks.evaluation.items import Answer, Item
    from tasks.evaluation.stage import arm_tokens

    items = [Item("a", "ticket-triage", "t", "", Answer("{}", 600, 20),
                  arms={"student": Answer("{}", 30, 20), "student_unguided": Answer("{", 30, 25)}),
             Item("b", "support-reply", "r", "", Answer("Hi", 650, 80), arms={"student": Answer("Hello", 35, 90)})]
    assert arm_tokens(items) == {"teacher": {"prompt": 1250, "completion": 100}, "student": {"prompt": 65, "completion": 110},
                                 "student_unguided": {"prompt": 30, "completion": 25}}


def test_worse_across_the_whole_interval_is_inferior_even_below_min_items():
    """Too few items decide nothing either way, unless the student is worse beyond the margin wherever the interval
    reaches: then more items would not change the verdict, and the reason says inferior, not 'insufficient'."""
    gates = {"schema_validity": 0.05}
    clearly_worse = summarize(rows([0.0] * 12), gates, STATS, has_base=False, min_items=30)
    assert clearly_worse["ticket-triage"]["vs_teacher"]["schema_validity"]["verdict"] == "inferior"
    ok, reasons = decide(clearly_worse, gates, min_items=30)
    assert not ok and reasons[0].startswith("ticket-triage: schema_validity student 0.0 vs teacher 1.0"), reasons
    assert "margin needs" not in reasons[0], "no amount of items rescues a student that is plainly worse"
    unsure = summarize(rows([1.0] * 11 + [0.0]), gates, STATS, has_base=False, min_items=30)
    assert unsure["ticket-triage"]["vs_teacher"]["schema_validity"]["verdict"] == "insufficient evidence"


def test_the_in_context_baseline_puts_the_routes_first_training_examples_before_the_request():
    from tasks.evaluation.answer import fewshot_examples, in_context

    def row(pid, route, user, answer, split="train"):
        return {"prompt_id": pid, "route": route, "split": split, "answer": answer,
                "messages": json.dumps([{"role": "user", "content": f"[{route}]\n{user}"}, {"role": "assistant", "content": answer}])}

    train = [row("p3", "ticket-triage", "c", "C"), row("p1", "ticket-triage", "a", "A"), row("p0", "ticket-triage", "v", "V", "val"),
             row("p2", "ticket-triage", "b", "B"), row("p9", "support-reply", "hi", "Hello")]
    shots = fewshot_examples(train, 2)
    assert shots == {"ticket-triage": [("a", "A"), ("b", "B")], "support-reply": [("hi", "Hello")]}, "by prompt_id, train split"
    messages = in_context("ticket-triage", "new ticket", shots["ticket-triage"])
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == "[ticket-triage]\na" and messages[-1]["content"] == "[ticket-triage]\nnew ticket"
    assert in_context("ticket-triage", "x", []) == [{"role": "user", "content": "[ticket-triage]\nx"}]


def test_a_schema_reaches_a_model_without_distillerys_annotations():
    from distillery.routes import served_schema

    schema = json.loads((REPO / "data/routes/invoice-extract.schema.json").read_text())
    served = served_schema(schema)
    assert "x-compare" in schema["properties"]["number"] and "x-compare" not in json.dumps(served)
    assert served["properties"]["number"] == {k: v for k, v in schema["properties"]["number"].items() if k != "x-compare"}
