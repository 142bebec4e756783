"""`make serve`'s server takes SQLite's write lock up front in mark_deployments_ready (PrefectHQ/prefect#22967,
backported by cli/prefect_sqlite.py); the server log check is in tests/integration/test_nightly_deployment.py."""

import subprocess
import sys

from cli.prefect_sqlite import _Immediate, needs_backport
from tests.conftest import REPO


def test_the_backport_applies_only_to_prefect_without_the_fix():
    assert needs_backport("3.7.7") and needs_backport("3.8.5")
    assert not needs_backport("3.8.6") and not needs_backport("3.9.1")


def test_a_transaction_it_begins_takes_the_write_lock_and_reads_stay_plain():
    calls = []

    class Db:
        def session_context(self, begin_transaction=False, with_for_update=False):
            calls.append((begin_transaction, with_for_update))

        dialect = "sqlite"

    db = _Immediate(Db())
    db.session_context(begin_transaction=True)
    db.session_context()
    assert calls == [(True, True), (False, False)] and db.dialect == "sqlite"


def test_the_server_modules_import_the_patched_function():
    """Applied before prefect.server.api is imported, both places that queue the task get the patched one."""
    code = ("import cli.prefect_sqlite as p; assert p.apply(); assert not p.apply()\n"
            "import prefect.server.api.workers as w, prefect.server.api.background_workers as b\n"
            "assert w.mark_deployments_ready._immediate\n"
            "assert any(getattr(f, '_immediate', False) for f in b.task_functions)\n"
            "import inspect; assert 'retry' in inspect.signature(w.mark_deployments_ready).parameters")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
