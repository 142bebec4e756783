"""The stages' own errors, and a log filter that keeps Prefect from burying their one-line message.

Each stage raises a known error (a missing log file, an unreachable teacher, too few examples) whose message says
what is wrong and what to do. Under the nightly flow the stage runs as a Prefect task, and Prefect logs a failed
task, then the failed flow, each with the full traceback, to the console and to the run's log tab in the UI: 466
lines of `distillery demo` output for a missing database file (2026-12-03), the message itself at the very end.
For a known error the traceback says nothing the message does not, so the filter drops it from the log record;
any other exception keeps its traceback.
"""

import logging


def stage_errors() -> tuple[type[Exception], ...]:
    """The stages' own errors: each ends a run with its one-line message, not a traceback."""
    from distillery.policy import PolicyError
    from models.merge import MergeError
    from models.registry import RegistryError
    from models.resolve import ModelNotReady
    from models.vllm_server import ServerError
    from tasks.curation.stage import CurateError
    from tasks.evaluation.items import EvalError
    from tasks.export.stage import ExportError
    from tasks.labeling.stage import LabelError
    from tasks.report.costs import ReportError
    from tasks.sampling.sources import SourceError
    from tasks.sampling.stage import SampleError
    from tasks.training.loop import TrainError

    return (SourceError, SampleError, LabelError, ServerError, ModelNotReady, CurateError, TrainError, ExportError,
            MergeError, EvalError, RegistryError, ReportError, PolicyError)


class WithoutTraceback(logging.Filter):
    """Log a known error as its message alone: drop the record's traceback when its exception is one of `known`."""

    def __init__(self, known: tuple[type[Exception], ...]):
        super().__init__()
        self.known = known

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.known):
            record.exc_info, record.exc_text = None, None
        return True


# The console (root, prefect) and the run's log tab in the UI (Prefect's API handler on flow_runs and task_runs).
LOGGERS = ("", "prefect", "prefect.flow_runs", "prefect.task_runs")


def quiet_known_errors() -> None:
    """Attach the filter to the handlers these loggers write through (a handler's filter also sees the records
    that propagate to it from child loggers such as prefect.task_runs; a logger's own filter would not)."""
    keep_out = WithoutTraceback(stage_errors())
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, WithoutTraceback) for f in handler.filters):
                handler.addFilter(keep_out)
