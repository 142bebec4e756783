"""The stages run as Prefect tasks inside a flow on a real (temporary) Prefect server."""

from datetime import date

import httpx
import pyarrow.parquet as pq
from prefect import flow
from prefect.artifacts import Artifact

from distillery.config import load_config
from tasks.labeling.task import label_prompts
from tasks.sampling.task import sample_prompts
from tests.conftest import REPO


def test_sample_then_label_in_a_flow_publish_their_artifacts(prefect_server, demo_log, fake_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    httpx.post(f"{fake_teacher}/control", json={"reset": True}).raise_for_status()
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{demo_log / 'production.db'}", "sampling.budget=60",
                                                   f"store.root={tmp_path}", f"teacher.endpoint={fake_teacher}/v1",
                                                   "teacher.model=fake-teacher"])

    @flow
    def nightly_part():
        sampled = sample_prompts(cfg, str(tmp_path / "run"), date(2026, 11, 23))
        return sampled, label_prompts(cfg, str(tmp_path / "run"))

    sampled, labeled = nightly_part()
    assert sampled["funnel"]["split"]["train"] + sampled["funnel"]["split"]["eval"] == 60
    assert pq.read_table(tmp_path / "run" / "prompts.parquet").num_rows == 60
    assert labeled["prompts_labeled"] == 60 and httpx.get(f"{fake_teacher}/stats").json()["requests"] == 60
    assert "quarantined: too_long" in str(Artifact.get("sample-funnel").data)
    assert "**60/60** prompts labeled" in str(Artifact.get("label-summary").data)


def test_the_report_task_publishes_the_verdict_tables_and_a_link(prefect_server, tmp_path):
    from tasks.report.task import publish_report
    from tests.unit.test_report import finished_run

    run = finished_run(tmp_path)
    cfg = load_config(REPO / "configs/demo.yaml", ["source.sample_rate=1", "pricing.student.self_hosted.output_tok_s=500"])

    @flow
    def report_only():
        return publish_report(cfg, str(run))

    record = report_only()
    assert "Switch to the student" in str(Artifact.get("report-summary").data)
    assert f"${record['summary']['saving_monthly']:,.2f}" in str(Artifact.get("report-summary").data)
    assert "schema_validity" in str(Artifact.get("ab-results").data)
    assert (run / "report.html").resolve().as_uri() in str(Artifact.get("report-page").data)


def test_a_stage_error_under_the_demo_flow_reads_as_one_line_not_three_tracebacks(prefect_server, tmp_path):
    """`distillery demo` with no log at source.url: the sample stage's message (naming the file) ends the run with
    exit 1, and Prefect's task and flow failure logs carry the message without their tracebacks (466 lines before)."""
    from prefect.settings import PREFECT_API_URL

    from tests.conftest import run_cli

    missing = tmp_path / "production.db"
    done = run_cli("demo", "-o", f"source.url=sqlite:///{missing}", "-o", f"store.root={tmp_path / 'store'}",
                   "-o", "teacher.model=demo:smollm2-135m-instruct", env={"PREFECT_API_URL": PREFECT_API_URL.value()})
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert "Traceback" not in out and "│" not in out, out[-3000:]  # neither Python's nor rich's traceback
    last = " ".join(out.split()).split("error: ")[-1]
    assert last.startswith(f"SourceError: source.url 'sqlite:///{missing}': no database file at {missing}"), out
    assert "make data generates the demo log" in last
    assert len(out.splitlines()) < 60, out
    # What the UI's log tab shows: the run's logs on the server carry the message, and no traceback either.
    logs = _server_logs_of_latest_failed_run(PREFECT_API_URL.value())
    assert any("no database file at" in line for line in logs), logs
    assert not any("Traceback" in line for line in logs), logs


def _server_logs_of_latest_failed_run(api: str) -> list[str]:
    """The messages (with any traceback Prefect attached) of the newest failed flow run, read as the UI reads them."""
    runs = httpx.post(f"{api}/flow_runs/filter", json={"sort": "EXPECTED_START_TIME_DESC", "limit": 10,
                                                        "flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}})
    runs.raise_for_status()
    assert runs.json(), "no failed flow run on the server"
    run_id = runs.json()[0]["id"]
    logs = httpx.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200})
    logs.raise_for_status()
    return [entry["message"] for entry in logs.json()]


def test_the_filter_drops_the_traceback_of_a_known_error_only():
    import logging
    import sys

    from flows.known_errors import WithoutTraceback
    from tasks.sampling.sources import SourceError

    def record_of(exc: Exception) -> logging.LogRecord:
        try:
            raise exc
        except Exception:
            return logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    keep_out = WithoutTraceback((SourceError,))
    known, other = record_of(SourceError("no database file")), record_of(KeyError("bug"))
    assert keep_out.filter(known) and known.exc_info is None
    assert keep_out.filter(other) and other.exc_info is not None and other.exc_info[0] is KeyError
