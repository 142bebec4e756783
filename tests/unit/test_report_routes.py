"""Per-route decisions reach the cost report: the student is priced only on the routes the routing plan sends to
it, at their share of the requests; the recommendation and the page name the routes; an ab.json from before the
plan is all or nothing, as it always was.

Hand-checked numbers use tests/unit/test_cost_fixes.py's three-route run (traffic 50 / 25 / 25 at 10,000 requests
a day; the teacher at $3 / $15 per M, the student hosted at $0.30 / $1.20 per M).
"""

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.evaluation.score import decide, summarize
from tasks.report.stage import run_report
from tasks.report.summary import summarize as report_summary
from tests.unit.test_cost_fixes import config as cost_config
from tests.unit.test_cost_fixes import costs, make_run
from tests.unit.test_report import STATS, finished_run
from tests.unit.test_report import config as report_config


def plan_decision(to_student: list[str], to_teacher: list[str], run: str = "2026-11-23-aaaaaaaa") -> dict:
    """ab.json's decision, per route: `to_student` promoted (v0003), `to_teacher` kept for an inferior metric."""
    reasons = {r: [f"{r}: schema_validity student 0.5 vs teacher 1.0, difference CI [-0.700, -0.300] reaches below -0.1 "
                   "(n=40)"] for r in to_teacher}
    return {"promote": bool(to_student), "action": "promoted" if to_student else "kept champion",
            "reasons": [x for r in to_teacher for x in reasons[r]],
            "routes": {**{r: {"promote": True, "reasons": []} for r in to_student},
                       **{r: {"promote": False, "reasons": reasons[r]} for r in to_teacher}},
            "plan": {**{r: {"to": "student", "version": "v0003", "since": run, "why": "non-inferior on every gated metric"}
                        for r in to_student},
                     **{r: {"to": "teacher", "version": None, "since": None, "why": "schema_validity inferior"}
                        for r in to_teacher}},
            "champion_before": None, "champion_after": "v0003" if to_student else None}


def with_decision(run, decision: dict | None, **extra):
    (run / "ab.json").write_text(json.dumps({**({"decision": decision} if decision is not None else {}), **extra}))
    return run


# ---------------------------------------------------------------- pricing (run_costs, hand-checked)

def test_the_student_is_priced_on_its_routes_share_of_the_requests(tmp_path):
    planned = with_decision(make_run(tmp_path / "plan"), plan_decision(["ticket-triage"], ["support-reply", "invoice-extract"]))
    everything = with_decision(make_run(tmp_path / "old"), {"promote": True, "action": "promoted", "reasons": []})
    lines, s = costs(cost_config(), planned)
    _, all_routes = costs(cost_config(), everything)
    assert s["requests_per_day"] == 10_000 and s["student_requests_per_day"] == 10_000 * 0.5  # triage: 50% of traffic
    assert s["student_routes"] == ["ticket-triage"] and s["teacher_routes"] == ["invoice-extract", "support-reply"]
    assert s["student_routes_hypothetical"] is False and s["unpriced_routes"] == {}
    # tokens over triage alone: teacher 666 in / 25 out, student 54 / 25
    assert s["tokens"]["teacher"]["prompt_tokens"] == pytest.approx(666)
    assert s["tokens"]["student"]["prompt_tokens"] == pytest.approx(54)
    # teacher 5,000 * (666 * 3 + 25 * 15) / 1e6 = $11.865; student 5,000 * (54 * 0.3 + 25 * 1.2) / 1e6 = $0.231
    assert s["teacher_daily"] == pytest.approx(11.87, abs=0.005) and s["student_daily"] == pytest.approx(0.23)
    assert s["saving_daily"] == pytest.approx(11.865 - 0.231 - s["pipeline_daily"], abs=0.01)
    # half the requests move: less is saved than the all-or-nothing pricing claimed
    assert s["saving_daily"] < all_routes["saving_daily"] and s["teacher_daily"] < all_routes["teacher_daily"]
    covered = lines["requests per day the comparison covers: ticket-triage (the student's routes)"]
    assert covered.quantity == 5_000 and "50.0% of the requests" in covered.note
    assert "ticket-triage (the student's routes)" in lines["teacher"].note
    assert "routes outside the comparison (50% of traffic: the teacher's" in lines["teacher: tokens out"].note


def test_a_route_the_student_serves_with_deferral_pays_the_teacher_for_what_it_defers(tmp_path):
    decision = plan_decision(["ticket-triage"], ["support-reply", "invoice-extract"])
    decision["plan"]["ticket-triage"].update(defer_below=0.7, served_share=0.6)
    lines, s = costs(cost_config(), with_decision(make_run(tmp_path), decision))
    _, alone = costs(cost_config(), with_decision(make_run(tmp_path / "alone"),
                                                  plan_decision(["ticket-triage"], ["support-reply", "invoice-extract"])))
    # 40% of triage's 5,000 requests go on to the teacher: 2,000 * (666 * 3 + 25 * 15) / 1e6 = $4.746 a day
    assert s["deferred"]["share"] == 0.4 and s["deferred"]["by_route"] == {"ticket-triage": 0.4}
    assert s["deferred"]["daily"] == pytest.approx(4.75, abs=0.005)
    line = lines["teacher on the requests the student defers"]
    assert line.quantity == 2_000 and "ticket-triage 40%" in line.note
    assert s["student_daily"] == alone["student_daily"], "the student answered every request, deferred ones too"
    assert s["saving_daily"] == pytest.approx(alone["saving_daily"] - 4.746, abs=0.01)
    assert alone["deferred"] is None


def test_the_page_says_the_route_is_served_with_deferral_and_what_it_costs(tmp_path):
    run = finished_run(tmp_path)
    ab = json.loads((run / "ab.json").read_text())
    ab["decision"] = plan_decision(["ticket-triage"], [])
    ab["decision"]["plan"]["ticket-triage"].update(defer_below=0.7, served_share=0.51)
    (run / "ab.json").write_text(json.dumps(ab))
    record = run_report(report_config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "where it is sure (p ≥ 0.7): 51% of requests, the rest to the teacher" in text
    assert 'id="deferred"><td>teacher on the 49% of these requests the student defers</td>' in text
    assert "ticket-triage (where the student is sure, 51% of its requests; the rest to the teacher)" in text
    rows = report_summary(record, ab).rows
    assert rows[-1]["arm"] == "teacher on the 49% the student defers", rows


def test_an_ab_json_from_before_the_plan_still_prices_every_route(tmp_path):
    run = with_decision(make_run(tmp_path), {"promote": True, "action": "promoted", "reasons": []})
    lines, s = costs(cost_config(), run)
    assert s["student_requests_per_day"] == s["requests_per_day"] == 10_000
    assert s["student_routes"] == ["invoice-extract", "support-reply", "ticket-triage"] and s["teacher_routes"] == []
    assert s["student_routes_hypothetical"] is False and s["student_share"] == 1
    assert s["teacher_per_1k"] == pytest.approx(2.259)  # 580.5 * 3 + 34.5 * 15 per 1e6: the production-weighted mean
    not_promoted = costs(cost_config(), with_decision(make_run(tmp_path / "kept"), {"promote": False, "reasons": ["x"]}))[1]
    assert not_promoted["student_routes_hypothetical"] is True and not_promoted["teacher_per_1k"] == pytest.approx(2.259)


def test_no_route_to_the_student_prices_every_route_as_a_hypothetical(tmp_path):
    run = with_decision(make_run(tmp_path), plan_decision([], ["ticket-triage", "support-reply", "invoice-extract"]))
    _, s = costs(cost_config(), run)
    assert s["student_routes_hypothetical"] is True and s["student_requests_per_day"] == 10_000
    assert s["student_routes"] == ["invoice-extract", "support-reply", "ticket-triage"]
    assert s["teacher_per_1k"] == pytest.approx(2.259)


def test_a_planned_route_without_eval_items_is_priced_out_and_said(tmp_path):
    """The plan sends refund-desk to the student (promoted on an earlier night), but this run has no eval item of it:
    no measured tokens, so it is not counted as the student's, and the summary says why."""
    decision = plan_decision(["ticket-triage", "refund-desk"], ["support-reply", "invoice-extract"])
    lines, s = costs(cost_config(), with_decision(make_run(tmp_path), decision))
    assert s["student_routes"] == ["ticket-triage"] and s["student_requests_per_day"] == 5_000
    assert s["unpriced_routes"] == {"refund-desk": "no eval items this run: no measured tokens"}
    assert "refund-desk" not in s["teacher_routes"]
    # only it on the student: nothing to price, the hypothetical over every evaluated route, no crash
    alone = plan_decision(["refund-desk"], ["ticket-triage", "support-reply", "invoice-extract"])
    _, s = costs(cost_config(), with_decision(make_run(tmp_path / "alone"), alone))
    assert s["student_routes_hypothetical"] is True and "refund-desk" not in s["student_routes"]
    assert s["unpriced_routes"] == {"refund-desk": "no eval items this run: no measured tokens"}


def test_a_planned_route_without_production_traffic_is_priced_out(tmp_path):
    traffic = {"ticket-triage": 3000, "support-reply": 1500, "invoice-extract": 0}
    decision = plan_decision(["ticket-triage", "invoice-extract"], ["support-reply"])
    _, s = costs(cost_config(), with_decision(make_run(tmp_path, traffic=traffic), decision))
    assert s["student_routes"] == ["ticket-triage"] and s["student_requests_per_day"] == pytest.approx(10_000 * 2 / 3, abs=0.1)
    assert s["unpriced_routes"] == {"invoice-extract": "no production traffic in the sampled window"}


# ---------------------------------------------------------------- the page and the recommendation (run_report)

def two_route_run(tmp_path, traffic: dict[str, int], decision_of=plan_decision):
    """test_report's finished run with a second route, support-reply, whose student answers are invalid JSON:
    ticket-triage is promoted, support-reply stays with the teacher."""
    run = finished_run(tmp_path)
    rows = pq.read_table(run / "eval.parquet").to_pylist()
    rows += [{**r, "route": "support-reply", "schema_valid_student": 0.0} for r in rows]
    pq.write_table(pa.Table.from_pylist(rows), run / "eval.parquet")
    sample = json.loads((run / "stage-sample.json").read_text())
    sample["funnel"]["traffic"] = traffic
    (run / "stage-sample.json").write_text(json.dumps(sample))
    ab = json.loads((run / "ab.json").read_text())
    ab["scopes"] = summarize(rows, ab["config"]["gates"], STATS, has_base=True)
    _, reasons = decide(ab["scopes"], ab["config"]["gates"])
    decision = decision_of(["ticket-triage"], ["support-reply"], run.name)
    decision["routes"]["support-reply"]["reasons"] = [r for r in reasons if r.startswith("support-reply: ")]
    ab["decision"] = decision
    ab["counts"] = {"items": 80, "evidence": {"ticket-triage": {"items": 40, "nights": 3},
                                              "support-reply": {"items": 40, "nights": 1}}}
    (run / "ab.json").write_text(json.dumps(ab))
    return run


def test_the_recommendation_names_the_routes_and_the_saving_at_their_share(tmp_path):
    run = two_route_run(tmp_path, {"ticket-triage": 9, "support-reply": 1})
    record = run_report(report_config(), run)
    s = record["summary"]
    assert s["student_requests_per_day"] == 9_000 and s["student_routes"] == ["ticket-triage"]
    text = " ".join((run / "report.html").read_text().split())
    assert (f"Switch to the student on ticket-triage (dedicated GPU (L4)): as good as the teacher on every gated metric there, "
            f"saving ${s['saving_monthly']:,.2f} a month at their 9,000 of 10,000 requests/day") in text
    assert "support-reply stays with the teacher (schema_validity inferior)." in text
    assert 'id="routing-plan"' in text and "40 items, 3 nights" in text and f"v0003 (since {run.name})" in text
    assert "per day at 9,000 of 10,000 requests" in text and 'id="priced-routes"' in text
    ab = json.loads((run / "ab.json").read_text())
    notes = report_summary(record, ab).notes[0]
    assert "9,000 of 10,000 requests/day (the student's routes: ticket-triage)" in notes
    history = json.loads((run.parent.parent / "history.json").read_text())
    assert history[run.name]["promoted_routes"] == ["ticket-triage"]
    rows = list(csv.DictReader(io.StringIO((run / "cost.csv").read_text())))
    assert any(r["item"] == "requests per day the comparison covers: ticket-triage (the student's routes)" for r in rows)
    first = {name: (run / name).read_bytes() for name in ("report.html", "cost.csv")}
    run_report(report_config(), run)
    assert {name: (run / name).read_bytes() for name in first} == first, "a rebuild gives the same bytes"


def test_below_break_even_on_the_promoted_routes_the_teacher_stays_for_now(tmp_path):
    """At 7,500 of 10,000 requests a day the dedicated GPU does not pay yet (break-even about 7,540: test_report's)."""
    run = two_route_run(tmp_path, {"ticket-triage": 3, "support-reply": 1})
    s = run_report(report_config(), run)["summary"]
    be = s["break_even_requests_per_day"]
    assert s["saving_daily"] < 0 and 7_500 < be < 7_600
    text = " ".join((run / "report.html").read_text().split())
    assert ("Keep the teacher for now on ticket-triage: the student is as good there, but at their 7,500 of 10,000 "
            "requests/day it costs") in text
    assert f"it pays from {be:,} requests/day on them; support-reply stays with the teacher (schema_validity inferior)." in text


def test_a_plan_naming_a_route_without_eval_items_does_not_crash_the_page(tmp_path):
    def with_refund_desk(to_student, to_teacher, run):
        return plan_decision([*to_student, "refund-desk"], to_teacher, run)

    run = two_route_run(tmp_path, {"ticket-triage": 9, "support-reply": 1}, with_refund_desk)
    s = run_report(report_config(), run)["summary"]
    assert s["student_routes"] == ["ticket-triage"] and "refund-desk" in s["unpriced_routes"]
    text = " ".join((run / "report.html").read_text().split())
    assert ("refund-desk goes to the student too but is not in the saving (no eval items this run: no measured tokens)"
            in text)
    assert 'id="unpriced"' in text and "no eval items" in text


def test_nothing_promoted_keeps_todays_sentence_and_says_the_costs_are_hypothetical(tmp_path):
    def none_promoted(to_student, to_teacher, run):
        return plan_decision([], [*to_student, *to_teacher], run)

    run = two_route_run(tmp_path, {"ticket-triage": 9, "support-reply": 1}, none_promoted)
    s = run_report(report_config(), run)["summary"]
    assert s["student_routes_hypothetical"] is True and s["student_requests_per_day"] == 10_000
    text = " ".join((run / "report.html").read_text().split())
    assert "Keep the teacher: the student v0001 did not pass the quality gate" in text and 'id="hypothetical"' in text


# ---------------------------------------------------------------- the sentence from the evaluation's reasons

def test_each_route_the_teacher_keeps_gets_its_reason_in_a_few_words():
    from tasks.report.stage import plan_rows, recommendation

    decision = plan_decision(["ticket-triage"], ["support-reply", "invoice-extract"])
    decision["routes"]["support-reply"]["reasons"] = [
        "support-reply: schema_validity has insufficient evidence: 6 items < evaluation.min_items 30",
        "judge_win_rate is unavailable: the judge is not reliable this run (position bias 0.9)"]
    decision["routes"]["invoice-extract"]["reasons"] = [
        "invoice-extract: field_agreement on total student 0.5 vs teacher 1.0, difference CI [-0.7, -0.3] reaches below -0.1",
        "invoice-extract: field_agreement on date student 0.5 vs teacher 1.0, difference CI [-0.7, -0.3] reaches below -0.1"]
    # ticket-triage passed before; tonight's candidate failed it, the plan keeps the older version there
    decision["plan"]["ticket-triage"].update(version="v0002", last_candidate="v0003 not promoted here: schema_validity")
    s = {"student_routes": ["ticket-triage"], "teacher_routes": ["invoice-extract", "support-reply"],
         "student_routes_hypothetical": False, "unpriced_routes": {}, "student_requests_per_day": 5_000.0,
         "requests_per_day": 10_000.0, "saving_daily": 10.0, "saving_monthly": 300.0, "payback_days": None,
         "break_even_requests_per_day": 100, "student_option_label": "hosted"}
    said = recommendation({"candidate": "v0003", "decision": decision}, s)
    assert said == ("Switch to the student on ticket-triage (hosted): as good as the teacher on every gated metric there, "
                    "saving $300.00 a month at their 5,000 of 10,000 requests/day; invoice-extract (field_agreement "
                    "inferior) and support-reply (schema_validity too few items, judge_win_rate unavailable) stay with "
                    "the teacher.")
    rows = {r["route"]: r for r in plan_rows({"decision": decision, "counts": {"items": 80}})}
    assert rows["ticket-triage"]["version"] == "v0002" and "v0003 not promoted here" in rows["ticket-triage"]["why"]
    assert rows["support-reply"]["evidence"] == ""  # an ab.json without counts.evidence: nothing to say


def test_a_route_that_failed_alone_and_with_deferral_says_both_in_a_few_words():
    from tasks.report.stage import short_reason

    reasons = ["ticket-triage: field_agreement on category student 0.7 vs teacher 1.0, difference CI [-0.4, -0.2] "
               "reaches below -0.2 (n=71)",
               "with deferral below p 0.7: ticket-triage: the student would answer 0.07 [0.02, 0.16] (n=70) of requests; "
               "the lower bound is below evaluation.min_served_share 0.25",
               "with deferral below p 0.7: ticket-triage: schema_validity cascade 0.8 vs teacher 1.0, difference CI "
               "[-0.3, -0.12] reaches below -0.1 (n=71)"]
    d = {"routes": {"ticket-triage": {"promote": False, "reasons": reasons}}, "plan": {}}
    assert short_reason(d, "ticket-triage") == ("field_agreement inferior, with deferral: too few requests served, "
                                                "with deferral: schema_validity inferior")
