"""curation.history_nights: earlier nights' training examples join tonight's, and only the ones that would be
tonight's (same teacher and settings, same system prompt, a route sampled tonight, never a second copy).

Run folders are written the way the sample and label stages write them; curate runs for real (the student's
tokenizer renders the examples), the teacher is an endpoint whose fingerprint is its host and model name.
"""

import json
import logging

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import ConfigError, load_config
from distillery.routes import plan_route
from models.client_pool import teacher_fingerprint
from tasks.curation.stage import CurateError, run_curate
from tasks.curation.summary import summarize
from tasks.labeling.store import COLUMNS
from tasks.report.stage import funnel_rows
from tests.conftest import REPO

TRIAGE, INVOICE = "ticket-triage", "invoice-extract"
SYSTEM = "You triage support tickets. Answer with JSON: category, urgency, summary."
NIGHT_A, NIGHT_B, TONIGHT = "2026-11-20-aaaaaaaa", "2026-11-21-bbbbbbbb", "2026-11-22-cccccccc"
ISSUES = ["the invoice total is wrong", "I cannot log in since the update", "the export button crashes the app",
          "please add a dark mode", "my parcel never arrived", "the whole site is down", "someone changed my password",
          "how do I invite a colleague"]


@pytest.fixture
def store(tmp_path, small_model, monkeypatch):
    monkeypatch.chdir(REPO)  # the config's schema paths are relative to the repo
    return tmp_path


def config(store, small_model, *overrides):
    return load_config(REPO / "configs/demo.yaml", [
        f"store.root={store}", "teacher.endpoint=http://teacher.test/v1", "teacher.model=fake-teacher",
        f"student.model={small_model}", "curation.filters=[truncated, empty]", "curation.min_examples=1",
        *overrides])


def answer(i: int) -> str:
    return json.dumps({"category": "billing", "urgency": "low", "summary": f"ticket number {i}"})


def write_run(store, name, prompts, cfg, *, fingerprint=None, system=SYSTEM):
    """prompts: (prompt_id, route, split); each labelled by `cfg`'s teacher (or `fingerprint`) under `system`."""
    run = store / "runs" / name
    run.mkdir(parents=True)
    rows = []
    for n, (pid, route, split) in enumerate(prompts):
        user = f"{ISSUES[n % len(ISSUES)]} (order {pid})"
        rows.append({"prompt_id": pid, "route": route, "split": split, "user": user, "request_id": f"r-{pid}",
                     "messages": json.dumps([{"role": "system", "content": system}, {"role": "user", "content": user}])})
    pq.write_table(pa.Table.from_pylist(rows), run / "prompts.parquet")
    (run / "stage-sample.json").write_text(json.dumps({"stage": "sample", "run_date": name[:10]}))
    labels = []
    for n, (pid, route, _) in enumerate(prompts):
        row = {c: None for c in COLUMNS}
        row.update(prompt_id=pid, route=route, sample_index=0, text=answer(n), finish_reason="stop",
                   teacher_fingerprint=fingerprint or teacher_fingerprint(cfg.teacher),
                   gen_hash=plan_route(cfg, route).gen_hash, prompt_tokens=600, completion_tokens=20, latency_s=1.0,
                   attempts=1, teacher="fake-teacher", created_at="2026-11-23T00:00:00")
        labels.append(row)
    pq.write_table(pa.Table.from_pylist(labels), run / "labels.parquet")
    return run


def trained(run) -> list[tuple[str, str | None]]:
    """(prompt_id, night) of every row of the run's train.parquet, train and validation split alike; a run's own
    examples have no night."""
    return sorted((r["prompt_id"], r["night"]) for r in pq.read_table(run / "train.parquet").to_pylist())


def train_split(*ids):
    return [(pid, TRIAGE, "train") for pid in ids]


def test_earlier_nights_examples_join_tonights_each_once(store, small_model):
    cfg = config(store, small_model, "curation.history_nights=1")
    a = write_run(store, NIGHT_A, train_split("a0", "a1") + [("ae", TRIAGE, "eval")], cfg)
    b = write_run(store, NIGHT_B, train_split("b0", "b1"), cfg)
    tonight = write_run(store, TONIGHT, train_split("t0", "t1"), cfg)
    run_curate(cfg, a)
    run_curate(cfg, b)  # carries A's two examples into B's train.parquet, tagged with A
    assert trained(b) == [("a0", NIGHT_A), ("a1", NIGHT_A), ("b0", None), ("b1", None)]  # a run's own: no night

    record = run_curate(cfg, tonight)
    # one night back: B's own examples, not the ones B carried from A; A's held-out prompt never
    assert trained(tonight) == [("b0", NIGHT_B), ("b1", NIGHT_B), ("t0", None), ("t1", None)]
    assert record["earlier_nights"]["nights"] == [NIGHT_B] and record["earlier_nights"]["examples"] == {TRIAGE: 2}
    assert record["earlier_nights"]["skipped"] == {}  # A's rows in B's file are A's to lend, not B's: not even looked at
    assert record["examples"]["train"] + record["examples"]["val"] == 4

    two = config(store, small_model, "curation.history_nights=2")
    record = run_curate(two, tonight)  # another knob: curated again, A's examples read from A itself, once each
    assert trained(tonight) == [("a0", NIGHT_A), ("a1", NIGHT_A), ("b0", NIGHT_B), ("b1", NIGHT_B),
                                ("t0", None), ("t1", None)]
    assert record["earlier_nights"]["nights"] == [NIGHT_B, NIGHT_A]

    none = run_curate(config(store, small_model, "curation.history_nights=0"), tonight)  # tonight's only
    assert trained(tonight) == [("t0", None), ("t1", None)] and none["earlier_nights"]["nights"] == []


def test_examples_tonight_would_not_make_are_not_carried(store, small_model):
    cfg = config(store, small_model, "curation.history_nights=1")
    b = write_run(store, NIGHT_B, train_split("b0", "b1") + [("inv0", INVOICE, "train")], cfg)
    other = write_run(store, NIGHT_A, train_split("x0"), cfg, fingerprint="another-teacher")
    reworded = store / "runs" / "2026-11-19-dddddddd"
    write_run(store, reworded.name, train_split("y0"), cfg, system="You sort tickets. Reply in JSON.")
    for run in (b, other, reworded):
        run_curate(cfg, run)
    # tonight samples and labels triage only, under SYSTEM; the invoice route is not labelled tonight
    tonight = write_run(store, TONIGHT, train_split("t0"), cfg)

    record = run_curate(config(store, small_model, "curation.history_nights=3"), tonight)
    assert trained(tonight) == [("b0", NIGHT_B), ("b1", NIGHT_B), ("t0", None)]
    assert record["earlier_nights"]["skipped"] == {"another teacher or generation settings": 1,
                                                   "route not labelled tonight": 1,
                                                   "the route's system prompt changed": 1}
    assert record["funnel"]["earlier_nights"]["examples"] == {TRIAGE: 2}


def test_a_prompt_in_several_nights_is_carried_once_the_newest_copy(store, small_model):
    cfg = config(store, small_model, "curation.history_nights=0")  # each earlier night curated on its own
    a = write_run(store, NIGHT_A, train_split("same", "a1"), cfg)
    b = write_run(store, NIGHT_B, train_split("same", "b1"), cfg)
    for run in (a, b):
        run_curate(cfg, run)
    tonight = write_run(store, TONIGHT, train_split("t0", "a1"), cfg)  # tonight relabelled a1

    record = run_curate(config(store, small_model, "curation.history_nights=2"), tonight)
    assert trained(tonight) == [("a1", None), ("b1", NIGHT_B), ("same", NIGHT_B), ("t0", None)]
    assert record["earlier_nights"]["skipped"] == {"a newer copy": 2}  # A's "same" (B's is newer), A's a1 (tonight's)


def test_examples_in_an_older_student_prompt_shape_are_not_carried(store, small_model, caplog):
    cfg = config(store, small_model, "curation.history_nights=1")
    b = write_run(store, NIGHT_B, train_split("b0", "b1"), cfg)
    run_curate(cfg, b)
    table = pq.read_table(b / "train.parquet")  # as a release with another prompt shape would have written it
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, b"distillery.prompt_shape": b"0"}),
                   b / "train.parquet")
    tonight = write_run(store, TONIGHT, train_split("t0"), cfg)
    with caplog.at_level(logging.WARNING, logger="tasks.curation.earlier"):
        record = run_curate(cfg, tonight)
    assert trained(tonight) == [("t0", None)]
    assert record["earlier_nights"]["nights"] == [NIGHT_B]  # read, so an older night does not take its place
    assert record["earlier_nights"]["skipped"] == {"student prompt shape changed": 2}
    assert any("prompt shape 0" in r.getMessage() for r in caplog.records)


def test_an_unfinished_earlier_run_takes_no_nights_place(store, small_model, caplog):
    cfg = config(store, small_model, "curation.history_nights=1")
    a = write_run(store, NIGHT_A, train_split("a0"), cfg)
    run_curate(cfg, a)
    write_run(store, NIGHT_B, train_split("b0"), cfg)  # labelled, never curated (the night failed before curate)
    tonight = write_run(store, TONIGHT, train_split("t0"), cfg)
    with caplog.at_level(logging.WARNING, logger="tasks.curation.earlier"):
        record = run_curate(cfg, tonight)
    assert trained(tonight) == [("a0", NIGHT_A), ("t0", None)] and record["earlier_nights"]["nights"] == [NIGHT_A]
    assert any(NIGHT_B in r.getMessage() and "train.parquet" in r.getMessage() for r in caplog.records)


def test_a_changed_history_curates_again_instead_of_reusing(store, small_model, caplog):
    cfg = config(store, small_model, "curation.history_nights=1")
    b = write_run(store, NIGHT_B, train_split("b0"), cfg)
    run_curate(cfg, b)
    tonight = write_run(store, TONIGHT, train_split("t0"), cfg)
    run_curate(cfg, tonight)
    with caplog.at_level(logging.INFO, logger="tasks.curation.stage"):
        run_curate(cfg, tonight)
    assert any("reusing" in r.getMessage() for r in caplog.records)  # nothing changed: the committed output stands

    (b / "train.parquet").unlink()  # B's examples are gone (the run was deleted or is being redone)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tasks.curation.stage"):
        run_curate(cfg, tonight)
    assert not any("reusing" in r.getMessage() for r in caplog.records)
    assert trained(tonight) == [("t0", None)]


def test_earlier_examples_count_toward_min_examples_and_the_report_shows_them(store, small_model):
    cfg = config(store, small_model, "curation.history_nights=1", "curation.min_examples=3")
    b = write_run(store, NIGHT_B, train_split("b0", "b1"), cfg)
    run_curate(config(store, small_model, "curation.min_examples=1"), b)
    tonight = write_run(store, TONIGHT, train_split("t0"), cfg)
    with pytest.raises(CurateError, match="only 1 examples"):
        run_curate(config(store, small_model, "curation.min_examples=3", "curation.history_nights=0"), tonight)  # alone: too few
    record = run_curate(cfg, tonight)  # with B's two it is enough
    shown = summarize(record)  # what the CLI prints and the Prefect artifact shows
    assert "**1** examples + **2** from 1 earlier night(s)" in shown.headline
    assert {"step": "from earlier nights", TRIAGE: 2, "total": 2} in shown.rows

    (tonight / "stage-sample.json").write_text(json.dumps(
        {"stage": "sample", "run_date": TONIGHT[:10], "funnel": {"read": 5, "valid": 5, "unique": 5, "sampled": {TRIAGE: 1}}}))
    rows = dict(funnel_rows(tonight))
    assert rows["curation out (tonight)"] == 1 and rows["  plus from 1 earlier night(s)"] == 2
    assert rows["training examples"] == 3


def test_carrying_without_the_samplers_dedup_is_refused():
    with pytest.raises(ConfigError, match="curation.history_nights = 2 needs sampling.dedup_earlier_runs") as refused:
        load_config(REPO / "configs/demo.yaml", ["curation.history_nights=2", "sampling.dedup_earlier_runs=false"])
    # one line naming the two keys, not the whole config echoed back (a check across sections has no field of its own)
    assert len(str(refused.value).splitlines()) == 1 and "teacher" not in str(refused.value), str(refused.value)
