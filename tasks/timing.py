"""How long a task's own work took, so the flow can tell its stages' time from Prefect's overhead."""

import functools
import time


def timed(fn):
    """Wrap a task function returning a dict: the dict gains `work_s`, the seconds spent inside `fn`."""

    @functools.wraps(fn)  # keeps the signature: Prefect builds the task's parameters from it
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        result = fn(*args, **kwargs)
        return {**result, "work_s": round(time.monotonic() - started, 3)}

    return wrapper
