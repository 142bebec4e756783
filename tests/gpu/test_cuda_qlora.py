"""QLoRA on CUDA: the same student code with bf16 compute. Skipped on machines without CUDA."""

import pytest
import torch

from distillery.config import StudentConfig
from models.student import add_lora, load_student, use_for_training

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
