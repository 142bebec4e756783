"""What each arm costs per request, per day and per month; what the nightly pipeline costs; when it pays.

Pure arithmetic, no I/O: the report stage feeds it measured tokens, seconds and volumes from the stage
records and prices from the config, and labels each input as measured or assumed.

Ways to pay for a model:
- an API: per-token prices (input, cached input, output), optionally a batch discount;
- self-hosted: dedicated GPUs rented by the hour. The bill is a step function of volume (whole replicas,
  each good for `output_tok_s * utilization` tokens per second), so at low volume a cheap-per-token
  student can still cost more per day than the API it replaces. That is the truth finance needs;
- a share of self-hosted GPUs (multi-LoRA: one base serves several fine-tuned adapters): the same GPUs,
  their bill split by `share`, and sized for all the adapters' traffic, not this model's alone.
"""

import math
from dataclasses import dataclass, replace

SECONDS_PER_DAY = 86_400
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class ApiPrice:
    input_per_mtok: float
    output_per_mtok: float
    cached_input_per_mtok: float | None = None
    batch_discount: float = 0.0   # fraction off with the provider's batch API, for calls that went through it


@dataclass(frozen=True)
class GpuPrice:
    usd_per_gpu_hour: float
    output_tok_s: float           # one replica's decode throughput at the served concurrency
    gpus_per_replica: int = 1
    utilization: float = 0.6      # share of that throughput real traffic sustains (bursts, idle hours)
    share: float = 1.0            # this model's share of the replicas' bill and tokens; 1: GPUs of its own

    @property
    def replica_usd_per_day(self) -> float:
        return self.usd_per_gpu_hour * self.gpus_per_replica * 24

    @property
    def replica_tokens_per_day(self) -> float:
        return self.output_tok_s * self.utilization * SECONDS_PER_DAY


@dataclass(frozen=True)
class Traffic:
    """One arm's tokens per request: the teacher's prompt includes its long system prompt, the student's does not."""

    prompt_tokens: float
    completion_tokens: float
    cached_prompt_tokens: float = 0.0


def api_cost_per_request(price: ApiPrice, t: Traffic, batch: bool = False) -> float:
    cached_rate = price.input_per_mtok if price.cached_input_per_mtok is None else price.cached_input_per_mtok
    usd = ((t.prompt_tokens - t.cached_prompt_tokens) * price.input_per_mtok + t.cached_prompt_tokens * cached_rate
           + t.completion_tokens * price.output_per_mtok) / 1e6
    return usd * (1 - price.batch_discount) if batch else usd


def replicas_needed(gpu: GpuPrice, requests_per_day: float, t: Traffic) -> int:
    """Whole replicas for the day's output tokens; never zero: a served model is up all day. Shared replicas
    carry every adapter's tokens: this model's are `share` of them."""
    return max(1, math.ceil(requests_per_day * t.completion_tokens / gpu.share / gpu.replica_tokens_per_day))


def daily_cost(price: ApiPrice | GpuPrice, requests_per_day: float, t: Traffic) -> float:
    if isinstance(price, ApiPrice):
        return api_cost_per_request(price, t) * requests_per_day
    return replicas_needed(price, requests_per_day, t) * price.replica_usd_per_day * price.share


def mix_traffic(by_route: dict[str, Traffic], mix: dict[str, float]) -> Traffic:
    """Tokens per request over the routes, each weighted by its share of production traffic (`mix`), not by how
    many eval items it has. Routes missing from either side are left out and the others' weights rescaled."""
    routes = [r for r in by_route if mix.get(r, 0) > 0]
    total = sum(mix[r] for r in routes)
    if not total:
        raise ValueError("no route has both measured tokens and production traffic")
    return Traffic(*(sum(getattr(by_route[r], f) * mix[r] for r in routes) / total
                     for f in ("prompt_tokens", "completion_tokens", "cached_prompt_tokens")))


def scaled(price: ApiPrice | GpuPrice, factor: float) -> ApiPrice | GpuPrice:
    """The same way to pay at `factor` times the price (per-token prices, or the GPU's hourly rate)."""
    if isinstance(price, ApiPrice):
        cached = None if price.cached_input_per_mtok is None else price.cached_input_per_mtok * factor
        return replace(price, input_per_mtok=price.input_per_mtok * factor, output_per_mtok=price.output_per_mtok * factor,
                       cached_input_per_mtok=cached)
    return replace(price, usd_per_gpu_hour=price.usd_per_gpu_hour * factor)


def gpu_seconds_cost(usd_per_gpu_hour: float, gpu_seconds: float) -> float:
    """A pipeline step billed by the GPU time it took (labeling, judging, training, evaluation)."""
    return usd_per_gpu_hour * gpu_seconds / 3600


@dataclass(frozen=True)
class Deferred:
    """The requests the student passes on to the teacher (routes promoted with deferral): their share of the
    student's requests, and the teacher's tokens per deferred request. The student answered them first, so each
    costs a student answer (already in the student's traffic) and a teacher answer."""

    share: float
    traffic: Traffic


@dataclass(frozen=True)
class Comparison:
    requests_per_day: float
    teacher_daily: float
    student_daily: float
    pipeline_daily: float          # the nightly distillation run, every night
    student_replicas: int | None
    deferred_daily: float = 0.0    # the teacher's bill for the requests the student defers

    @property
    def saving_daily(self) -> float:
        return self.teacher_daily - self.student_daily - self.deferred_daily - self.pipeline_daily

    @property
    def saving_monthly(self) -> float:
        return self.saving_daily * DAYS_PER_MONTH

    @property
    def cost_change(self) -> float:
        """The day's bill with the student (and its pipeline) against the teacher's: -0.7 is a 70% cut."""
        return -self.saving_daily / self.teacher_daily if self.teacher_daily else 0.0


def compare(teacher: ApiPrice | GpuPrice, teacher_t: Traffic, student: ApiPrice | GpuPrice, student_t: Traffic,
            requests_per_day: float, pipeline_daily: float, deferred: Deferred | None = None) -> Comparison:
    replicas = replicas_needed(student, requests_per_day, student_t) if isinstance(student, GpuPrice) else None
    deferred_daily = daily_cost(teacher, requests_per_day * deferred.share, deferred.traffic) \
        if deferred and deferred.share > 0 else 0.0
    return Comparison(requests_per_day, daily_cost(teacher, requests_per_day, teacher_t),
                      daily_cost(student, requests_per_day, student_t), pipeline_daily, replicas, deferred_daily)


def break_even_volume(teacher, teacher_t: Traffic, student, student_t: Traffic, pipeline_daily: float,
                      max_requests_per_day: float = 1e9, deferred: Deferred | None = None) -> float | None:
    """The smallest daily volume at which the student (plus the teacher on the requests it defers, plus the nightly
    pipeline) costs no more than the teacher.

    Between replica steps every cost is linear in volume, so each band is solved exactly; None when it
    never pays below `max_requests_per_day`.
    """
    bounds = {0.0, max_requests_per_day}
    deferring = deferred is not None and deferred.share > 0
    sized = [(teacher, teacher_t, 1.0), (student, student_t, 1.0)] + ([(teacher, deferred.traffic, deferred.share)]
                                                                      if deferring else [])
    for price, t, share in sized:
        if isinstance(price, GpuPrice) and t.completion_tokens > 0:
            # this model's requests per replica-day (a deferred share reaches a step at 1/share times the volume)
            step = price.replica_tokens_per_day * price.share / t.completion_tokens / share
            bounds.update(k * step for k in range(1, min(10_000, int(max_requests_per_day / step)) + 1))
    edges = sorted(b for b in bounds if b <= max_requests_per_day)
    for lo, hi in zip(edges, edges[1:]):
        # inside (lo, hi] the replica counts are those at hi; saving(v) = slope * v - fixed
        at_hi = compare(teacher, teacher_t, student, student_t, hi, pipeline_daily, deferred)
        slope = _per_request(teacher, teacher_t) - _per_request(student, student_t) \
            - (deferred.share * _per_request(teacher, deferred.traffic) if deferring else 0.0)
        fixed = slope * hi - at_hi.saving_daily
        if at_hi.saving_daily < 0:
            continue
        v = fixed / slope if slope > 0 else lo
        return max(v, lo, 1.0) if v <= hi else hi
    return None


def _per_request(price, t: Traffic) -> float:
    return api_cost_per_request(price, t) if isinstance(price, ApiPrice) else 0.0


def payback_days(one_off_usd: float, saving_daily: float) -> float | None:
    """Days until the first distillation (and anything else paid once) is earned back; None if it never is."""
    if saving_daily <= 0:
        return None
    return one_off_usd / saving_daily


def sensitivity(teacher, teacher_t: Traffic, student: ApiPrice | GpuPrice, student_t: Traffic, pipeline_daily: float,
                volumes: list[float], factors: list[float], deferred: Deferred | None = None) -> list[dict]:
    """Monthly saving over a grid of daily volumes x the student's price at `factors` times today's (its GPU's
    hourly rate, or its per-token prices): one row per volume, one value per factor."""
    return [{"requests_per_day": v,
             "saving_monthly": [round(compare(teacher, teacher_t, scaled(student, f), student_t, v, pipeline_daily,
                                              deferred).saving_monthly, 2) for f in factors]} for v in volumes]
