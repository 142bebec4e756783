"""Training examples -> token ids with the loss on the answer only, batched by length.

The prompt part (everything up to the assistant's turn, rendered with the model's own chat template)
gets label -100, so the student is graded on answering, not on echoing the ticket. Batches group
examples of similar length (sorted within seeded buckets), so padding stays small without packing.
"""

import json
import random
from dataclasses import dataclass


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]


def encode(tokenizer, messages: list[dict]) -> Encoded:
    """Token ids of the whole chat and labels that only cover the final assistant turn."""
    prompt = tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    if ids[: len(prompt_ids)] != prompt_ids:  # a template that re-renders earlier turns: fall back to a prefix count
        prompt_ids = ids[: len(prompt_ids)]
    return Encoded(ids, [-100] * len(prompt_ids) + ids[len(prompt_ids):])


def encode_rows(tokenizer, rows: list[dict], max_seq_len: int) -> tuple[list[Encoded], int]:
    """Encode train.parquet rows; examples longer than max_seq_len are skipped (and counted), never cut."""
    out, skipped = [], 0
    for row in rows:
        enc = encode(tokenizer, json.loads(row["messages"]))
        if len(enc.input_ids) > max_seq_len:
            skipped += 1
        else:
            out.append(enc)
    return out, skipped


def length_batches(examples: list[Encoded], batch_size: int, seed: int, epoch: int) -> list[list[Encoded]]:
    """Shuffle, cut into buckets of 16 batches, sort each bucket by length, batch, shuffle the batches."""
    rng = random.Random(seed * 1000 + epoch)
    order = examples[:]
    rng.shuffle(order)
    bucket = batch_size * 16
    batches = []
    for i in range(0, len(order), bucket):
        chunk = sorted(order[i : i + bucket], key=lambda e: len(e.input_ids))
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(batch: list[Encoded], pad_id: int, pad_to: int | None = None) -> dict:
    """Right-pad to the longest in the batch (or to `pad_to`, for the fixed-length baseline)."""
    import torch

    width = pad_to or max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        labels[i, :n] = torch.tensor(e.labels)
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}
