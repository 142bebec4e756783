"""What a training step costs: logits at every position or at answer positions only, LoRA dropout or none.

    .venv/bin/python benchmarks/answer_logits.py                 # ~3.5 min on 2 cores, demo student, JSON routes
    .venv/bin/python benchmarks/answer_logits.py --routes all    # every route, support-reply's long answers too

For each length-bucketed batch of demo examples (student prompt shape, the log's answers), one forward and
backward pass per arm, the arms in a rotating order so the machine's drifting speed hits all alike:
- `full`: transformers' own loss (`model(**batch).loss`: logits at every position), the config's LoRA dropout;
- `answer_only`: tasks/training/answer_loss.py (logits at answer positions only), the same dropout;
- `answer_only_no_dropout`: the same with LoRA dropout 0 (PyTorch then skips the Bernoulli masks).
Gradient checkpointing as the demo config sets it. Prints trained (answer) tokens per second of each arm, their
ratios to `full`, and the largest difference between the two losses on the same batches with dropout off (they
compute the same thing). The last stdout line is one JSON document.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.train_throughput import demo_examples, student_config  # noqa: E402
from tasks.training.answer_loss import answer_loss  # noqa: E402
from tasks.training.data import collate, encode, length_batches  # noqa: E402


def full_loss(model, batch):
    return model(**batch).loss


def set_lora_dropout(model, p: float) -> None:
    for module in model.modules():
        if type(module).__name__ == "Dropout":  # peft's lora_dropout modules (the config's dropout is > 0)
            module.p = p


def timed_backward(loss_fn, model, batch, dropout: float) -> float:
    set_lora_dropout(model, dropout)
    started = time.perf_counter()
    loss_fn(model, batch).backward()
    model.zero_grad(set_to_none=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="student model (default: the demo config's)")
    parser.add_argument("--examples", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-len", type=int, default=512)
    parser.add_argument("--routes", default="ticket-triage,invoice-extract", help="comma-separated, or 'all'")
    args = parser.parse_args()

    import torch

    from models.student import add_lora, load_student, use_for_training

    started = time.monotonic()
    cfg = student_config(args.model, True, "auto")
    model, tokenizer, choice = load_student(cfg)
    torch.manual_seed(0)
    model = add_lora(model, cfg.lora, cfg.training.gradient_checkpointing)
    use_for_training(model)
    wanted = None if args.routes == "all" else tuple(f"[{r}]" for r in args.routes.split(","))
    chats = [c for c in demo_examples(args.examples * 4) if wanted is None or c[0]["content"].startswith(wanted)]
    examples = [e for e in (encode(tokenizer, c) for c in chats[: args.examples]) if len(e.input_ids) <= args.max_len]
    batches = [{k: v.to(model.device) for k, v in collate(b, tokenizer.pad_token_id).items()}
               for b in length_batches(examples, args.batch_size, seed=0, epoch=0)]

    model.eval()  # dropout off: both losses must then agree
    with torch.no_grad():
        gap = max(abs(float(full_loss(model, b)) - float(answer_loss(model, b))) for b in batches[:8])
    model.train()
    p = cfg.lora.dropout
    arms = [("full", full_loss, p), ("answer_only", answer_loss, p), ("answer_only_no_dropout", answer_loss, 0.0)]
    for _, fn, dropout in arms:  # warm-up: first-call costs
        timed_backward(fn, model, batches[0], dropout)
    seconds = {name: 0.0 for name, _, _ in arms}
    for i, b in enumerate(batches):
        for name, fn, dropout in arms[i % 3:] + arms[: i % 3]:
            seconds[name] += timed_backward(fn, model, b, dropout)
    answer_tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
    positions = sum(int(b["attention_mask"].sum()) for b in batches)
    rate = {k: round(answer_tokens / v, 1) for k, v in seconds.items()}
    print(json.dumps({"benchmark": "answer_logits", "device": choice.device, "compute_dtype": choice.dtype_name,
                      "routes": args.routes, "examples": len(examples), "batches": len(batches),
                      "answer_share_of_tokens": round(answer_tokens / positions, 3),
                      "lora_dropout": p, "gradient_checkpointing": cfg.training.gradient_checkpointing,
                      "tokens_per_s": rate, "vs_full": {k: round(v / rate["full"], 3) for k, v in rate.items()},
                      "max_loss_gap": round(gap, 6), "wall_s": round(time.monotonic() - started, 1)}))


if __name__ == "__main__":
    main()
