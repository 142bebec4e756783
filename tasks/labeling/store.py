"""The label store: every committed teacher answer, keyed (prompt_id, teacher, generation config, sample).

SQLite in the store folder, shared by all runs: a label is paid for once and reused by any later run
that asks the same teacher the same way. Each answer is committed in its own transaction as it
arrives, so a SIGKILL loses at most the requests that were in flight, never a committed label, and
`INSERT OR IGNORE` on the primary key makes a duplicate impossible.
"""

import sqlite3
from pathlib import Path

COLUMNS = ("prompt_id", "teacher_fingerprint", "gen_hash", "sample_index", "route", "teacher", "text", "finish_reason",
           "prompt_tokens", "completion_tokens", "latency_s", "attempts", "logprobs", "created_at")


class LabelStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")   # readers never block the writer
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed row survives a killed process
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS labels (prompt_id TEXT, teacher_fingerprint TEXT, gen_hash TEXT, sample_index INTEGER, "
            "route TEXT, teacher TEXT, text TEXT, finish_reason TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, "
            "latency_s REAL, attempts INTEGER, logprobs TEXT, created_at TEXT, "
            "PRIMARY KEY (prompt_id, teacher_fingerprint, gen_hash, sample_index))")
        self.db.commit()

    def committed(self, fingerprint: str, gen_hash: str, n: int) -> set[str]:
        """prompt_ids that already have all n samples for this teacher and generation config."""
        rows = self.db.execute("SELECT prompt_id FROM labels WHERE teacher_fingerprint=? AND gen_hash=? AND sample_index<? "
                               "GROUP BY prompt_id HAVING COUNT(*)=?", (fingerprint, gen_hash, n, n))
        return {r[0] for r in rows}

    def add(self, rows: list[dict]) -> int:
        """Commit one prompt's samples together; returns how many were new."""
        with self.db:
            cur = self.db.executemany(f"INSERT OR IGNORE INTO labels ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                                      [tuple(r[c] for c in COLUMNS) for r in rows])
        return cur.rowcount

    def fetch(self, keys: list[tuple[str, str, int]], fingerprint: str) -> list[dict]:
        """The labels for (prompt_id, gen_hash, n) keys, ordered by prompt and sample."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (prompt_id TEXT, gen_hash TEXT, n INTEGER)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT INTO wanted VALUES (?, ?, ?)", keys)
        cur = self.db.execute(
            f"SELECT {', '.join('l.' + c for c in COLUMNS)} FROM labels l JOIN wanted w ON l.prompt_id=w.prompt_id "
            "AND l.gen_hash=w.gen_hash AND l.sample_index<w.n WHERE l.teacher_fingerprint=? ORDER BY l.prompt_id, l.sample_index",
            (fingerprint,))
        return [dict(zip(COLUMNS, row)) for row in cur]

    def close(self) -> None:
        self.db.close()
