"""Budget allocation across routes and topics, and eval decontamination."""

from datetime import UTC, datetime

from distillery.text.textnorm import normalize, prompt_id
from tasks.sampling.allocate import allocate, pick, topic_clusters
from tasks.sampling.stage import Prompt, Quarantine, _decontaminate
from tasks.sampling.validate import Request


def test_allocate_is_proportional_and_uses_the_whole_budget():
    assert allocate(100, {"a": 1000, "b": 500, "c": 500}, {"a": 2, "b": 1, "c": 1}) == {"a": 50, "b": 25, "c": 25}
    share = allocate(10, {"a": 5, "b": 5, "c": 5}, {"a": 1, "b": 1, "c": 1})
    assert sum(share.values()) == 10 and max(share.values()) - min(share.values()) <= 1


def test_allocate_gives_what_a_small_route_cannot_take_to_the_others():
    assert allocate(100, {"a": 10, "b": 500, "c": 500}, {"a": 1, "b": 1, "c": 1}) == {"a": 10, "b": 45, "c": 45}
    assert allocate(100, {"a": 500, "b": 500}, {"a": 1, "b": 1}, cap=30) == {"a": 30, "b": 30}
    assert allocate(100, {"a": 20, "b": 30}, {"a": 1, "b": 1}) == {"a": 20, "b": 30}
    assert allocate(100, {"a": 50, "b": 50}, {"a": 1, "b": 0}) == {"a": 50, "b": 0}


def test_pick_is_seeded_and_spreads_over_topics():
    texts = [f"refund charged twice invoice {i}" for i in range(90)] + [f"security key parcel lost courier {i}" for i in range(10)]
    a, b = pick(100, 20, seed=7, texts=texts), pick(100, 20, seed=7, texts=texts)
    assert a == b and len(set(a)) == 20
    assert pick(100, 20, seed=8, texts=texts) != a
    # uniform sampling would take ~2 of the rare topic; spreading over topics takes far more of it
    assert sum(i >= 90 for i in a) >= 5
    labels = topic_clusters(texts, 2, seed=0)
    assert len(set(labels[:90])) == 1 and len(set(labels[90:])) == 1 and labels[0] != labels[95]


def _prompt(text: str, i: int) -> Prompt:
    norm = normalize(text)
    r = Request(f"req_{i}", datetime(2026, 11, 1, tzinfo=UTC), "ticket-triage", [{"role": "user", "content": text}], i, text)
    return Prompt(r, prompt_id("ticket-triage", norm), norm, r.messages, 0)


def test_train_near_duplicates_of_eval_prompts_are_dropped():
    base = "The CSV export button does nothing when I click it in Firefox since the last release, please help us out"
    eval_ = [_prompt(base, 1)]
    train = [_prompt(base + " today", 2), _prompt("Could you add dark mode to the dashboard for our night shift team", 3)]
    q = Quarantine()
    kept, dropped = _decontaminate(train, eval_, 0.7, q)
    assert dropped == 1 and [p.request.request_id for p in kept] == ["req_3"]
    assert q.rows[0]["reason"] == "duplicate:eval_contamination" and q.rows[0]["duplicate_of"] == eval_[0].prompt_id
