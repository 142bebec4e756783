"""What a route asks of an answer, shared by every stage that checks answers (curation, export, evaluation).

A route's contract lives in its config (teacher.routes.<route>): how the teacher is asked (the plan: request
parameters, system prompt, their hash, which keys labels), an optional JSON schema its answers must satisfy,
and the answer budget. Each stage reads it from here rather than from another stage's code, so a
change to an evaluation metric cannot silently change the export gate.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from distillery.config import RouteGeneration, RunConfig

log = logging.getLogger(__name__)


class RouteError(ValueError):
    """A route's configured file (schema, system prompt) cannot be read; the message names the key and the path."""


def route_schema(cfg: RunConfig, route: str) -> dict | None:
    """The route's JSON schema (teacher.routes.<route>.json_schema), or None for a free-text route."""
    path = cfg.teacher.routes.get(route, RouteGeneration()).json_schema
    return json.loads(Path(path).read_text()) if path else None


def served_schema(schema):
    """The schema as a model is asked to follow it: without distillery's own `x-` annotations (e.g. `x-compare`, how
    evaluation compares a field), which guided-decoding backends need not accept and which say nothing about the
    answer. Annotating a schema therefore leaves the generation hash, and the labels it keys, unchanged."""
    if isinstance(schema, dict):
        return {k: served_schema(v) for k, v in schema.items() if not k.startswith("x-")}
    if isinstance(schema, list):
        return [served_schema(v) for v in schema]
    return schema


def answer_budget(cfg: RunConfig, route: str) -> int:
    """The route's answer budget in tokens: the teacher's, so the student must fit the same answers."""
    return cfg.teacher.routes.get(route, RouteGeneration()).max_tokens or cfg.teacher.max_tokens


def parse_json(text: str):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def schema_valid(text: str, schema: dict) -> bool:
    """The text parses as JSON and satisfies the schema (jsonschema: the maintained validator)."""
    import jsonschema

    value = parse_json(text)
    if value is None:
        return False
    try:
        jsonschema.validate(value, schema)
        return True
    except jsonschema.ValidationError:
        return False


@dataclass
class Plan:
    """How one route's prompts are asked: request parameters, an optional system prompt, their hash."""

    params: dict
    system: str | None
    n: int
    gen_hash: str


def plan_route(cfg: RunConfig, route: str) -> Plan:
    t = cfg.teacher
    g = t.routes.get(route, RouteGeneration())
    params: dict = {"max_tokens": g.max_tokens or t.max_tokens, "temperature": t.temperature if g.temperature is None else g.temperature,
                    "n": g.n}
    if g.stop:
        params["stop"] = g.stop
    if g.top_logprobs:
        params.update(logprobs=True, top_logprobs=g.top_logprobs)
    if g.json_schema:
        schema = served_schema(json.loads(_read(g.json_schema, f"teacher.routes.{route}.json_schema")))
        params["response_format"] = {"type": "json_schema", "json_schema": {"name": route.replace("-", "_"), "schema": schema}}
    system = _read(g.system_prompt, f"teacher.routes.{route}.system_prompt") if g.system_prompt else None
    if g.n > 1 and params["temperature"] == 0:
        log.warning("route %s asks for n=%d samples at temperature 0: they will be identical", route, g.n)
    canonical = json.dumps({"params": params, "system": system}, sort_keys=True)
    return Plan(params, system, g.n, hashlib.sha256(canonical.encode()).hexdigest()[:16])


def _read(path: str, key: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise RouteError(f"{key} = {path!r}: cannot read it ({exc.strerror}); paths are relative to {Path.cwd()}") from None


def messages_for(prompt: dict, plan: Plan) -> list[dict]:
    messages = json.loads(prompt["messages"])
    if plan.system is not None:
        messages = [{"role": "system", "content": plan.system}] + [m for m in messages if m["role"] != "system"]
    return messages
