"""The student as production serves it: vLLM with the LoRA adapter (--enable-lora) on the dequantized NF4 base.

    with student_server(cfg, "v0003", adapter_dir, log_dir) as arms:
        arms["candidate"]   # Endpoint answering with the adapter
        arms["base"]        # the same server without the adapter: the untrained student

Why a dequantized base (FACTS.md): an adapter trained on the NF4 base but served on the original
bf16 weights lost a low-margin decision (urgency collapsed to "high"). The base here is dequant(NF4)
in the compute dtype, the very weights the adapter was trained against, so vLLM serves what was
evaluated. It is built once per (base, quantization, dtype) into the model cache.
"""

import contextlib
import dataclasses
import hashlib
import json
import logging
import shutil
from pathlib import Path

from distillery.config import RunConfig, StudentConfig, TeacherConfig
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
    from models.student import load_student

    log.info("dequantizing the NF4 base of %s to %s for serving -> %s", student.model, choice.dtype_name, out)
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
    return out


def lora_rank_limit(r: int) -> int:
    return next(x for x in VLLM_LORA_RANKS if x >= r)


@contextlib.contextmanager
def student_server(cfg: RunConfig, version: str, adapter_dir: Path, log_dir: Path):
    """A vLLM server for the dequantized base with the adapter as `version`; stopped on the way out."""
    from models.teacher_server import ManagedServer

    base = dequantized_base(cfg.student)
    launch = cfg.evaluation.serve
    extra = [*launch.extra_args, "--enable-lora", "--lora-modules", f"{version}={adapter_dir}",
             "--max-lora-rank", str(lora_rank_limit(cfg.student.lora.r))]
    # served_name carries the version, so a leftover server for another adapter is never reused by mistake
    served = TeacherConfig(model=str(base), served_name=f"student-base-for-{version}",
                           launch=launch.model_copy(update={"extra_args": extra}))
    server = ManagedServer(served, log_dir)
    try:
        endpoint = server.start()
        yield {"base": endpoint, "candidate": dataclasses.replace(endpoint, model=version)}
    finally:
        server.stop()


def export_config(cfg: RunConfig, model_dir: Path) -> TeacherConfig:
    """The served-model settings for a merged export: no LoRA path, the stable name clients use."""
    return TeacherConfig(model=str(model_dir), served_name=cfg.export.served_name, launch=cfg.evaluation.serve,
                         concurrency=cfg.evaluation.concurrency)


@contextlib.contextmanager
def export_server(cfg: RunConfig, model_dir: Path, log_dir: Path):
    """A vLLM server for a merged export folder; stopped on the way out."""
    from models.teacher_server import ManagedServer

    server = ManagedServer(export_config(cfg, model_dir), log_dir)
    try:
        yield server.start()
    finally:
        server.stop()
