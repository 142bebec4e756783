"""The report from a run folder's records: headline numbers, the recommendation flip, CSV totals, no leaks, same bytes."""

import csv
import io
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from tasks.evaluation.score import decide, summarize
from tasks.report.records import ReportError
from tasks.report.stage import run_report
from tests.conftest import REPO

SECRET = "jane.doe@example.com"
STATS = {"resamples": 1000, "confidence": 0.95, "seed": 0}


@pytest.fixture()
def run(tmp_path):
    return finished_run(tmp_path)


def finished_run(tmp_path):
    """A finished run's records, as the stages write them (30 days of 300,000 requests = 10,000 a day)."""
    run = tmp_path / "runs" / "2026-11-23-abc"
    run.mkdir(parents=True)
    write = lambda name, obj: (run / name).write_text(json.dumps(obj))  # noqa: E731
    write("stage-sample.json", {"funnel": {"read": 300_000, "outside_window": 0, "other_route": 0, "valid": 290_000,
                                           "unique": 250_000, "sampled": {"ticket-triage": 400}},
                                "window": {"start": "2026-10-24 00:00:00+00:00", "end": "2026-11-23 00:00:00+00:00"}})
    write("stage-label.json", {"tokens": {"prompt": 280_000, "completion": 16_000}})
    write("stage-train.json", {"trained_tokens": 400_000, "device": "cpu"})
    write("funnel.json", {"in": {}, "dropped": {"schema": {"ticket-triage": 3}, "refusal": {"ticket-triage": 1}},
                          "out": {}, "total": {"in": 320, "dropped": 4, "out": 316}})
    rows = [{"route": "ticket-triage", "user": f"ticket from {SECRET}", "student_answer": SECRET, "teacher_answer": SECRET,
             "teacher_prompt_tokens": 700, "teacher_completion_tokens": 40, "student_prompt_tokens": 72,
             "student_completion_tokens": 40, "base_completion_tokens": 50, "schema_valid_teacher": 1.0,
             "schema_valid_student": 1.0, "schema_valid_base": 0.0, "judge_outcome": None} for _ in range(40)]
    pq.write_table(pa.Table.from_pylist(rows), run / "eval.parquet")
    gates = {"schema_validity": 0.1}  # 40 of 40 valid: Tango's lower bound is -0.088
    scopes = summarize(rows, gates, STATS, has_base=True)
    promote, reasons = decide(scopes, gates)
    write("ab.json", {"candidate": "v0001", "teacher": "big-teacher", "student_base": "small", "counts": {"items": 40},
                      "config": {"gates": gates, **STATS}, "scopes": scopes,
                      "decision": {"promote": promote, "action": "promoted", "reasons": reasons}})
    return run


def config(*overrides):
    # the student on its dedicated GPU alone: these tests are about that way to pay (tests/unit/test_cost_fixes.py
    # prices the demo's three ways); finished_run's log holds every request (the demo's holds one in fifty)
    return load_config(REPO / "configs/demo.yaml", ["source.sample_rate=1", "pricing.student.self_hosted.output_tok_s=500", "pricing.student.api=null",
                                                    "pricing.student.shared_gpu=null", *overrides])


def test_the_report_leads_with_the_verdict_and_its_numbers(run):
    record = run_report(config(), run)
    s = record["summary"]
    assert s["requests_per_day"] == 10_000 and s["volume_source"] == "measured"
    assert s["teacher_daily"] == pytest.approx(27.0) and s["student_daily"] == pytest.approx(19.2)
    html = (run / "report.html").read_text()
    assert "Switch to the student" in html and f"${s['saving_monthly']:,.2f}" in html
    assert "This run happened on a CPU" in html and "schema_validity" in html and "dropped: schema" in html
    assert html.count("<svg") == 2 and "break-even 7,539/day" in html, "both plots, the break-even point marked"


def test_a_sampled_log_says_on_the_page_what_the_volume_rests_on(run):
    """The same run, its log said to hold one request in fifty: fifty times the volume, and the page says where the
    figure comes from, beside the volume and in the assumptions."""
    s = run_report(config("source.sample_rate=0.02"), run)["summary"]
    assert s["requests_per_day"] == 500_000
    html = (run / "report.html").read_text()
    assert html.count("which holds 2% of the requests: source.sample_rate, assumed") == 2  # the CPU note, the table
    assert "divided by the share of requests the log holds (0.02, source.sample_rate)" in html
    run_report(config(), run)  # the log as the whole traffic
    assert "Tokens are measured and the volume is measured;" in (run / "report.html").read_text()


def test_at_10k_a_day_a_dearer_gpu_flips_the_recommendation(run):
    run_report(config("pricing.student.self_hosted.usd_per_gpu_hour=1.5"), run)
    html = (run / "report.html").read_text()
    assert "Keep the teacher for now" in html and "it pays from" in html


def test_cost_csv_total_is_the_sum_of_its_lines_and_rebuilds_byte_identical(run):
    run_report(config(), run)
    first = {name: (run / name).read_bytes() for name in ("report.html", "cost.csv")}
    rows = list(csv.DictReader(io.StringIO(first["cost.csv"].decode())))
    run_lines = [float(r["cost_usd"]) for r in rows if r["section"] == "run"]
    total = next(float(r["cost_usd"]) for r in rows if r["section"] == "total")
    assert len(run_lines) == 3 and total == pytest.approx(sum(run_lines))
    run_report(config(), run)
    assert {name: (run / name).read_bytes() for name in first} == first


def test_no_prompt_answer_or_personal_data_reaches_the_report(run):
    run_report(config(), run)
    for name in ("report.html", "cost.csv", "stage-report.json"):
        assert SECRET not in (run / name).read_text(), name


def test_a_missing_stage_record_names_the_stage(run):
    (run / "stage-train.json").unlink()
    with pytest.raises(ReportError, match="stage-train.json does not exist: the report needs it for the training cost"):
        run_report(config(), run)


def run_lines_of(run) -> dict[str, float]:
    rows = csv.DictReader(io.StringIO((run / "cost.csv").read_text()))
    return {r["item"]: float(r["cost_usd"]) for r in rows if r["section"] == "run"}


def test_a_retried_stage_is_billed_twice(run):
    """Training failed once after as long as its successful attempt took: the night pays for both."""
    (run / "stage-train.json").write_text(json.dumps({"trained_tokens": 400_000, "device": "cpu", "wall_s": 600.0}))
    run_report(config(), run)
    once = run_lines_of(run)
    training = next(v for k, v in once.items() if k.startswith("training:"))
    with open(run / "attempts.jsonl", "a") as f:
        f.write(json.dumps({"stage": "train", "outcome": "failed", "started_at": 1.0, "wall_s": 600.0, "cpu_s": 1.0}) + "\n")
        f.write(json.dumps({"stage": "train", "outcome": "ok", "started_at": 700.0, "wall_s": 600.0, "cpu_s": 1.0}) + "\n")
        f.write('{"stage": "train", "outcome": "ok", "star')  # a line cut by a kill mid-write: not billed, no crash
    run_report(config(), run)
    twice = run_lines_of(run)
    extra = twice.pop("training: 1 more attempt(s) (1 failed)")
    assert extra == pytest.approx(training) and twice == once
    s = json.loads((run / "stage-report.json").read_text())["summary"]
    assert s["pipeline_per_night"] == pytest.approx(round(sum(once.values()) + extra, 2))


def test_an_attempt_killed_before_its_first_heartbeat_is_still_listed(run):
    """Killed within the heartbeat interval, it ran ~0 s by its record: the bill says it happened, at ~no cost."""
    (run / "stage-train.json").write_text(json.dumps({"trained_tokens": 400_000, "device": "cpu", "wall_s": 600.0}))
    with open(run / "attempts.jsonl", "a") as f:
        f.write(json.dumps({"stage": "train", "attempt": "train-1-1", "outcome": "started", "started_at": 1.0}) + "\n")
        f.write(json.dumps({"stage": "train", "attempt": "train-2-5", "outcome": "ok", "started_at": 5.0, "wall_s": 600.0,
                            "cpu_s": 1.0}) + "\n")
    run_report(config(), run)
    assert run_lines_of(run)["training: 1 more attempt(s) (0 failed, 1 killed)"] == pytest.approx(0.0)


def test_the_judges_calls_are_billed_from_their_measured_tokens(run):
    ab = json.loads((run / "ab.json").read_text())
    ab["judge"] = {"calls": 100, "prompt_tokens": 1_000_000, "completion_tokens": 0}
    (run / "ab.json").write_text(json.dumps(ab))
    (run / "stage-curate.json").write_text(json.dumps({"judge": {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}}))
    run_report(config(), run)
    # 1M input tokens at the teacher's $3/M, online (no record says batch API); curation used no judge: no line
    assert run_lines_of(run)["evaluation judge: 100 calls at the online price"] == pytest.approx(3.0)
    assert not any(k.startswith("curation judge") for k in run_lines_of(run))
    run_report(config("pricing.judge.api.input_per_mtok=1.0", "pricing.judge.api.output_per_mtok=1.0"), run)
    # its own price ($1/M) replaces the teacher's
    assert run_lines_of(run)["evaluation judge: 100 calls at the online price"] == pytest.approx(1.0)


def test_the_history_keeps_one_entry_per_run_and_each_report_shows_the_trend_up_to_itself(run):
    import shutil

    run_report(config(), run)
    assert 'id="no-trend"' in (run / "report.html").read_text()
    first = (run / "report.html").read_bytes()
    later = run.with_name("2026-11-24-def")
    shutil.copytree(run, later)
    (later / "stage-train.json").write_text(json.dumps({"trained_tokens": 800_000, "device": "cpu"}))
    run_report(config(), later)
    html = (later / "report.html").read_text()
    assert 'id="plot-trend"' in html and "2026-11-23-abc" in html and "2026-11-24-def" in html
    history = json.loads((run.parent.parent / "history.json").read_text())
    assert sorted(history) == ["2026-11-23-abc", "2026-11-24-def"]
    assert history["2026-11-24-def"]["training_examples"] == 316 and history["2026-11-24-def"]["decision"] == "promoted"
    run_report(config(), run)  # rebuilding the older run: its entry is replaced, its page does not grow the newer run
    assert (run / "report.html").read_bytes() == first
    assert len(json.loads((run.parent.parent / "history.json").read_text())) == 2


def test_volume_is_split_by_route_and_growth_says_when_break_even_comes(run):
    sample = json.loads((run / "stage-sample.json").read_text())
    sample["funnel"]["traffic"] = {"ticket-triage": 3, "support-reply": 1}
    (run / "stage-sample.json").write_text(json.dumps(sample))
    s = run_report(config("pricing.student.self_hosted.usd_per_gpu_hour=1.5", "pricing.growth_per_month=0.1"), run)["summary"]
    assert s["volume_by_route"] == {"support-reply": 2500.0, "ticket-triage": 7500.0}
    # 10,000/day today, break-even above it: 10% a month compounds to it in log(be/10k)/log(1.1) months
    be = s["break_even_requests_per_day"]
    assert be > 10_000 and s["months_to_break_even"] == pytest.approx(math.log(be / 10_000) / math.log(1.1), abs=0.05)
    assert "reaches break-even in" in (run / "report.html").read_text()


def test_an_unset_gpu_throughput_comes_from_a_cuda_run_or_is_asked_for(run):
    with pytest.raises(ReportError, match=r"pricing.student.self_hosted.output_tok_s is not set .* set the target GPU"):
        run_report(config("pricing.student.self_hosted.output_tok_s=null"), run)
    (run / "stage-export.json").write_text(json.dumps({"device": "cuda", "serving": {"output_tok_s": 500.0}}))
    measured = run_report(config("pricing.student.self_hosted.output_tok_s=null"), run)["summary"]
    assumed = run_report(config(), run)["summary"]  # 500 tok/s configured: the same numbers
    assert measured["student_tok_s_source"] == "measured" and measured["student_daily"] == assumed["student_daily"]


def test_a_price_finance_sets_outlives_later_reports_and_the_report_says_so(run):
    """Set on a rebuild (-o pricing...), a price stays: the next report on the YAML's old prices still uses it,
    names the table and its change, and says the config's prices differ; the same price again changes nothing."""
    from typer.testing import CliRunner

    from cli.main import app

    store = run.parent.parent
    before = run_report(config(), run)
    assert before["prices"]["source"].startswith("the run config's pricing section")
    args = ["report", "-c", str(REPO / "configs/demo.yaml"), "--run-dir", str(run),
            "-o", "source.sample_rate=1", "-o", "pricing.student.self_hosted.output_tok_s=500"]
    dearer = [*args, "-o", "pricing.teacher.api.output_per_mtok=30"]
    assert CliRunner().invoke(app, dearer).exit_code == 0  # finance rebuilds the report with a new output price
    changed = json.loads((run / "stage-report.json").read_text())
    assert changed["summary"]["teacher_daily"] > before["summary"]["teacher_daily"]

    later = run_report(config(), run)  # e.g. the next nightly run, on configs/demo.yaml's prices
    assert later["summary"]["teacher_daily"] == changed["summary"]["teacher_daily"], "the new price stuck"
    assert later["prices"]["source"] == "the store's price table" and "config_differs" in later["prices"]
    assert "-o pricing.teacher.api.output_per_mtok=30" in later["prices"]["changed_by"]
    html = (run / "report.html").read_text()
    assert f"set {later['prices']['changed_at']} by distillery report" in html and "differs and was not used" in html
    assert CliRunner().invoke(app, dearer).exit_code == 0  # the same price again: no new entry
    assert len((store / "prices-history.jsonl").read_text().splitlines()) == 1


def test_an_unreliable_judge_is_said_on_the_report(run):
    ab = json.loads((run / "ab.json").read_text())
    ab["judge"] = {"reliability": {"items": 40, "failed": 40, "failure_rate": 1.0, "position_bias": None,
                                   "available": False, "reasons": ["no usable verdict on 40 items (failed calls: http_429 x80)"]}}
    (run / "ab.json").write_text(json.dumps(ab))
    run_report(config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "40 without a verdict (100%)" in text and "Its win rate is unavailable this run: no usable verdict on 40 items" in text


def test_a_judge_not_asked_for_too_few_items_is_said_as_such(run):
    ab = json.loads((run / "ab.json").read_text())
    ab["judge"] = {"reliability": {"items": 0, "available": False, "asked": False, "too_few": {"support-reply": 5},
                                   "reasons": ["not asked: support-reply has 5 items, fewer than evaluation.min_items 30"]}}
    (run / "ab.json").write_text(json.dumps(ab))
    run_report(config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "Judge: not asked: support-reply has 5 items, fewer than evaluation.min_items 30: a route's verdict" in text
    assert "stay where they were for insufficient evidence" in text
    assert "unavailable this run" not in text and "items judged in both orders" not in text
    # judged on one route, not asked on another: the judge's paragraph names the one it skipped
    ab["judge"] = {"reliability": {"items": 40, "failed": 0, "failure_rate": 0.0, "position_bias": 0.1, "available": True,
                                   "asked": True, "too_few": {"support-reply": 5}, "reasons": []}}
    (run / "ab.json").write_text(json.dumps(ab))
    run_report(config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert "40 items judged in both orders" in text and "Its win rate is usable." in text
    assert "Not asked on support-reply (5 items): fewer than" in text
