"""`make serve`'s report server: a run's report opens over HTTP; nothing else in the store can be read through it."""

import threading

import httpx
import pytest

from cli.report_server import serve
from tasks.report.task import report_link


@pytest.fixture()
def store(tmp_path):
    run = tmp_path / "store" / "runs" / "2026-11-23-1a2b3c4d"
    run.mkdir(parents=True)
    (run / "report.html").write_text("<h1>the report</h1>")
    (run / "cost.csv").write_text("section,item\n")
    (run / "labels.parquet").write_text("jane.doe@example.com")  # what the teacher answered: personal data
    (tmp_path / "store" / "labels.sqlite").write_text("jane.doe@example.com")
    (tmp_path / "secret.txt").write_text("jane.doe@example.com")
    server = serve(tmp_path, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_runs_report_is_served_and_nothing_else(store):
    root, url = store
    page = httpx.get(f"{url}/store/runs/2026-11-23-1a2b3c4d/report.html")
    assert page.status_code == 200 and "the report" in page.text
    assert httpx.get(f"{url}/store/runs/2026-11-23-1a2b3c4d/cost.csv").status_code == 200
    for path in ("/store/runs/2026-11-23-1a2b3c4d/labels.parquet", "/store/labels.sqlite", "/secret.txt", "/",
                 "/store/runs/2026-11-23-1a2b3c4d/", "/store/runs/../../secret.txt", "/store/runs/x/%2e%2e/%2e%2e/secret.txt",
                 "/store/runs/2026-11-23-1a2b3c4d/report.html/../labels.parquet"):
        answer = httpx.get(url + path)
        assert answer.status_code == 404 and "jane.doe" not in answer.text, path


def test_the_ui_link_points_at_the_report_server_when_it_covers_the_run(store, monkeypatch):
    root, url = store
    run = root / "store" / "runs" / "2026-11-23-1a2b3c4d"
    assert report_link(run).startswith("file://"), "no report server: the file's path, as before"
    monkeypatch.setenv("DISTILLERY_REPORT_URL", url)
    monkeypatch.setenv("DISTILLERY_REPORTS_ROOT", str(root))
    link = report_link(run)
    assert link == f"{url}/store/runs/2026-11-23-1a2b3c4d/report.html" and httpx.get(link).status_code == 200
    monkeypatch.setenv("DISTILLERY_REPORTS_ROOT", str(root / "elsewhere"))
    assert report_link(run).startswith("file://"), "a run outside the served root gets no dead link"
