"""The report stage as a Prefect task: builds report.html + cost.csv and publishes what finance reads first
as artifacts in the Prefect UI (a markdown summary, the A/B and cost tables, a link to the page)."""

import json
from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from tasks.report.stage import recommendation, run_report
from tasks.timing import timed


@task(name="report", task_run_name="report {run_dir}", cache_policy=NO_CACHE)
@timed("report")
def publish_report(cfg: RunConfig, run_dir: str) -> dict:
    """Rebuild the run's report from its records and publish its headline numbers."""
    folder = Path(run_dir)
    record = run_report(cfg, folder)
    s = record["summary"]
    ab = json.loads((folder / "ab.json").read_text())
    create_markdown_artifact(key="report-summary", description="Cost and quality verdict", markdown=(
        f"{recommendation(ab, s)}\n\n| | per 1k requests | per day |\n|---|---|---|\n"
        f"| teacher | ${s['teacher_per_1k']:.4f} | ${s['teacher_daily']:,.2f} |\n"
        f"| student | ${s['student_per_1k']:.4f} | ${s['student_daily']:,.2f} |\n\n"
        f"Monthly saving **${s['saving_monthly']:,.2f}** at {s['requests_per_day']:,.0f} requests/day "
        f"({s['volume_source']}); break-even {s['break_even_requests_per_day'] or 'never'} requests/day."))
    create_table_artifact(key="ab-results", description="Student vs teacher, per route and metric", table=[
        {"scope": scope, "metric": metric, "student": m["student"]["estimate"], "teacher": m["teacher"]["estimate"],
         "diff": m["diff"]["estimate"], "ci_low": m["diff"]["ci"][0], "ci_high": m["diff"]["ci"][1],
         "verdict": "" if "non_inferior" not in m else "non-inferior" if m["non_inferior"] else "inferior"}
        for scope, sc in ab["scopes"].items() for metric, m in sc["vs_teacher"].items()])
    create_link_artifact(key="report-page", link=(folder / "report.html").resolve().as_uri(), link_text="report.html",
                         description="The full report (self-contained HTML)")
    return record
