"""Where the teacher was sure (tasks/evaluation/confidence.py): the probability of each field's value read from the
labels' logprobs, the student's agreement split at evaluation.teacher_sure, and what it may never do: promote.

The reading must take the token that carries the value (not the key, not the quote a schema forces), and field by
field; without logprobs nothing is reported, rather than something that reads as evidence.
"""

import json
import math

import pytest

from models.answer_confidence import field_confidences
from tasks.evaluation.confidence import sure_notes
from tasks.evaluation.items import Answer, Item
from tasks.evaluation.score import decide_routes, item_metrics, summarize
from tasks.evaluation.summary import summarize as stage_summary
from tasks.report.stage import run_report
from tests.unit.test_report import STATS, config, finished_run

SCHEMA = {"type": "object", "required": ["category", "urgency", "total"],
          "properties": {"category": {"enum": ["billing", "shipping"]}, "urgency": {"enum": ["low", "high"]},
                         "total": {"type": "number"}}}


def tokens(*pieces: tuple[str, float]) -> str:
    """A label's logprobs as the label store keeps them: [[token, logprob, alternatives], ...]."""
    return json.dumps([[t, math.log(p), []] for t, p in pieces])


ANSWER = tokens(('{"', .99), ("category", .98), ('":', 1.0), (' "', 1.0), ("bill", .6), ("ing", 1.0), ('",', 1.0),
                (' "', 1.0), ("urgency", 1.0), ('":"', 1.0), ("high", .9), ('",', 1.0), (' "total', 1.0), ('":', 1.0),
                (" ", .5), ("1", .3), ("2", 1.0), ("}", 1.0))


def test_each_fields_confidence_is_its_values_first_token():
    got = field_confidences(ANSWER, ["category", "urgency", "total"])
    # the forced quote (' "', '":"') and the space before a number carry no choice; the key's own tokens neither
    assert got == pytest.approx({"category": .6, "urgency": .9, "total": .3})
    assert field_confidences(ANSWER, ["category"]) == pytest.approx({"category": .6})  # only the fields asked for


def test_a_value_fused_with_its_quote_and_a_field_never_reached_and_no_logprobs():
    fused = tokens(('{"category": ', 1.0), ('"ship', .45), ('ping"}', 1.0))
    assert field_confidences(fused, ["category", "urgency"]) == pytest.approx({"category": .45})
    assert field_confidences(None, ["category"]) == {} and field_confidences("", ["category"]) == {}


def item(student: str, teacher: str, logprobs: str | None) -> Item:
    return Item("p", "ticket-triage", "u", "sys", Answer(teacher), arms={"student": Answer(student)},
                teacher_logprobs=logprobs)


def test_the_eval_row_carries_the_teachers_confidence_only_when_recorded():
    teacher = '{"category": "billing", "urgency": "high", "total": 12}'
    with_lp = item_metrics(item(teacher, teacher, ANSWER), SCHEMA)
    assert json.loads(with_lp["confidence_teacher"]) == {"category": 0.6, "total": 0.3, "urgency": 0.9}
    assert "confidence_teacher" not in item_metrics(item(teacher, teacher, None), SCHEMA)


def rows(n_sure: int, n_unsure: int, agree_sure: int, agree_unsure: int, with_confidence: bool = True) -> list[dict]:
    """Eval rows of one route: the student agrees on `agree_*` of each group's category (urgency always agrees)."""
    out = []
    for group, n, agree, p in (("sure", n_sure, agree_sure, 0.95), ("unsure", n_unsure, agree_unsure, 0.4)):
        for i in range(n):
            matches = {"category": i < agree, "urgency": True}
            row = {"route": "ticket-triage", "schema_valid_teacher": 1.0, "schema_valid_student": 1.0,
                   "fields_teacher": json.dumps(dict.fromkeys(matches, True)), "agreement_teacher": 1.0,
                   "fields_student": json.dumps(matches), "agreement_student": sum(matches.values()) / 2}
            if with_confidence:
                row["confidence_teacher"] = json.dumps({"category": p, "urgency": 0.99})
            out.append(row)
    return out


GATES = {"schema_validity": 0.1, "field_agreement": 0.2}


def test_agreement_is_split_where_the_teacher_was_sure_and_never_gated():
    # 40 sure items, all agreed; 30 unsure, 12 agreed: 52/70 = 0.74 overall, inferior at the 0.2 margin
    planted = rows(40, 30, 40, 12)
    scopes = summarize(planted, GATES, STATS, has_base=False, min_items=30, teacher_sure=0.7)
    category = scopes["ticket-triage"]["teacher_sure"]["fields"]["category"]
    assert category["sure"]["estimate"] == 1.0 and category["sure"]["n"] == 40 and category["share_sure"] == 0.571
    assert category["unsure"]["estimate"] == 0.4 and category["unsure"]["n"] == 30
    assert scopes["ticket-triage"]["teacher_sure"]["fields"]["urgency"]["unsure"]["n"] == 0  # always sure of urgency
    assert "teacher_sure" not in scopes["overall"]
    # however sure the agreements, the gate counts every item: the route stays with the teacher
    decision = decide_routes(scopes, GATES, None, 30)["ticket-triage"]
    assert not decision["promote"] and "field_agreement on category" in decision["reasons"][0]


def test_without_logprobs_or_without_a_threshold_nothing_is_said():
    assert "teacher_sure" not in summarize(rows(40, 30, 40, 12, with_confidence=False), GATES, STATS, False, 30, 0.7)["ticket-triage"]
    assert "teacher_sure" not in summarize(rows(40, 30, 40, 12), GATES, STATS, False, 30, None)["ticket-triage"]


def ab_of(scopes: dict) -> dict:
    decision = {"promote": False, "action": "kept champion", "reasons": [], "routes": {}, "plan": {},
                "champion_before": None, "champion_after": None}
    return {"candidate": "v0001", "teacher": "big", "student_base": "small", "counts": {"items": 70},
            "config": {"gates": GATES, "min_items": 30, **STATS}, "scopes": scopes, "decision": decision}


def test_the_stage_summary_and_the_report_say_it(tmp_path):
    scopes = summarize(rows(40, 30, 40, 12), GATES, STATS, has_base=False, min_items=30, teacher_sure=0.7)
    notes = stage_summary(ab_of(scopes)).notes
    assert ("ticket-triage: category agreement where the teacher is sure (p >= 0.7) 1.00 [0.91, 1.00] (n=40), "
            "where it is unsure 0.40 [0.23, 0.59] (n=30) (not gated)") in notes
    assert any(n.startswith("ticket-triage: urgency") and "where it is unsure no item" in n for n in notes)

    run = finished_run(tmp_path)
    ab = json.loads((run / "ab.json").read_text())
    ab["scopes"]["ticket-triage"]["teacher_sure"] = scopes["ticket-triage"]["teacher_sure"]
    (run / "ab.json").write_text(json.dumps(ab))
    run_report(config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "Where the teacher was sure" in text
    assert "<td>category</td><td>57% (p &ge; 0.7)</td><td>1.000 [0.912, 1.000] (n=40)</td><td>0.400 [0.227, 0.594] (n=30)</td>" in text


def test_a_report_without_confidences_has_no_such_section(tmp_path):
    run = finished_run(tmp_path)
    run_report(config(), run)
    assert "Where the teacher was sure" not in (run / "report.html").read_text()
    assert sure_notes(json.loads((run / "ab.json").read_text())["scopes"]) == []
