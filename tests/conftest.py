"""Shared fixtures: real bundled models (prepared once, cached across runs) and an isolated state folder."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The smallest real models that prove each point: SmolLM2-135M as student and stand-in teacher.
SMALL_MODEL = "smollm2-135m-instruct"


def pytest_collection_modifyitems(items):
    """Every test under tests/integration is `integration` (real models or servers), so `-m "not integration"` is
    the seconds-long tier; the minutes-long modules also carry `slow` themselves (`-m "not slow"` skips them)."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def isolated_state(tmp_path_factory):
    """Managed-server records go to a per-session folder, so tests never reuse or stop a developer's server."""
    state = tmp_path_factory.mktemp("state")
    old = os.environ.get("DISTILLERY_STATE_DIR")
    os.environ["DISTILLERY_STATE_DIR"] = str(state)
    yield state
    if old is None:
        os.environ.pop("DISTILLERY_STATE_DIR", None)
    else:
        os.environ["DISTILLERY_STATE_DIR"] = old


@pytest.fixture(scope="session")
def small_model() -> str:
    """Prepare SmolLM2-135M in the shared model cache (a no-op after the first time) and return its id."""
    from models.prepare import prepare

    prepare(SMALL_MODEL)
    return f"demo:{SMALL_MODEL}"


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `distillery` console script, as a user would."""
    exe = Path(sys.executable).with_name("distillery")
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def demo_log(tmp_path_factory) -> Path:
    """The demo production log, generated fresh (not the developer's data/demo) into a session folder."""
    out = tmp_path_factory.mktemp("demo-log")
    subprocess.run([sys.executable, str(REPO / "data/generate_demo_log.py"), "--out", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="session")
def prefect_server():
    """A real temporary Prefect server (SQLite), shared by the session: it costs ~10 s to start."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def wait_for_http(url: str, timeout_s: float = 20.0) -> None:
    """Until a just-started local server answers at all (any status); fails naming the URL when it never does."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError as exc:
            last = exc
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout_s:g} s (last error: {last!r})")


@pytest.fixture(scope="session")
def fake_teacher():
    """tests/fake_teacher.py on a free port: an OpenAI-compatible server that fails, hangs or stalls on request."""
    from models.vllm_server import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(REPO / "tests/fake_teacher.py"), str(port)], cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/stats")
    yield url
    proc.kill()
    proc.wait()
