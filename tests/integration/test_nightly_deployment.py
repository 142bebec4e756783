"""The nightly flow as a user runs it: `scripts/prefect_serve.sh` (what `make serve` runs) starts a real
Prefect server, work pool, the deployments of prefect.yaml and a worker; runs are triggered through the API
the way the UI triggers them, with a tiny config (fake teacher, SmolLM2 student, a few training steps).
A second local pool with its own worker stands in for a cluster's GPU pool: the nightly deployment sends its
label stage there (docs/cluster.md)."""

import hashlib
import json
import os
import re
import subprocess
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from distillery.config import load_config
from models.vllm_server import free_port
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
# An API key the worker's environment holds and the teacher requests carry: it must appear in no output.
PLANTED_KEY = "sk-distillery-planted-9f3c1e7a5b"
LABEL_POOL = "distillery-label"  # the second pool (a GPU pool on a cluster), where label-stage is deployed


@pytest.fixture(scope="module")
def served(tmp_path_factory, fake_teacher, small_model, demo_log):
    """A local Prefect server + worker + report server started by the project's own script (what `make serve`
    runs), stopped by `make stop`'s script. The deployments' default config (DISTILLERY_CONFIG, what the UI's form
    opens on) is a tiny one: fake teacher, SmolLM2 student, two training steps, its store in this module's folder.
    DISTILLERY_LABEL_POOL asks the script for a second process pool and worker, where label-stage is deployed; no
    run sends its label stage there unless the operator says so (DISTILLERY_STAGE_POOLS, unset here)."""
    state = tmp_path_factory.mktemp("prefect")
    tiny = state / "tiny.yaml"
    tiny.write_text(yaml.safe_dump(load_config(REPO / "configs/demo.yaml", [
        f"{key}={value}" for key, value in tiny_overrides(state / "store", fake_teacher, small_model, demo_log).items()
    ]).model_dump(mode="json")))
    port = free_port()
    env = {**os.environ, "DISTILLERY_PREFECT_DIR": str(state), "DISTILLERY_PREFECT_PORT": str(port),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_WORKER_QUERY_SECONDS": "2",
           "DISTILLERY_PLANTED_KEY": PLANTED_KEY, "DISTILLERY_REPORT_PORT": str(free_port()),
           "DISTILLERY_REPORTS_ROOT": str(state / "store"), "DISTILLERY_CONFIG": str(tiny),
           "DISTILLERY_LABEL_POOL": LABEL_POOL}
    env.pop("DISTILLERY_STAGE_POOLS", None)
    started = subprocess.run(["bash", "scripts/prefect_serve.sh"], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=300)
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert f"http://127.0.0.1:{port}" in started.stdout
    # One line says what was deployed; Prefect's advice to start a worker (this script starts one) is not shown.
    assert "deployed: nightly/nightly, nightly/on-demand, re-evaluate/re-evaluate, rebuild-report/rebuild-report, " \
           "label-stage/label-stage" in started.stdout and "worker" not in started.stdout.split("deployed:")[0]
    assert f"label-stage worker started on pool {LABEL_POOL}" in started.stdout
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: env["PREFECT_API_URL"]}):
        yield {**env, "state": state, "store": state / "store", "ui": f"http://127.0.0.1:{port}"}
    stopped = subprocess.run(["bash", "scripts/prefect_stop.sh"], cwd=REPO, env=env, capture_output=True, text=True)
    assert "stopped the server" in stopped.stdout and "stopped the report server" in stopped.stdout
    assert "stopped the worker" in stopped.stdout and "stopped the label-stage worker" in stopped.stdout
    assert not list(state.glob("*.pid")), "make stop stops every process make serve started"
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2)
    # Stock Prefect 3.7.7 begins SQLite transactions DEFERRED; under a worker polling every 2 s its server logged a
    # "database is locked" traceback on most polls (220 in this module's run) and, while runs started, from its
    # late-runs and concurrency services (7 in CI on 2026-12-03). cli/prefect_sqlite.py begins them IMMEDIATE:
    # the log stays clean (docs/facts.md "Prefect's SQLite lock errors").
    errors = [line for line in (state / "server.log").read_text().splitlines() if "| ERROR" in line]
    assert not errors, errors[:10]


def tiny_overrides(store, teacher_url: str, student: str, demo_log) -> dict[str, str]:
    """A tiny run (fake teacher, a few training steps) on top of configs/demo.yaml, as dotted overrides."""
    return {"source.url": f"sqlite:///{demo_log / 'production.db'}", "store.root": str(store),
            "sampling.budget": "48", "teacher.endpoint": f"{teacher_url}/v1", "teacher.model": "fake-teacher",
            "teacher.api_key_env": "DISTILLERY_PLANTED_KEY", "curation.filters": "[truncated, empty, schema]",
            "curation.min_examples": "8", "student.model": student, "student.training.max_steps": "2",
            "student.training.batch_size": "4", "evaluation.judge.calibration_items": "2", "evaluation.max_items": "4",
            "evaluation.include_base": "false",  # the baselines are test_evaluate.py's; here each costs a vLLM start
            "export.parity_prompts": "1", "export.min_positions": "1",
            "export.min_token_agreement": "0.8"}  # one parity prompt: orchestration is tested here


def run_on_demand(parameters: dict, timeout: float = 1200):
    from prefect.deployments import run_deployment

    return run_deployment("nightly/on-demand", parameters=parameters, timeout=timeout)


def teacher_requests(url: str) -> int:
    return httpx.get(f"{url}/stats").json()["requests"]


@pytest.mark.parametrize("field, value", [
    ("teacher_model", "demo:no-such-model"), ("budget", -5), ("run_date", "yesterday"), ("config_file", "/etc/passwd"),
    # a caller sending the worker's secret to its own host, or running SQL with the worker's credentials
    ("overrides", {"teacher.endpoint": "http://127.0.0.2:9/v1", "teacher.api_key_env": "DISTILLERY_PLANTED_KEY"}),
    ("overrides", {"source.query": "SELECT * FROM requests"})])
def test_the_server_refuses_bad_parameters_before_a_run_exists(served, field, value):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.exceptions import PrefectHTTPStatusError

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("nightly/on-demand")
        of_it = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))  # the scheduler adds nightly runs meanwhile
        before = len(client.read_flow_runs(deployment_filter=of_it))
        with pytest.raises(PrefectHTTPStatusError) as refused:
            client.create_flow_run_from_deployment(deployment.id, parameters={"learning_rate": 0.002, field: value})
        assert refused.value.response.status_code == 409
        assert field in refused.value.response.text
        assert isinstance(value, dict) or str(value) in refused.value.response.text
        assert len(client.read_flow_runs(deployment_filter=of_it)) == before


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


def wait_until_both_run_while_one_labels(client, teacher: str, nightly_ids, ui_id, timeout: float = 600) -> None:
    """Until a label request is held at the teacher (so one run holds the machine slot) while the UI run and a
    nightly run are both Running: the two runs are then in flight at the same time by construction, not because
    a machine happened to be fast enough (the caller releases the hold)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = {r for r in [*nightly_ids, ui_id] if client.read_flow_run(r).state.is_running()}
        if ui_id in running and running - {ui_id} and httpx.get(f"{teacher}/stats").json()["in_flight"] > 0:
            return
        time.sleep(1)
    states = [(r, client.read_flow_run(r).state_name) for r in [*nightly_ids, ui_id]]
    raise AssertionError(f"the UI run and a nightly run were not both running with a label request held: {states}")


@contextmanager
def chromium_page(shots: Path):
    """Debian's Chromium driven by Playwright, as an engineer's browser; a screenshot of the last page on failure."""
    from playwright.sync_api import sync_playwright

    from tasks.report.browser import FLAGS, find_chromium

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=[f for f in FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            yield page
        except BaseException:
            page.screenshot(path=str(shots / "failed.png"))
            raise
        finally:
            browser.close()


def form_field(page, name: str):
    """One parameter of the Prefect UI's run form, by its label."""
    return page.locator(".schema-form-property",
                        has=page.locator(".schema-form-property__label", has_text=re.compile(rf"^{name} ")))


def submit_custom_run(page, ui: str, budget: int, learning_rate: float, shots: Path) -> None:
    """Deployments, on-demand, Run, Custom run; pick the first day of last month, set two knobs; Submit."""
    page.goto(f"{ui}/deployments", wait_until="networkidle")
    page.get_by_role("link", name="on-demand").click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    run_date = form_field(page, "run_date")
    run_date.get_by_role("button", name="date", exact=True).click()
    run_date.locator(".p-date-button__control").click()
    page.locator(".p-calendar-header__arrow").first.click()  # last month
    page.locator(".p-calendar-date-picker__date:not(.p-calendar-date-picker__date--out-of-month)",
                 has_text=re.compile("^1$")).first.click()
    page.get_by_role("button", name="Apply", exact=True).click()
    for name, kind, value in (("budget", "int", budget), ("learning_rate", "float", learning_rate)):
        field = form_field(page, name)
        field.get_by_role("button", name=kind, exact=True).click()
        field.locator("input").fill(str(value))
    page.screenshot(path=str(shots / "form.png"))
    submit_form(page, shots)


def submit_form(page, shots: Path, tries: int = 3) -> None:
    """Submit, until the UI is back on the deployment (the run was accepted). Under load the server now and then
    answers the create with an error (SQLite "database is locked" in its state validation: docs/facts.md "Prefect's
    SQLite lock errors"); Prefect's Python client retries those, its UI shows "Oops. Something went wrong" and
    does not, so the engineer clicks Submit again (the failed create wrote nothing)."""
    accepted = re.compile(r"/deployments/deployment/[^/]+(\?.*)?$")
    oops = page.get_by_text("Something went wrong")
    for attempt in range(tries):
        refused = oops.count()
        page.get_by_role("button", name="Submit", exact=True).click()
        deadline = time.monotonic() + 60
        while not accepted.search(page.url):  # back on the deployment: it was accepted
            if oops.count() > refused:
                page.screenshot(path=str(shots / f"refused-{attempt + 1}.png"))
                break
            assert time.monotonic() < deadline, f"Submit was neither accepted nor refused within 60 s ({page.url})"
            page.wait_for_timeout(250)
        else:
            return
    raise AssertionError(f"the server refused the form {tries} times (screenshots in {shots})")


def test_after_an_outage_one_missed_night_runs_a_ui_run_waits_for_the_machine_and_a_rerun_pays_nothing(
        served, fake_teacher, tmp_path):
    """The worker was away for three nights (its pool paused): when it is back, one missed nightly run runs
    and the other two are cancelled (CANCEL_NEW), not run one after another. At the same moment an engineer
    starts an on-demand run from the UI's form in Chromium (a date and two knobs changed, everything else as
    the form opened): it runs beside the nightly one but never holds the machine at the same time, its log
    tab shows the stages' progress, and its report link opens over HTTP. The same run again pays the teacher
    nothing, and the teacher's API key is in no file the runs or the server wrote.
    The operator has the nightly deployment send its label stage to the second pool (as a cluster sends it to
    the GPU pool): the missed night's label stage runs there, on the other worker, as a subflow of the night, and
    still takes the machine slot and pays each prompt once; the UI run labels in its own process.
    (One test: each full run costs minutes of the suite's clock.)"""
    import sqlite3

    from prefect.artifacts import Artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import DeploymentUpdate, WorkPoolUpdate
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.states import Scheduled

    httpx.post(f"{fake_teacher}/control", json={"reset": True, "hold": True}).raise_for_status()
    store = served["store"]
    now = datetime.now(UTC)
    missed = [now.replace(hour=2, minute=0, second=0, microsecond=0) - timedelta(days=d) for d in (3, 2, 1)]
    last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    on_demand = DeploymentFilter(name=DeploymentFilterName(any_=["on-demand"]))
    with get_client(sync_client=True) as client:
        nightly = client.read_deployment_by_name("nightly/nightly")
        # The operator's setting, as `env: DISTILLERY_STAGE_POOLS` in the deployment's job variables (prefect.yaml)
        env = {**nightly.job_variables["env"], "DISTILLERY_STAGE_POOLS": f"label={LABEL_POOL}"}
        client.update_deployment(nightly.id, DeploymentUpdate(job_variables={**nightly.job_variables, "env": env}))
        client.update_work_pool("distillery", WorkPoolUpdate(is_paused=True))
        try:
            late = [client.create_flow_run_from_deployment(nightly.id, parameters={},
                                                           state=Scheduled(scheduled_time=t)).id for t in missed]
            with chromium_page(tmp_path) as page:
                submit_custom_run(page, served["ui"], budget=48, learning_rate=0.002, shots=tmp_path)
            (ui,) = [r.id for r in client.read_flow_runs(deployment_filter=on_demand)]
        finally:
            client.update_work_pool("distillery", WorkPoolUpdate(is_paused=False))
        try:
            wait_until_both_run_while_one_labels(client, fake_teacher, late, ui)
        finally:
            httpx.post(f"{fake_teacher}/control", json={"hold": False}).raise_for_status()
        runs = wait_for_final_states(client, [*late, ui])
        (label_elsewhere,) = client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["label-stage"])))
        its_parent = client.read_task_run(label_elsewhere.parent_task_run_id).flow_run_id

    params = runs[ui].parameters  # what the form sent: the three changed fields, every knob left empty
    assert (params["run_date"], params["budget"], params["learning_rate"]) == (str(last_month), 48, 0.002), params
    assert all(v is None for k, v in params.items() if k not in ("config_file", "run_date", "budget", "learning_rate"))
    states = sorted(runs[r].state_name for r in late)
    assert states == ["Cancelled", "Cancelled", "Completed"], [(runs[r].name, runs[r].state_name) for r in late]
    assert runs[ui].state.is_completed(), runs[ui].state
    assert runs[ui].name == f"nightly {last_month} tiny"  # the night and the config file, not "nightly None"
    (woke,) = [runs[r] for r in late if runs[r].state_name == "Completed"]  # named when it ran (the cancelled never did)
    assert woke.name == f"nightly {woke.expected_start_time.astimezone(UTC).date()} tiny", woke.name
    folders = sorted(p.name for p in (store / "runs").iterdir())
    assert len(folders) == 2, folders  # one missed night and the UI run: nothing else ran
    ui_folder = next(p for p in (store / "runs").iterdir() if p.name.startswith(str(last_month)))
    nightly_run = next(p for p in (store / "runs").iterdir() if p != ui_folder)
    lineage = next(json.loads(f.read_text()) for f in store.glob("registry/*/v*/lineage.json")
                   if json.loads(f.read_text())["run_dir"] == str(ui_folder))
    assert lineage["training_config"]["learning_rate"] == 0.002, "the form's knob reached the training"
    first, second = slot_intervals(nightly_run), slot_intervals(ui_folder)
    assert len(first) == len(second) == 4
    overlaps = [(a, b) for a in first for b in second if a[0] < b[1] and b[0] < a[1]]
    assert overlaps == []  # the slot serialized the heavy stages ...
    assert runs[ui].start_time < woke.end_time and woke.start_time < runs[ui].end_time, \
        "... of two runs that were in flight at the same time"
    for name in ("prompts.parquet", "labels.parquet", "train.parquet", "ab.json", "report.html", "cost.csv",
                 "flow-nightly.json"):
        assert (ui_folder / name).is_file(), name
        assert (nightly_run / name).is_file(), name

    # The missed night's label stage ran on the second pool's worker, as a subflow of that night, in another
    # process than its other stages; the UI run's in its own (on-demand has no stage pools).
    child = label_elsewhere
    assert child.state.is_completed() and child.work_pool_name == LABEL_POOL, (child.work_pool_name, child.state)
    assert its_parent == woke.id and child.parameters["run_id"] == nightly_run.name
    assert f"submitting flow run '{child.id}'" in (served["state"] / "label-worker.log").read_text()
    assert f"submitting flow run '{child.id}'" not in (served["state"] / "worker.log").read_text()
    assert json.loads((nightly_run / "flow-nightly.json").read_text())["elsewhere"] == \
        {"label": {"work_pool": LABEL_POOL, "flow_run_id": str(child.id)}}
    assert "elsewhere" not in json.loads((ui_folder / "flow-nightly.json").read_text())
    pids = {folder: {a["stage"]: a["attempt"].split("-")[-2] for a in map(json.loads, open(folder / "attempts.jsonl"))
                     if a["outcome"] == "ok"} for folder in (nightly_run, ui_folder)}
    assert pids[nightly_run]["label"] != pids[nightly_run]["sample"] == pids[nightly_run]["train"]
    assert pids[ui_folder]["label"] == pids[ui_folder]["sample"]
    # Each prompt paid once, wherever it was labelled: the requests of both label stages are the store's labels.
    records = [json.loads((folder / "stage-label.json").read_text()) for folder in (nightly_run, ui_folder)]
    with sqlite3.connect(store / "labels.sqlite") as db:
        stored = db.execute("SELECT COUNT(DISTINCT prompt_id) FROM labels").fetchone()[0]
    assert sum(r["requests"]["sent"] - r["requests"]["retries"] for r in records) == stored
    assert all(r["prompts_labeled"] == r["prompts"] > 0 for r in records), records
    for key in ("sample-funnel", "label-summary", "curation-funnel", "ab-results", "report-summary", "report-page"):
        assert Artifact.get(key) is not None, key
    ab = json.loads((ui_folder / "ab.json").read_text())
    assert "unguided_schema_validity" in ab["scopes"]["overall"]["diagnostics"], \
        "the student was asked with the route's schema, as production serves it, and once without it"

    # The run page: the stages' progress lines in its log tab; its report link opens the page over HTTP.
    (link,) = re.findall(r"\((http://127\.0\.0\.1:\d+/\S+/report\.html)\)", Artifact.get("report-page").data)
    with chromium_page(tmp_path) as page:
        page.goto(f"{served['ui']}/runs/flow-run/{ui}", wait_until="networkidle")
        page.get_by_text(re.compile(r"step 2/2 loss")).first.wait_for()
        page.get_by_text(re.compile(r"labeled \d+/\d+ prompts|prompts, \d+ already labeled")).first.wait_for()
        page.screenshot(path=str(tmp_path / "run.png"))
        page.goto(link)
        assert "Switch to the student" in page.content() or "Keep the teacher" in page.content()
    assert httpx.get(link.replace("report.html", "labels.parquet")).status_code == 404, "only reports are served"

    paid = teacher_requests(fake_teacher)
    assert paid > 0
    again = run_on_demand(params)
    assert again.state.is_completed(), again.state
    assert teacher_requests(fake_teacher) == paid  # labels, curation and the judge's verdicts all reused

    # The key went out with the teacher requests, yet no run file, log, artifact, parameter or Prefect
    # database row holds it (the server's SQLite file and its logs are grepped as bytes).
    leaks = [str(f) for f in served["state"].rglob("*") if f.is_file() and PLANTED_KEY.encode() in f.read_bytes()]
    assert leaks == []
    assert httpx.get(f"{fake_teacher}/stats").json()["bearer_sha256"] == hashlib.sha256(PLANTED_KEY.encode()).hexdigest()
