"""The student's prompt shape: the user content behind a route tag, without the production system prompt.

The student learns each route's behaviour from examples, so the several-hundred-token system prompt
the teacher needed is not sent at all. Training, evaluation and serving all build prompts here, so
the shape the adapter was trained on is the shape it is served with.
"""

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the config layer (pydantic) loads only where a request is built: gpu_check imports this without it
    from distillery.config import RunConfig

SHAPE_VERSION = "route-tag-v1"


def student_messages(route: str, user: str) -> list[dict]:
    return [{"role": "user", "content": f"[{route}]\n{user}"}]


def student_params(cfg: "RunConfig", route: str, guided: bool = True, logprobs: bool = False) -> dict:
    """How the student is asked, at evaluation and in production: greedy, with the teacher's answer budget for the
    route (the student must fit the same answers). Guided: a JSON route's answers are constrained to its schema, as
    the teacher's were (`distillery serve student` says so); unguided shows what the weights alone produce, a
    diagnostic. `logprobs`: the chosen tokens' own, where the student's confidence decides (evaluation.student_sure,
    a route served with deferral)."""
    from distillery.routes import answer_budget, route_schema, served_schema

    params = {"max_tokens": answer_budget(cfg, route), "temperature": 0.0}
    if logprobs:
        params["logprobs"] = True
    schema = route_schema(cfg, route) if guided else None
    if schema:
        params["response_format"] = {"type": "json_schema",
                                     "json_schema": {"name": route.replace("-", "_"), "schema": served_schema(schema)}}
    return params


def template_hash(system_prompt: str) -> str:
    """Identifies the removed system prompt (stored with the dataset and, later, the adapter)."""
    return hashlib.sha256(system_prompt.encode()).hexdigest()[:16]
