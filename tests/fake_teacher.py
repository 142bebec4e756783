"""A small OpenAI-compatible chat server that misbehaves on request, for the faults vLLM will not stage.

    python tests/fake_teacher.py PORT

POST /control {"mode": ..., ...} switches behaviour; GET /stats says what it saw:
- ok: answer at once (after `delay_s`);
- fail: answer `status` (503 unless given; 429 with a Retry-After of `retry_after` s) to the next `count`
  requests, then ok (count -1: forever);
- hang: accept the request and never answer;
- hold (true/false, any mode): keep every request waiting until hold is set false again (a test that needs a
  request in flight while something else happens);
- after `answer_then_hang` answers, hang.
A request with a `json_schema` response_format gets a valid instance of that schema (as vLLM's guided
decoding guarantees); other answers are "label-<digest>". Prompts containing "BAD-REQUEST" get a 400, as an API does for a request it will never accept.
With a system prompt starting "You grade" it answers as a judge: {"score": 1 + first byte of sha256(user) % 5}.
Starting "You compare" it is a pairwise judge (`judge` in /control): "json" (default), the answer that parses
as JSON wins, and when both or neither do it says "A" (a position-biased judge, which both-orders judging must
turn into a tie); "always_a"; "garbage" (prose, not a verdict); "longer" (the longer answer wins); "oracle" (the
answer listed in `prefer` wins: a judge that reads the answers and knows which is right, the control).
"""

import asyncio
import hashlib
import json
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
DEFAULTS = {"mode": "ok", "count": 0, "delay_s": 0.0, "answer_then_hang": None, "status": 503, "retry_after": None,
            "judge": "json", "prefer": [], "hold": False}
state = dict(DEFAULTS)
stats = {"requests": 0, "answered": 0, "in_flight": 0, "max_in_flight": 0, "pairwise": 0, "bearer_sha256": None}


@app.post("/control")
async def control(request: Request):
    body = await request.json()
    if body.pop("reset", False):
        state.update(DEFAULTS)
        stats.update({"requests": 0, "answered": 0, "max_in_flight": 0, "pairwise": 0})
    state.update(body)
    return state


@app.get("/stats")
async def get_stats():
    return stats


@app.get("/v1/models")
async def models():
    return {"object": "list", "data": [{"id": "fake-teacher", "object": "model"}]}


@app.post("/v1/chat/completions")
async def chat(request: Request):
    body = await request.json()
    stats["requests"] += 1
    # which key the client sent, as a hash: a test can check it went out without this server keeping it
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
    stats["bearer_sha256"] = hashlib.sha256(bearer.encode()).hexdigest()
    stats["in_flight"] += 1
    stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
    try:
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        if "BAD-REQUEST" in user:
            return JSONResponse({"error": {"message": "this request is invalid", "type": "invalid_request_error"}}, 400)
        if state["mode"] == "fail" and state["count"] != 0:
            state["count"] -= 1
            headers = {"retry-after": str(state["retry_after"])} if state["retry_after"] is not None else None
            return JSONResponse({"error": {"message": "overloaded", "type": "server_error"}}, state["status"], headers=headers)
        while state["hold"]:
            await asyncio.sleep(0.1)
        hang_after = state["answer_then_hang"]
        if state["mode"] == "hang" or (hang_after is not None and stats["answered"] >= hang_after):
            await asyncio.sleep(3600)
        # Counted before the first await: two concurrent requests cannot both take the last answer before a hang.
        stats["answered"] += 1
        await asyncio.sleep(state["delay_s"])
        digest = hashlib.sha256(user.encode()).hexdigest()
        system = next((m["content"] for m in body["messages"] if m["role"] == "system"), "")
        # As a judge ("You grade ..."), a score that the test can recompute from the request.
        if system.startswith("You grade"):
            text = json.dumps({"score": 1 + int(digest[:2], 16) % 5})
        elif system.startswith("You compare"):
            verdict = pairwise_verdict(user, state["judge"], state["prefer"])
            text = verdict if state["judge"] == "garbage" else json.dumps({"winner": verdict})
            stats["pairwise"] += 1
        elif body.get("response_format", {}).get("type") == "json_schema":  # guided decoding: always valid
            text = json.dumps(instance(body["response_format"]["json_schema"]["schema"], digest))
        else:
            text = "label-" + digest[:8]
        n = body.get("n", 1)
        return {"id": "fake", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"} for i in range(n)],
                "usage": {"prompt_tokens": len(user.split()), "completion_tokens": 3 * n, "total_tokens": len(user.split()) + 3 * n}}
    finally:
        stats["in_flight"] -= 1


def instance(schema: dict, digest: str):
    """A value valid under `schema` (the subset our route schemas use), varied by the request's digest."""
    pick = int(digest[:4], 16)
    if "enum" in schema:
        return schema["enum"][pick % len(schema["enum"])]
    kind = schema.get("type", "string")
    kind = next(k for k in kind if k != "null") if isinstance(kind, list) else kind
    if kind == "object":
        return {k: instance(v, digest) for k, v in schema.get("properties", {}).items() if k in schema.get("required", [])}
    if kind == "array":
        return [instance(schema.get("items", {}), digest)] * max(1, schema.get("minItems", 1))
    if kind in ("number", "integer"):
        return max(schema.get("minimum", 0), pick % 100)
    if kind == "boolean":
        return bool(pick % 2)
    if "pattern" in schema or kind == "null":  # e.g. an ISO date: null is allowed where we use patterns
        return None
    return ("label-" + digest[:8]).ljust(schema.get("minLength", 0), "x")[:schema.get("maxLength", 64)]


def pairwise_verdict(user: str, style: str = "json", prefer: list[str] = ()) -> str:
    a, _, b = user.partition("\n\nAnswer A:\n")[2].partition("\n\nAnswer B:\n")
    if style == "oracle":
        return "A" if a in prefer and b not in prefer else "B" if b in prefer and a not in prefer else "tie"
    if style == "always_a":
        return "A"
    if style == "garbage":
        return "Both answers have merits; it depends on what the customer wants."
    if style == "longer":
        return "A" if len(a) > len(b) else "B" if len(b) > len(a) else "tie"
    a_ok, b_ok = parses(a), parses(b)
    return "B" if b_ok and not a_ok else "A"


def parses(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
