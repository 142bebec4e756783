"""models/router.py where no model is needed: a student that is down still gets the request answered (by the
teacher, said in the log), and a route the plan keeps with the teacher never reaches the student. The deferral rule
itself runs against a served student in tests/integration/test_evaluate.py."""

import json
import logging

import httpx

from distillery.config import load_config
from models.router import Router
from models.vllm_server import Endpoint, free_port
from tests.conftest import REPO

TICKET = "I was charged twice for my subscription this month."


def router(teacher_url: str, plan: dict) -> Router:
    cfg = load_config(REPO / "configs/demo.yaml", ["teacher.model=fake-teacher"])
    nobody = Endpoint(f"http://127.0.0.1:{free_port()}/v1", "student", "EMPTY")  # nothing listens there
    return Router(cfg, plan, nobody, Endpoint(f"{teacher_url}/v1", "fake-teacher", "EMPTY"))


def teacher_requests(url: str) -> int:
    return httpx.get(f"{url}/stats").json()["requests"]


def test_a_student_that_is_down_hands_the_request_to_the_teacher(fake_teacher, caplog, monkeypatch):
    monkeypatch.chdir(REPO)  # the route's schema and system prompt paths are the config's, relative to the repo
    plan = {"ticket-triage": {"to": "student", "version": "v0001", "defer_below": 0.7, "fields": ["category", "urgency"]}}
    before = teacher_requests(fake_teacher)
    with caplog.at_level(logging.WARNING, logger="models.router"):
        routed = router(fake_teacher, plan).answer("ticket-triage", [{"role": "user", "content": TICKET}])
    assert routed.by == "teacher" and json.loads(routed.text)["category"] and teacher_requests(fake_teacher) == before + 1
    assert "student student at http://127.0.0.1:" in caplog.text and "the teacher answers" in caplog.text


def test_a_route_the_plan_keeps_with_the_teacher_never_reaches_the_student(fake_teacher, monkeypatch):
    monkeypatch.chdir(REPO)
    for plan in ({"ticket-triage": {"to": "teacher", "version": None}}, {}):  # kept, or not in the plan at all
        before = teacher_requests(fake_teacher)
        routed = router(fake_teacher, plan).answer("ticket-triage", [{"role": "user", "content": TICKET}])
        assert routed.by == "teacher" and not routed.confidence and teacher_requests(fake_teacher) == before + 1
