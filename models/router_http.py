"""The routing plan behind one OpenAI-compatible URL: `distillery serve router`.

Production keeps its OpenAI client and sends the route as the model name:

    client = OpenAI(base_url="http://127.0.0.1:8400/v1", api_key="unused")
    client.chat.completions.create(model="ticket-triage", messages=[...])   # production's messages, as they are

models/router.py decides who answers (the student alone, the student unless it is unsure, or the teacher);
each answer says who wrote it (header `X-Distillery-Answered-By`, body `distillery.answered_by`), and
models/served_counts.py counts it per day and route (`GET /stats`), so the share the student keeps on real traffic
can be held against the evaluation's estimate. The route's generation settings are the plan's (its system prompt,
schema, budget and temperature), not the request's: the student is served the way the gate measured it.

FastAPI because vLLM and Prefect already run on it (no new package) and it gives OpenAI-style JSON errors cheaply.
"""

import logging
import time
import uuid

import openai
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from models.router import Router
from models.served_counts import ServedCounts, served_share

log = logging.getLogger(__name__)


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)


def _messages_problem(messages) -> str | None:
    """What is wrong with a request's messages, in words; None when they can be routed."""
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return "'messages' must be a list of {role, content} objects"
    users = [m for m in messages if m.get("role") == "user"]
    if not users or not isinstance(users[-1].get("content"), str):
        return "'messages' needs a user message whose content is a string (the router reads the last one)"
    return None


def create_app(router: Router, counts: ServedCounts, routes: list[str]) -> FastAPI:
    """`routes`: the route names the router answers (teacher.routes and the plan's); anything else is a 404 that lists
    them, since a misspelt route would otherwise reach the teacher without its system prompt."""
    app = FastAPI(title="distillery router", docs_url=None, redoc_url=None)
    owner = {r: ("student" if router.plan.get(r, {}).get("to") == "student" else "teacher") for r in routes}

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": r, "object": "model", "owned_by": owner[r]} for r in routes]}

    @app.get("/stats")
    def stats(day: str | None = None):
        try:
            record = counts.read(day)
        except ValueError as exc:
            return _error(400, str(exc))
        for c in record["routes"].values():
            c["served_share"] = served_share(c)
        record["plan"] = {r: {k: router.plan[r][k] for k in ("to", "version", "defer_below", "served_share")
                              if k in router.plan[r]} for r in routes if r in router.plan}
        return record

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not JSON: send an OpenAI chat completion request")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object: an OpenAI chat completion request")
        route = body.get("model")
        if route not in owner:
            return _error(404, f"unknown route {route!r}: send the route as the model name, one of {', '.join(routes)}",
                          "not_found_error")
        if body.get("stream"):
            return _error(400, "stream: true is not supported: a route served with deferral reads the student's whole "
                               "answer before it decides who answers")
        if problem := _messages_problem(body.get("messages")):
            return _error(400, problem)
        return await _answer(route, body["messages"])

    async def _answer(route: str, messages: list[dict]):
        from fastapi.concurrency import run_in_threadpool

        try:  # the OpenAI clients block: each request on a worker thread, so requests overlap
            routed = await run_in_threadpool(router.answer, route, messages)
        except openai.APIError as exc:  # the teacher is down or refused: say so, count nothing answered
            log.error("teacher at %s failed on %s: %s: %s", router.teacher.base_url, route, type(exc).__name__, exc)
            return _error(502, f"the teacher at {router.teacher.base_url} failed on {route}: {type(exc).__name__}",
                          "upstream_error")
        served = counts.add(route, routed.by, routed.why)
        log.info("%s -> %s (%s); today %s of %d by the student", route, routed.by, routed.why, served["student"],
                 served["requests"])
        return JSONResponse(
            {"id": f"chatcmpl-router-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
             "model": route,
             "choices": [{"index": 0, "message": {"role": "assistant", "content": routed.text}, "finish_reason": "stop"}],
             "distillery": {"answered_by": routed.by, "why": routed.why, "confidence": routed.confidence}},
            headers={"X-Distillery-Answered-By": routed.by})

    return app
