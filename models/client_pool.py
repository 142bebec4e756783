"""Driving a served model (teacher, judge, student) at full speed: bounded concurrency, explicit retries, a stall watchdog.

vLLM has no admission control, so the semaphore here is the backpressure. The OpenAI SDK's hidden
retries are off (max_retries=0): retries happen here, on connection errors, timeouts and 5xx only,
never on another 4xx (the request itself is wrong; sending it again pays again for the same error). 408 and 429
are retried after the server's Retry-After; when they run out, that request has failed, not the server.

The request body is serialised here (json.dumps, ~10 us) and posted with httpx itself, the HTTP client the OpenAI
SDK is built on: the SDK's per-request walk over the body (the route's whole JSON schema, ~0.3 ms of CPU), its
request options and its response models cost client CPU on every request, which at 32 in flight on 2 shared cores
kept the stage under a bare httpx client's throughput (docs/facts.md "Label stage overhead"). What the SDK gave is
done here: the bearer key, the timeout, and the errors (HTTPFailure for a status >= 400, httpx's RequestError for
connections and timeouts).

ReplicaPool spreads one job list over several replicas of one model with no balancer in front
(teacher.endpoints): each replica has its own `concurrency` slots fed from one shared queue, so a faster replica
takes more; a replica that dies (its retries exhausted on 5xx, timeouts or lost connections, a refused
connection while another replica is answering, or the stall watchdog) is dropped for the rest of the run and its
jobs in flight go back to the queue for the others. A job is answered once: it is either committed by the worker
that holds it or handed back, never both.
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


class EndpointDown(EndpointStalled):
    """Nothing listens at the endpoint (connection refused) while another replica is answering: failed at once."""


class AllReplicasDead(EndpointStalled):
    """Every replica died before the jobs were done; the message names each one and why."""


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
    answered: int = 0        # ... that came back with a completion (the others failed: sent - answered when idle)
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

    if getattr(teacher, "endpoints", None):
        # Replicas are where the model runs, not what it is: the fingerprint names the served model only, so 1, 2 or
        # 8 replicas (and which hosts) label the same way and reuse each other's labels. That they serve the same
        # model is the operator's statement in teacher.endpoints; each one's /models answer is recorded per replica.
        parts = {"endpoint": "replicas", "model": teacher.served_name or teacher.model}
    elif teacher.endpoint:
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


class HTTPFailure(Exception):
    """The server answered with a status >= 400; `response` holds its headers (Retry-After) and body."""

    def __init__(self, response):
        self.response, self.status_code = response, response.status_code
        super().__init__(f"HTTP {response.status_code} {response.reason_phrase}: {response.text[:300]}")


def _retryable(exc: BaseException) -> bool:
    """Worth sending again: a lost connection, a timeout, a 5xx, or a 408/429 (after Retry-After)."""
    import httpx

    if isinstance(exc, httpx.RequestError):  # connect, read and write errors, timeouts, an undecodable body
        return True
    return isinstance(exc, HTTPFailure) and (exc.status_code >= 500 or exc.status_code in RETRY_LATER)


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After in seconds), capped; None when it did not say."""
    response = getattr(exc, "response", None)
    try:
        return min(float(response.headers["retry-after"]), MAX_RETRY_AFTER_S)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _logprobs_json(choice: dict) -> str | None:
    content = (choice.get("logprobs") or {}).get("content")
    if not content:
        return None
    return json.dumps([[t["token"], round(t["logprob"], 5), [[a["token"], round(a["logprob"], 5)] for a in (t.get("top_logprobs") or [])]]
                       for t in content], ensure_ascii=False)


class MalformedAnswer(Exception):
    """A 2xx whose body is not a chat completion (a proxy's error page, a truncated body): retried like a 5xx."""


def _completion(raw: bytes, latency_s: float, attempt: int) -> Completion:
    try:
        data = json.loads(raw)
        choices = data["choices"]
        usage = data.get("usage") or {}
        return Completion([(c.get("message") or {}).get("content") or "" for c in choices],
                          [c.get("finish_reason") or "unknown" for c in choices],
                          usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0, latency_s, attempt,
                          [_logprobs_json(c) for c in choices])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedAnswer(f"not a chat completion ({type(exc).__name__}: {exc}): {raw[:120]!r}") from None


def _refused_connection(exc: BaseException) -> bool:
    """Nothing listens there: the TCP connection itself was refused (not a reset or a timeout mid-request)."""
    import httpx

    return isinstance(exc, httpx.ConnectError)


class ClientPool:
    """Concurrent chat completions against one endpoint, with the stall watchdog running beside them."""

    def __init__(self, endpoint: Endpoint, spec: ServedModelConfig, role: str = "teacher", http_client=None,
                 totals: Stats | None = None):
        import httpx

        self.endpoint, self.spec, self.role = endpoint, spec, role  # role: who this is, in messages
        # http_client: a ReplicaPool's httpx.AsyncClient for this replica (its TLS context shared with the others)
        self._owns_client = http_client is None
        self.client = http_client or httpx.AsyncClient(timeout=spec.request_timeout_s, follow_redirects=True, limits=httpx.Limits(
            max_connections=spec.concurrency + 1, max_keepalive_connections=spec.concurrency + 1))
        self.url = endpoint.base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {endpoint.api_key}", "Content-Type": "application/json",
                        "Accept": "application/json"}
        self.gate = asyncio.Semaphore(spec.concurrency)
        self.stats = Stats()
        self.totals = totals  # a ReplicaPool's sums over its replicas (in flight, max in flight)
        # Set by a ReplicaPool: True while another replica is answering, so that a refused connection here fails the
        # request at once (it goes to the others) instead of being retried against a server that is gone.
        self.fail_fast = lambda: False

    def _body(self, messages: list[dict], params: dict) -> bytes:
        return json.dumps({"model": self.endpoint.model, "messages": messages, **params}, ensure_ascii=False,
                          separators=(",", ":"), allow_nan=False).encode()

    def _started(self) -> None:
        s = self.stats
        if not s.in_flight:  # idle until now: the stall clock starts with this request, not at the last answer
            s.last_progress = time.monotonic()
        s.sent += 1
        s.in_flight += 1
        s.max_in_flight = max(s.max_in_flight, s.in_flight)
        if self.totals:
            self.totals.sent += 1
            self.totals.in_flight += 1
            self.totals.max_in_flight = max(self.totals.max_in_flight, self.totals.in_flight)

    def _ended(self) -> None:
        self.stats.in_flight -= 1
        if self.totals:
            self.totals.in_flight -= 1

    def _failed_for_good(self, reason: str, message: str) -> str:
        self.stats.failures[reason] = self.stats.failures.get(reason, 0) + 1
        self.stats.last_error = f"{reason}: {message[:200]}"
        return reason

    async def complete(self, messages: list[dict], params: dict) -> Completion | str:
        """One prompt's completion, or the reason it failed for good (a 4xx). Raises EndpointStalled when
        retries run out on a connection error, timeout or 5xx: the server is sick, not the prompt."""
        import httpx

        body = self._body(messages, params)
        async with self.gate:
            for attempt in range(1, self.spec.max_retries + 2):
                self._started()
                started = time.monotonic()
                try:
                    response = await self.client.post(f"{self.url}/chat/completions", content=body, headers=self.headers)
                    if response.status_code >= 400:
                        raise HTTPFailure(response)
                    answer = _completion(response.content, time.monotonic() - started, attempt)
                except HTTPFailure as exc:
                    if not _retryable(exc):
                        return self._failed_for_good(f"http_{exc.status_code}", str(exc))
                    error = exc
                except httpx.RequestError as exc:
                    if self.fail_fast() and _refused_connection(exc):
                        self.stats.last_error = f"connection refused at {self.endpoint.base_url}"
                        raise EndpointDown(f"{self.role} at {self.endpoint.base_url} refused the connection "
                                           "(nothing listens there)") from None
                    error = exc
                except MalformedAnswer as exc:
                    error = exc
                else:
                    self.stats.last_progress = time.monotonic()
                    self.stats.answered += 1
                    self.stats.prompt_tokens += answer.prompt_tokens
                    self.stats.completion_tokens += answer.completion_tokens
                    return answer
                finally:
                    self._ended()
                self.stats.last_error = str(error)[:200] if isinstance(error, HTTPFailure) else \
                    f"{type(error).__name__}: {str(error)[:200]}"
                if attempt > self.spec.max_retries:
                    if getattr(error, "status_code", None) in RETRY_LATER:
                        reason = f"http_{error.status_code}"
                        self.stats.failures[reason] = self.stats.failures.get(reason, 0) + 1
                        return reason
                    break
                self.stats.retries += 1
                if self.totals:
                    self.totals.retries += 1
                delay = _retry_after(error)
                delay = self.spec.retry_backoff_s * 2 ** (attempt - 1) if delay is None else delay
                log.warning("%s request to %s failed (%s), retry %d/%d in %.1f s", self.role, self.endpoint.base_url,
                            self.stats.last_error, attempt, self.spec.max_retries, delay)
                await asyncio.sleep(delay)
        raise EndpointStalled(f"{self.role} at {self.endpoint.base_url} kept failing: {self.spec.max_retries} retries "
                             f"exhausted; last error {self.stats.last_error}")

    def stalled(self, now: float) -> str | None:
        """Why this endpoint counts as stalled now (requests in flight, none answered for stall_timeout_s), or None."""
        limit, idle = self.spec.stall_timeout_s, now - self.stats.last_progress
        if self.stats.in_flight and idle > limit:
            return (f"{self.role} at {self.endpoint.base_url} accepted {self.stats.in_flight} requests but answered none "
                    f"in {idle:.0f} s (teacher.stall_timeout_s = {limit:g}); last error: {self.stats.last_error or 'none'}")
        return None

    async def watchdog(self) -> None:
        """Raise EndpointStalled when requests are in flight but nothing completed for stall_timeout_s."""
        while True:
            await asyncio.sleep(min(1.0, self.spec.stall_timeout_s / 4))
            why = self.stalled(time.monotonic())
            if why:
                raise EndpointStalled(why)

    async def served_model(self, timeout_s: float = 10.0) -> dict:
        """What the endpoint says it serves (GET /models): {"id": the first model's name, "root": its weights when
        vLLM says}; {} when it does not answer."""
        import httpx

        try:
            response = await self.client.get(f"{self.url}/models", headers=self.headers, timeout=timeout_s)
            response.raise_for_status()
            models = json.loads(response.content)["data"]
            first = next((m for m in models if m.get("id") == self.endpoint.model), models[0])
            if first.get("id") != self.endpoint.model:
                log.warning("%s at %s serves %s, not %s: requests there will fail", self.role, self.endpoint.base_url,
                            ", ".join(str(m.get("id")) for m in models), self.endpoint.model)
            return {"id": models[0].get("id"), "root": first.get("root")}
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError, AttributeError):
            return {}

    async def close(self) -> None:
        if self._owns_client:  # a ReplicaPool closes the clients it handed out
            await self.client.aclose()


def replica_endpoints(spec) -> list[Endpoint]:
    """teacher.endpoints as Endpoints, each made as a single external endpoint is (models/vllm_server.py): the key
    comes from the environment and is checked for every replica before any request is sent (distillery/policy.py)."""
    from models.vllm_server import external_endpoint

    return [external_endpoint(spec, url) for url in spec.endpoints]


@dataclass
class Replica:
    """One replica of a ReplicaPool: its client, whether it is still used, and what it did."""

    pool: ClientPool
    alive: bool = True
    why_dead: str = ""
    requeued: int = 0        # jobs it held when it died, handed to the other replicas
    served: dict = field(default_factory=dict)  # its GET /models answer
    workers: set = field(default_factory=set)

    def counts(self) -> dict:
        s = self.pool.stats
        return {"endpoint": self.pool.endpoint.base_url, "sent": s.sent, "answered": s.answered,
                "failed": s.sent - s.answered - s.in_flight, "requeued": self.requeued, "retries": s.retries,
                "max_in_flight": s.max_in_flight, "failures": dict(s.failures),
                "status": "ok" if self.alive else f"dead: {self.why_dead}", "server_model": self.served.get("id"),
                "server_root": self.served.get("root")}


class ReplicaPool:
    """One job list answered by replicas of one model, `spec.concurrency` in flight on each (see the module doc).
    With a single endpoint it behaves as a ClientPool: the same retries, and its death ends the run."""

    def __init__(self, endpoints: list[Endpoint], spec: ServedModelConfig, role: str = "teacher"):
        import httpx

        if not endpoints:
            raise ValueError("a ReplicaPool needs at least one endpoint")
        self.spec, self.role = spec, role
        # One connection pool per replica, sized to its slots (+ its /models lookup): httpcore scans every pooled
        # connection to place each request, so one shared pool would cost more per request with every replica added.
        # They share one TLS context (~15 ms to build; a client of its own builds another).
        tls = httpx.create_ssl_context()
        slots = httpx.Limits(max_connections=spec.concurrency + 1, max_keepalive_connections=spec.concurrency + 1)
        self.http = [httpx.AsyncClient(verify=tls, limits=slots, timeout=spec.request_timeout_s, follow_redirects=True)
                     for _ in endpoints]
        self.stats = Stats()  # sums over the replicas
        self.replicas = [Replica(ClientPool(e, spec, role, http_client=h, totals=self.stats))
                         for e, h in zip(endpoints, self.http)]
        for r in self.replicas:
            r.pool.fail_fast = lambda r=r: any(o.alive and o.pool.stats.answered for o in self.replicas if o is not r)
        self._done: asyncio.Event | None = None

    @property
    def alive(self) -> list[Replica]:
        return [r for r in self.replicas if r.alive]

    async def run(self, jobs, request, answered, refused) -> None:
        """Answer every job once. request(job) -> (messages, params); answered(job, Completion) commits it and
        refused(job, reason) records a 4xx, both synchronously, so no job is both committed and handed back. Raises
        AllReplicasDead when every replica died with jobs left (the ones answered stay answered), and whatever
        answered/refused raised."""
        queue: asyncio.Queue = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        left = [queue.qsize()]
        if not left[0]:
            return
        done = self._done = asyncio.Event()
        errors: list[BaseException] = []

        async def work(r: Replica) -> None:
            while r.alive:
                job = await queue.get()
                try:
                    messages, params = request(job)
                    result = await r.pool.complete(messages, params)
                except EndpointStalled as exc:  # retries exhausted, or refused while others answer: the replica is gone
                    queue.put_nowait(job)
                    r.requeued += 1
                    self._drop(r, str(exc))
                    return
                except asyncio.CancelledError:
                    if not r.alive:  # it died under this request: the job goes to the others
                        queue.put_nowait(job)
                        r.requeued += 1
                    raise
                except Exception as exc:  # a bug or a bad job: stop the run, report it
                    errors.append(exc)
                    done.set()
                    return
                if result == "http_404" and len(self.alive) > 1:  # the model is not served there: not the prompt's fault
                    queue.put_nowait(job)
                    r.requeued += 1
                    self._drop(r, f"answered 404 Not Found: does it serve {r.pool.endpoint.model!r}? "
                                  f"({r.pool.stats.last_error[:160]})")
                    return
                try:  # no await from the answer to its commit: a cancel cannot land between them
                    (refused if isinstance(result, str) else answered)(job, result)
                except Exception as exc:
                    errors.append(exc)
                    done.set()
                    return
                left[0] -= 1
                if not left[0]:
                    done.set()

        async def watchdog() -> None:
            while True:
                await asyncio.sleep(min(1.0, self.spec.stall_timeout_s / 4))
                now = time.monotonic()
                for r in self.alive:
                    why = r.pool.stalled(now)
                    if why:
                        self._drop(r, why)

        async def lookup(r: Replica) -> None:  # beside the first requests, not before them
            r.served = await r.pool.served_model()

        lookups = [asyncio.create_task(lookup(r)) for r in self.replicas]
        helpers = [asyncio.create_task(watchdog()), *lookups]
        for r in self.replicas:
            r.workers = {asyncio.create_task(work(r)) for _ in range(self.spec.concurrency)}
        try:
            await done.wait()
            if not errors and not left[0]:  # a run shorter than the lookup still records the model
                await asyncio.wait(lookups, timeout=2.0)
        finally:
            tasks = [*helpers, *(t for r in self.replicas for t in r.workers)]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if errors:
            raise errors[0]
        if left[0]:
            raise AllReplicasDead(self._obituary())

    def _drop(self, r: Replica, why: str) -> None:
        """Stop using replica r: cancel its requests in flight (their jobs go back to the queue)."""
        if not r.alive:
            return
        r.alive, r.why_dead = False, why
        for t in r.workers:
            if t is not asyncio.current_task():
                t.cancel()
        if self.alive:
            log.warning("%s replica %s dropped (%s); its requests go to the %d replicas left", self.role,
                        r.pool.endpoint.base_url, why, len(self.alive))
        elif self._done:
            self._done.set()

    def _obituary(self) -> str:
        if len(self.replicas) == 1:
            return self.replicas[0].why_dead
        return f"all {len(self.replicas)} {self.role} replicas are dead: " + "; ".join(
            f"{r.pool.endpoint.base_url}: {r.why_dead}" for r in self.replicas)

    def counts(self) -> list[dict]:
        return [r.counts() for r in self.replicas]

    def failures(self) -> dict:
        out: dict = {}
        for r in self.replicas:
            for reason, n in r.pool.stats.failures.items():
                out[reason] = out.get(reason, 0) + n
        return out

    @property
    def last_error(self) -> str:
        return next((r.pool.stats.last_error for r in reversed(self.replicas) if r.pool.stats.last_error), "")

    async def close(self) -> None:
        for h in self.http:
            await h.aclose()
