"""The answer-only loss is transformers' own causal-LM loss, computed with fewer logits: same value, same gradients,
bare or wrapped by peft, on the two architectures the bundled students use (Llama: SmolLM2; Qwen2)."""

import pytest

from tasks.training.answer_loss import answer_loss
from tasks.training.data import Encoded, collate


def tiny(arch: str):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    shape = dict(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=True,
                 initializer_range=0.5)  # large weights: per-token losses far apart, so a wrong mask shows
    if arch == "llama":
        return LlamaForCausalLM(LlamaConfig(**shape))
    return Qwen2ForCausalLM(Qwen2Config(**shape))


def batch():
    """Three examples of different lengths whose answers start at different positions, right-padded."""
    rows = []
    for prompt, answer in ((7, 4), (3, 9), (12, 2)):
        ids = [(5 * i + prompt) % 90 + 3 for i in range(prompt + answer)]
        rows.append(Encoded(ids, [-100] * prompt + ids[prompt:]))
    return collate(rows, pad_id=0)


def with_lora(model):
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0,
                                            init_lora_weights=False))  # non-zero B: the adapter changes the output


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
@pytest.mark.parametrize("lora", [False, True])
def test_same_loss_and_gradients_as_transformers(arch, lora):
    import torch

    model = tiny(arch)
    model = with_lora(model) if lora else model
    model.eval()  # no dropout: the two computations see the same network
    b = batch()
    reference = model(**b).loss
    reference.backward()
    expected = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad(set_to_none=True)
    ours = answer_loss(model, b)
    ours.backward()
    assert torch.allclose(ours, reference, atol=1e-6), (float(ours), float(reference))
    got = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    assert got.keys() == expected.keys() and expected
    for name, grad in expected.items():
        assert torch.allclose(got[name], grad, atol=1e-6), name


def test_prompt_labels_are_not_scored():
    """A label planted on a prompt position changes transformers' loss and ours alike: the mask is the labels'."""
    import torch

    model = tiny("llama").eval()
    b = batch()
    clean = answer_loss(model, b)
    b["labels"][0, 2] = b["input_ids"][0, 2]  # the first row's third prompt token now counts
    planted = answer_loss(model, b)
    assert not torch.isclose(clean, planted)
    assert torch.isclose(planted, model(**b).loss, atol=1e-6)
