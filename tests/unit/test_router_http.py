"""models/router_http.py (`distillery serve router`) where no model is needed: the route is the model name, every
answer says who wrote it and is counted per day, and a bad request or a failing teacher gets an OpenAI-style error
that names the problem. The student's own answers, and the CLI as a user starts it, are in
tests/integration/test_evaluate.py."""

import json

import pytest
from fastapi.testclient import TestClient

from distillery.config import load_config
from models.router import Router
from models.router_http import create_app
from models.served_counts import ServedCounts, served_share
from models.vllm_server import Endpoint, free_port
from tests.conftest import REPO

TICKET = "I was charged twice for my subscription this month."
PLAN = {"ticket-triage": {"to": "student", "version": "v0001", "defer_below": 0.7, "fields": ["category", "urgency"],
                          "served_share": 0.6},
        "support-reply": {"to": "teacher", "version": None}}


@pytest.fixture
def client(fake_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # the routes' schema and system prompt paths are the config's, relative to the repo
    cfg = load_config(REPO / "configs/demo.yaml", ["teacher.model=fake-teacher"])
    nobody = Endpoint(f"http://127.0.0.1:{free_port()}/v1", "student", "EMPTY")  # the student is down
    router = Router(cfg, PLAN, nobody, Endpoint(f"{fake_teacher}/v1", "fake-teacher", "EMPTY"))
    counts = ServedCounts(tmp_path / "router")
    return TestClient(create_app(router, counts, sorted(set(cfg.teacher.routes) | set(PLAN)))), counts


def ask(client: TestClient, route, content=TICKET, **extra):
    return client.post("/v1/chat/completions", json={"model": route, "messages": [
        {"role": "system", "content": "production's own system prompt"}, {"role": "user", "content": content}], **extra})


def test_each_answer_says_who_wrote_it_and_is_counted_for_the_day(client):
    http, counts = client
    kept = ask(http, "support-reply")
    assert kept.status_code == 200 and kept.headers["x-distillery-answered-by"] == "teacher"
    assert kept.json()["distillery"]["why"] == "plan" and kept.json()["choices"][0]["message"]["content"]
    for _ in range(2):  # the plan's student route, with the student down: the teacher answers, and that is counted
        triage = ask(http, "ticket-triage")
        assert triage.status_code == 200 and triage.json()["distillery"]["why"] == "student failed"
        assert json.loads(triage.json()["choices"][0]["message"]["content"])["category"]
    stats = http.get("/stats").json()
    assert stats["routes"]["ticket-triage"] == {"requests": 2, "student": 0, "deferred": 0, "student_failed": 2, "plan": 0,
                                                "served_share": 0.0}
    assert stats["routes"]["support-reply"]["plan"] == 1 and stats["plan"]["ticket-triage"]["served_share"] == 0.6
    again = ServedCounts(counts.folder).read()  # on disk: a restarted router, or the report, reads the same counts
    assert again["routes"]["ticket-triage"]["requests"] == 2 and counts.days() == [again["day"]]
    models = {m["id"]: m["owned_by"] for m in http.get("/v1/models").json()["data"]}
    assert models["ticket-triage"] == "student" and models["support-reply"] == "teacher"


def test_a_bad_request_is_refused_with_what_is_wrong_and_nothing_is_counted(client):
    http, counts = client
    unknown = ask(http, "ticket-triag")
    assert unknown.status_code == 404 and "unknown route 'ticket-triag'" in unknown.json()["error"]["message"]
    assert "ticket-triage" in unknown.json()["error"]["message"]
    streamed = ask(http, "ticket-triage", stream=True)
    assert streamed.status_code == 400 and "stream" in streamed.json()["error"]["message"]
    no_user = http.post("/v1/chat/completions", json={"model": "ticket-triage", "messages": [{"role": "system", "content": "x"}]})
    assert no_user.status_code == 400 and "user message" in no_user.json()["error"]["message"]
    not_json = http.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]["message"]
    assert http.post("/v1/chat/completions", json=["a list"]).status_code == 400
    escape = http.get("/stats", params={"day": "../../registry/routing"})
    assert escape.status_code == 400 and "YYYY-MM-DD" in escape.json()["error"]["message"]
    assert counts.days() == []


def test_a_teacher_that_fails_is_a_502_naming_it_and_is_not_counted(client):
    http, counts = client
    failed = ask(http, "support-reply", content="BAD-REQUEST please")  # the fake teacher answers 400 to this
    assert failed.status_code == 502 and "the teacher at http://127.0.0.1:" in failed.json()["error"]["message"]
    assert counts.read()["routes"] == {}


def test_no_requests_is_no_share():
    assert served_share({"requests": 0, "student": 0}) is None and served_share({}) is None
    assert served_share({"requests": 4, "student": 3}) == 0.75
