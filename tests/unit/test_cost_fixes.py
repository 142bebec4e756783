"""Costs without a thumb on the scale, each fix on a hand-checked run folder (a three-route run shaped like the demo's).

The token counts are the demo's: the demo log's per-route means of the production model's measured tokens
(data/generate_demo_log.py, seed 20261123: ticket-triage 666 in / 25 out, support-reply 446 / 61, invoice-extract
544 / 27), its system prompts (data/routes/*.system.md, ~612 / 397 / 483 tokens at 4 characters a token), the
student's input the rest (the user text behind a route tag: 54 / 49 / 61), and its traffic mix 50% / 25% / 25%.
Production-weighted: teacher 0.5 * 666 + 0.25 * 446 + 0.25 * 544 = 580.5 in, 0.5 * 25 + 0.25 * 61 + 0.25 * 27 = 34.5
out; student 0.5 * 54 + 0.25 * 49 + 0.25 * 61 = 54.5 in, 34.5 out; system prompt 0.5 * 612 + 0.25 * 397 + 0.25 * 483 = 526.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import ConfigError, PricingConfig, validate_config
from tasks.report import cost_model as cm
from tasks.report.costs import run_costs
from tasks.report.pricing import student_options

# route: (system prompt chars, user chars, teacher tokens in, teacher tokens out, student tokens in); 4 chars a token
ROUTES = {"ticket-triage": (2448, 216, 666, 25, 54), "support-reply": (1588, 196, 446, 61, 49),
          "invoice-extract": (1932, 244, 544, 27, 61)}
TRAFFIC = {"ticket-triage": 3000, "support-reply": 1500, "invoice-extract": 1500}  # 50 / 25 / 25
MIXED = {"ticket-triage": 4, "support-reply": 2, "invoice-extract": 2}              # the eval items, as the mix
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC).timestamp()                            # the run's label attempt starts
TEACHER = {"input_per_mtok": 3.0, "output_per_mtok": 15.0}
HOSTED = {"input_per_mtok": 0.3, "output_per_mtok": 1.2}
L4 = {"gpu": "L4", "usd_per_gpu_hour": 0.8, "output_tok_s": 500, "utilization": 0.6}


def config(teacher=None, student=None, **pricing):
    return validate_config({"pricing": {"teacher": {"api": teacher or TEACHER}, "student": student or {"api": HOSTED},
                                         "requests_per_day": 10_000, **pricing}})


def make_run(root: Path, items=MIXED, traffic=TRAFFIC, guide_tokens=0, name="2026-11-23-aaaaaaaa",
             label_created=None, label_attempts=((T0, 600.0),), label_record=None) -> Path:
    """A finished run's records: prompts, labels and eval rows per route with ROUTES' lengths and tokens (every
    system prompt `guide_tokens` longer), the label stage's attempts and the labels' creation times."""
    run = root / "runs" / name
    run.mkdir(parents=True)
    prompts, labels, rows = [], [], []
    for route, n in items.items():
        system_chars, user_chars, t_in, t_out, s_in = ROUTES[route]
        system = "#" * (system_chars + 4 * guide_tokens)
        for i in range(n):
            pid = f"{route}-{i}"
            user = chr(ord("a") + i) + "u" * (user_chars - 1)  # users differ from their first character
            prompts.append({"prompt_id": pid, "route": route, "split": "eval", "user": user,
                            "messages": json.dumps([{"role": "system", "content": system}, {"role": "user", "content": user}])})
            created = (label_created or {}).get(pid, T0 + 10 + len(labels))
            labels.append({"prompt_id": pid, "route": route, "prompt_tokens": t_in + guide_tokens, "completion_tokens": t_out,
                           "created_at": datetime.fromtimestamp(created, UTC).isoformat(timespec="seconds")})
            rows.append({"prompt_id": pid, "route": route, "teacher_prompt_tokens": t_in + guide_tokens,
                         "teacher_completion_tokens": t_out, "student_prompt_tokens": s_in, "student_completion_tokens": t_out})
    pq.write_table(pa.Table.from_pylist(prompts), run / "prompts.parquet")
    pq.write_table(pa.Table.from_pylist(labels), run / "labels.parquet")
    pq.write_table(pa.Table.from_pylist(rows), run / "eval.parquet")
    write = lambda name, obj: (run / name).write_text(json.dumps(obj))  # noqa: E731
    write("stage-sample.json", {"funnel": {"read": 6000, "outside_window": 0, "other_route": 0, "traffic": traffic,
                                           "sampled": items},
                                "window": {"start": "2026-10-24 00:00:00+00:00", "end": "2026-11-23 00:00:00+00:00"}})
    write("stage-label.json", label_record or {"prompts": len(prompts), "already_labeled": 0,
                                               "tokens": {"prompt": sum(x["prompt_tokens"] for x in labels),
                                                          "completion": sum(x["completion_tokens"] for x in labels)}})
    write("stage-train.json", {"trained_tokens": 360_000, "device": "cpu"})  # 90 s at 4,000 tok/s on $2.5/h: $0.0625
    write("ab.json", {})
    with open(run / "attempts.jsonl", "w") as f:
        for start, wall_s in label_attempts:
            f.write(json.dumps({"stage": "label", "attempt": f"label-1-{int(start)}", "outcome": "ok",
                                "started_at": start, "wall_s": wall_s, "cpu_s": 1.0}) + "\n")
    return run


def costs(cfg, run):
    lines, summary = run_costs(cfg, run)
    return {x.item: x for x in lines}, summary


def line(lines: dict, opening: str):
    return next(x for k, x in lines.items() if k.startswith(opening))


# ---------------------------------------------------------------- 1. cached input on the repeated prefix

def test_the_repeated_system_prompt_is_billed_at_the_cached_price(tmp_path):
    run = make_run(tmp_path)
    lines, s = costs(config({**TEACHER, "cached_input_per_mtok": 0.3}), run)
    # measured prefix: triage 2448 chars of 2664 every prompt starts with, 666 tokens for 2664 chars: 612 tokens
    assert s["cached_prefix"]["by_route"] == {"ticket-triage": 612.0, "support-reply": 397.0, "invoice-extract": 483.0}
    cached = line(lines, "teacher: of which the repeated prefix")
    assert cached.quantity == pytest.approx(526) and "ticket-triage 612" in cached.note and "prompts.parquet" in cached.note
    # (580.5 - 526) * $3 + 526 * $0.3 + 34.5 * $15 = 163.5 + 157.8 + 517.5 = 838.8 per 1e6; the old bill: 2259
    assert s["teacher_per_1k"] == pytest.approx(0.8388) and s["teacher_daily"] == pytest.approx(8.39)
    # labeling's 8 requests repeat the prefix too: 4644 tokens in, 276 out, 4 * 612 + 2 * 397 + 2 * 483 = 4208 cached:
    # (4644 - 4208) * 3 + 4208 * 0.3 + 276 * 15 = 1308 + 1262.4 + 4140 = 6710.4 per 1e6
    assert line(lines, "labeling:").usd == pytest.approx(0.0067104)


def test_a_prefix_shorter_than_the_providers_cache_minimum_pays_full_price(tmp_path):
    lines, s = costs(config({**TEACHER, "cached_input_per_mtok": 0.3, "cache_min_tokens": 1024}), make_run(tmp_path))
    # 580.5 * 3 + 34.5 * 15 = 2259 per 1e6: no route's prefix reaches 1,024 tokens
    assert s["teacher_per_1k"] == pytest.approx(2.259) and s["cached_prefix"]["tokens_per_request"] == 0
    assert "ticket-triage 612 (too short)" in line(lines, "teacher: of which").note


# ---------------------------------------------------------------- 2. the batch price only for batch calls

def test_labeling_and_judge_calls_are_billed_online_unless_a_record_says_batch(tmp_path):
    run = make_run(tmp_path)
    (run / "ab.json").write_text(json.dumps({"judge": {"calls": 10, "prompt_tokens": 100_000, "completion_tokens": 10_000}}))
    cfg = config({**TEACHER, "batch_discount": 0.5})
    lines, _ = costs(cfg, run)
    # labels: 4644 * 3 + 276 * 15 = 18072 per 1e6, online; the judge: 0.1M * $3 + 0.01M * $15 = $0.45, online
    assert lines["labeling: teacher tokens at the online price"].usd == pytest.approx(0.018072)
    assert lines["evaluation judge: 10 calls at the online price"].usd == pytest.approx(0.45)
    record = json.loads((run / "stage-label.json").read_text())
    (run / "stage-label.json").write_text(json.dumps({**record, "batch_api": True}))
    (run / "ab.json").write_text(json.dumps({"judge": {"calls": 10, "prompt_tokens": 100_000, "completion_tokens": 10_000,
                                                       "batch_api": True}}))
    lines, _ = costs(cfg, run)
    assert lines["labeling: teacher tokens at the batch price (-50%)"].usd == pytest.approx(0.009036)
    assert lines["evaluation judge: 10 calls at the batch price (-50%)"].usd == pytest.approx(0.225)


# ---------------------------------------------------------------- 3. tokens weighted by the traffic mix

def test_tokens_per_request_are_weighted_by_the_production_route_mix(tmp_path):
    """The eval set has 1 triage, 3 reply and 2 invoice items; production is 50 / 25 / 25."""
    lines, s = costs(config(), make_run(tmp_path, items={"ticket-triage": 1, "support-reply": 3, "invoice-extract": 2}))
    # the old mean over items: (666 + 3 * 446 + 2 * 544) / 6 = 515.3 in, (25 + 3 * 61 + 2 * 27) / 6 = 43.7 out
    assert s["tokens"]["teacher"]["prompt_tokens"] == pytest.approx(580.5)
    assert s["tokens"]["teacher"]["completion_tokens"] == pytest.approx(34.5)
    assert s["tokens"]["student"]["prompt_tokens"] == pytest.approx(54.5)
    assert "ticket-triage 50%" in lines["teacher: tokens out"].note


def test_a_route_without_eval_items_is_left_out_and_said(tmp_path):
    lines, s = costs(config(), make_run(tmp_path / "a", items={"ticket-triage": 1, "support-reply": 1}))
    # (0.5 * 666 + 0.25 * 446) / 0.75 = 592.67
    assert s["tokens"]["teacher"]["prompt_tokens"] == pytest.approx(444.5 / 0.75)
    assert "routes without eval items (25% of traffic) left out" in lines["teacher: tokens out"].note


# ---------------------------------------------------------------- 4. a reused label billed once

def test_a_reused_label_is_billed_by_the_run_that_paid_for_it(tmp_path):
    cfg = config()
    first = make_run(tmp_path)  # labeled all 8 prompts during its attempt: 4644 * 3 + 276 * 15 = $0.018072
    assert line(costs(cfg, first)[0], "labeling:").usd == pytest.approx(0.018072)
    # the same date under other knobs: another run folder, the same 8 labels from the store, made an hour before
    # its label attempt began: nothing to pay (its stage record still sums all 8 labels' tokens, as it always did)
    again = make_run(tmp_path, name="2026-11-23-bbbbbbbb", label_attempts=((T0 + 3600, 5.0),))
    labeling = line(costs(cfg, again)[0], "labeling:")
    assert labeling.usd == 0 and labeling.quantity == 0 and "8 reused, billed by the run that made them" in labeling.note
    # one new prompt (triage, made during its attempt) next to 7 reused: 666 * 3 + 25 * 15 = 2373 per 1e6
    partly = make_run(tmp_path, name="2026-11-23-cccccccc", label_attempts=((T0 + 3600, 60.0),),
                      label_created={"ticket-triage-0": T0 + 3630})
    assert line(costs(cfg, partly)[0], "labeling:").usd == pytest.approx(0.002373)


def test_a_resumed_run_bills_the_labels_of_its_first_attempt_once(tmp_path):
    """The same run folder labeled again later (everything already labeled): its labels are still its own, once."""
    run = make_run(tmp_path, label_attempts=((T0, 600.0), (T0 + 7200, 3.0)))
    assert line(costs(config(), run)[0], "labeling:").usd == pytest.approx(0.018072)


def test_without_labels_parquet_the_records_reused_share_is_left_out(tmp_path):
    run = make_run(tmp_path, label_record={"prompts": 8, "already_labeled": 6, "tokens": {"prompt": 4644, "completion": 276}})
    (run / "labels.parquet").unlink()
    labeling = line(costs(config(), run)[0], "labeling:")
    assert labeling.usd == pytest.approx(0.018072 * 2 / 8) and "estimated" in labeling.note


# ---------------------------------------------------------------- 5. the student three ways

THREE_WAYS = {"api": HOSTED, "self_hosted": L4, "shared_gpu": {"adapters": 4}}


def test_the_student_is_priced_three_ways_and_the_cheapest_is_recommended(tmp_path):
    lines, s = costs(config(student=THREE_WAYS), make_run(tmp_path))
    by = {o["option"]: o for o in s["student_options"]}
    # hosted: (54.5 * 0.3 + 34.5 * 1.2) / 1e6 * 10,000 = $0.5775; dedicated: 1 replica = $0.8 * 24 = $19.20
    # (345,000 output tokens a day, one replica makes 500 * 0.6 * 86,400 = 25.92M); shared by 4 adapters: $4.80
    assert by["hosted_api"]["daily"] == pytest.approx(0.58) and by["dedicated_gpu"]["daily"] == pytest.approx(19.2)
    assert by["shared_gpu"]["daily"] == pytest.approx(4.8) and by["shared_gpu"]["replicas"] == 1
    assert s["student_option"] == "hosted_api" and s["student_daily"] == pytest.approx(0.58)
    assert lines["student: hosted fine-tuned model, per token (recommended: the cheapest)"].usd == pytest.approx(0.5775)
    # a night: labels 4644 * 3 + 276 * 15 = $0.018072, training $0.0625, evaluation 276 tokens / 500 tok/s on $2.5/h
    # = $0.00038333: $0.08095533. Teacher per request 580.5 * 3 + 34.5 * 15 = 2259 per 1e6. Break-even:
    night = 0.018072 + 0.0625 + 276 / 500 * 2.5 / 3600
    assert by["hosted_api"]["break_even_requests_per_day"] == 37      # night / (2259 - 57.75) per 1e6 = 36.8
    assert by["dedicated_gpu"]["break_even_requests_per_day"] == 8535  # (19.2 + night) / 0.002259 = 8,535.2
    assert by["shared_gpu"]["break_even_requests_per_day"] == 2161     # (4.8 + night) / 0.002259 = 2,160.7
    assert night == pytest.approx(0.08095533)
    assert by["shared_gpu"]["sensitivity"]["columns"] == ["$0.4/GPU-h", "$0.8/GPU-h", "$1.6/GPU-h"]
    assert by["hosted_api"]["sensitivity"]["columns"][2] == "$0.60 / $2.40 per M"


def test_the_single_way_configs_of_before_still_load_and_price_one_way():
    one = validate_config({"pricing": {"student": {"self_hosted": L4}}}).pricing.student
    assert [o.key for o in student_options(one)] == ["dedicated_gpu"]
    assert [o.key for o in student_options(PricingConfig().student)] == ["hosted_api", "dedicated_gpu"]
    shared = student_options(validate_config({"pricing": {"student": THREE_WAYS}}).pricing.student)[2]
    assert shared.price == cm.GpuPrice(0.8, 500, 1, 0.6, share=0.25)
    with pytest.raises(ConfigError, match="shared_gpu splits the self_hosted GPU's bill"):
        validate_config({"pricing": {"student": {"api": HOSTED, "shared_gpu": {"adapters": 4}}}})
    with pytest.raises(ConfigError, match="give api"):
        validate_config({"pricing": {"student": {}}})


# ---------------------------------------------------------------- 6. the seed cases

FRONTIER = {"input_per_mtok": 2.0, "output_per_mtok": 8.0}


def test_seed_a_frontier_api_teacher_against_a_hosted_fine_tuned_student_at_10k_a_day(tmp_path):
    """$2 / $8 teacher vs $0.30 / $1.20 hosted student, 10,000 requests a day, the demo's tokens.

    teacher: 580.5 * 2 + 34.5 * 8 = 1161 + 276 = 1437 per 1e6 = $14.37 a day
    student: 54.5 * 0.3 + 34.5 * 1.2 = 16.35 + 41.4 = 57.75 per 1e6 = $0.5775 a day: inference -96.0%
    a night: labels 4644 * 2 + 276 * 8 = 11496 per 1e6 = $0.011496, training $0.0625, evaluation 276 tokens at
    4,000 tok/s on $2.5/h = $0.000048: $0.074044 a day. Cut: (0.5775 + 0.074044 - 14.37) / 14.37 = -95.5%.
    Practice reports about -70%: the price ratio alone (6.7x on both input and output) is -85.0% (the student
    still sent the teacher's 580.5 input tokens: 580.5 * 0.3 + 34.5 * 1.2 = 215.55 of 1437); dropping the system
    prompt takes it to -96%. README "The report stage" has the comparison.
    """
    _, s = costs(config(FRONTIER), make_run(tmp_path))
    assert s["teacher_daily"] == pytest.approx(14.37) and s["student_daily"] == pytest.approx(0.58)
    assert s["inference_change"] == pytest.approx(-0.9598) and s["cost_change"] == pytest.approx(-0.9547)
    same_tokens = cm.api_cost_per_request(cm.ApiPrice(0.3, 1.2), cm.Traffic(580.5, 34.5))
    assert same_tokens / cm.api_cost_per_request(cm.ApiPrice(2, 8), cm.Traffic(580.5, 34.5)) == pytest.approx(0.15)


def test_seed_b_dropping_a_500_token_style_guide_from_every_request(tmp_path):
    """Every system prompt 500 tokens longer (a style guide), then without it; the teacher at $2 / $8.

    with: (580.5 + 500) * 2 + 34.5 * 8 = 2437 per 1e6; without: 1437; saving 1000 of 2437 = -41.0% (reported: -40%).
    With a prompt cache at $0.50/M, the guide sits in the cached prefix (1026 tokens with it, 526 without):
    with: (1080.5 - 1026) * 2 + 1026 * 0.5 + 276 = 898; without: (580.5 - 526) * 2 + 526 * 0.5 + 276 = 648:
    the saving is 250 of 898 = -27.8%: a cached guide was cheap to send.
    """
    with_guide, without = make_run(tmp_path / "with", guide_tokens=500), make_run(tmp_path / "without")
    per_1k = {(name, guide): costs(config(teacher), run)[1]["teacher_per_1k"]
              for name, teacher in (("online", FRONTIER), ("cached", {**FRONTIER, "cached_input_per_mtok": 0.5}))
              for guide, run in ((True, with_guide), (False, without))}
    assert per_1k["online", True] == pytest.approx(2.437) and per_1k["online", False] == pytest.approx(1.437)
    assert 1 - per_1k["online", False] / per_1k["online", True] == pytest.approx(0.4103, abs=1e-4)
    assert per_1k["cached", True] == pytest.approx(0.898) and per_1k["cached", False] == pytest.approx(0.648)
    assert 1 - per_1k["cached", False] / per_1k["cached", True] == pytest.approx(0.2784, abs=1e-4)


def test_a_price_table_set_before_the_new_pricing_keys_is_the_same_prices(tmp_path):
    """A store's prices.json from before cache_min_tokens and the student's ways: still valid, and setting the same
    prices again is no change (no new history entry)."""
    from distillery.prices import effective_pricing, set_prices

    old = {"teacher": {"api": {"input_per_mtok": 3.0, "output_per_mtok": 15.0, "cached_input_per_mtok": 0.3,
                               "batch_discount": 0.5}},
           "student": {"api": None, "self_hosted": {**L4, "output_tok_s": 1500}}}
    (tmp_path / "prices.json").write_text(json.dumps({"pricing": old, "changed_at": "2026-11-01T00:00:00Z", "changed_by": "x"}))
    pricing, _ = effective_pricing(PricingConfig(), tmp_path)
    assert [o.key for o in student_options(pricing.student)] == ["dedicated_gpu"]
    assert set_prices(tmp_path, pricing, "y")["changed_at"] == "2026-11-01T00:00:00Z"
    assert not (tmp_path / "prices-history.jsonl").exists()


# ---------------------------------------------------------------- 7. a sampled request log

def sampled(rate=None, **pricing):
    """The run's config with the volume measured from the log (no `requests_per_day`), the log holding `rate` of the
    requests when given."""
    raw = {"pricing": {"teacher": {"api": TEACHER}, "student": {"api": HOSTED}, **pricing}}
    return validate_config(raw | ({"source": {"sample_rate": rate}} if rate is not None else {}))


def test_a_log_that_holds_one_request_in_fifty_is_priced_at_fifty_times_its_volume(tmp_path):
    run = make_run(tmp_path)
    whole, s_whole = costs(sampled(), run)
    lines, s = costs(sampled(0.02), run)
    # the log: 6,000 requests in 30 days, 200 a day; one in fifty logged: 10,000 a day
    assert s_whole["requests_per_day"] == pytest.approx(200) and s_whole["volume_source"] == "measured"
    assert s["requests_per_day"] == pytest.approx(10_000)
    assert line(whole, "requests per day").source == "measured"
    volume = line(lines, "requests per day")
    assert volume.source == "derived" and "2% of the requests" in volume.note and "source.sample_rate" in volume.note
    assert "source.sample_rate, assumed" in s["volume_source"]
    # the teacher's day and the student's scale with the volume; the night's pipeline does not
    assert s["teacher_daily"] == pytest.approx(50 * s_whole["teacher_daily"], rel=0.02)
    assert s["pipeline_per_night"] == s_whole["pipeline_per_night"]
    # a configured volume wins over the log's, sampled or not, and is labelled assumed
    _, s_set = costs(sampled(0.02, requests_per_day=1234), run)
    assert s_set["requests_per_day"] == 1234 and s_set["volume_source"] == "assumed"


@pytest.mark.parametrize("rate", [0, -0.5, 1.5, "half"])
def test_a_sample_rate_outside_0_to_1_is_refused_naming_the_key(rate):
    with pytest.raises(ConfigError, match="source.sample_rate"):
        sampled(rate)


def test_a_runs_parameters_cannot_set_the_sample_rate(monkeypatch):
    """The share of requests the log holds is the operator's (the source is): a run started from the UI cannot
    multiply the report's volume, and with it the saving."""
    from distillery.policy import PolicyError, check_run_keys

    monkeypatch.delenv("DISTILLERY_POLICY", raising=False)
    with pytest.raises(PolicyError, match="source.sample_rate"):
        check_run_keys(["epochs", "source.sample_rate"])
