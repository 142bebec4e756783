"""Prices from the pricing config, in the cost model's terms: the teacher's, the judge's and each way to pay for
the student (hosted per token, a dedicated GPU, a share of a multi-LoRA GPU).

A self-hosted price without a configured throughput takes the one this run measured serving the student on
CUDA; a CPU run's figure says nothing of a GPU, so there the config must give it.
"""

from dataclasses import dataclass, replace
from pathlib import Path

from distillery.config import ApiPricing, ModelPricing, SelfHostedPricing, StudentPricing
from tasks.report import cost_model as cm
from tasks.report.records import ReportError, optional_record


@dataclass(frozen=True)
class Option:
    """One way to pay for the student."""

    key: str         # hosted_api | dedicated_gpu | shared_gpu
    label: str       # what finance reads
    price: cm.ApiPrice | cm.GpuPrice


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
    export = optional_record(run_dir, "stage-export.json")
    if export and export.get("device") == "cuda":
        return (export.get("serving") or {}).get("output_tok_s")
    return None


def how_priced(price: cm.ApiPrice | cm.GpuPrice) -> str:
    """The price in a line's note, for finance: per token, or GPUs per replica at an hourly rate."""
    if isinstance(price, cm.ApiPrice):
        cached = "" if price.cached_input_per_mtok is None else f", ${price.cached_input_per_mtok:g}/M cached in"
        return f"API ${price.input_per_mtok:g}/M in{cached}, ${price.output_per_mtok:g}/M out (assumed)"
    share = "" if price.share == 1 else f"; this model pays {price.share:.0%} of the GPUs' bill"
    return (f"{price.gpus_per_replica} GPU x ${price.usd_per_gpu_hour:g}/h per replica, {price.output_tok_s:g} tok/s "
            f"(assumed){share}")


def price_label(price: cm.ApiPrice | cm.GpuPrice) -> str:
    """The price in a sensitivity table's column heading: short, per token or per GPU-hour."""
    if isinstance(price, cm.ApiPrice):
        return f"${price.input_per_mtok:.2f} / ${price.output_per_mtok:.2f} per M"
    return f"${price.usd_per_gpu_hour:g}/GPU-h"
