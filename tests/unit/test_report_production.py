"""The report holds what the router served in production against what the evaluation priced: the share of a
deferring route's requests the student kept on real traffic (models/served_counts.py's files), with its exact 95%
interval, and a warning when the evaluation's share lies above that interval (the saving shown is then too high)."""

import json

from models.served_counts import ServedCounts
from tasks.report.production import production_served, production_words
from tasks.report.stage import run_report
from tests.unit.test_report import config as report_config
from tests.unit.test_report import finished_run
from tests.unit.test_report_routes import plan_decision


def counted(store, days: dict[str, tuple[int, int]], route: str = "ticket-triage") -> None:
    """Router files for `days`: day -> (requests the student answered, requests the teacher answered after a deferral)."""
    folder = store / "router"
    folder.mkdir(parents=True, exist_ok=True)
    for day, (student, deferred) in days.items():
        (folder / f"served-{day}.json").write_text(json.dumps({"day": day, "routes": {route: {
            "requests": student + deferred, "student": student, "deferred": deferred, "student_failed": 0, "plan": 0}}}))


def test_the_window_is_the_week_before_the_runs_night_under_the_routes_current_terms(tmp_path):
    counted(tmp_path, {f"2026-11-{d:02d}": (10, 10) for d in range(10, 26)})  # the 10th to the 25th
    (tmp_path / "router/served-notes.json").write_text("{}")  # not a day's counts: never read
    plan = {"ticket-triage": {"to": "student", "since": "2026-11-01-aaaaaaaa"}}
    served = production_served(tmp_path, "2026-11-23-abc", plan, 0.95)["ticket-triage"]
    # the 16th to the 22nd: the run's own night is still being counted, later days are after the run
    assert served["days"] == 7 and served["requests"] == 140 and served["student"] == 70
    lo, hi = served["ci"]
    assert 0.41 < lo < 0.5 < hi < 0.59  # Clopper-Pearson for 70 / 140
    assert production_served(tmp_path, "2026-11-23-abc", plan, 0.99)["ticket-triage"]["ci"][0] < lo  # the confidence asked
    # terms taken on the 20th: the days before them served another plan (the teacher alone, or another version)
    since = production_served(tmp_path, "2026-11-23-abc", {"ticket-triage": {"since": "2026-11-20-bbbbbbbb"}}, 0.95)
    assert since["ticket-triage"]["days"] == 2  # the 21st and the 22nd
    assert production_served(tmp_path, "2026-11-23-abc", {"ticket-triage": {"since": "2026-11-23-cccccccc"}}, 0.95) == {}
    assert production_served(tmp_path, "2027-03-01-abc", plan, 0.95) == {}  # a router idle for months is not last week
    assert production_served(tmp_path / "nowhere", "2026-11-23-abc", plan, 0.95) == {}
    assert len(ServedCounts.for_store(tmp_path).days()) == 16


def test_a_student_that_keeps_fewer_requests_than_priced_is_called_out():
    short = {"student": 450, "requests": 1000, "days": 7, "ci": (0.419, 0.481)}
    said = production_words(short, 0.61)
    assert said.startswith("in production: the student answered 45% [42%, 48%] of 1,000 requests over 7 days")
    assert "below the 61% the evaluation measured and the saving is priced at, by 16 points: the saving shown is too high" in said
    as_priced = {"student": 600, "requests": 1000, "days": 7, "ci": (0.569, 0.630)}
    assert "too high" not in production_words(as_priced, 0.61) and "too high" not in production_words(short, None)
    assert production_words(None, 0.61) == "" and production_words({"student": 0, "requests": 0}, 0.61) == ""


def test_the_page_shows_production_beside_the_plan(tmp_path):
    run = finished_run(tmp_path)  # <tmp>/runs/2026-11-23-abc: the store is tmp_path
    ab = json.loads((run / "ab.json").read_text())
    ab["decision"] = plan_decision(["ticket-triage"], [])
    # on its terms since the 15th: the router's 21st and 22nd count, the 23rd (the run's own night) does not
    ab["decision"]["plan"]["ticket-triage"].update(defer_below=0.7, served_share=0.61, since="2026-11-15-aaaaaaaa")
    (run / "ab.json").write_text(json.dumps(ab))
    counted(tmp_path, {"2026-11-21": (200, 300), "2026-11-22": (250, 250), "2026-11-23": (999, 0)})
    run_report(report_config(), run)
    text = " ".join((run / "report.html").read_text().split())
    assert ("in production: the student answered 45% [42%, 48%] of 1,000 requests over 2 days (router counts); below "
            "the 61% the evaluation measured and the saving is priced at, by 16 points") in text
