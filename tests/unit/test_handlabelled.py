"""The hand-labelled ticket set (data/handlabelled/) and the scoring of benchmarks/handlabelled.py.

The set must be usable against the route's schema and must not be the demo log again: a ticket copied from the
generator's output (or lightly edited) would measure the generator's templates, not the real world. The benchmark's
scoring must count every ticket: an answer that is not the schema's JSON is wrong, never dropped.
"""

import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from distillery.config import load_config
from distillery.text.textnorm import normalize, shingles
from tests.conftest import REPO, load_benchmark

DATA = REPO / "data/handlabelled/ticket-triage.jsonl"
SCHEMA = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
CATEGORIES = SCHEMA["properties"]["category"]["enum"]
URGENCIES = SCHEMA["properties"]["urgency"]["enum"]
MAX_JACCARD = 0.5  # word-trigram Jaccard above this with a demo message: a copy, not a hand-written ticket


def benchmark():
    return load_benchmark("handlabelled")


@pytest.fixture(scope="module")
def bench():
    return benchmark()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------ the set

def test_eighty_rows_ten_per_category_every_label_in_the_route_schema(rows):
    assert len(rows) == 80
    assert all(set(r) <= {"id", "text", "category", "urgency", "note"} and {"id", "text", "category", "urgency"} <= set(r)
               for r in rows)
    assert len({r["id"] for r in rows}) == 80
    assert len({r["text"] for r in rows}) == 80 and len({normalize(r["text"]) for r in rows}) == 80
    assert all(r["text"].strip() for r in rows)
    assert {r["category"] for r in rows} <= set(CATEGORIES) and {r["urgency"] for r in rows} <= set(URGENCIES)
    assert Counter(r["category"] for r in rows) == {c: 10 for c in CATEGORIES}
    urgency = Counter(r["urgency"] for r in rows)
    assert set(urgency) == set(URGENCIES) and min(urgency.values()) >= 15, urgency


def test_the_benchmark_accepts_the_set_against_the_schema_and_names_a_bad_label(bench, rows):
    enums = bench.schema_enums(SCHEMA)
    assert bench.set_problems(rows, enums) == []
    broken = [*rows, {**rows[0], "category": "Billing"}]
    problems = bench.set_problems(broken, enums)
    assert any("'Billing' is not in the schema's enum" in p for p in problems)
    assert any(f"id {rows[0]['id']} appears 2 times" in p for p in problems)


# ------------------------------------------------------------------ not the demo log

def demo_user_texts(path: Path) -> list[str]:
    """Every user message of the demo log, whatever its route; rows the generator damaged on purpose (messages cut
    mid-JSON, an object instead of a list, a number as content) carry no usable user text and are skipped."""
    texts = []
    for line in path.read_text().splitlines():
        messages = json.loads(line).get("messages")
        if isinstance(messages, str):
            try:
                messages = json.loads(messages)
            except ValueError:
                continue
        if isinstance(messages, dict):
            messages = [messages]
        for m in messages if isinstance(messages, list) else []:
            if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str) and m["content"].strip():
                texts.append(m["content"])
    return texts


def copies(texts: list[str], demo: list[str], limit: float = MAX_JACCARD) -> list[tuple[int, float, str]]:
    """(index into texts, Jaccard, demo text) for every text equal to a demo text, or sharing more than `limit` of
    their word trigrams (normalized as the sampler's near-duplicate check normalizes them)."""
    demo_sets = [set(shingles(normalize(t))) for t in demo]
    index: dict[str, set[int]] = {}
    for j, s in enumerate(demo_sets):
        for g in s:
            index.setdefault(g, set()).add(j)
    exact = {t: j for j, t in enumerate(demo)}
    found = []
    for i, text in enumerate(texts):
        if text in exact:
            found.append((i, 1.0, text))
            continue
        mine = set(shingles(normalize(text)))
        for j in set().union(*(index.get(g, set()) for g in mine)):
            score = len(mine & demo_sets[j]) / len(mine | demo_sets[j])
            if score > limit:
                found.append((i, round(score, 3), demo[j]))
    return found


@pytest.fixture(scope="module")
def demo_texts(request) -> list[str]:
    """The developer's data/demo/production.jsonl (`make data`); where it has not been made, the same log generated
    fresh (same seed and row count, same bytes) by the demo_log fixture."""
    path = REPO / "data/demo/production.jsonl"
    if not path.is_file():
        path = request.getfixturevalue("demo_log") / "production.jsonl"
    texts = demo_user_texts(path)
    assert len(texts) > 5000, f"{path}: expected the 6,000-row demo log, read {len(texts)} user messages"
    return texts


def test_no_hand_ticket_is_in_the_demo_log(rows, demo_texts):
    found = copies([r["text"] for r in rows], demo_texts)
    assert found == [], [(rows[i]["id"], score, demo) for i, score, demo in found]


def test_a_demo_ticket_copied_into_the_set_is_caught(rows, demo_texts):
    """The planted bad case: the check above fails when a demo ticket is copied in, verbatim or lightly edited."""
    ticket = next(t for t in demo_texts if len(t.split()) >= 12 and not t.lstrip().startswith(("{", "[")))
    planted = [r["text"] for r in rows] + [ticket, "Following up, any news? " + ticket.lower() + " thx"]
    found = copies(planted, demo_texts)
    assert {i for i, _, _ in found} == {80, 81}
    assert (80, 1.0, ticket) in found


# ------------------------------------------------------------------ scoring

ENUMS = {"category": CATEGORIES, "urgency": URGENCIES}


def test_an_invalid_answer_counts_wrong_and_is_never_dropped(bench):
    answers = ['{"category": "billing", "urgency": "high", "summary": "Card charged three times."}',
               '{"category": "billing", "urgency": "high"',           # cut mid-JSON
               "billing, high",                                        # prose
               "",                                                     # a refused request
               '{"category": "Billing", "urgency": "HIGH", "summary": "x"}',  # outside the enum
               '[{"category": "billing"}]', "null",
               '{"urgency": "high", "summary": "no category"}']
    rows = [{"id": f"t{i}", "text": "x", "category": "billing", "urgency": "high"} for i in range(len(answers))]
    parsed = [bench.parse_answer(a, ENUMS) for a in answers]
    assert parsed[0] == {"category": "billing", "urgency": "high"}
    assert all(p["category"] == bench.INVALID for p in parsed[1:])
    assert parsed[-1]["urgency"] == "high", "a field the answer does give still counts"

    arm = bench.score_arm(answers, rows, ENUMS, SCHEMA)
    assert arm["n"] == len(answers) and arm["category"]["n"] == len(answers)
    assert arm["category"]["correct"] == 1 and arm["category"]["estimate"] == pytest.approx(1 / len(answers), abs=1e-4)
    assert arm["urgency"]["correct"] == 2
    assert arm["schema_valid"]["estimate"] == pytest.approx(1 / len(answers), abs=1e-4)
    assert arm["empty"] == 1 and arm["not_json_object"] == 5
    assert arm["category"]["confusion"]["billing"] == {"billing": 1, bench.INVALID: len(answers) - 1}
    assert sum(sum(row.values()) for row in arm["category"]["confusion"].values()) == len(answers)
    assert set(arm["category"]["wrong"]) == {f"t{i}" for i in range(1, len(answers))}
    with pytest.raises(ValueError, match="every"):
        bench.score_arm(answers[:-1], rows, ENUMS, SCHEMA)


@pytest.mark.parametrize("right,n", [(0, 80), (1, 80), (47, 80), (79, 80), (80, 80), (3, 5)])
def test_the_interval_contains_the_estimate(bench, right, n):
    truth = ["billing"] * n
    predicted = ["billing"] * right + ["shipping"] * (n - right)
    acc = bench.accuracy(predicted, truth)
    assert acc["method"] == "clopper-pearson" and acc["n"] == n and acc["correct"] == right
    assert acc["ci"][0] <= acc["estimate"] <= acc["ci"][1]
    assert 0 <= acc["ci"][0] <= acc["ci"][1] <= 1
    assert acc["ci"][1] - acc["ci"][0] > 0, "a 95% interval on at most 80 items is never a point"


def test_the_paired_difference_is_zero_when_both_arms_answer_alike(bench, rows):
    truth = [r["category"] for r in rows]
    same = [t if i % 3 else ("shipping" if t != "shipping" else bench.INVALID) for i, t in enumerate(truth)]
    diff = bench.paired_difference(same, list(same), truth)
    assert diff["estimate"] == 0 and diff["discordant"] == [0, 0] and diff["method"] == "tango"
    assert diff["ci"][0] < 0 < diff["ci"][1]
    assert bench.target(diff) == {"margin": 0.05, "point_estimate_within": True, "non_inferior": True}


def test_the_paired_difference_counts_discordant_items_and_its_interval_contains_it(bench, rows):
    truth = [r["category"] for r in rows]
    teacher = list(truth)
    student = [("outage" if t != "outage" else "security") if i < 8 else t for i, t in enumerate(truth)]
    diff = bench.paired_difference(student, teacher, truth)
    assert diff["estimate"] == pytest.approx(-0.1) and diff["discordant"] == [0, 8] and diff["n"] == 80
    assert diff["ci"][0] <= diff["estimate"] <= diff["ci"][1] < 0
    assert bench.target(diff)["point_estimate_within"] is False


# ------------------------------------------------------------------ the command, without real models

def test_the_teacher_is_asked_as_the_label_stage_asks_it(bench, rows, monkeypatch, tmp_path):
    from distillery.routes import messages_for, plan_route

    monkeypatch.chdir(REPO)  # the routes' files are relative to the repo root
    cfg = load_config(REPO / "configs/demo.yaml")
    messages, params, plan = bench.teacher_requests(cfg, rows[:2])
    system = (REPO / "data/routes/ticket-triage.system.md").read_text()
    assert messages[0] == [{"role": "system", "content": system}, {"role": "user", "content": rows[0]["text"]}]
    assert params == plan_route(cfg, "ticket-triage").params
    assert params["response_format"]["json_schema"]["schema"]["properties"]["category"]["enum"] == CATEGORIES
    logged = {"messages": json.dumps([{"role": "system", "content": system}, {"role": "user", "content": rows[1]["text"]}])}
    assert messages[1] == messages_for(logged, plan)

    other = tmp_path / "other.system.md"
    other.write_text("Triage this ticket.")
    replaced = load_config(REPO / "configs/demo.yaml", [f"teacher.routes.ticket-triage.system_prompt={other}"])
    messages, _, _ = bench.teacher_requests(replaced, rows[:1])
    assert messages[0] == [{"role": "system", "content": "Triage this ticket."}, {"role": "user", "content": rows[0]["text"]}]


def test_one_json_line_with_both_arms_the_paired_difference_and_the_overrides(bench, rows, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    truth = {r["id"]: r for r in rows}

    def answer(r, category=None):
        return json.dumps({"category": category or r["category"], "urgency": r["urgency"], "summary": "A summary."})

    def fake_teacher(cfg, rows):
        return [answer(r) for r in rows], {"model": cfg.teacher.model}

    def fake_student(cfg, rows, version):
        assert version == "v0042"
        return ["not json" if r["id"] == "h001" else answer(r) for r in rows], {"model": cfg.student.model, "version": version}

    monkeypatch.setattr(bench, "ask_teacher", fake_teacher)
    monkeypatch.setattr(bench, "ask_student", fake_student)
    code = bench.main(["--config", "configs/demo.yaml", "-o", "teacher.max_tokens=128", "--version", "v0042"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 0 and len(lines) == 1
    out = json.loads(lines[0])
    assert out["n"] == 80 and out["overrides"] == ["teacher.max_tokens=128"] and out["config"] == "configs/demo.yaml"
    teacher, student = out["arms"]["teacher"], out["arms"]["student"]
    assert teacher["category"]["estimate"] == 1.0 and teacher["urgency"]["correct"] == 80
    assert student["category"]["correct"] == 79 and student["category"]["wrong"] == {"h001": bench.INVALID}
    assert student["category"]["confusion"][truth["h001"]["category"]][bench.INVALID] == 1
    from distillery.config import load_config

    assert teacher["model"] == load_config(REPO / "configs/demo.yaml").teacher.model and student["version"] == "v0042"
    assert "wall_s" in teacher and "wall_s" in out
    paired = out["paired_student_minus_teacher"]
    assert paired["category"]["discordant"] == [0, 1] and paired["category"]["estimate"] == pytest.approx(-1 / 80, abs=1e-4)
    assert paired["target"]["category"]["point_estimate_within"] is True


def test_the_cascade_takes_the_students_answer_where_it_is_sure_and_the_teachers_elsewhere(bench, rows, monkeypatch, capsys):
    """The deployment of a route served with deferral, on the hand-labelled set: a student wrong where it is unsure
    is rescued by the teacher; a student wrong where it is sure is not."""
    monkeypatch.chdir(REPO)
    answer = lambda r, category=None: json.dumps({"category": category or r["category"], "urgency": r["urgency"],  # noqa: E731
                                                  "summary": "A summary."})
    wrong = {r["id"]: next(c for c in CATEGORIES if c != r["category"]) for r in rows[:20]}
    sure_of = {r["id"]: i >= 10 for i, r in enumerate(rows[:20])}  # h-tickets 0-9 wrong and unsure, 10-19 wrong and sure

    def student(cfg, rows_, version):
        texts = [answer(r, wrong.get(r["id"])) for r in rows_]
        confidences = [{"category": 0.95 if sure_of.get(r["id"], True) else 0.4, "urgency": 0.99} for r in rows_]
        return texts, {"version": version, "confidences": confidences, "routing_plan": None}

    monkeypatch.setattr(bench, "ask_teacher", lambda cfg, rows_: ([answer(r) for r in rows_], {}))
    monkeypatch.setattr(bench, "ask_student", student)
    assert bench.main(["--config", "configs/demo.yaml", "--version", "v0001"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["arms"]["student"]["category"]["correct"] == 60
    cascade = out["arms"]["cascade"]
    assert cascade["defer_below"] == 0.7 and cascade["student_answers"] == 70 and cascade["category"]["correct"] == 70
    assert set(cascade["category"]["wrong"]) == {r["id"] for r in rows[10:20]}, "sure and wrong: the teacher never sees it"
    assert out["paired_cascade_minus_teacher"]["category"]["discordant"] == [0, 10]


def test_a_failing_arm_is_reported_and_the_other_still_scored(bench, monkeypatch, capsys):
    monkeypatch.chdir(REPO)

    def broken(cfg, rows, version):
        raise RuntimeError("no champion and no servable export")

    monkeypatch.setattr(bench, "ask_student", broken)
    assert bench.main(["--only", "student"]) == 1
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "no champion" in out["arms"]["student"]["error"] and "paired_student_minus_teacher" not in out


def test_the_teacher_arm_end_to_end_against_an_openai_compatible_server(bench, rows, fake_teacher, tmp_path, monkeypatch,
                                                                         capsys):
    """The real request path (ClientPool, the plan's guided decoding) against tests/fake_teacher.py, which answers a
    valid schema instance; a request the server refuses (400) is one more ticket counted wrong, not one fewer."""
    monkeypatch.chdir(REPO)
    httpx.post(f"{fake_teacher}/control", json={"reset": True}, timeout=5).raise_for_status()
    data = tmp_path / "set.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[:12])
                    + json.dumps({"id": "bad", "text": "BAD-REQUEST please", "category": "billing", "urgency": "low"}) + "\n")
    code = bench.main(["--only", "teacher", "--data", str(data), "-o", f"teacher.endpoint={fake_teacher}/v1",
                       "-o", "teacher.model=fake-teacher", "-o", f"store.root={tmp_path}"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0, out
    teacher = out["arms"]["teacher"]
    assert teacher["n"] == 13 and teacher["category"]["n"] == 13 and teacher["refused"] == 1 and teacher["empty"] == 1
    assert teacher["schema_valid"]["estimate"] == pytest.approx(12 / 13, abs=1e-4)
    assert teacher["category"]["wrong"]["bad"] == bench.INVALID
    assert httpx.get(f"{fake_teacher}/stats", timeout=5).json()["requests"] == 13
