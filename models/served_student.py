"""The student as production serves it, for `distillery serve student` and for the evaluation's arms.

    with served_candidate(cfg, "v0003", adapter_dir, export_model_dir, log_dir) as endpoint: ...
    with served_base(cfg, log_dir) as endpoint: ...   # the untrained student, for "did training help"

Default: the merged export (tasks/export/stage.py), i.e. the adapter merged into dequant(NF4) of its base,
served by vLLM without a LoRA path (on the CPU ~4x faster than --enable-lora:
docs/facts.md "LoRA serving on the CPU"). With `export.multi_lora` (CUDA only): vLLM quantizes the base to
NF4 itself and applies the adapter per request, so one base serves many adapters.

Why a dequantized base (docs/facts.md "Serve what you trained"): an adapter trained on the NF4 base but
served on the original bf16 weights lost a low-margin decision (urgency collapsed to "high"). dequant(NF4)
in the compute dtype is the very weights the adapter was trained against. It is built once per (base,
quantization, dtype) into the model cache.
"""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import shutil
from pathlib import Path

from distillery.config import RunConfig, ServedModelConfig, StudentConfig
from distillery.paths import model_cache_dir

log = logging.getLogger(__name__)
VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)  # --max-lora-rank accepts only these


def dequantized_base(student: StudentConfig) -> Path:
    """A plain HF folder holding the 4-bit base's weights expanded to the compute dtype (the base itself if not 4-bit)."""
    from models.device import choose_device
    from models.registry import base_hash
    from models.resolve import resolve_model

    base = resolve_model(student.model)
    if not student.quant.load_in_4bit:
        return Path(base)
    choice = choose_device(student.device, student.quant.compute_dtype)
    quant = hashlib.sha256(json.dumps(student.quant.model_dump(), sort_keys=True).encode()).hexdigest()[:8]
    out = model_cache_dir() / "dequantized" / f"{base_hash(base)}-{quant}-{choice.dtype_name}"
    if (out / "config.json").is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as lock:  # two runs (or test workers) at once build it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "config.json").is_file():
            _dequantize(student, choice.dtype_name, out)
    return out


def _dequantize(student: StudentConfig, dtype_name: str, out: Path) -> None:
    from models.student import load_student

    log.info("dequantizing the NF4 base of %s to %s for serving -> %s", student.model, dtype_name, out)
    model, tokenizer, _ = load_student(student)
    model = model.dequantize(dtype=model.dtype)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config  # vLLM would otherwise try to load it as a bitsandbytes checkpoint
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def lora_rank_limit(r: int) -> int:
    return next(x for x in VLLM_LORA_RANKS if x >= r)


class ServeError(RuntimeError):
    """The student cannot be served as configured; the message says what to change."""


@contextlib.contextmanager
def served_candidate(cfg: RunConfig, version: str, adapter_dir: Path, model_dir: Path | None, log_dir: Path):
    """The candidate exactly as `distillery serve student` would serve it: the merged export (`model_dir`), or with
    `export.multi_lora` the adapter on vLLM's own NF4 quantization of the base. Yields its Endpoint."""
    if cfg.export.multi_lora:
        with _server(multi_lora_config(cfg, version, adapter_dir), log_dir) as endpoint:
            yield dataclasses.replace(endpoint, model=version)
    else:
        if model_dir is None:
            raise ServeError(f"adapter {version} has no servable export: run distillery export {version}")
        with _server(export_config(cfg, model_dir), log_dir) as endpoint:
            yield endpoint


@contextlib.contextmanager
def served_base(cfg: RunConfig, log_dir: Path):
    """The untrained student on the same footing as the candidate: the dequantized NF4 base (or vLLM's NF4)."""
    if cfg.export.multi_lora:
        served = multi_lora_config(cfg, None, None)
    else:
        served = export_config(cfg, dequantized_base(cfg.student)).model_copy(update={"served_name": "student-base"})
    with _server(served, log_dir) as endpoint:
        yield endpoint


def multi_lora_config(cfg: RunConfig, version: str | None, adapter_dir: Path | None) -> ServedModelConfig:
    """`export.multi_lora`: vLLM quantizes the original base to NF4 itself (bitsandbytes) and applies the adapter per
    request. CUDA only: on the CPU the single student is served merged, ~4x faster (docs/facts.md "LoRA serving on
    the CPU"); `adapters_config` still serves several adapters there."""
    import torch

    if not torch.cuda.is_available():
        raise ServeError("export.multi_lora needs CUDA (vLLM's bitsandbytes quantization has no CPU kernels); "
                         "set export.multi_lora=false to serve the merged export")
    return adapters_config(cfg, {version: adapter_dir} if version is not None else {})


def adapters_config(cfg: RunConfig, adapters: dict[str, Path]) -> ServedModelConfig:
    """Several registered adapters on one base, each answering under its own model name (a request's `model` picks
    the adapter; the base's served name answers without one). The base is the NF4 weights every adapter was trained
    against: vLLM's own NF4 quantization on CUDA, the dequantized NF4 base on the CPU (bitsandbytes has no vLLM-CPU
    kernels)."""
    import torch

    from models.resolve import resolve_model

    launch = cfg.evaluation.serve
    extra = [*launch.extra_args, "--enable-lora", "--max-lora-rank", str(lora_rank_limit(cfg.student.lora.r)),
             "--max-loras", str(max(1, len(adapters)))]
    if torch.cuda.is_available():
        base, extra = str(resolve_model(cfg.student.model)), [*extra, "--quantization", "bitsandbytes"]
    else:
        base = str(dequantized_base(cfg.student))
    if adapters:
        extra += ["--lora-modules", *(f"{name}={path}" for name, path in adapters.items())]
    return ServedModelConfig(model=base, served_name=cfg.export.served_name,
                             launch=launch.model_copy(update={"extra_args": extra}), concurrency=cfg.evaluation.concurrency)


@contextlib.contextmanager
def _server(served: ServedModelConfig, log_dir: Path, hand_over: bool = False):
    from models.vllm_server import ManagedServer

    server = ManagedServer(served, log_dir)
    try:
        yield server.start()
    except BaseException:
        server.stop()
        raise
    if hand_over:
        server.hand_over()
    else:
        server.stop()


def export_config(cfg: RunConfig, model_dir: Path) -> ServedModelConfig:
    """The served-model settings for a merged export: no LoRA path, the stable name clients use."""
    return ServedModelConfig(model=str(model_dir), served_name=cfg.export.served_name, launch=cfg.evaluation.serve,
                         concurrency=cfg.evaluation.concurrency)


def export_server(cfg: RunConfig, model_dir: Path, log_dir: Path, hand_over: bool = False):
    """A vLLM server for a merged export folder: stopped on the way out, or, with `hand_over`, left for the next
    start of the same export (the evaluation's student arm) and stopped otherwise (ManagedServer.hand_over)."""
    return _server(export_config(cfg, model_dir), log_dir, hand_over)
