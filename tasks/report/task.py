"""The report stage as a Prefect task: builds report.html + cost.csv and publishes what finance reads first
as artifacts in the Prefect UI (a markdown summary, the A/B table, a link to the page)."""

import json
import os
from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from distillery.config import RunConfig
from distillery.summary import ab_rows, to_markdown
from tasks.report.stage import run_report
from tasks.report.summary import summarize
from tasks.timing import timed


@task(name="report", task_run_name="report {run_dir}", cache_policy=NO_CACHE)
@timed("report")
def publish_report(cfg: RunConfig, run_dir: str) -> dict:
    """Rebuild the run's report from its records and publish its headline numbers."""
    folder = Path(run_dir)
    record = run_report(cfg, folder)
    ab = json.loads((folder / "ab.json").read_text())
    s = summarize(record, ab)
    create_markdown_artifact(key=s.key, markdown=to_markdown(s), description=s.title)
    # the evaluate stage's rows, from its file: the report's table and the evaluation's are the same table
    create_table_artifact(key="ab-results", description="Student vs teacher, per route and metric", table=ab_rows(ab))
    create_link_artifact(key="report-page", link=report_link(folder), link_text="report.html",
                         description="The full report (self-contained HTML)")
    return record


def report_link(run_dir: Path) -> str:
    """The report's URL on `make serve`'s report server (DISTILLERY_REPORT_URL serving DISTILLERY_REPORTS_ROOT), so
    it opens from the UI, from any browser that reaches it; a file:// path only where no server covers the run."""
    page = (run_dir / "report.html").resolve()
    base, root = os.environ.get("DISTILLERY_REPORT_URL"), os.environ.get("DISTILLERY_REPORTS_ROOT")
    if base and root and page.is_relative_to(Path(root).resolve()):
        return f"{base.rstrip('/')}/{page.relative_to(Path(root).resolve()).as_posix()}"
    return page.as_uri()
