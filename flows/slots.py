"""One machine, one heavy job: teacher serving, training, export and the student's evaluation hold the
machine's slot, so a UI run and the nightly run never load models onto the same GPU (or 2 CPU cores) at
once. The second one waits for the slot (and says so in its log); its light stages (sampling, reports) run.

The slot is an OS file lock in the machine's state folder (distillery/paths.py `state_dir`), not a Prefect
global concurrency limit: the kernel releases a lock the moment its holder dies, however it dies. A Prefect
slot is a lease that outlives a SIGKILLed holder (300 s by default, and forever on the temporary server of
`distillery demo`, which never takes expired leases back), so the run resumed after a kill would wait on
the very run it replaces. It is per machine by construction: on a cluster each GPU box has its own.
"""

import fcntl
import json
import logging
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from distillery.paths import state_dir

log = logging.getLogger(__name__)
WAIT_NOTE_S = 60  # how often a waiting run says who holds the machine


@contextmanager
def machine_slot(stage: str, run: str = ""):
    """Hold the machine for the block, waiting (and logging who holds it) while another run has it."""
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    holder = folder / "machine.holder.json"
    with open(folder / "machine.lock", "w") as lock:
        waited = _acquire(lock, holder, stage)
        holder.write_text(json.dumps({"pid": os.getpid(), "stage": stage, "run": run,
                                      "since": datetime.now(UTC).isoformat(timespec="seconds")}))
        if waited:
            log.info("%s: got the machine after waiting %.0f s", stage, waited)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _acquire(lock, holder, stage: str) -> float:
    """Take the lock; returns the seconds spent waiting for it."""
    started = time.monotonic()
    next_note = started
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return time.monotonic() - started
        except BlockingIOError:
            pass
        if time.monotonic() >= next_note:
            log.info("%s: waiting for the machine, held by %s", stage, _describe(holder))
            next_note += WAIT_NOTE_S
        time.sleep(1.0)


def _describe(holder) -> str:
    try:
        h = json.loads(holder.read_text())
        return f"the {h['stage']} stage of run {h['run'] or '?'} (pid {h['pid']}, since {h['since']})"
    except (OSError, ValueError, KeyError):
        return "another run"
