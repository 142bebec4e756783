"""A served model (teacher, judge or student): a managed local vLLM server, or an existing OpenAI-compatible endpoint.

    with served_endpoint(cfg.teacher, log_dir) as endpoint:     # any ServedModelConfig: the teacher, a judge_spec, ...
        client = endpoint.client()

A managed server runs in its own process session (so a terminal Ctrl-C reaches only us, and we
stop the whole group, engine-core children included), logs to a file, and is recorded per model
in the state folder under a file lock: a second start for the same model reuses the live server
instead of launching another one next to it (the 1.5B alone takes ~9 GiB here).
"""

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from distillery.config import LaunchConfig, ServedModelConfig
from distillery.paths import state_dir
from distillery.policy import check_key_transport
from models.cpu_cores import allowed_bind
from models.device import serving_dtype
from models.resolve import resolve_model
from models.vllm_cpu_launch import SERVER_MODULE

log = logging.getLogger(__name__)


class ServerError(RuntimeError):
    """A served model could not be started or reached; the message names the endpoint and the cause."""


@dataclass
class Endpoint:
    base_url: str          # ends in /v1
    model: str             # name to send in requests
    api_key: str
    pid: int | None = None # set for a managed server
    log_path: str | None = None
    owned: bool = False    # True when this process started it (and so stops it)

    def client(self, timeout: float = 300.0):
        """A synchronous OpenAI client; the SDK's own hidden retries are off, callers retry explicitly."""
        from openai import OpenAI

        return OpenAI(base_url=self.base_url, api_key=self.api_key, max_retries=0, timeout=timeout)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def server_command(model_path: str, served_name: str, launch: LaunchConfig, port: int) -> list[str]:
    # `python -m` because the `vllm` console script of vllm-cpu looks up a distribution named "vllm".
    cuda = _cuda_available()
    module = "models.vllm_cpu_launch" if launch.cpu_fork_engine and not cuda else SERVER_MODULE
    cmd = [sys.executable, "-m", module,
           "--model", model_path, "--served-model-name", served_name,
           "--host", launch.host, "--port", str(port),
           "--max-model-len", str(launch.max_model_len),
           "--dtype", serving_dtype(launch.dtype, cuda).dtype_name,
           "--tensor-parallel-size", str(launch.tensor_parallel_size),
           "--disable-uvicorn-access-log"]
    if launch.data_parallel_size > 1:  # engine replicas behind the one server: vLLM balances between them
        cmd += ["--data-parallel-size", str(launch.data_parallel_size)]
    if launch.enforce_eager:
        cmd.append("--enforce-eager")
    if launch.block_size:
        cmd += ["--block-size", str(launch.block_size)]
    if cuda:
        cmd += ["--gpu-memory-utilization", str(launch.gpu_memory_utilization)]
    elif launch.cpu_single_process:
        cmd += ["--distributed-executor-backend", "uni"]
    return cmd + list(launch.extra_args)


def server_env(launch: LaunchConfig, model_path: str) -> dict[str, str]:
    return {**os.environ, **engine_env(launch, model_path)}


def engine_env(launch: LaunchConfig, model_path: str, cuda: bool | None = None) -> dict[str, str]:
    """The variables distillery sets for a vLLM engine: a managed server's, and each Ray engine actor's
    (models/ray_batch.py, which says whether its engines run on CUDA: its workers may not be this machine)."""
    env = {}
    if Path(model_path).is_dir():
        env["HF_HUB_OFFLINE"] = "1"  # a local folder needs no hub; without this vLLM still tries to reach it
    env["VLLM_NO_USAGE_STATS"] = "1"
    env["DO_NOT_TRACK"] = "1"
    if not (_cuda_available() if cuda is None else cuda):
        # Measured on 2 cores: binding both cores explicitly was ~5.7x faster than 'auto'.
        env["VLLM_CPU_KVCACHE_SPACE"] = str(launch.cpu_kvcache_space_gib)
        # inside the cores this process may use (taskset, a cpuset, a pinned test worker): models/cpu_cores.py
        bind, threads = allowed_bind(launch.cpu_omp_threads_bind, launch.omp_num_threads)
        env["VLLM_CPU_OMP_THREADS_BIND"] = bind
        env["OMP_NUM_THREADS"] = str(threads)
        if launch.cpu_single_process:  # one process fewer to import vLLM into: ~15 s of every start (docs/facts.md)
            env["VLLM_ENABLE_V1_MULTIPROCESSING"] = "0"
    return env


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def _record_key(model_path: str, served_name: str) -> str:
    return hashlib.sha256(f"{model_path}\0{served_name}".encode()).hexdigest()[:16]


def _pid_alive(pid: int) -> bool:
    """True for a running process; a zombie (killed, not yet reaped by its parent) counts as gone."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def is_healthy(base_url: str, timeout: float = 2.0) -> bool:
    root = base_url.removesuffix("/v1")
    try:
        return httpx.get(f"{root}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_ready(proc: subprocess.Popen, base_url: str, timeout: float, log_path: Path) -> None:
    """Poll /health until it answers 200; fail fast if the process exits, with the log's tail."""
    deadline = time.monotonic() + timeout
    last_note = time.monotonic()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"vLLM server exited with code {proc.returncode} while starting; "
                               f"log {log_path}:\n{_log_tail(log_path)}")
        if is_healthy(base_url):
            return
        if time.monotonic() - last_note > 15:
            log.info("waiting for vLLM at %s (%.0f s so far)", base_url, timeout - (deadline - time.monotonic()))
            last_note = time.monotonic()
        time.sleep(1.0)
    raise ServerError(f"vLLM server at {base_url} not ready after {timeout:.0f} s "
                       f"(launch.startup_timeout_s); log {log_path}:\n{_log_tail(log_path)}")


def stop_process_group(pid: int, grace_s: float = 30.0) -> None:
    """SIGTERM the server's whole process group, then SIGKILL whatever is left after the grace period."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _group_alive(pgid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap our child so it does not linger as a zombie
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Record:
    """A managed server's record in the state folder: where it answers, who stops it, and whether its owner
    handed it over to the next stage (see ManagedServer.hand_over)."""

    endpoint: Endpoint
    owner: int | None
    handed_over: bool = False


def _read_record(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text())
        owner, handed_over = data.pop("owner_pid", None), data.pop("handed_over", False)
        return Record(Endpoint(**data), owner, handed_over)
    except (OSError, ValueError, TypeError):
        return None


def _orphaned(owner: int | None) -> bool:
    """Its owner was killed (SIGKILL, the OOM killer: no finally block ran) and will never stop it."""
    return owner is not None and not _pid_alive(owner)


def reap_orphans(keep: Path | None = None) -> list[int]:
    """Stop every managed server whose owner is gone, or that was handed over and not taken, but `keep` (the
    record of the model about to be started, which the caller adopts instead). An orphan lives on in its own
    session holding memory (the 1.5B teacher ~9 GiB here) that the next server needs; one vLLM at a time. A
    record whose lock is held is being started or adopted right now: left alone. Returns the pids stopped."""
    stopped = []
    for path in sorted((state_dir() / "servers").glob("*.json")):
        if path == keep:
            continue
        with open(path.with_suffix(".lock"), "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            found = _read_record(path)
            if not found or not (found.handed_over or _orphaned(found.owner)):
                continue
            endpoint = found.endpoint
            if endpoint.pid and _pid_alive(endpoint.pid):
                why = "handed over and not taken" if found.handed_over else f"the process that started it (pid {found.owner}) is gone"
                log.warning("stopping vLLM server pid %d at %s: %s", endpoint.pid, endpoint.base_url, why)
                stop_process_group(endpoint.pid, grace_s=10)
                stopped.append(endpoint.pid)
            path.unlink(missing_ok=True)
    return stopped


class ManagedServer:
    """Start (or reuse) the local vLLM server for one model; stop it if we started it."""

    def __init__(self, spec: ServedModelConfig, log_dir: Path):
        self.spec = spec
        self.log_dir = Path(log_dir)
        self.model_path = resolve_model(spec.model)
        self.served_name = spec.served_name or spec.model
        key = _record_key(self.model_path, self.served_name)
        servers = state_dir() / "servers"
        servers.mkdir(parents=True, exist_ok=True)
        self.record_path = servers / f"{key}.json"
        self.lock_path = servers / f"{key}.lock"
        self.endpoint: Endpoint | None = None
        self._proc: subprocess.Popen | None = None

    def start(self) -> Endpoint:
        # The lock spans check-and-start, so two processes cannot both decide to launch.
        with open(self.lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            reap_orphans(keep=self.record_path)
            existing = self._live_record()
            if existing:
                log.info("reusing running vLLM server pid %s at %s", existing.pid, existing.base_url)
                self.endpoint = existing
                return existing
            self.endpoint = self._launch()
            self._write_record()
        return self.endpoint

    def _write_record(self, handed_over: bool = False) -> None:
        # owner_pid: the process that stops it. If that process is killed, the next start for the same model
        # adopts the server and any other start stops it (reap_orphans).
        self.record_path.write_text(json.dumps({**asdict(self.endpoint), "owned": False, "owner_pid": os.getpid(),
                                                "handed_over": handed_over}))

    def _live_record(self) -> Endpoint | None:
        found = _read_record(self.record_path)
        if found and found.endpoint.pid and _pid_alive(found.endpoint.pid) and is_healthy(found.endpoint.base_url):
            endpoint = found.endpoint
            # A live owner (another stage, `distillery teacher serve`) stops it; an orphan, or a server handed over
            # by the stage before, becomes ours to stop.
            endpoint.owned = found.handed_over or _orphaned(found.owner)
            if endpoint.owned:
                if found.handed_over:
                    log.info("taking over vLLM server pid %d at %s from the stage before (no second start)",
                             endpoint.pid, endpoint.base_url)
                else:
                    log.warning("adopting vLLM server pid %d at %s, left running by a killed process (pid %d)",
                                endpoint.pid, endpoint.base_url, found.owner)
                self.endpoint = endpoint
                self._write_record()
                atexit.register(self.stop)
            return endpoint
        self.record_path.unlink(missing_ok=True)  # stale: its process is gone
        return None

    def hand_over(self) -> None:
        """Leave the server up for the next stage that starts the same model (the export's check, then the
        evaluation, serve the same export: a vLLM start saved, ~1 min on the CPU). Whoever starts it next takes it
        over and stops it; a start of any other model stops it first (reap_orphans: one vLLM at a time); if
        nothing starts again, it is stopped when this process exits."""
        if not (self.endpoint and self.endpoint.owned and self.endpoint.pid):
            return
        with open(self.lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._write_record(handed_over=True)
            self.endpoint.owned = False
        atexit.register(_stop_if_not_taken, self.record_path, self.endpoint.pid)

    def _launch(self) -> Endpoint:
        launch = self.spec.launch
        port = launch.port or free_port(launch.host)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"vllm-{port}.log"
        cmd = server_command(self.model_path, self.served_name, launch, port)
        log.info("starting vLLM for %s on %s:%d (log %s)", self.spec.model, launch.host, port, log_path)
        with open(log_path, "ab") as log_file:
            self._proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          env=server_env(launch, self.model_path), start_new_session=True)
        atexit.register(self.stop)  # safety net for exits that skip our finally blocks
        base_url = f"http://{launch.host}:{port}/v1"
        started = time.monotonic()
        try:
            wait_until_ready(self._proc, base_url, launch.startup_timeout_s, log_path)
        except BaseException:
            stop_process_group(self._proc.pid, grace_s=5)
            raise
        log.info("vLLM ready at %s after %.0f s", base_url, time.monotonic() - started)
        return Endpoint(base_url, self.served_name, "EMPTY", self._proc.pid, str(log_path), owned=True)

    def stop(self) -> None:
        if self.endpoint and self.endpoint.owned and self.endpoint.pid:
            log.info("stopping vLLM server pid %d", self.endpoint.pid)
            stop_process_group(self.endpoint.pid)
            self.record_path.unlink(missing_ok=True)
            self.endpoint.owned = False

    def wait(self) -> int:
        """Block until the server process exits (foreground `teacher serve`)."""
        if self._proc is None:
            raise ServerError("wait() needs a server this process started")
        return self._proc.wait()


def _stop_if_not_taken(record_path: Path, pid: int) -> None:
    """At exit: stop a server this process handed over if no stage took it."""
    found = _read_record(record_path)
    if found and found.handed_over and found.endpoint.pid == pid:
        stop_process_group(pid, grace_s=10)
        record_path.unlink(missing_ok=True)


def external_endpoint(spec: ServedModelConfig, url: str | None = None) -> Endpoint:
    """An existing OpenAI-compatible endpoint (`url`, by default spec.endpoint); the key comes from the environment,
    never from config. It is sent only over https or to this machine, and a remote endpoint without its key fails
    here, before any request (distillery/policy.py): not 401 on every prompt with the stage reporting ok."""
    url = url or spec.endpoint
    key = os.environ.get(spec.api_key_env)
    check_key_transport(url, spec.api_key_env, key)
    return Endpoint(url.rstrip("/"), spec.served_name or spec.model, key or "EMPTY")


@contextlib.contextmanager
def served_endpoint(spec: ServedModelConfig, log_dir: Path):
    """Yield a usable Endpoint: the configured one (with teacher replicas, the first: one server is enough for a
    question, a pick or a check), or a managed vLLM server stopped on the way out."""
    url = spec.endpoint or next(iter(getattr(spec, "endpoints", None) or []), None)
    if url:
        yield external_endpoint(spec, url)
        return
    server = ManagedServer(spec, log_dir)
    try:
        yield server.start()
    finally:
        server.stop()
