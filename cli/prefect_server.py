"""Which Prefect server `distillery demo` runs its flow on: the one `make serve` started, if it is up (so the
run shows in the UI), else a temporary one for this process.

The temporary server is a uvicorn child process that Prefect stops at exit. A `distillery demo` that is
SIGKILLed never exits cleanly and its server would live on (~200 MB, a port, CPU) forever, one more per
kill. So its pid is recorded with ours in the state folder, and the next demo stops the servers whose
owner is gone before starting its own.
"""

import atexit
import json
import logging
import os
import urllib.request
from pathlib import Path

from distillery.paths import state_dir

log = logging.getLogger(__name__)
STARTUP_TIMEOUT_S = 180
SERVER_MARK = "prefect.server.api.server"  # in the temporary server's command line: never stop anything else


def use_local_prefect_server() -> str | None:
    """PREFECT_API_URL for the demo's flow run: an explicit one wins, then `make serve`'s, else None (then
    start_temporary_server). Returns the URL of `make serve`'s server when that is the one used."""
    state = Path(os.environ.get("DISTILLERY_PREFECT_DIR", ".distillery/prefect")) / "api_url"
    if os.environ.get("PREFECT_API_URL") or not state.is_file():
        return None
    url = state.read_text().strip()
    try:
        urllib.request.urlopen(f"{url}/health", timeout=2)
    except OSError:
        return None
    os.environ["PREFECT_API_URL"] = url
    return url


def start_temporary_server() -> None:
    """Start Prefect's temporary server for this process now (it would start on the flow's first call) and
    record its pid, after stopping the ones that killed demos left behind."""
    from prefect.server.api.server import SubprocessASGIServer

    folder = state_dir() / "prefect-servers"
    folder.mkdir(parents=True, exist_ok=True)
    stop_orphaned_servers(folder)
    server = SubprocessASGIServer()  # the one instance Prefect's client uses in this process: it finds it started
    server.start(timeout=startup_timeout())
    record = folder / f"{os.getpid()}.json"
    record.write_text(json.dumps({"owner_pid": os.getpid(), "pid": server.server_process.pid}))
    atexit.register(record.unlink, missing_ok=True)  # a clean exit: Prefect stops the server itself


def startup_timeout() -> int:
    """Seconds to wait for the temporary server: Prefect's 20 s default is too short for a first start, which
    migrates a new database; on CI's 2 busy cores that took longer and failed the demo. A larger
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS set by the user wins."""
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    return max(STARTUP_TIMEOUT_S, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())


def stop_orphaned_servers(folder: Path) -> list[int]:
    """Stop the temporary servers whose demo is gone; forget the records of servers that are gone too."""
    import psutil

    stopped = []
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        if _running(record["owner_pid"]):
            continue
        try:
            server = psutil.Process(record["pid"])
            if SERVER_MARK in " ".join(server.cmdline()):  # the pid may have been reused by now
                log.warning("stopping the temporary Prefect server pid %d left by a killed demo (pid %d)",
                            server.pid, record["owner_pid"])
                server.terminate()
                try:
                    server.wait(timeout=10)
                except psutil.TimeoutExpired:
                    server.kill()
                stopped.append(server.pid)
        except psutil.Error:
            pass
        path.unlink(missing_ok=True)
    return stopped


def _running(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
