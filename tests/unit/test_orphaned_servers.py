"""A managed server whose owner was SIGKILLed (no finally block ran): the next start of the same model adopts
it and stops it when done; a start of any other model stops it; a server whose owner lives is left alone.
Stand-in servers: processes in their own session answering /health like vLLM, so no model is loaded."""

import json
import os
import subprocess
import sys
from dataclasses import asdict

import pytest

from distillery.config import TeacherConfig
from models.vllm_server import Endpoint, ManagedServer, free_port, reap_orphans
from tests.conftest import wait_for_http

HEALTH = """
import http.server, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


@pytest.fixture(autouse=True)
def own_state(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILLERY_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def servers():
    started = []

    def start(owner: int | None, model: str) -> tuple[subprocess.Popen, ManagedServer]:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-c", HEALTH, str(port)], start_new_session=True)
        started.append(proc)
        wait_for_http(f"http://127.0.0.1:{port}/health")
        managed = ManagedServer(TeacherConfig(model=model), "logs")
        endpoint = Endpoint(f"http://127.0.0.1:{port}/v1", model, "EMPTY", proc.pid, None, owned=False)
        managed.record_path.write_text(json.dumps({**asdict(endpoint), "owner_pid": owner}))
        return proc, managed

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def test_the_same_model_adopts_a_killed_owners_server_and_stops_it_when_done(servers):
    proc, managed = servers(dead_pid(), "org/model-a")
    endpoint = managed.start()  # no vLLM is launched: the orphan answers /health
    assert endpoint.pid == proc.pid and endpoint.owned
    assert json.loads(managed.record_path.read_text())["owner_pid"] == os.getpid()
    managed.stop()
    assert proc.wait(timeout=30) is not None and not managed.record_path.exists()


def test_other_orphans_are_stopped_and_servers_with_a_live_owner_are_kept(servers):
    orphan, orphan_server = servers(dead_pid(), "org/model-b")
    shared, shared_server = servers(os.getpid(), "org/model-c")  # e.g. `distillery teacher serve` in a terminal
    kept, kept_server = servers(dead_pid(), "org/model-d")
    assert reap_orphans(keep=kept_server.record_path) == [orphan.pid]
    assert orphan.wait(timeout=30) is not None and not orphan_server.record_path.exists()
    assert shared.poll() is None and shared_server.record_path.exists()
    assert kept.poll() is None and kept_server.record_path.exists()
    endpoint = shared_server.start()
    assert endpoint.pid == shared.pid and not endpoint.owned  # reused, and left for its owner to stop


def test_a_handed_over_server_is_taken_over_by_the_same_model_and_stopped_by_any_other(servers):
    """The export stage hands its server to the evaluation (the same export): no second start. Anything else that
    starts a server first stops it: one vLLM at a time."""
    proc, export_check = servers(dead_pid(), "org/model-e")
    assert export_check.start().owned  # ours to stop (adopted here; launched, in the product)
    export_check.hand_over()
    record = json.loads(export_check.record_path.read_text())
    assert record["handed_over"] and record["owner_pid"] == os.getpid() and proc.poll() is None

    evaluation = ManagedServer(TeacherConfig(model="org/model-e"), "logs")
    endpoint = evaluation.start()
    assert endpoint.pid == proc.pid and endpoint.owned, "taken over, not started again"
    assert not json.loads(evaluation.record_path.read_text())["handed_over"]
    assert reap_orphans() == [], "taken: no longer anybody's to reap"

    evaluation.hand_over()
    other, other_server = servers(os.getpid(), "org/model-f")
    assert reap_orphans(keep=other_server.record_path) == [proc.pid], "another model's start stops it first"
    assert proc.wait(timeout=30) is not None and not evaluation.record_path.exists()
