"""The evaluate stage's summary (the A/B table and the decision), for the CLI and the Prefect UI alike
(distillery/summary.py)."""

from distillery.summary import Summary, ab_rows


def summarize(ab: dict) -> Summary:
    """From run_evaluate's result (ab.json): each metric per route and overall with its CI and verdict, then
    the promotion decision; when the champion is kept, the reasons say which gated metric failed where."""
    d = ab["decision"]
    return Summary(
        title=f"{ab['candidate']} vs teacher {ab['teacher']}",
        headline=f"decision: **{d['action']}** (champion {d['champion_before']} -> {d['champion_after']})",
        rows=ab_rows(ab),
        notes=list(d["reasons"]),
        key="evaluation-verdict")
