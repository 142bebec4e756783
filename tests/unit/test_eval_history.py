"""evaluation.history_nights: tonight's eval set pools the held-out items of earlier runs in the same store.

Run folders are written the way the sample and label stages write them (prompts.parquet, labels.parquet, a
stage-sample.json with the run date); no model is needed: the teacher is an endpoint, whose fingerprint is its
host and model name.
"""

import json
import logging
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from distillery.routes import plan_route
from models.client_pool import teacher_fingerprint
from tasks.evaluation.items import EvalError, load_items
from tests.conftest import REPO

TRIAGE, REPLY = "ticket-triage", "support-reply"
TONIGHT = "2026-11-22-cccccccc"
NIGHT_1 = "2026-11-21-bbbbbbbb"   # the newest earlier night
NIGHT_2 = "2026-11-20-aaaaaaaa"


def config(store: Path, *overrides: str):
    return load_config(REPO / "configs/demo.yaml", [f"store.root={store}", "teacher.endpoint=http://teacher.test/v1",
                                                    "teacher.model=fake-teacher", *overrides])


def write_run(store: Path, name: str, prompts: list[tuple], cfg, *, label: bool = True, dated: bool = True,
              fingerprint: str | None = None) -> Path:
    """prompts: (prompt_id, route, split); every prompt is labelled by `cfg`'s teacher (or `fingerprint`) with
    the answer '<name>:<prompt_id>', so a test can tell which night's copy an item is."""
    run = store / "runs" / name
    run.mkdir(parents=True)
    rows = [{"prompt_id": pid, "route": route, "user": f"ticket {pid}", "split": split,
             "messages": json.dumps([{"role": "user", "content": f"ticket {pid}"}])} for pid, route, split in prompts]
    pq.write_table(pa.Table.from_pylist(rows), run / "prompts.parquet")
    if dated:
        (run / "stage-sample.json").write_text(json.dumps({"stage": "sample", "run_date": name[:10]}))
    if label:
        fp = fingerprint or teacher_fingerprint(cfg.teacher)
        labels = [{"prompt_id": pid, "teacher_fingerprint": fp, "gen_hash": plan_route(cfg, route).gen_hash,
                   "sample_index": 0, "route": route, "teacher": cfg.teacher.model, "text": f"{name}:{pid}",
                   "finish_reason": "stop", "prompt_tokens": 600, "completion_tokens": 30, "latency_s": 1.0}
                  for pid, route, _ in prompts]
        pq.write_table(pa.Table.from_pylist(labels), run / "labels.parquet")
    return run


def eval_prompts(prefix: str, n: int, route: str = TRIAGE) -> list[tuple]:
    return [(f"{prefix}{i}", route, "eval") for i in range(n)]


def picked(items) -> list[tuple[str, str]]:
    return [(it.prompt_id, it.night) for it in items]


@pytest.fixture
def store(tmp_path) -> Path:
    """Three runs: two earlier nights and tonight, each with its own eval prompts and a train prompt."""
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_2, eval_prompts("a", 2) + [("a-train", TRIAGE, "train")], cfg)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 2) + [("b-train", TRIAGE, "train")], cfg)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 2) + [("c-train", TRIAGE, "train")], cfg)
    return tmp_path


def test_earlier_nights_eval_items_join_tonights(store):
    items, counts = load_items(config(store), store / "runs" / TONIGHT)
    # tonight's first, then the newest night's; train prompts never
    assert picked(items) == [("c0", TONIGHT), ("c1", TONIGHT), ("b0", NIGHT_1), ("b1", NIGHT_1),
                             ("a0", NIGHT_2), ("a1", NIGHT_2)]
    assert [it.teacher.text for it in items][2] == f"{NIGHT_1}:b0"  # the earlier night's answer, reused
    assert counts["pooled"] == 4 and counts["items"] == 6
    assert counts["eval_prompts"] == 2 and counts["unlabeled"] == 0


def test_history_nights_zero_is_tonight_only(store):
    items, counts = load_items(config(store, "evaluation.history_nights=0"), store / "runs" / TONIGHT)
    assert picked(items) == [("c0", TONIGHT), ("c1", TONIGHT)]
    assert counts["pooled"] == 0 and counts["evidence"] == {TRIAGE: {"items": 2, "nights": 1}}


def test_history_nights_takes_the_newest_nights_by_date_not_modification_time(store):
    # the oldest night's folder touched last: its modification time must not make it "newest"
    os.utime(store / "runs" / NIGHT_2, (2_000_000_000, 2_000_000_000))
    os.utime(store / "runs" / NIGHT_1, (1_000_000_000, 1_000_000_000))
    items, _ = load_items(config(store, "evaluation.history_nights=1"), store / "runs" / TONIGHT)
    assert {night for _, night in picked(items)} == {TONIGHT, NIGHT_1}


def test_later_runs_never_join_an_earlier_nights_evaluation(store):
    items, _ = load_items(config(store), store / "runs" / NIGHT_1)  # evaluating an older run again
    assert {night for _, night in picked(items)} == {NIGHT_1, NIGHT_2}


def test_a_prompt_in_two_runs_is_one_item_tonights_copy(tmp_path):
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_2, [("dup", TRIAGE, "eval"), ("old", TRIAGE, "eval")], cfg)
    write_run(tmp_path, NIGHT_1, [("dup", TRIAGE, "eval"), ("old", TRIAGE, "eval")], cfg)
    write_run(tmp_path, TONIGHT, [("dup", TRIAGE, "eval")], cfg)
    items, counts = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert sorted(it.prompt_id for it in items) == ["dup", "old"]
    by_id = {it.prompt_id: it for it in items}
    assert (by_id["dup"].night, by_id["dup"].teacher.text) == (TONIGHT, f"{TONIGHT}:dup")
    assert by_id["old"].night == NIGHT_1  # between earlier nights, the newest copy
    assert counts["pooled"] == 1


def test_an_earlier_run_of_another_teacher_contributes_nothing(tmp_path):
    cfg = config(tmp_path)
    other = teacher_fingerprint(config(tmp_path, "teacher.model=another-teacher").teacher)
    assert other != teacher_fingerprint(cfg.teacher)
    write_run(tmp_path, NIGHT_2, eval_prompts("a", 3), cfg)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 3), cfg, fingerprint=other)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 2), cfg)
    items, counts = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert not [it for it in items if it.night == NIGHT_1]
    assert {night for _, night in picked(items)} == {TONIGHT, NIGHT_2}
    assert counts["pooled"] == 3


def test_labels_of_other_generation_settings_do_not_count(tmp_path):
    """An earlier night labelled with other route settings (its gen_hash) answered another question."""
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 3), config(tmp_path, "teacher.routes.ticket-triage.max_tokens=200"))
    cfg = config(tmp_path)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 2), cfg)
    items, counts = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert picked(items) == [("c0", TONIGHT), ("c1", TONIGHT)] and counts["pooled"] == 0


def test_incomplete_or_unreadable_earlier_runs_are_skipped_with_a_warning(store, caplog):
    cfg = config(store)
    write_run(store, "2026-11-21-dddddddd", eval_prompts("d", 2), cfg, label=False)   # never labelled
    broken = write_run(store, "2026-11-21-eeeeeeee", eval_prompts("e", 2), cfg)
    (broken / "labels.parquet").write_bytes(b"not parquet")                            # unreadable
    with caplog.at_level(logging.WARNING, logger="tasks.evaluation"):
        items, _ = load_items(cfg.model_copy(update={"evaluation": cfg.evaluation.model_copy(
            update={"history_nights": 2})}), store / "runs" / TONIGHT)
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "2026-11-21-dddddddd" in warned and "labels.parquet" in warned
    assert "2026-11-21-eeeeeeee" in warned and "unreadable" in warned
    # neither takes a night's place: the two usable earlier nights still join
    assert {night for _, night in picked(items)} == {TONIGHT, NIGHT_1, NIGHT_2}


def test_evidence_counts_items_and_nights_per_route(tmp_path):
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_2, eval_prompts("a", 3) + eval_prompts("ar", 1, REPLY), cfg)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 2), cfg)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 1) + eval_prompts("cr", 2, REPLY), cfg)
    items, counts = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert counts["evidence"] == {TRIAGE: {"items": 6, "nights": 3}, REPLY: {"items": 3, "nights": 2}}
    assert counts["pooled"] == 6 and counts["items"] == len(items) == 9


def test_max_items_keeps_tonights_first_then_the_newest_nights(store):
    items, counts = load_items(config(store, "evaluation.max_items=3"), store / "runs" / TONIGHT)
    assert picked(items) == [("c0", TONIGHT), ("c1", TONIGHT), ("b0", NIGHT_1)]
    assert counts["evidence"] == {TRIAGE: {"items": 3, "nights": 2}} and counts["pooled"] == 1
    items, _ = load_items(config(store, "evaluation.max_items=1"), store / "runs" / TONIGHT)
    assert picked(items) == [("c0", TONIGHT)]


def test_a_route_tonight_does_not_sample_is_left_out(tmp_path):
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 2) + eval_prompts("br", 2, REPLY), cfg)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 2), cfg)
    items, counts = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert {it.route for it in items} == {TRIAGE} and counts["pooled"] == 2


def test_undated_runs_pool_nothing_and_never_crash(tmp_path, caplog):
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 2), cfg)
    write_run(tmp_path, "scratch", eval_prompts("s", 2), cfg, dated=False)
    with caplog.at_level(logging.WARNING, logger="tasks.evaluation"):
        items, _ = load_items(cfg, tmp_path / "runs" / "scratch")   # tonight undated: cannot tell what is earlier
    assert picked(items) == [("s0", "scratch"), ("s1", "scratch")]
    assert any("no run date" in r.getMessage() for r in caplog.records)
    write_run(tmp_path, TONIGHT, eval_prompts("c", 1), cfg)          # an undated sibling is ignored
    items, _ = load_items(cfg, tmp_path / "runs" / TONIGHT)
    assert {night for _, night in picked(items)} == {TONIGHT, NIGHT_1}


def test_same_inputs_same_items(store):
    first = load_items(config(store), store / "runs" / TONIGHT)
    second = load_items(config(store), store / "runs" / TONIGHT)
    assert picked(first[0]) == picked(second[0]) and first[1]["items_sha256"] == second[1]["items_sha256"]
    other = load_items(config(store, "evaluation.history_nights=1"), store / "runs" / TONIGHT)
    assert other[1]["items_sha256"] != first[1]["items_sha256"]


def test_tonights_own_errors_are_unchanged(tmp_path):
    cfg = config(tmp_path)
    write_run(tmp_path, NIGHT_1, eval_prompts("b", 2), cfg)
    write_run(tmp_path, TONIGHT, [("c-train", TRIAGE, "train")], cfg)
    with pytest.raises(EvalError, match="no eval split"):
        load_items(cfg, tmp_path / "runs" / TONIGHT)
