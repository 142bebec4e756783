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


def load_benchmark(name: str, folder: str = "benchmarks"):
    """benchmarks/<name>.py (or scripts/, `folder`) as a module: they are scripts, not a package, so the tests load
    them by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / f"{folder}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The modules that take minutes, longest first (the fresh-clone run of cbf51e9: README "Where the suite's time
# goes"). `make test` runs two pytest-xdist workers, each handed whole modules in collection order: starting with
# the longest keeps one worker from being left with a long module at the end while the other idles.
LONGEST_FIRST = ("test_evaluate.py", "test_kill_anywhere.py", "test_nightly_deployment.py", "test_label_vllm.py",
                 "test_teacher_server.py", "test_label_replicas.py", "test_label_ray.py", "test_train_distributed.py",
                 "test_train.py", "test_student_qlora.py", "test_prefect_tasks.py", "test_curate.py")


def pin_test_worker() -> None:
    """Under pytest-xdist (`make test`: two workers), each worker and every process it starts (vLLM servers,
    `distillery` runs, training) runs on its own share of the cores with one OpenMP thread per core. Two unpinned
    workers, each with a 2-thread pool spinning on both cores, ran their compute at 0.17x the throughput of one
    worker; pinned, at 1.23x (docs/facts.md "Two test workers on 2 cores"). Children inherit the affinity, and a
    vLLM server binds inside it (models/cpu_cores.py). Before torch is imported: it reads OMP_NUM_THREADS once."""
    worker, count = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if not worker or not count:
        return
    cores, index, count = sorted(os.sched_getaffinity(0)), int(worker.removeprefix("gw")), int(count)
    # fewer workers than cores: every count-th core each; more: one core each, shared round-robin
    mine = cores[index::count] if count <= len(cores) else [cores[index % len(cores)]]
    os.sched_setaffinity(0, mine)
    os.environ["OMP_NUM_THREADS"] = str(len(mine))


pin_test_worker()


def pytest_collection_modifyitems(items):
    """Every test under tests/integration is `integration` (real models or servers), so `-m "not integration"` is
    the seconds-long tier; the minutes-long modules also carry `slow` themselves (`-m "not slow"` skips them).
    The longest modules run first (LONGEST_FIRST); a module's own tests keep their order."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
