"""Talking to a served model: one chat request with its usage and latency recorded."""

import time
from dataclasses import dataclass

from distillery.config import ServedModelConfig
from models.vllm_server import Endpoint, ServerError


@dataclass
class Answer:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


def ask(endpoint: Endpoint, prompt: str, spec: ServedModelConfig, system: str | None = None) -> Answer:
    """One chat completion; connection problems become a ServerError naming the endpoint."""
    import openai

    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    client = endpoint.client(timeout=spec.request_timeout_s)
    started = time.monotonic()
    try:
        response = client.chat.completions.create(model=endpoint.model, messages=messages,
                                                  max_tokens=spec.max_tokens, temperature=spec.temperature)
    except openai.APIError as exc:
        raise ServerError(f"{endpoint.model} at {endpoint.base_url} failed: {type(exc).__name__}: {exc}") from None
    choice = response.choices[0]
    usage = response.usage
    return Answer(choice.message.content or "", choice.finish_reason or "unknown",
                  usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0,
                  time.monotonic() - started)
