"""`make serve`'s server begins every SQLite transaction IMMEDIATE (cli/prefect_sqlite.py), so a transaction that
reads then writes waits its turn instead of failing with "database is locked"; the server-log check is in
tests/integration/test_nightly_deployment.py."""

import subprocess
import sys

from tests.conftest import REPO

# A transaction begun by Prefect's own SQLite configuration reads; meanwhile another connection tries to write
# without waiting. It succeeds against a DEFERRED transaction (stock Prefect: the reader would then fail to
# upgrade) and is refused while an IMMEDIATE one holds the write lock.
PROBE = """
import asyncio, sqlite3, sys
import sqlalchemy as sa
from prefect.server.database.configurations import AioSqliteConfiguration
import cli.prefect_sqlite as patch

async def main(path, patched):
    if patched:
        assert patch.apply() and not patch.apply()
    config = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{path}")
    session = await config.session(await config.engine())
    async with session:
        async with config.begin_transaction(session):
            await session.execute(sa.text("SELECT 1"))
            try:
                other = sqlite3.connect(path, timeout=0)
                other.execute("CREATE TABLE t (x)")
                other.commit()
                print("other writer: wrote")
            except sqlite3.OperationalError as error:
                print(f"other writer: {error}")

asyncio.run(main(sys.argv[1], sys.argv[2] == "patched"))
"""


def probe(tmp_path, mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / f"{mode}.db"), mode], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_transaction_takes_the_write_lock_up_front_only_when_patched(tmp_path):
    assert probe(tmp_path, "stock") == "other writer: wrote"
    assert probe(tmp_path, "patched") == "other writer: database is locked"
