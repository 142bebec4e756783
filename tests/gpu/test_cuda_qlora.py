"""QLoRA on CUDA: the same student code with bf16 compute. Skipped on machines without CUDA."""

import pytest
import torch

from distillery.config import StudentConfig, load_config
from models.student import add_lora, load_student, use_for_training
from tests.conftest import REPO

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; this machine has none"),
]


def test_cuda_4bit_student_trains_in_bf16(small_model):
    import bitsandbytes as bnb

    model, tokenizer, choice = load_student(StudentConfig(model=small_model))
    assert choice.device == "cuda"
    if torch.cuda.get_device_capability()[0] >= 8:
        assert choice.dtype_name == "bfloat16"
    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers and all(m.weight.device.type == "cuda" for m in layers)

    model = add_lora(model, StudentConfig().lora)
    use_for_training(model)
    enc = tokenizer(["Ticket: refund please -> billing"] * 4, return_tensors="pt").to("cuda")
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    losses = []
    for _ in range(3):
        loss = model(**enc, labels=enc["input_ids"]).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA only: vLLM's bitsandbytes NF4 base has no CPU kernels")
def test_multi_lora_serves_the_adapter_on_vllms_nf4_base():
    from models.served_student import multi_lora_config

    cfg = load_config(REPO / "configs/demo.yaml", ["export.multi_lora=true"])
    served = multi_lora_config(cfg, "v0001", REPO / "adapter")
    args = served.launch.extra_args
    assert args[args.index("--quantization") + 1] == "bitsandbytes" and "--enable-lora" in args
    assert args[args.index("--lora-modules") + 1] == f"v0001={REPO / 'adapter'}"
