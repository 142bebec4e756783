"""The student: a 4-bit (NF4) base with LoRA adapters, on CPU or CUDA with the same code.

    model, tokenizer, choice = load_student(cfg.student)
    model = add_lora(model, cfg.student.lora)
    use_for_training(model)     # before any optimizer step
    use_for_generation(model)   # before generate()

The switch functions exist because of a bitsandbytes trap on AVX512-BF16 CPUs (docs/facts.md
"bitsandbytes CPU repack"): once a Linear4bit runs in eval mode without grad, it repacks its weight in
place for a fast CPU kernel, and later training through that layer silently gets no input gradients.
"""

import logging
from typing import TYPE_CHECKING

from models.device import DeviceChoice, choose_device
from models.resolve import resolve_model

if TYPE_CHECKING:  # annotations only: benchmarks/gpu_check.py runs this module where pydantic is not installed
    from distillery.config import LoraConfig, QuantConfig, StudentConfig

log = logging.getLogger(__name__)


def quantization_config(quant: "QuantConfig", choice: DeviceChoice):
    """The BitsAndBytesConfig for the base, or None for a plain (non-quantized) LoRA base."""
    if not quant.load_in_4bit:
        return None
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=quant.quant_type,
                              bnb_4bit_use_double_quant=quant.double_quant, bnb_4bit_compute_dtype=choice.dtype)


def load_student(student: "StudentConfig"):
    """Load the student base (4-bit unless configured otherwise) and its tokenizer on the chosen device."""
    from transformers import AutoTokenizer

    path = resolve_model(student.model)
    choice = choose_device(student.device, student.quant.compute_dtype)
    model = load_base(path, student.quant, choice)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token  # SmolLM2 pads with <|im_end|> too; masked out of the loss
    return model, tokenizer, choice


def load_base(path: str, quant: "QuantConfig", choice: DeviceChoice):
    """The base model from a local folder, quantized as configured, on the chosen device and dtype: under torchrun
    (data-parallel training, tasks/training/distributed.py) each process's own GPU, LOCAL_RANK."""
    import os

    from transformers import AutoModelForCausalLM

    device = choice.device
    if device == "cuda" and "LOCAL_RANK" in os.environ:
        device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
    return AutoModelForCausalLM.from_pretrained(path, quantization_config=quantization_config(quant, choice),
                                                dtype=choice.dtype, device_map={"": device})


def add_lora(model, lora: "LoraConfig", gradient_checkpointing: bool = True):
    """Wrap the base with trainable LoRA adapters on the configured projections; the base stays frozen."""
    from peft import LoraConfig as PeftLoraConfig
    from peft import get_peft_model, prepare_model_for_kbit_training

    # Non-reentrant checkpointing: the reentrant kind needs inputs that require grad and warns otherwise.
    checkpointing = {"use_reentrant": False}
    if getattr(model, "is_loaded_in_4bit", False):
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing,
                                                gradient_checkpointing_kwargs=checkpointing)
    elif gradient_checkpointing:
        # A plain (bf16/fp32) base honours the knob too: without this, bf16 LoRA kept every activation while
        # QLoRA recomputed them, and the memory comparison (benchmarks/gpu_check.py) compared unlike runs.
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=checkpointing)
    peft_config = PeftLoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                                 target_modules=lora.target_modules, task_type="CAUSAL_LM")
    return get_peft_model(model, peft_config)


def _linear4bit_layers(model):
    try:
        import bitsandbytes as bnb
    except ImportError:  # a plain LoRA base on a machine without bitsandbytes has no 4-bit layers to look after
        return []
    return [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]


def use_for_training(model) -> None:
    """Undo any CPU weight repacking and keep it off, so gradients flow through every 4-bit layer."""
    unpacked = 0
    for layer in _linear4bit_layers(model):
        state = getattr(layer.weight, "quant_state", None)
        if state is not None and getattr(state, "packing_format_for_cpu", False):
            from bitsandbytes.functional import _convert_weight_packed_for_cpu_inverse

            # The same inverse bitsandbytes applies before saving a packed layer.
            layer.weight.data, layer.weight.quant_state = _convert_weight_packed_for_cpu_inverse(layer.weight.data, state)
            unpacked += 1
        layer.support_avx512bf16_for_cpu = False
    if unpacked:
        log.info("unpacked %d CPU-repacked 4-bit layers before training", unpacked)
    model.train()


def use_for_generation(model) -> None:
    """Let bitsandbytes use its fast packed CPU kernel again (where the CPU has AVX512-BF16)."""
    from bitsandbytes.functional import has_avx512bf16

    fast = has_avx512bf16()
    for layer in _linear4bit_layers(model):
        layer.support_avx512bf16_for_cpu = fast
    model.eval()
