"""One night of the pipeline, the `run` lines of the bill: labeling, training, evaluation, the judge's calls, and
every attempt beyond the ones whose outputs the run kept.

Calls to an API are billed per token, at the batch price only when a stage record says they went through the
batch API; self-hosted models and the pipeline's own steps by the GPU time they took.
"""

from pathlib import Path

from distillery.config import RunConfig
from distillery.store import read_attempts
from tasks.report import cost_model as cm
from tasks.report.cost_line import Line
from tasks.report.label_bill import LabelBill, label_bill
from tasks.report.pricing import price_of
from tasks.report.records import optional_record, read_record

# The cost line each stage's compute is in, by the line's opening words. Labeling is not here: it is billed per
# token for every label the run paid for, whichever attempt made it (a failed request is not billed by an API).
STAGE_LINES = {"train": "training:", "evaluate": "evaluation:"}


def night_lines(cfg: RunConfig, run_dir: Path, label: dict, train: dict, rows: list[dict], teacher,
                dedicated: cm.GpuPrice | None, cached: dict[str, float]) -> list[Line]:
    """One night of the pipeline: its stages, the judge's calls, and every attempt beyond the kept ones."""
    attempts = read_attempts(run_dir)
    lines = pipeline_lines(cfg, label, label_bill(label, run_dir, attempts, cached), train, rows, teacher, dedicated)
    lines += judge_lines(cfg, run_dir, teacher)
    return lines + repeat_lines(lines, attempts, {"train": train, "evaluate": optional_record(run_dir, "stage-evaluate.json")})


def pipeline_lines(cfg: RunConfig, label: dict, bill: LabelBill, train: dict, rows: list[dict], teacher,
                   student_gpu: cm.GpuPrice | None) -> list[Line]:
    """One night's costs by stage: the labels this run paid for at the teacher's price (online unless the record
    says the batch API was used) or its GPU time, training at the pipeline GPU's configured throughput, the
    student's evaluation answers at its GPU's throughput."""
    p = cfg.pricing
    training = _gpu_time_line("training: student QLoRA", train["trained_tokens"] / p.training_tok_s,
                              p.pipeline_usd_per_gpu_hour, "measured trained tokens / assumed GPU throughput")
    out_tokens = sum(r.get("student_completion_tokens") or 0 for r in rows) + sum(r.get("base_completion_tokens") or 0 for r in rows)
    eval_s = out_tokens / (student_gpu.output_tok_s if student_gpu else p.training_tok_s)
    evaluation = _gpu_time_line("evaluation: student and base answers", eval_s, p.pipeline_usd_per_gpu_hour,
                                "measured tokens / assumed throughput")
    return [labeling_line(teacher, bill, label.get("batch_api") is True), training, evaluation]


def labeling_line(teacher, bill: LabelBill, batch: bool) -> Line:
    paid = f"{bill.paid} labels" if bill.paid is not None else "labels"
    who = f"{paid} paid by this run ({bill.how})" + (f"; {bill.reused} reused, billed by the run that made them"
                                                     if bill.reused else "")
    if isinstance(teacher, cm.ApiPrice):
        return _api_calls_line("labeling: teacher tokens", teacher,
                               cm.Traffic(bill.prompt_tokens, bill.completion_tokens, bill.cached_tokens), batch,
                               f"{who}; {bill.cached_tokens:,.0f} input tokens at the cached price; "
                               f"measured tokens x assumed API price")
    return _gpu_calls_line("labeling: teacher GPU time", teacher, bill.completion_tokens,
                           f"{who}; measured tokens / assumed GPU throughput")


def judge_lines(cfg: RunConfig, run_dir: Path, teacher) -> list[Line]:
    """The LLM judge's calls, curation's and evaluation's, from their measured tokens (retried requests included):
    online calls (chat completions) unless the record says the batch API was used."""
    judge = price_of(cfg.pricing.judge, what="pricing.judge") if cfg.pricing.judge else teacher
    used = {"curation judge": (optional_record(run_dir, "stage-curate.json") or {}).get("judge"),
            "evaluation judge": read_record(run_dir, "ab.json", "the quality verdict").get("judge")}
    out = []
    for name, u in used.items():
        if not u or not u.get("calls"):
            continue
        if isinstance(judge, cm.ApiPrice):
            out.append(_api_calls_line(f"{name}: {u['calls']} calls", judge,
                                       cm.Traffic(u.get("prompt_tokens", 0), u.get("completion_tokens", 0)),
                                       u.get("batch_api") is True,
                                       "measured tokens x assumed API price; its repeated prompt is not measured, so no "
                                       "input token is billed at a cached price"))
        else:
            out.append(_gpu_calls_line(f"{name}: {u['calls']} calls, GPU time", judge, u.get("completion_tokens", 0),
                                       "measured tokens / assumed GPU throughput"))
    return out


def repeat_lines(lines: list[Line], attempts: list[dict], records: dict[str, dict | None]) -> list[Line]:
    """Attempts beyond the one whose outputs the run kept (failed tries, re-runs that redid work), billed at the
    kept attempt's cost per second: a stage that failed once after as long as its successful run costs twice."""
    out = []
    for stage, prefix in STAGE_LINES.items():
        record, line = records.get(stage), next((x for x in lines if x.item.startswith(prefix)), None)
        if not record or line is None or not record.get("wall_s"):
            continue
        tries = [a for a in attempts if a["stage"] == stage]
        extra_s = max(sum(a["wall_s"] for a in tries) - record["wall_s"], 0.0)
        failed = sum(a["outcome"] == "failed" for a in tries)
        killed = sum(a["outcome"] == "killed" for a in tries)
        # A resumed run that reused the outputs took ~no time: not worth a line. A failed or killed attempt always
        # gets one, even when it died before its first heartbeat (a killed attempt counts up to its last one,
        # distillery/store.py HEARTBEAT_S) and so shows ~0 s.
        if len(tries) < 2 or (extra_s <= 1 and not failed + killed):
            continue
        how = f"{failed} failed" + (f", {killed} killed" if killed else "")
        out.append(Line("run", f"{prefix[:-1]}: {len(tries) - 1} more attempt(s) ({how})", extra_s, "seconds",
                        line.usd * extra_s / record["wall_s"], "derived",
                        "measured extra wall time x the kept attempt's cost per second"))
    return out


def _api_calls_line(item: str, price: cm.ApiPrice, t: cm.Traffic, batch: bool, note: str) -> Line:
    """Calls to an API, billed per token; the item says which price they paid: the batch price only for calls a
    stage record says went through the batch API."""
    mode = f"batch price (-{price.batch_discount:.0%})" if batch else "online price"
    return Line("run", f"{item} at the {mode}", t.prompt_tokens + t.completion_tokens, "tokens",
                cm.api_cost_per_request(price, t, batch=batch), "derived", note)


def _gpu_calls_line(item: str, price: cm.GpuPrice, completion_tokens: float, note: str) -> Line:
    """Calls to a self-hosted model, billed by the GPU time its sustained throughput takes to write their tokens."""
    seconds = completion_tokens / (price.output_tok_s * price.utilization)
    return _gpu_time_line(item, seconds, price.usd_per_gpu_hour * price.gpus_per_replica, note)


def _gpu_time_line(item: str, seconds: float, usd_per_hour: float, note: str) -> Line:
    """A step billed by the GPU-seconds it took at an hourly rate."""
    return Line("run", item, seconds, "GPU-seconds", cm.gpu_seconds_cost(usd_per_hour, seconds), "derived", note)
