"""If the student answered only where it is sure (tasks/evaluation/confidence.py `deferral`): its own logprobs,
asked for at evaluation, read field by field; the share of requests it would answer, its agreement there, the route's
agreement with the rest deferred to the teacher; and the gate on that deployment (score.py `decide_routes` with
evaluation.defer_to_teacher): the cascade must pass the same gates over every item, and serve enough requests.

A student sure of its wrong answers must show it (served agreement below 1) and must not pass with deferral, a
router that would serve almost nothing must not pass, and without logprobs nothing is said or promoted.
"""

import json
import math

from distillery.config import RunConfig
from models.prompt_shape import student_params
from tasks.evaluation.confidence import deferral, sure_notes
from tasks.evaluation.items import Answer, Item
from tasks.evaluation.score import decide_routes, item_metrics, summarize
from tasks.evaluation.summary import summarize as stage_summary
from tasks.report.stage import run_report
from tests.unit.test_report import STATS, config, finished_run
from tests.unit.test_teacher_sure import GATES, SCHEMA, ab_of


def logprobs(*pieces: tuple[str, float]) -> str:
    return json.dumps([[t, math.log(p), []] for t, p in pieces])


def test_the_eval_row_carries_the_students_own_confidence_for_every_exact_field():
    answer = '{"category": "billing", "urgency": "high", "total": 12}'
    own = logprobs(('{"category": "', 1.0), ("bill", .92), ('ing", "urgency": "', 1.0), ("high", .55), ('"}', 1.0))
    it = Item("p", "ticket-triage", "u", "sys", Answer(answer), arms={"student": Answer(answer, logprobs=own)})
    # "total" is never reached in these logprobs: 0, so the student counts as unsure of it (not as sure)
    assert json.loads(item_metrics(it, SCHEMA)["confidence_student"]) == {"category": 0.92, "total": 0.0, "urgency": 0.55}
    it.arms["student"].logprobs = None
    assert "confidence_student" not in item_metrics(it, SCHEMA)


def rows(sure_right: int, sure_wrong: int, unsure_right: int, unsure_wrong: int, with_confidence: bool = True) -> list[dict]:
    """One route's eval rows: the student's category right or wrong, sure (p 0.95) or unsure (p 0.4); urgency right."""
    out = []
    for p, right, n in ((0.95, True, sure_right), (0.95, False, sure_wrong), (0.4, True, unsure_right), (0.4, False, unsure_wrong)):
        for _ in range(n):
            matches = {"category": right, "urgency": True}
            row = {"route": "ticket-triage", "schema_valid_teacher": 1.0, "schema_valid_student": 1.0,
                   "fields_teacher": json.dumps(dict.fromkeys(matches, True)), "agreement_teacher": 1.0,
                   "fields_student": json.dumps(matches), "agreement_student": sum(matches.values()) / 2}
            if with_confidence:
                row["confidence_student"] = json.dumps({"category": p, "urgency": 0.99})
            out.append(row)
    return out


def test_coverage_served_agreement_and_agreement_with_deferral():
    block = deferral(rows(36, 4, 10, 20), 0.7, STATS)
    assert block["coverage"]["estimate"] == round(40 / 70, 4) and block["coverage"]["n"] == 70
    category = block["fields"]["category"]
    assert category["served"]["estimate"] == 0.9 and category["served"]["n"] == 40  # sure and wrong 4 times: shown
    # the 30 deferred items agree by definition: (36 + 30) / 70
    assert category["with_deferral"]["estimate"] == round(66 / 70, 4) and category["with_deferral"]["n"] == 70
    assert category["served"]["method"] == "clopper-pearson"
    # a field the student is unsure of keeps the whole item from the student, however sure the other field
    assert deferral(rows(0, 0, 5, 5), 0.7, STATS)["coverage"]["estimate"] == 0.0


def test_the_student_alone_is_not_promoted_by_its_sure_items_and_nothing_is_said_without_logprobs():
    # 40 sure and right, 30 unsure of which 10 right: 50/70 = 0.71 overall, inferior at the 0.2 margin
    scopes = summarize(rows(40, 0, 10, 20), GATES, STATS, has_base=False, min_items=30, student_sure=0.7)
    served = scopes["ticket-triage"]["student_sure"]["fields"]["category"]["served"]
    assert served["estimate"] == 1.0 and "student_sure" not in scopes["overall"]
    decision = decide_routes(scopes, GATES, None, 30)["ticket-triage"]
    assert not decision["promote"] and "field_agreement on category" in decision["reasons"][0]
    assert "student_sure" not in summarize(rows(40, 0, 10, 20, with_confidence=False), GATES, STATS, False, 30,
                                           None, 0.7)["ticket-triage"]
    assert "student_sure" not in summarize(rows(40, 0, 10, 20), GATES, STATS, False, 30, None, None)["ticket-triage"]


def test_the_student_is_asked_for_its_logprobs_only_when_the_view_is_on():
    cfg = RunConfig()
    assert student_params(cfg, "any", guided=False, logprobs=True)["logprobs"] is True
    assert "logprobs" not in student_params(cfg, "any", guided=False)
    assert RunConfig().evaluation.student_sure == 0.7


def test_the_stage_summary_and_the_report_say_it(tmp_path):
    scopes = summarize(rows(36, 4, 10, 20), GATES, STATS, has_base=False, min_items=30, student_sure=0.7)
    notes = stage_summary(ab_of(scopes)).notes
    assert ("ticket-triage: where the student is sure (p >= 0.7 on every field) it would answer 0.57 [0.45, 0.69] "
            "(n=70) of requests: category 0.90 [0.76, 0.97] (n=40) there, 0.94 with the rest deferred; urgency 1.00 "
            "[0.91, 1.00] (n=40) there, 1.00 with the rest deferred (gated as the student with deferral)") in notes

    run = finished_run(tmp_path)
    ab = json.loads((run / "ab.json").read_text())
    ab["scopes"]["ticket-triage"]["student_sure"] = scopes["ticket-triage"]["student_sure"]
    (run / "ab.json").write_text(json.dumps(ab))
    run_report(config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "If the student answered only where it is sure" in text
    assert ("<td>0.571 [0.448, 0.689] (n=70) (p &ge; 0.7)</td><td>category</td><td>0.900 [0.763, 0.972] (n=40)</td>"
            "<td>0.943 [0.860, 0.984] (n=70)</td>") in text


def test_a_report_without_the_students_logprobs_has_no_such_section(tmp_path):
    run = finished_run(tmp_path)
    run_report(config(), run)
    assert "If the student answered only where it is sure" not in (run / "report.html").read_text()
    assert not [n for n in sure_notes(json.loads((run / "ab.json").read_text())["scopes"]) if "student is sure" in n]


def test_a_route_the_student_fails_alone_is_promoted_with_deferral_when_the_cascade_passes():
    # alone: 50/70 categories, inferior at 0.2; with deferral: the 40 sure all agree, the 30 deferred are the
    # teacher's own (it agrees with itself): 70/70, and the student answers 0.57 [0.45, 0.69] >= 0.25
    scopes = summarize(rows(40, 0, 10, 20), GATES, STATS, has_base=False, min_items=30, student_sure=0.7)
    cascade = scopes["ticket-triage"]["student_sure"]["vs_teacher"]["field_agreement"]
    assert cascade["cascade"]["estimate"] == 1.0 and cascade["verdict"] == "non-inferior"
    d = decide_routes(scopes, GATES, None, 30, min_served=0.25)["ticket-triage"]
    assert d["promote"] and d["defer_below"] == 0.7 and d["served_share"] == round(40 / 70, 4)
    assert d["fields"] == ["category", "urgency"], "the router defers on the fields the gate measured"
    assert "field_agreement on category" in d["alone"][0], "why the student could not take the route alone is kept"


def test_a_student_sure_of_its_wrong_answers_does_not_pass_with_deferral():
    # 20 sure and right, 20 sure and WRONG: the cascade agrees on (20 + 30) / 70 = 0.71, inferior at 0.2
    scopes = summarize(rows(20, 20, 10, 20), GATES, STATS, has_base=False, min_items=30, student_sure=0.7)
    d = decide_routes(scopes, GATES, None, 30, min_served=0.25)["ticket-triage"]
    assert not d["promote"] and "defer_below" not in d
    assert any(r.startswith("with deferral below p 0.7: ticket-triage: field_agreement on category cascade 0.71")
               for r in d["reasons"]), d["reasons"]


def test_a_router_that_would_serve_almost_nothing_does_not_pass():
    # 5 sure and right of 70: the cascade agrees on 55/70 + ... but the student answers 0.07 [0.02, 0.16] < 0.25
    scopes = summarize(rows(5, 0, 30, 35), GATES, STATS, has_base=False, min_items=30, student_sure=0.7)
    d = decide_routes(scopes, GATES, None, 30, min_served=0.25)["ticket-triage"]
    assert not d["promote"]
    assert d["reasons"][-1] == ("with deferral below p 0.7: ticket-triage: the student would answer 0.07 [0.02, 0.16] "
                                "(n=70) of requests; the lower bound is below evaluation.min_served_share 0.25")
    assert not decide_routes(scopes, GATES, None, 30, min_served=None)["ticket-triage"]["promote"]


def test_a_student_that_passes_alone_takes_the_route_alone_and_a_failed_request_is_deferred():
    good = rows(60, 0, 10, 0)
    d = decide_routes(summarize(good, GATES, STATS, has_base=False, min_items=30, student_sure=0.7), GATES, None, 30, 0.25)
    assert d["ticket-triage"] == {"promote": True, "reasons": []}, "the whole route: no deferral needed"
    # a request whose answer carries no logprobs (it failed) is not sure: a router defers it, and so does the gate
    failed = rows(40, 0, 10, 20)
    for r in failed[:10]:
        del r["confidence_student"]
    block = deferral(failed, 0.7, STATS)
    assert block["coverage"]["estimate"] == round(30 / 70, 4) and block["coverage"]["n"] == 70


def test_a_route_the_judge_gates_cannot_pass_with_deferral():
    """The judge's verdicts are about the student's answers alone: with its gate on the route, the cascade has none."""
    gates = {**GATES, "judge_win_rate": 0.1}
    data = [{**r, "judge_outcome": "tie"} for r in rows(40, 0, 10, 20)]
    scopes = summarize(data, gates, STATS, has_base=False, min_items=30, student_sure=0.7)
    judge = {"available": True, "reasons": [], "routes": ["ticket-triage"]}
    d = decide_routes(scopes, gates, judge, 30, min_served=0.25)["ticket-triage"]
    assert not d["promote"]
    assert "with deferral below p 0.7: ticket-triage: judge_win_rate is gated but has no judge verdicts" in " ".join(d["reasons"])


def test_a_past_run_can_be_decided_again_with_other_knobs(tmp_path, capsys):
    """benchmarks/redecide.py: the gate on a run's eval.parquet alone, no server; the knobs from the config."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.conftest import REPO, load_benchmark

    pq.write_table(pa.Table.from_pylist(rows(40, 0, 10, 20)), tmp_path / "eval.parquet")
    # the run's judge, as the evaluate stage recorded it: configured for support-reply only, not asked
    judge = {"available": False, "asked": False, "reasons": ["not asked"], "routes": ["support-reply"]}
    (tmp_path / "ab.json").write_text(json.dumps({"judge": {"reliability": judge}}))
    redecide = load_benchmark("redecide")
    config = str(REPO / "configs/demo.yaml")
    assert redecide.main([str(tmp_path), "-c", config]) == 0
    triage = json.loads(capsys.readouterr().out)["routes"]["ticket-triage"]
    assert triage["promote"] and triage["with_deferral"] and triage["served_share"] == round(40 / 70, 4)
    assert redecide.main([str(tmp_path), "-c", config, "-o", "evaluation.defer_to_teacher=false"]) == 0
    alone = json.loads(capsys.readouterr().out)["routes"]["ticket-triage"]
    assert not alone["promote"] and "field_agreement on category" in alone["reasons"][0]
    assert redecide.main([str(tmp_path / "nowhere"), "-c", config]) == 2
