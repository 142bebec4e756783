"""Parity of two models on the same tokens: does the export compute what the student was trained as?

    reference = forced_logits(nf4_with_adapter, tokenizer, items, answers)   # the training reference
    candidate = forced_logits(export, tokenizer, items, answers)             # the merged export
    compare_logits(reference, candidate) -> {"next_token_agreement": 0.996, "max_top_logprob_gap": 0.4, ...}

Both models read the very same sequences (prompt + the reference's greedy answer, teacher-forced), and we
compare, position by position, which next token each would pick and how far their confidence in the
reference's pick drifts. Comparing whole greedy generations instead cascades: under bf16 compute one
flipped low-margin token sends a long free-text answer down another path, and every later token then
"differs" although the merge is correct (seen on an AVX512-BF16 CPU: 0 of 3 long answers identical for a
correct merge). Teacher forcing counts that flip once. docs/facts.md "Export parity" has the measured
figures for correct and naive merges in fp32 and bf16.
"""

from models.prompt_shape import student_messages


def forced_logits(model, tokenizer, items: list[tuple[str, str]], answers: list[str]) -> list:
    """Per item, the model's next-token logits (float32, on the CPU) at every answer position, teacher-forced
    on prompt + answer: row t predicts answer token t. Items with an empty answer give an empty tensor."""
    import torch

    out = []
    model.eval()
    for (route, user), answer in zip(items, answers):
        prompt = tokenizer.apply_chat_template(student_messages(route, user), add_generation_prompt=True, tokenize=False)
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
        ids = torch.tensor([prompt_ids + answer_ids], device=model.device)
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0]
        # position p predicts token p+1: the answer's tokens are predicted from len(prompt)-1 on
        out.append(logits[len(prompt_ids) - 1 : len(prompt_ids) - 1 + len(answer_ids)].float().cpu())
    return out


def compare_logits(reference: list, candidate: list) -> dict:
    """How closely `candidate` tracks `reference` on the same forced positions:
    - next_token_agreement: share of positions where both pick the same next token (argmax);
    - max_top_logprob_gap: largest |log p_ref(y) - log p_cand(y)| over positions, y = the reference's pick;
    - max_logit_gap: largest |logit_ref - logit_cand| over positions and the whole vocabulary (diagnostic)."""
    import torch

    positions = agree = 0
    top_gap = logit_gap = 0.0
    for ref, cand in zip(reference, candidate):
        if ref.numel() == 0:
            continue
        pick = ref.argmax(-1)
        agree += int((cand.argmax(-1) == pick).sum())
        positions += len(pick)
        ref_lp, cand_lp = torch.log_softmax(ref, -1), torch.log_softmax(cand, -1)
        rows = torch.arange(len(pick))
        top_gap = max(top_gap, float((ref_lp[rows, pick] - cand_lp[rows, pick]).abs().max()))
        logit_gap = max(logit_gap, float((ref - cand).abs().max()))
    return {"positions": positions, "next_token_agreement": round(agree / positions, 4) if positions else None,
            "max_top_logprob_gap": round(top_gap, 4), "max_logit_gap": round(logit_gap, 4)}


def passes(measured: dict, min_agreement: float, max_top_logprob_gap: float, min_positions: int) -> bool:
    """The gate: enough positions measured, enough of them agree, and none drifts far. Too few positions is
    missing evidence, not a pass."""
    agreement = measured.get("next_token_agreement")
    return (measured["positions"] >= min_positions and agreement is not None and agreement >= min_agreement
            and measured["max_top_logprob_gap"] <= max_top_logprob_gap)
