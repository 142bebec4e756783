"""The nightly flow as a user runs it: `scripts/prefect_serve.sh` (what `make serve` runs) starts a real
Prefect server, work pool, the deployments of prefect.yaml and a worker; runs are triggered through the API
the way the UI triggers them, with a tiny config (fake teacher, SmolLM2 student, a few training steps)."""

import hashlib
import json
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from distillery.config import load_config
from models.vllm_server import free_port
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
# An API key the worker's environment holds and the teacher requests carry: it must appear in no output.
PLANTED_KEY = "sk-distillery-planted-9f3c1e7a5b"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A local Prefect server + worker started by the project's own script; stopped by `make stop`'s script."""
    state = tmp_path_factory.mktemp("prefect")
    port = free_port()
    env = {**os.environ, "DISTILLERY_PREFECT_DIR": str(state), "DISTILLERY_PREFECT_PORT": str(port),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_WORKER_QUERY_SECONDS": "2",
           "DISTILLERY_PLANTED_KEY": PLANTED_KEY}
    started = subprocess.run(["bash", "scripts/prefect_serve.sh"], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=300)
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert f"http://127.0.0.1:{port}" in started.stdout
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}):
        yield {**env, "state": state}
    stopped = subprocess.run(["bash", "scripts/prefect_stop.sh"], cwd=REPO, env=env, capture_output=True, text=True)
    assert "stopped the server" in stopped.stdout
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2)


def tiny_config(store, teacher_url: str, student: str, demo_log):
    return load_config(REPO / "configs/demo.yaml", [
        f"source.url=sqlite:///{demo_log / 'production.db'}", f"store.root={store}", "sampling.budget=48",
        f"teacher.endpoint={teacher_url}/v1", "teacher.model=fake-teacher", "teacher.api_key_env=DISTILLERY_PLANTED_KEY", "curation.filters=[truncated, empty, schema]",
        "curation.min_examples=8", f"student.model={student}", "student.training.max_steps=2",
        "student.training.batch_size=4", "evaluation.aa_items=2",
        "evaluation.max_items=4", "export.parity_prompts=1",
        "export.min_positions=1", "export.min_token_agreement=0.8"])  # one parity prompt: orchestration is tested here


def run_on_demand(parameters: dict, timeout: float = 1200):
    from prefect.deployments import run_deployment

    return run_deployment("nightly/on-demand", parameters=parameters, timeout=timeout)


def teacher_requests(url: str) -> int:
    return httpx.get(f"{url}/stats").json()["requests"]


@pytest.mark.parametrize("override, field", [("teacher.model", "demo:no-such-model"), ("sampling.budget", -5)])
def test_the_server_refuses_bad_parameters_before_a_run_exists(served, override, field, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.exceptions import PrefectHTTPStatusError

    params = {"config": load_config(REPO / "configs/demo.yaml").model_dump(mode="json")}
    section, key = override.split(".")
    params["config"][section][key] = field
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/on-demand")
        before = len(client.read_flow_runs())
        with pytest.raises(PrefectHTTPStatusError) as refused:
            client.create_flow_run_from_deployment(deployment.id, parameters=params)
        assert refused.value.response.status_code == 409
        assert str(field) in refused.value.response.text
        assert len(client.read_flow_runs()) == before


def test_a_run_id_that_would_leave_the_store_is_refused_by_the_server(served):
    from prefect.client.orchestration import get_client
    from prefect.exceptions import PrefectHTTPStatusError

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("rebuild-report/rebuild-report")
        for bad in ("../../etc", "/etc/passwd", "runs/../../x"):
            with pytest.raises(PrefectHTTPStatusError) as refused:
                client.create_flow_run_from_deployment(deployment.id, parameters={"run_id": bad})
            assert refused.value.response.status_code == 409 and "run_id" in refused.value.response.text


def test_the_nightly_deployment_has_its_next_runs_scheduled_at_two(served):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/nightly")
        assert deployment.enforce_parameter_schema and deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy == "CANCEL_NEW"
        runs = []
        for _ in range(30):  # the scheduler service inserts them within seconds of the deployment
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["nightly"])))
            if runs:
                break
            time.sleep(1)
    times = sorted(r.expected_start_time for r in runs if r.state_name == "Scheduled")
    assert times, f"no Scheduled run of nightly/nightly within 30 s: {[(r.name, r.state_name) for r in runs]}"
    assert all(t.hour == 2 and t.minute == 0 for t in times)
    assert times[0] > datetime.now(UTC)


def test_the_deployments_page_renders_in_chromium(served, tmp_path):
    from PIL import Image

    from tasks.report.browser import screenshot

    shot = tmp_path / "deployments.png"
    screenshot(served["PREFECT_API_URL"].removesuffix("/api") + "/deployments", shot, size="1400,900", wait_ms=15000)
    image = Image.open(shot).convert("L")
    assert len(image.getcolors(256)) > 20  # text, buttons and rows, not one flat colour


def test_the_prefect_server_listens_on_loopback_only(served):
    port = int(served["DISTILLERY_PREFECT_PORT"])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                listening.append(address)
    assert listening == ["0100007F"], listening  # 127.0.0.1 in /proc's little-endian hex, and nothing else


def slot_intervals(run) -> list[tuple[float, float]]:
    """When this run's stages held the machine slot (the work of each attempt, from its attempts ledger)."""
    out = []
    for line in (run / "attempts.jsonl").read_text().splitlines():
        a = json.loads(line)
        if a["stage"] in ("label", "train", "export", "evaluate") and a["outcome"] == "ok":
            out.append((a["started_at"], a["started_at"] + a["wall_s"]))
    return out


def wait_for_final_states(client, run_ids, timeout: float = 1200) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = {r: client.read_flow_run(r) for r in run_ids}
        if all(run.state.is_final() for run in runs.values()):
            return runs
        time.sleep(3)
    raise AssertionError(f"runs not finished in {timeout} s: {[(r.name, r.state_name) for r in runs.values()]}")


def test_after_an_outage_one_missed_night_runs_a_ui_run_waits_for_the_machine_and_a_rerun_pays_nothing(
        served, fake_teacher, small_model, demo_log, tmp_path):
    """The worker was away for three nights (its pool paused): when it is back, one missed nightly run runs
    and the other two are cancelled (CANCEL_NEW), not run one after another; an on-demand run started from
    the UI at the same moment runs beside it but never holds the machine at the same time. The same UI run
    again pays the teacher nothing, and the teacher's API key is in no file the runs or the server wrote.
    (One test, not two: each full run costs minutes of the suite's clock.)"""
    from prefect.artifacts import Artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate
    from prefect.states import Scheduled

    httpx.post(f"{fake_teacher}/control", json={"reset": True}).raise_for_status()
    cfg = tiny_config(tmp_path / "store", fake_teacher, small_model, demo_log).model_dump(mode="json")
    now = datetime.now(UTC)
    missed = [now.replace(hour=2, minute=0, second=0, microsecond=0) - timedelta(days=d) for d in (3, 2, 1)]
    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("nightly/nightly")
        client.update_work_pool("distillery", WorkPoolUpdate(is_paused=True))
        try:
            late = [client.create_flow_run_from_deployment(nightly.id, parameters={"config": cfg},
                                                           state=Scheduled(scheduled_time=t)).id for t in missed]
        finally:
            client.update_work_pool("distillery", WorkPoolUpdate(is_paused=False))
        ui_params = {"config": cfg, "run_date": "2026-11-01"}
        ui = run_on_demand(ui_params, timeout=0).id
        runs = wait_for_final_states(client, [*late, ui])

    states = sorted(runs[r].state_name for r in late)
    assert states == ["Cancelled", "Cancelled", "Completed"], [(runs[r].name, runs[r].state_name) for r in late]
    assert runs[ui].state.is_completed(), runs[ui].state
    folders = sorted(p.name for p in (tmp_path / "store" / "runs").iterdir())
    assert len(folders) == 2, folders  # one missed night and the UI run: nothing else ran
    nightly_run = next(p for p in (tmp_path / "store" / "runs").iterdir() if not p.name.startswith("2026-11-01"))
    ui_folder = next(p for p in (tmp_path / "store" / "runs").iterdir() if p.name.startswith("2026-11-01"))
    first, second = slot_intervals(nightly_run), slot_intervals(ui_folder)
    assert len(first) == len(second) == 4
    overlaps = [(a, b) for a in first for b in second if a[0] < b[1] and b[0] < a[1]]
    assert overlaps == []  # the slot serialized the heavy stages ...
    assert min(b[0] for b in second) < max(a[1] for a in first) and min(a[0] for a in first) < max(b[1] for b in second), \
        "... of two runs that were in flight at the same time"
    for name in ("prompts.parquet", "labels.parquet", "train.parquet", "ab.json", "report.html", "cost.csv",
                 "flow-nightly.json"):
        assert (ui_folder / name).is_file(), name
    for key in ("sample-funnel", "label-summary", "curation-funnel", "ab-results", "report-summary", "report-page"):
        assert Artifact.get(key) is not None, key

    paid = teacher_requests(fake_teacher)
    assert paid > 0
    again = run_on_demand(ui_params)
    assert again.state.is_completed(), again.state
    assert teacher_requests(fake_teacher) == paid  # labels, curation and the judge's verdicts all reused

    # The key went out with the teacher requests, yet no run file, log, artifact, parameter or Prefect
    # database row holds it (the server's SQLite file and its logs are grepped as bytes).
    leaks = [str(f) for folder in (tmp_path / "store", served["state"]) for f in folder.rglob("*")
             if f.is_file() and PLANTED_KEY.encode() in f.read_bytes()]
    assert leaks == []
    assert httpx.get(f"{fake_teacher}/stats").json()["bearer_sha256"] == hashlib.sha256(PLANTED_KEY.encode()).hexdigest()
