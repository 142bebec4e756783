"""benchmarks/paired_students.py: two runs' students paired on the held-out items both answered.

Only shared items are paired; the difference is B - A with Tango's interval, so a student right where the other is
wrong on many items must show a positive difference whose interval excludes 0, and equal students a difference of 0.
"""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("paired_students")


def write_eval(run, fields: dict[str, dict], route="ticket-triage"):
    run.mkdir()
    rows = [{"prompt_id": pid, "route": route, "fields_student": json.dumps(f)} for pid, f in fields.items()]
    rows.append({"prompt_id": "other-route", "route": "invoice-extract", "fields_student": json.dumps({"total": True})})
    pq.write_table(pa.Table.from_pylist(rows), run / "eval.parquet")
    return run


def test_the_better_student_shows_a_difference_that_excludes_zero(bench, tmp_path, capsys):
    a = {f"p{i}": {"category": i < 20, "urgency": True} for i in range(60)}   # right on 20 of 60 categories
    b = {f"p{i}": {"category": i < 50, "urgency": True} for i in range(60)}   # on 50, including A's 20
    b["only-b"] = {"category": True, "urgency": True}                           # not in A: never paired
    assert bench.main([str(write_eval(tmp_path / "a", a)), str(write_eval(tmp_path / "b", b))]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (out["items"], out["only_a"], out["only_b"]) == (60, 0, 1)
    cat = out["category"]
    assert cat["a"]["agreed"] == 20 and cat["b"]["agreed"] == 50
    assert cat["b_minus_a"]["estimate"] == pytest.approx(0.5) and cat["b_minus_a"]["discordant"] == [30, 0]
    assert cat["b_minus_a"]["ci"][0] > 0
    urgency = out["urgency"]["b_minus_a"]  # both always right: no difference
    assert urgency["estimate"] == 0 and urgency["ci"][0] <= 0 <= urgency["ci"][1]


def test_runs_with_nothing_in_common_are_refused(bench, tmp_path, capsys):
    a = write_eval(tmp_path / "a", {"p1": {"category": True}})
    b = write_eval(tmp_path / "b", {"q1": {"category": True}})
    assert bench.main([str(a), str(b)]) == 1
    assert "share no ticket-triage item" in capsys.readouterr().err
    assert bench.main([str(a), str(tmp_path / "missing")]) == 2
