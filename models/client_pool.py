"""Driving a served model (teacher, judge, student) at full speed: bounded concurrency, explicit retries, a stall watchdog.

vLLM has no admission control, so the semaphore here is the backpressure. The OpenAI SDK's hidden
retries are off (max_retries=0): retries happen here, on connection errors, timeouts and 5xx only,
never on another 4xx (the request itself is wrong; sending it again pays again for the same error). 408 and 429
are retried after the server's Retry-After; when they run out, that request has failed, not the server.
"""

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from distillery.config import ServedModelConfig
from models.vllm_server import Endpoint

log = logging.getLogger(__name__)


class EndpointStalled(RuntimeError):
    """The endpoint accepts requests but makes no progress, or keeps failing; the message says which and where."""


@dataclass
class Completion:
    texts: list[str]
    finish_reasons: list[str]
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    attempts: int
    logprobs: list[str | None]  # per sample: JSON [[token, logprob, [[alt, logprob], ...]], ...]


@dataclass
class Stats:
    sent: int = 0            # HTTP requests made, retries included
    retries: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    failures: dict = field(default_factory=dict)  # reason -> count (requests that gave up)
    last_progress: float = field(default_factory=time.monotonic)
    last_error: str = ""
    prompt_tokens: int = 0      # usage of the answered requests: what an API bills
    completion_tokens: int = 0


def teacher_fingerprint(teacher: ServedModelConfig) -> str:
    """Who answers: the model's identity (its prepared bytes when local) and, for a managed server, the
    dtype it is served in. A random port or a restart does not change it; another model or dtype does."""
    from models.device import serving_dtype
    from models.resolve import resolve_model
    from models.vllm_server import _cuda_available

    if teacher.endpoint:
        parts = {"endpoint": urlparse(teacher.endpoint).hostname, "model": teacher.served_name or teacher.model}
    else:
        path = Path(resolve_model(teacher.model))
        marker = path / "distillery-model.json"
        identity = marker.read_text() if marker.is_file() else (path / "config.json").read_text() if path.is_dir() else str(path)
        parts = {"model": teacher.model, "identity": hashlib.sha256(identity.encode()).hexdigest(),
                 "dtype": serving_dtype(teacher.launch.dtype, _cuda_available()).dtype_name}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


# The server asks to be asked again later (request timeout, rate limit): retried after its Retry-After, and when
# retries run out the request has failed, not the server (a rate-limited judge still answers the next minute).
RETRY_LATER = (408, 429)
MAX_RETRY_AFTER_S = 60.0


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError)):  # timeout is a connection error subclass
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code >= 500 or exc.status_code in RETRY_LATER)


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After in seconds), capped; None when it did not say."""
    response = getattr(exc, "response", None)
    try:
        return min(float(response.headers["retry-after"]), MAX_RETRY_AFTER_S)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _logprobs_json(choice) -> str | None:
    content = getattr(getattr(choice, "logprobs", None), "content", None)
    if not content:
        return None
    return json.dumps([[t.token, round(t.logprob, 5), [[a.token, round(a.logprob, 5)] for a in (t.top_logprobs or [])]]
                       for t in content], ensure_ascii=False)


class ClientPool:
    """Concurrent chat completions against one endpoint, with the stall watchdog running beside them."""

    def __init__(self, endpoint: Endpoint, spec: ServedModelConfig, role: str = "teacher"):
        from openai import AsyncOpenAI

        self.endpoint, self.spec, self.role = endpoint, spec, role  # role: who this is, in messages
        self.client = AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=0,
                                  timeout=spec.request_timeout_s)
        self.gate = asyncio.Semaphore(spec.concurrency)
        self.stats = Stats()

    async def complete(self, messages: list[dict], params: dict) -> Completion | str:
        """One prompt's completion, or the reason it failed for good (a 4xx). Raises EndpointStalled when
        retries run out on a connection error, timeout or 5xx: the server is sick, not the prompt."""
        import openai

        async with self.gate:
            for attempt in range(1, self.spec.max_retries + 2):
                self.stats.sent += 1
                self.stats.in_flight += 1
                self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
                started = time.monotonic()
                try:
                    r = await self.client.chat.completions.create(model=self.endpoint.model, messages=messages, **params)
                except openai.APIStatusError as exc:
                    if not _retryable(exc):
                        reason = f"http_{exc.status_code}"
                        self.stats.failures[reason] = self.stats.failures.get(reason, 0) + 1
                        self.stats.last_error = f"{reason}: {str(exc)[:200]}"
                        return reason
                    error = exc
                except (openai.APIConnectionError, openai.APITimeoutError) as exc:
                    error = exc
                else:
                    self.stats.last_progress = time.monotonic()
                    usage = r.usage
                    if usage:
                        self.stats.prompt_tokens += usage.prompt_tokens
                        self.stats.completion_tokens += usage.completion_tokens
                    return Completion([c.message.content or "" for c in r.choices], [c.finish_reason or "unknown" for c in r.choices],
                                      usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0,
                                      time.monotonic() - started, attempt, [_logprobs_json(c) for c in r.choices])
                finally:
                    self.stats.in_flight -= 1
                self.stats.last_error = f"{type(error).__name__}: {str(error)[:200]}"
                if attempt > self.spec.max_retries:
                    if getattr(error, "status_code", None) in RETRY_LATER:
                        reason = f"http_{error.status_code}"
                        self.stats.failures[reason] = self.stats.failures.get(reason, 0) + 1
                        return reason
                    break
                self.stats.retries += 1
                delay = _retry_after(error)
                delay = self.spec.retry_backoff_s * 2 ** (attempt - 1) if delay is None else delay
                log.warning("%s request failed (%s), retry %d/%d in %.1f s", self.role, self.stats.last_error, attempt,
                            self.spec.max_retries, delay)
                await asyncio.sleep(delay)
        raise EndpointStalled(f"{self.role} at {self.endpoint.base_url} kept failing: {self.spec.max_retries} retries "
                             f"exhausted; last error {self.stats.last_error}")

    async def watchdog(self) -> None:
        """Raise EndpointStalled when requests are in flight but nothing completed for stall_timeout_s."""
        limit = self.spec.stall_timeout_s
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            idle = time.monotonic() - self.stats.last_progress
            if self.stats.in_flight and idle > limit:
                raise EndpointStalled(
                    f"{self.role} at {self.endpoint.base_url} accepted {self.stats.in_flight} requests but answered none in "
                    f"{idle:.0f} s (teacher.stall_timeout_s = {limit:g}); last error: {self.stats.last_error or 'none'}")

    async def close(self) -> None:
        await self.client.close()
