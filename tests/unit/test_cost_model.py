"""The cost model on hand-checked cases: the numbers finance reads must be the ones a calculator gives."""

import pytest

from tasks.report.cost_model import (
    ApiPrice,
    Deferred,
    GpuPrice,
    Traffic,
    api_cost_per_request,
    break_even_volume,
    compare,
    daily_cost,
    mix_traffic,
    payback_days,
    replicas_needed,
    scaled,
    sensitivity,
)

TEACHER_API = ApiPrice(input_per_mtok=3.0, output_per_mtok=15.0, cached_input_per_mtok=0.3, batch_discount=0.5)
TEACHER_T = Traffic(prompt_tokens=700, completion_tokens=40)      # with its 650-token system prompt
STUDENT_T = Traffic(prompt_tokens=72, completion_tokens=40)       # compressed: no system prompt
PIPELINE_DAILY = 2.0


def student_gpu(usd_per_hour: float) -> GpuPrice:
    return GpuPrice(usd_per_gpu_hour=usd_per_hour, output_tok_s=500, utilization=0.6)


def test_api_cost_per_request_by_hand():
    # 700 * 3 / 1e6 + 40 * 15 / 1e6 = 0.0021 + 0.0006
    assert api_cost_per_request(TEACHER_API, TEACHER_T) == pytest.approx(0.0027)
    # 600 of the 700 prompt tokens cached at 0.3: 100 * 3 + 600 * 0.3 + 40 * 15 = 1080 per 1e6
    assert api_cost_per_request(TEACHER_API, Traffic(700, 40, cached_prompt_tokens=600)) == pytest.approx(0.00108)
    assert api_cost_per_request(TEACHER_API, TEACHER_T, batch=True) == pytest.approx(0.00135)


def test_at_10k_calls_a_day_the_gpu_price_decides_whether_the_student_pays():
    """The issue's example: an API teacher vs a dedicated-GPU student at 10,000 calls a day."""
    cheap = compare(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, 10_000, PIPELINE_DAILY)
    assert cheap.teacher_daily == pytest.approx(27.0) and cheap.student_daily == pytest.approx(19.2)
    assert cheap.saving_daily == pytest.approx(5.8) and cheap.saving_monthly == pytest.approx(174.0)
    dear = compare(TEACHER_API, TEACHER_T, student_gpu(1.5), STUDENT_T, 10_000, PIPELINE_DAILY)
    assert dear.student_daily == pytest.approx(36.0) and dear.saving_daily == pytest.approx(-11.0)
    # break-even: (replica day + pipeline day) / teacher cost per request
    assert break_even_volume(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, PIPELINE_DAILY) == \
        pytest.approx((19.2 + 2) / 0.0027)
    assert break_even_volume(TEACHER_API, TEACHER_T, student_gpu(1.5), STUDENT_T, PIPELINE_DAILY) == \
        pytest.approx((36 + 2) / 0.0027)
    assert payback_days(50.0, cheap.saving_daily) == pytest.approx(50 / 5.8) and payback_days(50.0, dear.saving_daily) is None


def test_self_hosting_is_billed_in_whole_replicas():
    gpu = student_gpu(0.8)   # 500 tok/s * 0.6 * 86400 = 25.92M tokens a day = 648,000 answers of 40 tokens
    assert replicas_needed(gpu, 1, STUDENT_T) == 1
    assert replicas_needed(gpu, 648_000, STUDENT_T) == 1 and replicas_needed(gpu, 648_001, STUDENT_T) == 2
    one = compare(TEACHER_API, TEACHER_T, gpu, STUDENT_T, 648_000, 0)
    two = compare(TEACHER_API, TEACHER_T, gpu, STUDENT_T, 648_001, 0)
    assert two.student_daily == pytest.approx(2 * one.student_daily) and two.student_replicas == 2


def test_break_even_is_none_when_the_student_never_pays():
    cheap_teacher = ApiPrice(input_per_mtok=0.01, output_per_mtok=0.01)
    assert break_even_volume(cheap_teacher, TEACHER_T, student_gpu(2.0), STUDENT_T, PIPELINE_DAILY) is None


def test_two_api_prices_break_even_where_the_per_request_saving_covers_the_pipeline():
    student_api = ApiPrice(input_per_mtok=0.1, output_per_mtok=0.4)
    per_request = 0.0027 - (72 * 0.1 + 40 * 0.4) / 1e6
    assert break_even_volume(TEACHER_API, TEACHER_T, student_api, STUDENT_T, PIPELINE_DAILY) == \
        pytest.approx(PIPELINE_DAILY / per_request)


def test_sensitivity_grid_matches_single_comparisons():
    # the student's GPU at 1x ($0.8/h) and 1.875x ($1.5/h): the same savings as the single comparisons above
    grid = sensitivity(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, PIPELINE_DAILY, [10_000, 100_000], [1, 1.875])
    assert grid[0]["saving_monthly"] == [pytest.approx(174.0), pytest.approx(-330.0)]
    assert grid[1]["saving_monthly"][1] == pytest.approx((270 - 36 - 2) * 30)


def test_a_per_token_student_is_varied_by_its_prices():
    student_api = ApiPrice(input_per_mtok=0.3, output_per_mtok=1.2)
    assert scaled(student_api, 2) == ApiPrice(input_per_mtok=0.6, output_per_mtok=2.4)
    # 10,000/day: teacher 27.0; student at 2x: (72 * 0.6 + 40 * 2.4) / 1e6 * 1e4 = 1.392; minus the pipeline 2.0
    grid = sensitivity(TEACHER_API, TEACHER_T, student_api, STUDENT_T, PIPELINE_DAILY, [10_000], [2])
    assert grid[0]["saving_monthly"] == [pytest.approx((27.0 - 1.392 - 2.0) * 30)]


def test_a_shared_gpu_bills_its_share_and_is_sized_for_every_adapter():
    """Multi-LoRA: one replica serving 4 adapters costs each a quarter; it holds a quarter of the requests it
    would hold for one model, because the other three adapters' traffic is on it too."""
    shared = GpuPrice(usd_per_gpu_hour=0.8, output_tok_s=500, utilization=0.6, share=0.25)
    # dedicated: $19.20 a day; a quarter of it: $4.80
    assert daily_cost(shared, 10_000, STUDENT_T) == pytest.approx(4.8)
    # one replica makes 25.92M tokens a day = 648,000 answers of 40 tokens, 162,000 of them this student's
    assert replicas_needed(shared, 162_000, STUDENT_T) == 1 and replicas_needed(shared, 162_001, STUDENT_T) == 2
    assert daily_cost(shared, 162_001, STUDENT_T) == pytest.approx(2 * 4.8)
    # break-even: (4.8 + 2) / 0.0027 = 2,518.5 requests a day, inside the first replica
    assert break_even_volume(TEACHER_API, TEACHER_T, shared, STUDENT_T, PIPELINE_DAILY) == pytest.approx(6.8 / 0.0027)
    cut = compare(TEACHER_API, TEACHER_T, shared, STUDENT_T, 10_000, PIPELINE_DAILY)
    assert cut.cost_change == pytest.approx(-(27.0 - 4.8 - 2.0) / 27.0)


def test_tokens_per_request_follow_the_traffic_mix_not_the_eval_counts():
    by_route = {"triage": Traffic(600, 20, 500), "reply": Traffic(400, 100, 300)}
    # 75% triage, 25% reply: 0.75 * 600 + 0.25 * 400 = 550 in, 0.75 * 20 + 0.25 * 100 = 40 out, 450 cached
    assert mix_traffic(by_route, {"triage": 0.75, "reply": 0.25}) == Traffic(550, 40, 450)
    # a route without tokens (no eval item) is left out and the rest rescaled
    assert mix_traffic(by_route, {"triage": 0.6, "reply": 0.2, "invoice": 0.2}) == Traffic(550, 40, 450)


def test_the_requests_the_student_defers_are_paid_to_the_teacher_on_top_of_the_student():
    """A route promoted with deferral: the student answers every request and the teacher a share of them again."""
    deferred = Deferred(0.4, TEACHER_T)
    c = compare(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, 10_000, PIPELINE_DAILY, deferred)
    # the teacher on 4,000 of the 10,000 requests: 4,000 * 0.0027 = $10.80, on top of the student's $19.20
    assert c.student_daily == pytest.approx(19.2) and c.deferred_daily == pytest.approx(10.8)
    assert c.saving_daily == pytest.approx(27.0 - 19.2 - 10.8 - 2.0)
    # break-even: the replica day and the pipeline, paid by the 60% the teacher no longer answers
    assert break_even_volume(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, PIPELINE_DAILY, deferred=deferred) == \
        pytest.approx((19.2 + 2) / (0.6 * 0.0027))
    # deferring everything never pays; deferring nothing is the student alone
    assert break_even_volume(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, PIPELINE_DAILY, deferred=Deferred(1.0, TEACHER_T)) is None
    assert compare(TEACHER_API, TEACHER_T, student_gpu(0.8), STUDENT_T, 10_000, 0, Deferred(0.0, TEACHER_T)).deferred_daily == 0


def test_a_self_hosted_teacher_keeps_a_whole_replica_up_for_the_requests_the_student_defers():
    teacher_gpu = GpuPrice(usd_per_gpu_hour=2.0, output_tok_s=500, utilization=0.6)  # 648,000 answers of 40 tokens a day
    student_api = ApiPrice(input_per_mtok=0.1, output_per_mtok=0.4)
    c = compare(teacher_gpu, TEACHER_T, student_api, STUDENT_T, 10_000, 0.0, Deferred(0.1, TEACHER_T))
    assert c.teacher_daily == pytest.approx(48.0) and c.deferred_daily == pytest.approx(48.0), \
        "a few deferred requests still keep one teacher replica up all day: the student saves nothing there"
    assert c.saving_daily < 0
