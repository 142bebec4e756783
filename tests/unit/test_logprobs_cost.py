"""benchmarks/logprobs_cost.py reads its prompts from the log as the sample stage would keep them: distinct, parseable
and not too long. A planted long, malformed or repeated request must not reach the teacher (a 400 would end the run)."""

import json
import sqlite3

from tests.conftest import load_benchmark


def test_the_prompts_skip_what_the_sample_stage_quarantines(tmp_path):
    db = tmp_path / "log.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE requests (created_at TEXT, route TEXT, messages TEXT)")
    say = lambda text: json.dumps([{"role": "user", "content": text}])  # noqa: E731
    rows = [("1", "ticket-triage", say("printer on fire")), ("2", "ticket-triage", "{not json"),
            ("3", "ticket-triage", say("x" * 5000)), ("4", "ticket-triage", say("printer on fire")),
            ("5", "invoice-extract", say("INV-1")), ("6", "ticket-triage", say("refund please")),
            ("7", "ticket-triage", say("third"))]
    con.executemany("INSERT INTO requests VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()
    prompts = load_benchmark("logprobs_cost").log_prompts(db, "ticket-triage", 2, max_chars=4000)
    assert [json.loads(p["messages"])[0]["content"] for p in prompts] == ["printer on fire", "refund please"]
