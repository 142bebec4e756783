"""models/router_http.py (`distillery serve router`) where no model is needed: the route is the model name, every
answer says who wrote it and is counted per day, and a bad request or a failing teacher gets an OpenAI-style error
that names the problem. The student's own answers, and the CLI as a user starts it, are in
tests/integration/test_evaluate.py."""

import json
import logging
import os

import httpx
import pytest
from fastapi.testclient import TestClient

from distillery.config import load_config
from distillery.routes import RouteError
from models.router import Router
from models.router_http import create_app
from models.served_counts import ServedCounts, served_share
from models.vllm_server import Endpoint, free_port
from tests.conftest import REPO

TICKET = "I was charged twice for my subscription this month."
PLAN = {"ticket-triage": {"to": "student", "version": "v0001", "defer_below": 0.7, "fields": ["category", "urgency"],
                          "served_share": 0.6},
        "support-reply": {"to": "teacher", "version": None}}


def nobody() -> Endpoint:
    return Endpoint(f"http://127.0.0.1:{free_port()}/v1", "nobody", "EMPTY")  # nothing listens there


def app(teacher_url: str, store, plan: dict = PLAN, plan_file=None):
    cfg = load_config(REPO / "configs/demo.yaml", ["teacher.model=fake-teacher"])
    router = Router(cfg, dict(plan), nobody(), Endpoint(teacher_url, "fake-teacher", "EMPTY"))  # the student is down
    counts = ServedCounts.for_store(store)
    return TestClient(create_app(router, counts, sorted(set(cfg.teacher.routes) | set(plan)), plan_file)), counts


@pytest.fixture
def client(fake_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # the routes' schema and system prompt paths are the config's, relative to the repo
    return app(f"{fake_teacher}/v1", tmp_path)


def ask(client: TestClient, route, content=TICKET, **extra):
    return client.post("/v1/chat/completions", json={"model": route, "messages": [
        {"role": "system", "content": "production's own system prompt"}, {"role": "user", "content": content}], **extra})


def test_each_answer_says_who_wrote_it_and_is_counted_for_the_day(client):
    http, counts = client
    kept = ask(http, "support-reply")
    assert kept.status_code == 200 and kept.headers["x-distillery-answered-by"] == "teacher"
    assert kept.json()["distillery"]["why"] == "plan" and kept.json()["choices"][0]["message"]["content"]
    assert kept.json()["choices"][0]["finish_reason"] == "stop" and kept.json()["usage"]["completion_tokens"] == 3
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
    for model in (["ticket-triage"], {"a": 1}, None, 7):  # not a route name at all: a 404, not a crash
        assert http.post("/v1/chat/completions", json={"model": model, "messages": []}).status_code == 404
    roleless = http.post("/v1/chat/completions", json={"model": "ticket-triage", "messages": [
        {"role": "user", "content": TICKET}, {"content": "no role"}]})
    assert roleless.status_code == 400 and "each with a role" in roleless.json()["error"]["message"]
    image = http.post("/v1/chat/completions", json={"model": "ticket-triage", "messages": [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]})
    assert image.status_code == 400 and "must be text" in image.json()["error"]["message"]
    for extra, word in (({"n": 3}, "n > 1"), ({"tools": [{"type": "function"}]}, "tools")):
        refused = ask(http, "support-reply", **extra)
        assert refused.status_code == 400 and word in refused.json()["error"]["message"]
    escape = http.get("/stats", params={"day": "../../registry/routing"})
    assert escape.status_code == 400 and "YYYY-MM-DD" in escape.json()["error"]["message"]
    assert counts.days() == []


def test_text_parts_are_read_as_text(client):
    http, _ = client
    parts = http.post("/v1/chat/completions", json={"model": "ticket-triage", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "I was charged "}, {"type": "text", "text": "twice."}]}]})
    assert parts.status_code == 200 and json.loads(parts.json()["choices"][0]["message"]["content"])["category"]


def test_a_teachers_refusal_is_passed_on_and_a_teacher_that_is_down_is_a_502_and_neither_is_counted(
        client, fake_teacher, tmp_path, monkeypatch):
    http, counts = client
    refused = ask(http, "support-reply", content="BAD-REQUEST please")  # the fake teacher answers 400 to this
    assert refused.status_code == 400 and "the teacher refused the request on support-reply (400)" in refused.text
    httpx.post(f"{fake_teacher}/control", json={"mode": "fail", "count": 1, "status": 429, "retry_after": 7})
    try:
        limited = ask(http, "support-reply")
    finally:
        httpx.post(f"{fake_teacher}/control", json={"reset": True})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"  # the client waits, as the teacher asked
    down, _ = app(nobody().base_url, tmp_path)
    failed = ask(down, "support-reply")
    assert failed.status_code == 502 and "the teacher at http://127.0.0.1:" in failed.json()["error"]["message"]
    assert counts.read()["routes"] == {}


def test_counts_that_cannot_be_written_do_not_cost_the_answer(client, caplog):
    http, counts = client
    counts.folder.mkdir(parents=True)
    counts.path(counts.read()["day"]).write_text("{damaged")
    with caplog.at_level(logging.ERROR, logger="models.served_counts"):
        answered = ask(http, "support-reply")
    assert answered.status_code == 200 and "could not count a support-reply request" in caplog.text


def test_a_plan_rewritten_by_a_nightly_run_is_followed_without_a_restart(fake_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    routing = tmp_path / "routing.json"
    routing.write_text(json.dumps({"routes": PLAN}))
    http, counts = app(f"{fake_teacher}/v1", tmp_path, PLAN, routing)
    owners = lambda: {m["id"]: m["owned_by"] for m in http.get("/v1/models").json()["data"]}  # noqa: E731
    assert owners()["ticket-triage"] == "student"
    routing.write_text(json.dumps({"routes": {"ticket-triage": {"to": "teacher", "version": None}}}))
    os.utime(routing, ns=(routing.stat().st_mtime_ns + 10**9,) * 2)  # a second later, whatever the clock's grain
    assert owners()["ticket-triage"] == "teacher" and ask(http, "ticket-triage").json()["distillery"]["why"] == "plan"
    assert http.get("/stats").json()["plan"] == {"ticket-triage": {"to": "teacher", "version": None}}
    routing.write_text("{half-written")  # a reader that catches the registry mid-write keeps the plan in hand
    os.utime(routing, ns=(routing.stat().st_mtime_ns + 2 * 10**9,) * 2)
    assert owners()["ticket-triage"] == "teacher"


def test_no_requests_is_no_share():
    assert served_share({"requests": 0, "student": 0}) is None and served_share({}) is None
    assert served_share({"requests": 4, "student": 3}) == 0.75


def test_a_route_file_that_does_not_resolve_stops_the_router_before_any_request(fake_teacher, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    cfg = load_config(REPO / "configs/demo.yaml", ["teacher.model=fake-teacher"])
    router = Router(cfg, dict(PLAN), nobody(), Endpoint(f"{fake_teacher}/v1", "fake-teacher", "EMPTY"))
    router.check_routes(sorted(cfg.teacher.routes))  # from the repo, where the config's relative paths point
    monkeypatch.chdir(tmp_path)  # started from elsewhere: the schemas and system prompts are not there
    with pytest.raises(RouteError, match=r"teacher\.routes\.[a-z-]+\.(?:json_schema|system_prompt) = .*cannot read it"):
        router.check_routes(sorted(cfg.teacher.routes))
