"""The routing plan behind one OpenAI-compatible URL: `distillery serve router`.

Production keeps its OpenAI client and sends the route as the model name:

    client = OpenAI(base_url="http://127.0.0.1:8400/v1", api_key="unused")
    client.chat.completions.create(model="ticket-triage", messages=[...])   # production's messages, as they are

models/router.py decides who answers (the student alone, the student unless it is unsure, or the teacher);
each answer says who wrote it (header `X-Distillery-Answered-By`, body `distillery.answered_by`), and
models/served_counts.py counts it per day and route (`GET /stats`), so the share the student keeps on real traffic
can be held against the evaluation's estimate. The route's generation settings are the plan's (its system prompt,
schema, budget and temperature), not the request's: the student is served the way the gate measured it, so what
would change that (`n` > 1, tools, streaming) is refused rather than ignored. routing.json is read again when a
nightly run rewrites it: a route taken back to the teacher tonight leaves the student without a restart.

FastAPI because vLLM and Prefect already run on it (no new package) and it gives OpenAI-style JSON errors cheaply.
"""

import json
import logging
import time
import uuid
from pathlib import Path

import openai
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from models.router import Router
from models.served_counts import ServedCounts, served_share

log = logging.getLogger(__name__)


def _error(status: int, message: str, kind: str = "invalid_request_error", headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status, headers=headers)


def _text(content) -> str | None:
    """A message's content as text: a string, or the text parts of a list of parts (what many SDKs send); None when it
    holds anything else (an image)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
                                         for p in content):
        return "".join(p["text"] for p in content)
    return None


def _messages(messages) -> list[dict] | str:
    """The request's messages with text contents, or what is wrong with them, in words."""
    if not isinstance(messages, list) or not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
        return "'messages' must be a list of {role, content} objects, each with a role"
    texts = [{**m, "content": _text(m.get("content"))} for m in messages]
    if not any(m["role"] == "user" for m in texts):
        return "'messages' needs a user message (the router reads the last one)"
    if any(m["content"] is None and m["role"] in ("user", "system") for m in texts):
        return "a user or system message's content must be text (a string, or a list of text parts)"
    return texts


def _unsupported(body: dict) -> str | None:
    if body.get("stream"):
        return ("stream: true is not supported: a route served with deferral reads the student's whole answer before it "
                "decides who answers")
    if body.get("n") not in (None, 1):
        return "n > 1 is not supported: each route is answered once, the way the gate measured it"
    if body.get("tools") or body.get("functions"):
        return "tools are not supported: the routes answer with their own schema"
    return None


class LivePlan:
    """routing.json as the registry last wrote it, read again when the file changes (a nightly run took a route or gave
    one back), so the router follows tonight's plan without a restart."""

    def __init__(self, router: Router, path: Path | None):
        self.router, self.path = router, path
        self.seen = self._stamp()

    def _stamp(self):
        try:
            return self.path.stat().st_mtime_ns if self.path else None
        except OSError:
            return None

    def refresh(self) -> dict:
        stamp = self._stamp()
        if stamp != self.seen:
            try:
                self.router.plan = json.loads(self.path.read_text()).get("routes", {})
                log.info("routing plan reloaded from %s: %s", self.path, {r: p.get("to") for r, p in self.router.plan.items()})
            except (OSError, ValueError) as exc:  # half-written or gone: keep the plan in hand, try again next request
                log.warning("kept the routing plan in hand: %s unreadable (%s)", self.path, exc)
                return self.router.plan
            self.seen = stamp
        return self.router.plan


def _upstream_error(router: Router, route: str, exc: openai.APIError) -> JSONResponse:
    """The teacher's refusal as the client should see it: its own 4xx (a context too long, a rate limit with its
    Retry-After) passed on, so an OpenAI client does not retry what will fail again; a 502 when it is down or broken."""
    log.error("teacher at %s failed on %s: %s: %s", router.teacher.base_url, route, type(exc).__name__, exc)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500:
        retry = exc.response.headers.get("retry-after") if getattr(exc, "response", None) is not None else None
        return _error(status, f"the teacher refused the request on {route} ({status}): {exc.message}", "upstream_error",
                      {"Retry-After": retry} if retry else None)
    return _error(502, f"the teacher at {router.teacher.base_url} failed on {route}: {type(exc).__name__}", "upstream_error")


def create_app(router: Router, counts: ServedCounts, routes: list[str], plan_file: Path | None = None) -> FastAPI:
    """`routes`: the route names the router answers (teacher.routes and the plan's); anything else is a 404 that lists
    them, since a misspelt route would otherwise reach the teacher without its system prompt. `plan_file`: the
    registry's routing.json, followed as it changes."""
    app = FastAPI(title="distillery router", docs_url=None, redoc_url=None)
    plan = LivePlan(router, plan_file)

    def known() -> list[str]:
        return sorted(set(routes) | set(plan.refresh()))

    def owner(route: str) -> str:
        return "student" if router.plan.get(route, {}).get("to") == "student" else "teacher"

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": r, "object": "model", "owned_by": owner(r)} for r in known()]}

    @app.get("/stats")
    def stats(day: str | None = None):
        try:
            record = counts.read(day)
        except ValueError as exc:
            return _error(400, str(exc))
        for c in record["routes"].values():
            c["served_share"] = served_share(c)
        current = plan.refresh()
        record["plan"] = {r: {k: p[k] for k in ("to", "version", "since", "defer_below", "served_share") if k in p}
                          for r, p in current.items()}
        return record

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not JSON: send an OpenAI chat completion request")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object: an OpenAI chat completion request")
        route, names = body.get("model"), known()
        if not isinstance(route, str) or route not in names:
            return _error(404, f"unknown route {route!r}: send the route as the model name, one of {', '.join(names)}",
                          "not_found_error")
        if problem := _unsupported(body):
            return _error(400, problem)
        messages = _messages(body.get("messages"))
        if isinstance(messages, str):
            return _error(400, messages)
        return await _answer(route, messages)

    async def _answer(route: str, messages: list[dict]):
        try:  # the OpenAI clients block: each request on a worker thread, so requests overlap
            routed = await run_in_threadpool(router.answer, route, messages)
        except openai.APIError as exc:  # the teacher is down or refused: nothing was answered, nothing is counted
            return _upstream_error(router, route, exc)
        served = await run_in_threadpool(counts.add, route, routed.by, routed.why)
        if served:
            log.info("%s -> %s (%s); today %d of %d by the student", route, routed.by, routed.why, served["student"],
                     served["requests"])
        return JSONResponse(
            {"id": f"chatcmpl-router-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
             "model": route,
             "choices": [{"index": 0, "message": {"role": "assistant", "content": routed.text},
                          "finish_reason": routed.finish_reason or "stop"}],
             "usage": routed.usage,
             "distillery": {"answered_by": routed.by, "why": routed.why, "confidence": routed.confidence}},
            headers={"X-Distillery-Answered-By": routed.by})

    return app
