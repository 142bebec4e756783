"""Every task attempt is timed and recorded: the flow tells its stages' time from Prefect's overhead, and
the cost report bills failed and repeated attempts too (distillery/store.py `stage_attempt`)."""

import functools
import inspect
import time
from pathlib import Path

from distillery.store import stage_attempt


def timed(stage: str):
    """Decorate a task function that takes `run_dir` and returns a dict: the call is recorded as an attempt of
    `stage` in the run's attempts.jsonl, and the dict gains `work_s`, the seconds spent inside the function."""

    def wrap(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)  # keeps the signature: Prefect builds the task's parameters from it
        def wrapper(*args, **kwargs):
            run_dir = Path(signature.bind(*args, **kwargs).arguments["run_dir"])
            started = time.monotonic()
            with stage_attempt(run_dir, stage):
                result = fn(*args, **kwargs)
            return {**result, "work_s": round(time.monotonic() - started, 3)}

        return wrapper

    return wrap
