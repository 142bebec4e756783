"""The report stage's summary (cost and verdict), for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary
from tasks.report.stage import recommendation


def summarize(record: dict, ab: dict) -> Summary:
    """From run_report's record and the run's ab.json (the recommendation depends on the quality verdict, which
    the report reads as a file): the one-sentence recommendation, cost per arm, the saving and break-even."""
    s = record["summary"]
    break_even = "never" if s["break_even_requests_per_day"] is None else f"{s['break_even_requests_per_day']:,}"
    return Summary(
        title="cost and quality verdict",
        headline=recommendation(ab, s),
        rows=[_cost_row("teacher", s["teacher_per_1k"], s["teacher_daily"]),
              _cost_row(_student(s), s["student_per_1k"], s["student_daily"]), *_deferred_row(s)],
        notes=[f"Monthly saving **${s['saving_monthly']:,.2f}** at {_volume(s)} "
               f"({s['volume_source']}); pipeline ${s['pipeline_per_night']:.2f}/night; break-even "
               f"{break_even} requests/day."],
        key="report-summary")


def _cost_row(arm: str, per_1k: float, daily: float) -> dict:
    return {"arm": arm, "per 1k requests": f"${per_1k:.4f}", "per day": f"${daily:,.2f}"}


def _deferred_row(s: dict) -> list[dict]:
    """The teacher's bill for the requests the student defers (routes served with deferral), per 1k of the student's."""
    d = s.get("deferred")
    if not d:
        return []
    per_1k = d["daily"] / s["student_requests_per_day"] * 1000 if s["student_requests_per_day"] else 0.0
    return [_cost_row(f"teacher on the {d['share']:.0%} the student defers", per_1k, d["daily"])]


def _student(s: dict) -> str:
    """The student's row names the way to pay for it that its numbers are about (the cheapest of those priced)."""
    return f"student ({s['student_option_label']})" if s.get("student_option_label") else "student"


def _volume(s: dict) -> str:
    """The requests the saving is priced at: the student's routes' share when the teacher keeps some (records from
    before the routing plan: the whole volume), and a hypothetical said as one."""
    total = f"{s['requests_per_day']:,.0f} requests/day"
    routes = ", ".join(s.get("student_routes", []))
    if s.get("student_routes_hypothetical"):
        return f"{total} (a hypothetical: priced as if the student took {routes})"
    if s.get("student_share", 1) < 1:
        return f"{s['student_requests_per_day']:,.0f} of {total} (the student's routes: {routes})"
    return total
