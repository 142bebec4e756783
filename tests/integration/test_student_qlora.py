"""The real demo student in NF4 on the CPU: LoRA trains, the 4-bit base stays frozen, generation first is harmless."""

import pytest
import torch

from distillery.config import StudentConfig
from models.student import add_lora, load_student, use_for_generation, use_for_training

pytestmark = pytest.mark.integration

EXAMPLES = [
    ("Ticket: my card was charged twice", '{"category": "billing", "urgency": "high"}'),
    ("Ticket: cannot log in since the update", '{"category": "account_access", "urgency": "medium"}'),
    ("Ticket: please add dark mode", '{"category": "feature_request", "urgency": "low"}'),
    ("Ticket: the export button does nothing", '{"category": "technical_bug", "urgency": "medium"}'),
]


@pytest.fixture(scope="module")
def student(small_model):
    torch.manual_seed(0)
    return load_student(StudentConfig(model=small_model))


def batch(tokenizer):
    texts = [tokenizer.apply_chat_template([{"role": "user", "content": q}, {"role": "assistant", "content": a}],
                                           tokenize=False) for q, a in EXAMPLES]
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
    return {**enc, "labels": labels}


def test_base_is_4bit_nf4(student):
    import bitsandbytes as bnb

    model, _, choice = student
    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(layers) >= 7 * model.config.num_hidden_layers  # q,k,v,o,gate,up,down in every block
    assert all(m.weight.dtype == torch.uint8 for m in layers)
    assert layers[0].weight.quant_state.quant_type == "nf4"
    assert choice.device == "cpu" and choice.reason


def test_one_lora_step_lowers_loss_and_leaves_base_frozen(student):
    import bitsandbytes as bnb

    model, tokenizer, _ = student
    # Generate first, as evaluation would: on AVX512-BF16 CPUs this repacks the 4-bit weights,
    # which silently breaks later training unless the library undoes it (use_for_training).
    use_for_generation(model)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": EXAMPLES[0][0]}],
                                           add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        model.generate(**prompt, max_new_tokens=4, do_sample=False)

    model = add_lora(model, StudentConfig().lora)
    use_for_training(model)
    assert not any(m.support_avx512bf16_for_cpu for m in model.modules() if isinstance(m, bnb.nn.Linear4bit))

    base_before = {n: p.detach().clone() for n, p in model.named_parameters() if p.dtype == torch.uint8}
    lora_before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    assert lora_before and all("lora_" in n for n in lora_before), "only LoRA weights may be trainable"

    inputs = batch(tokenizer)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    loss0 = model(**inputs).loss
    loss0.backward()
    # Gradients must flow back through every 4-bit layer to the first block: that is what the repack
    # trap silently breaks. (lora_B, because lora_A's first gradient is zero while B is still zero.)
    first_block = [p.grad for n, p in model.named_parameters() if "layers.0." in n and "lora_B" in n]
    assert first_block and all(g is not None and g.abs().sum() > 0 for g in first_block)
    optimizer.step()
    optimizer.zero_grad()
    for _ in range(2):
        loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    with torch.no_grad():
        loss_after = model(**inputs).loss
    assert loss_after < loss0 * 0.95, (loss0.item(), loss_after.item())

    changed = [n for n, p in model.named_parameters() if n in lora_before and not torch.equal(p, lora_before[n])]
    assert len(changed) == len(lora_before)
    assert all(torch.equal(p, base_before[n]) for n, p in model.named_parameters() if n in base_before)
