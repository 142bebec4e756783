"""Failpoints: named places in the stages where a test can make the process die or fail on purpose.

    DISTILLERY_FAILPOINT=label.commit@3        SIGKILL this process at the 3rd committed label
    DISTILLERY_FAILPOINT=train.step@2:oom      raise an out-of-memory error at the 2nd optimizer step
    DISTILLERY_FAILPOINT=train.loss@5:nan      the 5th step's loss becomes NaN (a diverged step; the caller acts)
    DISTILLERY_FAILPOINT=train.grad@3:nan      the 3rd step's gradients become NaN after a finite loss (the caller acts)

A failpoint sits where a crash hurts most (outputs half written, a record not yet committed, a vLLM
server still up), so the kill-anywhere tests (tests/integration/test_kill_anywhere.py) prove resume at
the worst moment rather than wherever a timer happened to fire. Unset, a failpoint is one dict lookup.
"""

import os
import signal

ENV = "DISTILLERY_FAILPOINT"
_hits: dict[str, int] = {}  # hits of the point the current spec names; counting starts again when the spec changes
_spec = [""]


ACTIONS = ("kill", "oom", "nan")


def failpoint(name: str) -> str | None:
    """Do what DISTILLERY_FAILPOINT asks when it names this point and this is the asked-for hit (default the 1st).
    kill and oom happen here; any other action is returned for the caller to play (`nan`), else None."""
    spec = os.environ.get(ENV)
    if not spec:
        return None
    if spec != _spec[0]:
        _spec[0] = spec
        _hits.clear()
    point, _, action = spec.partition(":")
    point, _, hit = point.partition("@")
    if point != name:
        return None
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] != int(hit or 1):
        return None
    if action in ("", "kill"):
        os.kill(os.getpid(), signal.SIGKILL)  # like the OOM killer or a lost machine: no finally, no atexit
    elif action == "oom":
        raise simulated_oom(name)
    elif action in ACTIONS:
        return action
    raise ValueError(f"{ENV}={spec!r}: unknown action {action!r} (use one of {', '.join(ACTIONS)})")


def simulated_oom(name: str) -> BaseException:
    """The error an allocator raises when memory runs out: torch's on CUDA, MemoryError elsewhere."""
    try:
        import torch

        return torch.OutOfMemoryError(f"simulated out of memory at failpoint {name}")
    except (ImportError, AttributeError):
        return MemoryError(f"simulated out of memory at failpoint {name}")
