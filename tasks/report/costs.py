"""The run's cost lines, from its stage records and the pricing config: every number says where it came from.

    lines, summary = run_costs(cfg, run_dir)

Sources: `measured` (a stage record, eval.parquet, labels.parquet or prompts.parquet of this run), `assumed` (a
pricing value in the config), `derived` (arithmetic on the two). The arithmetic itself is tasks/report/cost_model.py.

Four rules keep the comparison fair to both sides:
- tokens per request are each route's mean over the eval items, weighted by production's route mix (the log
  window's traffic), not by how many eval items each route happens to have;
- the prefix every request of a route repeats (its system prompt) is billed at the API's cached-input price
  when it has one, measured from the run's prompts and the teacher's token counts;
- a call is billed at the batch price only when its stage record says it went through the batch API;
- a label is billed once, by the run that paid for it: labels a run reused from the store are not on its bill.
The student is priced each way the config gives (hosted per token, a dedicated GPU, a share of a multi-LoRA
GPU); the cheapest at today's volume is the one the headline numbers and the recommendation use.
"""

import json
import math
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from distillery.config import ApiPricing, ModelPricing, RunConfig, SelfHostedPricing, StudentPricing
from distillery.routes import Plan, messages_for
from distillery.store import HEARTBEAT_S, read_attempts
from tasks.report import cost_model as cm

# The student's price is varied by these factors in each option's sensitivity table.
SENSITIVITY_FACTORS = (0.5, 1.0, 2.0)


class ReportError(RuntimeError):
    """The report cannot be built from this run folder; the message says what is missing."""


@dataclass
class Line:
    section: str     # per_request | daily | run
    item: str
    quantity: float
    unit: str
    usd: float
    source: str      # measured | assumed | derived
    note: str = ""


@dataclass(frozen=True)
class Option:
    """One way to pay for the student."""

    key: str         # hosted_api | dedicated_gpu | shared_gpu
    label: str       # what finance reads
    price: cm.ApiPrice | cm.GpuPrice


@dataclass(frozen=True)
class Prefix:
    """The start every labeled prompt of a route repeats, as the teacher was sent it (its system prompt)."""

    chars: int
    tokens_per_char: float   # the teacher's measured prompt tokens per character of prompt text on this route
    prompts: int

    @property
    def tokens(self) -> float:
        return self.chars * self.tokens_per_char


@dataclass(frozen=True)
class LabelBill:
    """The labels this run paid for (not the ones it reused), and their tokens."""

    prompt_tokens: float
    completion_tokens: float
    cached_tokens: float
    paid: int | None         # None: the record does not say how many labels
    reused: int
    how: str


# ---------------------------------------------------------------- prices

def price_of(p: ModelPricing, measured_tok_s: float | None = None, what: str = "pricing") -> cm.ApiPrice | cm.GpuPrice:
    """The cost model's price; a self-hosted model without a configured throughput uses the run's measured one."""
    return _api_price(p.api) if p.api else _gpu_price(p.self_hosted, measured_tok_s, what)


def _api_price(a: ApiPricing) -> cm.ApiPrice:
    return cm.ApiPrice(a.input_per_mtok, a.output_per_mtok, a.cached_input_per_mtok, a.batch_discount)


def _gpu_price(h: SelfHostedPricing, measured_tok_s: float | None, what: str) -> cm.GpuPrice:
    tok_s = h.output_tok_s or measured_tok_s
    if tok_s is None:
        raise ReportError(f"{what}.self_hosted.output_tok_s is not set and this run measured no GPU serving throughput "
                          f"(stage-export.json from a CUDA run): set the target GPU's tokens/s per replica")
    return cm.GpuPrice(h.usd_per_gpu_hour, tok_s, h.gpus_per_replica, h.utilization)


def student_options(s: StudentPricing, measured_tok_s: float | None = None) -> list[Option]:
    """Each way the config prices the student, in a fixed order: hosted per token, a dedicated GPU, a shared one."""
    out = []
    if s.api:
        out.append(Option("hosted_api", "hosted fine-tuned model, per token", _api_price(s.api)))
    if s.self_hosted:
        gpu = _gpu_price(s.self_hosted, measured_tok_s, "pricing.student")
        out.append(Option("dedicated_gpu", f"dedicated GPU ({s.self_hosted.gpu})", gpu))
        if s.shared_gpu:
            g = s.shared_gpu
            share = g.share or 1 / g.adapters
            label = f"shared GPU ({s.self_hosted.gpu}, multi-LoRA): {share:.0%} of it, {g.adapters} adapters"
            out.append(Option("shared_gpu", label, replace(gpu, output_tok_s=g.output_tok_s or gpu.output_tok_s, share=share)))
    return out


def measured_serving(run_dir: Path) -> float | None:
    """The student export's serving tokens/s when the run served it on CUDA; a CPU figure says nothing of a GPU."""
    export = _optional(run_dir, "stage-export.json")
    if export and export.get("device") == "cuda":
        return (export.get("serving") or {}).get("output_tok_s")
    return None


def months_to_reach(volume: float, target: float | None, growth: float) -> float | None:
    """Months of compound growth until `volume` reaches `target` (0 when already there; None when never)."""
    if target is None:
        return None
    if volume >= target:
        return 0.0
    if growth <= 0:
        return None
    return math.log(target / volume) / math.log(1 + growth)


def read_record(run_dir: Path, name: str, needed_for: str) -> dict:
    path = run_dir / name
    if not path.is_file():
        raise ReportError(f"{path} does not exist: the report needs it for {needed_for}; run that stage first")
    return json.loads(path.read_text())


# ---------------------------------------------------------------- volume and tokens per request

def measured_volume(sample: dict) -> float:
    """Requests per day in the sampled window: every request the log holds for it, invalid ones included (they were paid)."""
    f = sample["funnel"]
    start, end = (datetime.fromisoformat(sample["window"][k]) for k in ("start", "end"))
    days = max((end - start).total_seconds() / 86_400, 1e-9)
    return (f["read"] - f["outside_window"] - f.get("other_route", 0)) / days


def route_mix(sample: dict) -> tuple[dict[str, float], str]:
    """Each route's share of production requests: the log window's valid traffic, or, in a sample record from
    before that was kept, the sampled prompts (a proportional allocation follows the traffic)."""
    f = sample["funnel"]
    where = "traffic" if f.get("traffic") else "sampled"
    counts = f.get(where) or {}
    total = sum(counts.values())
    return ({r: n / total for r, n in sorted(counts.items())} if total else {}), f"stage-sample.json funnel.{where}"


def route_traffic(rows: list[dict], arm: str, cached: dict[str, float] | None = None) -> dict[str, cm.Traffic]:
    """An arm's mean tokens per request on each route's eval items; `cached` (per route) cannot exceed the prompt."""
    by_route: dict[str, list[dict]] = {}
    for r in rows:
        by_route.setdefault(r["route"], []).append(r)
    out = {}
    for route, rs in sorted(by_route.items()):
        prompt = sum(r[f"{arm}_prompt_tokens"] or 0 for r in rs) / len(rs)
        completion = sum(r[f"{arm}_completion_tokens"] or 0 for r in rs) / len(rs)
        out[route] = cm.Traffic(prompt, completion, min((cached or {}).get(route, 0.0), prompt))
    return out


def traffic_weights(rows: list[dict], mix: dict[str, float]) -> dict[str, float]:
    """Production's route mix; where no eval route has production traffic on record, the eval items' own counts."""
    routes = {r["route"] for r in rows}
    if any(mix.get(r, 0) > 0 for r in routes):
        return mix
    return {r: sum(x["route"] == r for x in rows) for r in sorted(routes)}


def arm_traffic(rows: list[dict], arm: str, mix: dict[str, float], cached: dict[str, float] | None = None) -> cm.Traffic:
    """An arm's tokens per request: each route's mean over its eval items, weighted by the route's share of traffic."""
    if not rows:
        raise ReportError("eval.parquet has no items: the report needs the arms' measured tokens; run evaluate again")
    return cm.mix_traffic(route_traffic(rows, arm, cached), traffic_weights(rows, mix))


def mix_note(rows: list[dict], mix: dict[str, float], source: str) -> str:
    """How the per-request tokens were weighted, and what share of traffic had no eval item to measure it."""
    routes = {r["route"] for r in rows}
    if traffic_weights(rows, mix) is not mix:
        return f"mean over the eval items ({source} has no traffic for their routes)"
    shares = ", ".join(f"{r} {mix[r]:.0%}" for r in sorted(routes) if mix.get(r, 0) > 0)
    missing = 1 - sum(mix.get(r, 0) for r in routes)
    gap = f"; routes without eval items ({missing:.0%} of traffic) left out, the rest rescaled" if missing > 0.0005 else ""
    return f"each route's mean over its eval items, weighted by the production route mix ({source}: {shares}){gap}"


def route_volumes(sample: dict, volume: float) -> dict[str, float]:
    """Requests per day per route: the total split by the window's valid traffic mix."""
    mix, _ = route_mix(sample)
    return {route: round(volume * share, 1) for route, share in mix.items()}


# ---------------------------------------------------------------- the repeated prefix (prompt caching)

def repeated_prefix(cfg: RunConfig, run_dir: Path) -> tuple[dict[str, Prefix], str]:
    """Per route, the characters every labeled prompt starts with as the teacher was sent it (its system prompt,
    when the requests share one), and the teacher's measured prompt tokens per character there: the prefix in
    the teacher's tokens, without its tokenizer. Only lengths leave this function, never text."""
    import pyarrow.parquet as pq

    missing = [n for n in ("prompts.parquet", "labels.parquet") if not (run_dir / n).is_file()]
    if missing:
        return {}, f"not measured ({' and '.join(missing)} missing)"
    prompts = {p["prompt_id"]: p for p in
               pq.read_table(run_dir / "prompts.parquet", columns=["prompt_id", "route", "messages"]).to_pylist()}
    tokens: dict[str, int] = {}
    for row in pq.read_table(run_dir / "labels.parquet", columns=["prompt_id", "prompt_tokens"]).to_pylist():
        tokens[row["prompt_id"]] = tokens.get(row["prompt_id"], 0) + (row["prompt_tokens"] or 0)  # sample 0 holds the request's
    systems: dict[str, str | None] = {}
    texts: dict[str, list[tuple[str, int]]] = {}
    for pid, n in sorted(tokens.items()):
        p = prompts.get(pid)
        if p is None or not n:
            continue
        if p["route"] not in systems:
            systems[p["route"]] = _system_prompt(cfg, p["route"])
        texts.setdefault(p["route"], []).append((prompt_text(p, systems[p["route"]]), n))
    out = {route: Prefix(len(os.path.commonprefix([t for t, _ in items])), sum(n for _, n in items) / sum(len(t) for t, _ in items),
                         len(items))
           for route, items in sorted(texts.items()) if len(items) >= 2}  # one prompt cannot show what repeats
    return out, ("measured: the characters every labeled prompt of the route starts with (prompts.parquet) x the "
                 "teacher's prompt tokens per character (labels.parquet)")


def prompt_text(prompt: dict, system: str | None) -> str:
    """The message texts in order, as the label stage sent them (its configured system prompt replaces the log's)."""
    messages = messages_for(prompt, Plan(params={}, system=system, n=1, gen_hash=""))
    return "".join(str(m.get("content") or "") for m in messages)


def _system_prompt(cfg: RunConfig, route: str) -> str | None:
    g = cfg.teacher.routes.get(route)
    if g is None or not g.system_prompt:
        return None
    try:
        return Path(g.system_prompt).read_text()
    except OSError as exc:
        raise ReportError(f"teacher.routes.{route}.system_prompt = {g.system_prompt!r}: cannot read it ({exc.strerror}); "
                          f"the report measures the prefix the teacher was sent") from None


def cached_by_route(api: ApiPricing | None, prefixes: dict[str, Prefix]) -> dict[str, float]:
    """Tokens per request billed at the cached price on each route: the measured prefix, when the API has a cached
    price and the prefix is long enough for its cache; none otherwise."""
    if api is None or api.cached_input_per_mtok is None:
        return {}
    return {r: p.tokens for r, p in prefixes.items() if p.tokens >= api.cache_min_tokens}


def cache_note(api: ApiPricing | None, prefixes: dict[str, Prefix], cached: dict[str, float], source: str) -> str:
    """Why this many tokens per request were billed at the cached price, and where the figure came from."""
    if api is None:
        return "the teacher is self-hosted: no per-token cache price"
    if api.cached_input_per_mtok is None:
        return "no cached input price configured (pricing.teacher.api.cached_input_per_mtok): the whole prompt at full price"
    if not prefixes:
        return f"repeated prefix {source}: the whole prompt at full price"
    per_route = ", ".join(f"{r} {p.tokens:.0f}" + ("" if r in cached else " (too short)") for r, p in prefixes.items())
    return (f"repeated prefix per request: {per_route} tokens; {source}; billed at ${api.cached_input_per_mtok:g}/M "
            f"(assumed), every request a cache hit; the provider caches prefixes from {api.cache_min_tokens} tokens (assumed)")


# ---------------------------------------------------------------- the run's bill

def label_bill(label: dict, run_dir: Path, attempts: list[dict], cached: dict[str, float]) -> LabelBill:
    """The labels this run paid for. The label store is shared: a run that finds a prompt already labeled (by an
    earlier run, or on the same date under other knobs) reuses the label without a request, so it is not billed
    again; the run whose attempt made it was. Labels made during one of this run's label attempts are its own."""
    rows = _label_rows(run_dir)
    if rows is None:
        return _bill_from_record(label)
    # a killed attempt's time ends at its last heartbeat: labels of its last seconds are still its own
    windows = [(a["started_at"], a["started_at"] + a["wall_s"] + (HEARTBEAT_S if a["outcome"] == "killed" else 0))
               for a in attempts if a["stage"] == "label" and a.get("wall_s") is not None]
    if windows:
        mine = [r for r in rows if _made_during(r["created_at"], windows)]
        how = "made during this run's label attempts (labels.parquet created_at within attempts.jsonl)"
    elif label.get("already_labeled"):  # no attempts on record: the stage record's count of reused prompts
        mine = _newest_labels(rows, label.get("prompts", 0) - label["already_labeled"])
        how = "the newest labels, as many prompts as stage-label.json says were not already labeled"
    else:
        mine, how = rows, "every label in labels.parquet: stage-label.json reused none"
    return LabelBill(sum(r["prompt_tokens"] or 0 for r in mine), sum(r["completion_tokens"] or 0 for r in mine),
                     sum(min(cached.get(r["route"], 0.0), r["prompt_tokens"] or 0) for r in mine),
                     len(mine), len(rows) - len(mine), how)


def _label_rows(run_dir: Path) -> list[dict] | None:
    import pyarrow.parquet as pq

    path = run_dir / "labels.parquet"
    columns = ["prompt_id", "route", "prompt_tokens", "completion_tokens", "created_at"]
    return pq.read_table(path, columns=columns).to_pylist() if path.is_file() else None


def _made_during(created_at: str | None, windows: list[tuple[float, float]]) -> bool:
    if not created_at:  # when it was made is unknown: billed here rather than by nobody
        return True
    # created_at is kept to the second (truncated): a label made at `start` may read up to 1 s earlier
    t = datetime.fromisoformat(created_at).timestamp()
    return any(start - 1 < t <= end for start, end in windows)


def _newest_labels(rows: list[dict], prompts: int) -> list[dict]:
    """The labels of the `prompts` most recently labeled prompts."""
    newest: dict[str, str] = {}
    for r in rows:
        newest[r["prompt_id"]] = max(newest.get(r["prompt_id"], ""), r["created_at"] or "")
    keep = set(sorted(newest, key=lambda pid: (newest[pid], pid), reverse=True)[:max(prompts, 0)])
    return [r for r in rows if r["prompt_id"] in keep]


def _bill_from_record(label: dict) -> LabelBill:
    """Without labels.parquet: the stage record's totals, less the reused prompts' share when it counts them."""
    tokens = label.get("tokens", {"prompt": 0, "completion": 0})
    prompts, reused = label.get("prompts", 0), label.get("already_labeled", 0)
    share = (prompts - reused) / prompts if prompts else 1.0
    how = ("stage-label.json's token totals" if share == 1 else
           f"estimated: stage-label.json's token totals x {prompts - reused} of {prompts} prompts not already labeled")
    return LabelBill(tokens["prompt"] * share, tokens["completion"] * share, 0.0, None, reused, how)


def pipeline_lines(cfg: RunConfig, label: dict, bill: LabelBill, train: dict, rows: list[dict], teacher,
                   student_gpu: cm.GpuPrice | None) -> list[Line]:
    """One night's costs by stage: the labels this run paid for at the teacher's price (online unless the record
    says the batch API was used) or its GPU time, training at the pipeline GPU's configured throughput, the
    student's evaluation answers at its GPU's throughput."""
    p = cfg.pricing
    training_s = train["trained_tokens"] / p.training_tok_s
    training = Line("run", "training: student QLoRA", training_s, "GPU-seconds",
                    cm.gpu_seconds_cost(p.pipeline_usd_per_gpu_hour, training_s), "derived",
                    "measured trained tokens / assumed GPU throughput")
    out_tokens = sum(r.get("student_completion_tokens") or 0 for r in rows) + sum(r.get("base_completion_tokens") or 0 for r in rows)
    eval_s = out_tokens / (student_gpu.output_tok_s if student_gpu else p.training_tok_s)
    evaluation = Line("run", "evaluation: student and base answers", eval_s, "GPU-seconds",
                      cm.gpu_seconds_cost(p.pipeline_usd_per_gpu_hour, eval_s), "derived", "measured tokens / assumed throughput")
    return [labeling_line(teacher, bill, label.get("batch_api") is True), training, evaluation]


def labeling_line(teacher, bill: LabelBill, batch: bool) -> Line:
    paid = f"{bill.paid} labels" if bill.paid is not None else "labels"
    who = f"{paid} paid by this run ({bill.how})" + (f"; {bill.reused} reused, billed by the run that made them"
                                                     if bill.reused else "")
    if isinstance(teacher, cm.ApiPrice):
        usd = cm.api_cost_per_request(teacher, cm.Traffic(bill.prompt_tokens, bill.completion_tokens, bill.cached_tokens), batch=batch)
        return Line("run", f"labeling: teacher tokens at the {_mode(teacher, batch)}", bill.prompt_tokens + bill.completion_tokens,
                    "tokens", usd, "derived", f"{who}; {bill.cached_tokens:,.0f} input tokens at the cached price; "
                                              f"measured tokens x assumed API price")
    seconds = bill.completion_tokens / (teacher.output_tok_s * teacher.utilization)
    return Line("run", "labeling: teacher GPU time", seconds, "GPU-seconds",
                cm.gpu_seconds_cost(teacher.usd_per_gpu_hour * teacher.gpus_per_replica, seconds), "derived",
                f"{who}; measured tokens / assumed GPU throughput")


def _mode(price: cm.ApiPrice, batch: bool) -> str:
    """Which price a call paid: the batch price only for calls a stage record says went through the batch API."""
    return f"batch price (-{price.batch_discount:.0%})" if batch else "online price"


def judge_lines(cfg: RunConfig, run_dir: Path, teacher) -> list[Line]:
    """The LLM judge's calls, curation's and evaluation's, from their measured tokens (retried requests included):
    online calls (chat completions) unless the record says the batch API was used."""
    judge = price_of(cfg.pricing.judge, what="pricing.judge") if cfg.pricing.judge else teacher
    used = {"curation judge": (_optional(run_dir, "stage-curate.json") or {}).get("judge"),
            "evaluation judge": read_record(run_dir, "ab.json", "the quality verdict").get("judge")}
    out = []
    for name, u in used.items():
        if not u or not u.get("calls"):
            continue
        tokens = u.get("prompt_tokens", 0) + u.get("completion_tokens", 0)
        if isinstance(judge, cm.ApiPrice):
            batch = u.get("batch_api") is True
            usd = cm.api_cost_per_request(judge, cm.Traffic(u.get("prompt_tokens", 0), u.get("completion_tokens", 0)), batch=batch)
            out.append(Line("run", f"{name}: {u['calls']} calls at the {_mode(judge, batch)}", tokens, "tokens", usd, "derived",
                            "measured tokens x assumed API price; its repeated prompt is not measured, so no input "
                            "token is billed at a cached price"))
        else:
            seconds = u.get("completion_tokens", 0) / (judge.output_tok_s * judge.utilization)
            out.append(Line("run", f"{name}: {u['calls']} calls, GPU time", seconds, "GPU-seconds",
                            cm.gpu_seconds_cost(judge.usd_per_gpu_hour * judge.gpus_per_replica, seconds), "derived",
                            "measured tokens / assumed GPU throughput"))
    return out


# The cost line each stage's compute is in, by the line's opening words. Labeling is not here: it is billed per
# token for every label the run paid for, whichever attempt made it (a failed request is not billed by an API).
STAGE_LINES = {"train": "training:", "evaluate": "evaluation:"}


def repeat_lines(lines: list[Line], attempts: list[dict], records: dict[str, dict | None]) -> list[Line]:
    """Attempts beyond the one whose outputs the run kept (failed tries, re-runs that redid work), billed at the
    kept attempt's cost per second: a stage that failed once after as long as its successful run costs twice."""
    out = []
    for stage, prefix in STAGE_LINES.items():
        record, line = records.get(stage), next((x for x in lines if x.item.startswith(prefix)), None)
        if not record or line is None or not record.get("wall_s"):
            continue
        tries = [a for a in attempts if a["stage"] == stage]
        extra_s = sum(a["wall_s"] for a in tries) - record["wall_s"]
        if len(tries) < 2 or extra_s <= 1:  # a resumed run that reused the outputs took ~no time
            continue
        failed = sum(a["outcome"] == "failed" for a in tries)
        killed = sum(a["outcome"] == "killed" for a in tries)
        how = f"{failed} failed" + (f", {killed} killed" if killed else "")
        out.append(Line("run", f"{prefix[:-1]}: {len(tries) - 1} more attempt(s) ({how})", extra_s, "seconds",
                        line.usd * extra_s / record["wall_s"], "derived",
                        "measured extra wall time x the kept attempt's cost per second"))
    return out


# ---------------------------------------------------------------- the student's options

def price_option(o: Option, teacher, teacher_t: cm.Traffic, student_t: cm.Traffic, volume: float,
                 pipeline_daily: float, per_night: float) -> dict:
    """One way to pay for the student at today's volume: its day, the saving, break-even and the sensitivity."""
    c = cm.compare(teacher, teacher_t, o.price, student_t, volume, pipeline_daily)
    be = cm.break_even_volume(teacher, teacher_t, o.price, student_t, pipeline_daily)
    volumes = sorted({round(volume * f) for f in (0.1, 0.5, 1, 2, 10)} | {10_000, 100_000})
    return {"option": o.key, "label": o.label, "how": _how(o.price), "daily": c.student_daily,
            "per_1k": c.student_daily / volume * 1000, "replicas": c.student_replicas, "saving_daily": c.saving_daily,
            "saving_monthly": c.saving_monthly, "cost_change": c.cost_change,
            "inference_change": (c.student_daily - c.teacher_daily) / c.teacher_daily if c.teacher_daily else 0.0,
            "break_even_requests_per_day": None if be is None else round(be),
            "payback_days": _round(cm.payback_days(per_night, c.saving_daily)),
            "sensitivity": {"columns": [_price_label(cm.scaled(o.price, f)) for f in SENSITIVITY_FACTORS],
                            "rows": cm.sensitivity(teacher, teacher_t, o.price, student_t, pipeline_daily, volumes,
                                                   list(SENSITIVITY_FACTORS))}}


def cheapest(priced: list[dict]) -> dict:
    """The option with the smallest bill today; on a tie the first in config order (per token, dedicated, shared)."""
    return min(priced, key=lambda o: o["daily"])


def _rounded(o: dict) -> dict:
    money = ("daily", "saving_daily", "saving_monthly")
    return {**o, **{k: round(o[k], 2) for k in money}, "per_1k": round(o["per_1k"], 4),
            "cost_change": round(o["cost_change"], 4), "inference_change": round(o["inference_change"], 4)}


# ---------------------------------------------------------------- the whole report's numbers

def run_costs(cfg: RunConfig, run_dir: Path) -> tuple[list[Line], dict]:
    p = cfg.pricing
    sample, label, train, rows = read_records(run_dir)
    teacher, options = price_of(p.teacher, what="pricing.teacher"), student_options(p.student, measured_serving(run_dir))
    mix, mix_source = route_mix(sample)
    prefixes, prefix_source = repeated_prefix(cfg, run_dir)
    cached = cached_by_route(p.teacher.api, prefixes)
    teacher_t, student_t = arm_traffic(rows, "teacher", mix, cached), arm_traffic(rows, "student", mix)
    volume = p.requests_per_day or measured_volume(sample)
    volume_source = "assumed" if p.requests_per_day else "measured"
    weighting, caching = mix_note(rows, mix, mix_source), cache_note(p.teacher.api, prefixes, cached, prefix_source)
    dedicated = next((o.price for o in options if o.key == "dedicated_gpu"), None)
    run_lines = night_lines(cfg, run_dir, label, train, rows, teacher, dedicated, cached)
    per_night = sum(x.usd for x in run_lines)
    pipeline_daily = per_night * p.nights_per_month / cm.DAYS_PER_MONTH
    priced = [price_option(o, teacher, teacher_t, student_t, volume, pipeline_daily, per_night) for o in options]
    best = cheapest(priced)
    teacher_daily = cm.daily_cost(teacher, volume, teacher_t)
    lines = (token_lines(teacher_t, student_t, weighting, caching)
             + [Line("daily", "requests per day", volume, "requests", 0.0, volume_source),
                Line("daily", "teacher", volume, "requests", teacher_daily, "derived", _how(teacher))]
             + option_lines(priced, best, volume)
             + [Line("daily", "nightly pipeline, amortised", p.nights_per_month, "nights/month", pipeline_daily, "derived")]
             + run_lines)
    summary = {"currency": p.currency, "requests_per_day": round(volume, 1), "volume_source": volume_source,
               "teacher_per_1k": round(teacher_daily / volume * 1000, 4), "student_per_1k": round(best["per_1k"], 4),
               "teacher_daily": round(teacher_daily, 2), "student_daily": round(best["daily"], 2),
               "pipeline_per_night": round(per_night, 2), "pipeline_daily": round(pipeline_daily, 2),
               "saving_daily": round(best["saving_daily"], 2), "saving_monthly": round(best["saving_monthly"], 2),
               "cost_change": round(best["cost_change"], 4), "inference_change": round(best["inference_change"], 4),
               "break_even_requests_per_day": best["break_even_requests_per_day"], "payback_days": best["payback_days"],
               "student_option": best["option"], "student_option_label": best["label"],
               "student_options": [_rounded(o) for o in priced],
               "cpu_demo": train.get("device") != "cuda",
               "student_output_tok_s": getattr(dedicated, "output_tok_s", None),
               "student_tok_s_source": "measured" if p.student.self_hosted and not p.student.self_hosted.output_tok_s else "assumed",
               "growth_per_month": p.growth_per_month,
               "months_to_break_even": _round(months_to_reach(volume, best["break_even_requests_per_day"], p.growth_per_month)),
               "volume_by_route": route_volumes(sample, volume), "route_mix": {r: round(x, 4) for r, x in mix.items()},
               "tokens_weighting": weighting,
               "cached_prefix": {"tokens_per_request": round(teacher_t.cached_prompt_tokens, 1),
                                 "by_route": {r: round(x.tokens, 1) for r, x in prefixes.items()},
                                 "billed_by_route": {r: round(x, 1) for r, x in cached.items()}, "note": caching},
               "tokens": {"teacher": asdict(teacher_t), "student": asdict(student_t)}}
    return lines, summary


def read_records(run_dir: Path) -> tuple[dict, dict, dict, list[dict]]:
    """The sample, label and train records and the eval rows; ab.json must be there too (the verdict)."""
    import pyarrow.parquet as pq

    sample = read_record(run_dir, "stage-sample.json", "the request volume")
    label = read_record(run_dir, "stage-label.json", "the labeling cost")
    train = read_record(run_dir, "stage-train.json", "the training cost")
    read_record(run_dir, "ab.json", "the quality verdict")
    if not (run_dir / "eval.parquet").is_file():
        raise ReportError(f"{run_dir / 'eval.parquet'} does not exist: run the evaluate stage first")
    return sample, label, train, pq.read_table(run_dir / "eval.parquet").to_pylist()


def token_lines(teacher_t: cm.Traffic, student_t: cm.Traffic, weighting: str, caching: str) -> list[Line]:
    tokens = lambda item, n: Line("per_request", item, n, "tokens", 0.0, "measured", weighting)  # noqa: E731
    return [tokens("teacher: tokens in (with its system prompt)", teacher_t.prompt_tokens),
            Line("per_request", "teacher: of which the repeated prefix billed as cached input", teacher_t.cached_prompt_tokens,
                 "tokens", 0.0, "derived", caching),
            tokens("teacher: tokens out", teacher_t.completion_tokens),
            tokens("student: tokens in (no system prompt)", student_t.prompt_tokens),
            tokens("student: tokens out", student_t.completion_tokens)]


def option_lines(priced: list[dict], best: dict, volume: float) -> list[Line]:
    """A day of the student each way it is priced, the recommended one said (when there is a choice)."""
    return [Line("daily", f"student: {o['label']}" + (" (recommended: the cheapest)" if o is best and len(priced) > 1 else ""),
                 o["replicas"] or volume, "replicas" if o["replicas"] else "requests", o["daily"], "derived", o["how"])
            for o in priced]


def night_lines(cfg: RunConfig, run_dir: Path, label: dict, train: dict, rows: list[dict], teacher,
                dedicated: cm.GpuPrice | None, cached: dict[str, float]) -> list[Line]:
    """One night of the pipeline: its stages, the judge's calls, and every attempt beyond the kept ones."""
    attempts = read_attempts(run_dir)
    lines = pipeline_lines(cfg, label, label_bill(label, run_dir, attempts, cached), train, rows, teacher, dedicated)
    lines += judge_lines(cfg, run_dir, teacher)
    return lines + repeat_lines(lines, attempts, {"train": train, "evaluate": _optional(run_dir, "stage-evaluate.json")})


def _optional(run_dir: Path, name: str) -> dict | None:
    path = run_dir / name
    return json.loads(path.read_text()) if path.is_file() else None


def _how(price) -> str:
    if isinstance(price, cm.ApiPrice):
        cached = "" if price.cached_input_per_mtok is None else f", ${price.cached_input_per_mtok:g}/M cached in"
        return f"API ${price.input_per_mtok:g}/M in{cached}, ${price.output_per_mtok:g}/M out (assumed)"
    share = "" if price.share == 1 else f"; this model pays {price.share:.0%} of the GPUs' bill"
    return (f"{price.gpus_per_replica} GPU x ${price.usd_per_gpu_hour:g}/h per replica, {price.output_tok_s:g} tok/s "
            f"(assumed){share}")


def _price_label(price) -> str:
    if isinstance(price, cm.ApiPrice):
        return f"${price.input_per_mtok:.2f} / ${price.output_per_mtok:.2f} per M"
    return f"${price.usd_per_gpu_hour:g}/GPU-h"


def _round(x):
    return None if x is None else round(x, 1)
