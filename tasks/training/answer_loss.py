"""The training loss, with the output layer applied to answer positions only.

`model(**batch).loss` projects every position of the batch through the output layer (hidden x vocabulary: 28M
multiply-adds per token for the demo student's 49k-token vocabulary, a fifth of all its weights) and upcasts all
those logits to fp32, then ignores the prompt's positions (label -100). The student's prompts are most of its
tokens, so that work is mostly thrown away. Here the decoder runs as before, and only the hidden states that
predict an answer token go through the output layer: the same loss (mean cross-entropy over answer tokens, as
transformers' ForCausalLMLoss computes it), less compute and memory (docs/facts.md "Answer-only logits and LoRA dropout").

Written by hand because transformers' `logits_to_keep` keeps one set of sequence positions for the whole batch,
while the answers of a right-padded batch start at a different position in every row.
"""


def answer_loss(model, batch: dict):
    """Mean next-token cross-entropy over the positions whose label is not -100. `model` is a causal LM, bare or
    wrapped by peft; `batch` holds input_ids, attention_mask and labels (tasks/training/data.py `collate`)."""
    import torch.nn.functional as F

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model  # peft: LoRA layers stay injected
    hidden = lm.get_decoder()(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                             use_cache=False).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != -100  # position t predicts token t+1
    logits = lm.get_output_embeddings()(hidden[:, :-1][keep]).float()
    return F.cross_entropy(logits, targets[keep])
