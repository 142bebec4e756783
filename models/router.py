"""The serving side of the routing plan: each request goes where routing.json sends its route.

    router = Router(cfg, registry.plan(), student=Endpoint(student_url, "student", "EMPTY"), teacher=teacher_endpoint)
    routed = router.answer("ticket-triage", messages)   # production's messages, system prompt and all
    routed.text, routed.by ("student" | "teacher"), routed.confidence

- a route the plan keeps with the teacher: the teacher, asked as the label stage asks it (the route's system
  prompt, schema and budget);
- a route the student takes alone: the student, in its compressed shape, guided by the route's schema;
- a route the student takes with deferral (plan "defer_below", "fields"): the student first, with its logprobs;
  when its probability of any of those fields' values is below the threshold, the teacher answers instead. The
  reading is models/answer_confidence.py's, the one the gate measured the deferral with, so the router defers exactly
  where the evaluation said it would;
- a student that is down or refuses the request: the teacher answers, and a warning names the student's endpoint.

Hand-written because the rule is the plan's: gateways such as LiteLLM route by model name and fall back on errors,
not on the answer's own logprobs. `distillery serve student` prints the same rule for a gateway of your own.
"""

import json
import logging
from dataclasses import dataclass, field

from distillery.config import RunConfig
from distillery.routes import plan_route
from models.answer_confidence import field_confidences, is_sure
from models.prompt_shape import student_messages, student_params
from models.vllm_server import Endpoint

log = logging.getLogger(__name__)


@dataclass
class Routed:
    text: str
    by: str                                   # "student" or "teacher": who wrote `text`
    confidence: dict[str, float] = field(default_factory=dict)  # the student's, on a route it serves with deferral
    # why that one: "plan" (the route's owner per routing.json), "deferred" (the student was unsure), "student failed"
    why: str = "plan"
    finish_reason: str | None = "stop"        # the writer's own: "length" says the answer was cut at the budget
    usage: dict | None = None                 # the writer's token counts (prompt, completion), as its server gave them


class Router:
    def __init__(self, cfg: RunConfig, plan: dict, student: Endpoint, teacher: Endpoint, by_version: bool = False):
        """`student`: the server `distillery serve student` started (its model name answers every student route, or,
        `by_version`, each route's version name when several versions are served side by side)."""
        self.cfg, self.plan, self.student, self.teacher, self.by_version = cfg, plan, student, teacher, by_version

    def answer(self, route: str, messages: list[dict]) -> Routed:
        import openai

        rule = self.plan.get(route, {})
        if rule.get("to") != "student":
            return self.ask_teacher(route, messages)
        user = next(m["content"] for m in reversed(messages) if m["role"] == "user")
        deferring = bool(rule.get("defer_below"))
        model = rule["version"] if self.by_version else self.student.model
        try:
            response = self.student.client().chat.completions.create(
                model=model, messages=student_messages(route, user),
                **student_params(self.cfg, route, guided=self.cfg.evaluation.guided_decoding, logprobs=deferring))
        except openai.APIError as exc:  # the student is down or refuses: the teacher still answers, and the log says so
            log.warning("student %s at %s failed on %s (%s: %s): the teacher answers", model, self.student.base_url,
                        route, type(exc).__name__, exc)
            return self.ask_teacher(route, messages, why="student failed")
        choice = response.choices[0]
        if not deferring:
            return _routed(response, "student")
        confidence = field_confidences(_logprobs(choice), rule["fields"])
        if is_sure(confidence, rule["fields"], rule["defer_below"]):
            return _routed(response, "student", confidence)
        return self.ask_teacher(route, messages, confidence, "deferred")

    def check_routes(self, routes: list[str]) -> None:
        """Build every route's request once (its schema and system prompt read from disk): a path that does not resolve
        from here fails now, naming the route, not on each request."""
        for route in routes:
            plan_route(self.cfg, route)
            if self.plan.get(route, {}).get("to") == "student":
                student_params(self.cfg, route, guided=self.cfg.evaluation.guided_decoding, logprobs=False)

    def ask_teacher(self, route: str, messages: list[dict], confidence: dict | None = None, why: str = "plan") -> Routed:
        """One teacher answer, asked as the label stage asks it: the answers the student was compared with."""
        plan = plan_route(self.cfg, route)
        params = {k: v for k, v in plan.params.items() if k not in ("n", "logprobs", "top_logprobs")}
        if plan.system is not None:
            messages = [{"role": "system", "content": plan.system}] + [m for m in messages if m["role"] != "system"]
        response = self.teacher.client().chat.completions.create(model=self.teacher.model, messages=messages, **params)
        return _routed(response, "teacher", confidence or {}, why)


def _routed(response, by: str, confidence: dict | None = None, why: str = "plan") -> Routed:
    choice = response.choices[0]
    usage = response.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}) if response.usage else None
    return Routed(choice.message.content or "", by, confidence or {}, why, choice.finish_reason, usage)


def _logprobs(choice) -> str | None:
    """The chosen tokens' logprobs as models/answer_confidence.py reads them: JSON [[token, logprob], ...]."""
    content = choice.logprobs.content if choice.logprobs else None
    return json.dumps([[t.token, t.logprob] for t in content]) if content else None
