"""The curate stage on sampled demo prompts with planted teacher answers: each filter drops exactly its cases."""

import hashlib
import json
from datetime import date

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from tasks.curation.filters import Example
from tasks.curation.stage import CurateError, _judge_messages, run_curate
from tasks.labeling.store import COLUMNS
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

GERMAN = "Hallo, vielen Dank für Ihre Nachricht. Unser Team prüft die Rechnung und meldet sich morgen bei Ihnen."


def label(prompt: dict, text: str, finish="stop", index=0) -> dict:
    row = {c: None for c in COLUMNS}
    row.update(prompt_id=prompt["prompt_id"], route=prompt["route"], sample_index=index, text=text, finish_reason=finish,
               teacher_fingerprint="t", gen_hash="g", prompt_tokens=600, completion_tokens=max(1, len(text) // 4),
               latency_s=1.0, attempts=1, teacher="t", created_at="2026-11-23T00:00:00")
    return row


@pytest.fixture
def run(small_model, demo_log, tmp_path, monkeypatch):
    """A sampled run whose labels are the production answers from the log, with one planted case per filter."""
    monkeypatch.chdir(REPO)
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{demo_log / 'production.db'}", "sampling.budget=120",
                                                   f"store.root={tmp_path}", f"student.model={small_model}"])
    run_sample(cfg, tmp_path / "run", date(2026, 11, 23))
    answers = {}
    for line in (demo_log / "production.jsonl").read_text().splitlines():
        row = json.loads(line)
        answers[row["request_id"]] = row.get("response")
    prompts = pq.read_table(tmp_path / "run" / "prompts.parquet").to_pylist()
    train = [p for p in prompts if p["split"] == "train"]
    by_route = {r: [p for p in train if p["route"] == r] for r in ("ticket-triage", "invoice-extract", "support-reply")}
    t, inv, rep = by_route["ticket-triage"], by_route["invoice-extract"], by_route["support-reply"]
    planted = {t[0]["prompt_id"]: "truncated", t[1]["prompt_id"]: "empty", rep[0]["prompt_id"]: "refusal",
               t[2]["prompt_id"]: "schema", inv[0]["prompt_id"]: "schema", rep[1]["prompt_id"]: "length",
               rep[2]["prompt_id"]: "language", t[3]["prompt_id"]: "consistency", t[4]["prompt_id"]: "contradiction"}
    labels = []
    for p in prompts:
        good = answers[p["request_id"]]
        kind = planted.get(p["prompt_id"])
        if kind == "truncated":
            labels.append(label(p, good[: len(good) // 2], finish="length"))
        elif kind == "empty":
            labels.append(label(p, "  "))
        elif kind == "refusal":
            labels.append(label(p, "I'm sorry, but I cannot help with that request."))
        elif kind == "schema":
            bad = json.loads(good)
            bad["category" if p["route"] == "ticket-triage" else "currency"] = "unknown"
            labels.append(label(p, json.dumps(bad)))
        elif kind == "length":
            labels.append(label(p, good + (" We really value you as a customer." * 60)))
        elif kind == "language":
            labels.append(label(p, GERMAN))
        elif kind == "consistency":
            other = json.loads(good)
            other.update(category="security" if other["category"] != "security" else "billing", urgency="high", summary="x")
            labels += [label(p, good, index=0), label(p, json.dumps(other), index=1)]
        else:
            labels.append(label(p, good))
    # A near-duplicate of a triage prompt, given a conflicting category: both must go.
    twin = dict(t[4], prompt_id="f" * 20, user=t[4]["user"] + " Thanks again", request_id="req_twin")
    conflicting = json.loads(answers[t[4]["request_id"]])
    conflicting["category"] = "feature_request" if conflicting["category"] != "feature_request" else "billing"
    labels.append(label(twin, json.dumps(conflicting)))
    planted[twin["prompt_id"]] = "contradiction"
    pq.write_table(pa.Table.from_pylist(prompts + [twin]), tmp_path / "run" / "prompts.parquet")
    pq.write_table(pa.Table.from_pylist(labels), tmp_path / "run" / "labels.parquet")
    return cfg, tmp_path / "run", planted, len(train) + 1


def test_each_filter_drops_exactly_its_planted_case(run):
    cfg, folder, planted, n_train = run
    record = run_curate(cfg, folder)
    rejections = pq.read_table(folder / "rejections.parquet").to_pylist()
    assert {r["prompt_id"]: r["filter"] for r in rejections} == planted
    f = record["funnel"]
    assert f["total"] == {"in": n_train, "dropped": len(planted), "out": n_train - len(planted)}
    assert sum(sum(v.values()) for v in f["dropped"].values()) + sum(f["out"].values()) == n_train
    assert json.loads((folder / "funnel.json").read_text()) == f


def test_examples_are_compressed_to_the_student_shape(run):
    cfg, folder, _, _ = run
    record = run_curate(cfg, folder)
    table = pq.read_table(folder / "train.parquet")
    rows = table.to_pylist()
    assert {r["split"] for r in rows} == {"train", "val"}
    for r in rows:
        messages = json.loads(r["messages"])
        assert [m["role"] for m in messages] == ["user", "assistant"], "no system prompt in a training example"
        assert messages[0]["content"].startswith(f"[{r['route']}]\n") and messages[1]["content"] == r["answer"]
        assert 10 < r["student_prompt_tokens"] < r["teacher_prompt_tokens"]
    removed = json.loads(table.schema.metadata[b"distillery.removed_templates"])
    assert set(removed) == {"ticket-triage", "invoice-extract", "support-reply"}
    assert all(t["chars"] > 1500 for t in removed.values())
    assert all(v["saved_mean"] > 300 for v in record["prompt_tokens_per_request"].values())


def test_too_few_survivors_stop_before_training(run):
    cfg, folder, _, n_train = run
    strict = cfg.model_copy(update={"curation": cfg.curation.model_copy(update={"min_examples": n_train})})
    with pytest.raises(CurateError, match=r"only \d+ examples survived curation \(curation.min_examples = \d+\); biggest drops: .*rejections.parquet"):
        run_curate(strict, folder)
    assert (folder / "funnel.json").is_file() and (folder / "rejections.parquet").is_file()


def test_judge_drops_low_scores(run, fake_teacher):
    cfg, folder, planted, n_train = run
    httpx.post(f"{fake_teacher}/control", json={"reset": True}).raise_for_status()
    judged = load_config(REPO / "configs/demo.yaml", [f"source.url={cfg.source.url}", f"store.root={cfg.store.root}",
                                                      f"student.model={cfg.student.model}", f"teacher.endpoint={fake_teacher}/v1",
                                                      "teacher.model=fake-teacher", "curation.judge.min_score=3",
                                                      "curation.filters=[truncated, empty, refusal, schema, length, language, consistency, contradiction, judge]"])
    run_curate(judged, folder)
    rejections = pq.read_table(folder / "rejections.parquet").to_pylist()
    by_judge = {r["prompt_id"] for r in rejections if r["filter"] == "judge"}
    answers = {x["prompt_id"]: x for x in pq.read_table(folder / "labels.parquet").to_pylist() if x["sample_index"] == 0}
    survivors_before = [p for p in pq.read_table(folder / "prompts.parquet").to_pylist() if p["split"] == "train" and p["prompt_id"] not in planted]

    def score(p):  # what the fake judge answers for this example's judge request
        judge_user = _judge_messages(Example(p, [answers[p["prompt_id"]]], None, None))[1]["content"]
        return 1 + int(hashlib.sha256(judge_user.encode()).hexdigest()[:2], 16) % 5

    expected = {p["prompt_id"] for p in survivors_before if score(p) < 3}
    assert expected and by_judge == expected
    scores = pq.read_table(folder / "train.parquet")["judge_score"].to_pylist()
    assert all(s >= 3 for s in scores)
