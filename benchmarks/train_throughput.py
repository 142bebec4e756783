"""Does length-bucketed dynamic padding pay, and does the 4-bit base save memory? Same data, same process.

    .venv/bin/python benchmarks/train_throughput.py              # ~3 min on 2 cores, demo student
    .venv/bin/python benchmarks/train_throughput.py --model PATH --examples 64   # a GPU with a real student

Throughput: the same shuffled mix of demo examples (all routes, so lengths vary as in a real curated set) is
trained for one pass twice on one LoRA model: batches padded to the longest example of the set (the fixed
length baseline), then our length-bucketed batches padded to their own longest. Both count trained (answer,
non-pad) tokens per second; the ratio is the headline (issue 5 target: >= 1.5).

Memory: two child processes each load the student (NF4 4-bit / bf16), add LoRA and run one training step;
on CUDA the peak is torch.cuda.max_memory_allocated, on the CPU the peak RSS (VmHWM) above what the imports took.
Issue 5's QLoRA anchor on CUDA: 4-bit peak <= 0.45x the bf16 LoRA peak (a 135M model is mostly embeddings,
so the CPU ratio here is not that anchor).
The last stdout line is one JSON document.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from distillery.config import load_config  # noqa: E402
from models.prompt_shape import student_messages  # noqa: E402


def demo_examples(count: int, seed: int = 0) -> list[list[dict]]:
    """Student-shape chats (route tag + user, production answer) from the demo log, every route mixed."""
    log = ROOT / "data/demo/production.jsonl"
    if not log.is_file():
        sys.exit(f"{log} is missing: run `make data` first")
    chats = []
    for line in log.read_text().splitlines():
        r = json.loads(line)
        msgs = r.get("messages")
        if isinstance(msgs, list) and len(msgs) >= 2 and r.get("route") and isinstance(r.get("response"), str) \
                and r["response"].strip() and isinstance(msgs[-1], dict):
            chats.append(student_messages(r["route"], str(msgs[-1]["content"])) + [{"role": "assistant", "content": r["response"]}])
    random.Random(seed).shuffle(chats)
    return chats[:count]


def student_config(model: str | None, four_bit: bool, dtype: str):
    overrides = [f"student.quant.load_in_4bit={str(four_bit).lower()}", f"student.quant.compute_dtype={dtype}"]
    if model:
        overrides.append(f"student.model={model}")
    return load_config(ROOT / "configs/demo.yaml", overrides).student


def train_pass(model, optimizer, batches, pad_id: int, pad_to: int | None) -> dict:
    """One optimizer step per batch; trained tokens per second of wall time."""
    import torch

    from tasks.training.data import collate

    tokens, padded = 0, 0
    started = time.perf_counter()
    for b in batches:
        batch = {k: v.to(model.device) for k, v in collate(b, pad_id, pad_to).items()}
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        tokens += int((batch["labels"][:, 1:] != -100).sum())
        padded += batch["input_ids"].numel()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    wall = time.perf_counter() - started
    return {"batches": len(batches), "trained_tokens": tokens, "padded_positions": padded, "wall_s": round(wall, 2),
            "tokens_per_s": round(tokens / wall, 1)}


def throughput(args) -> dict:
    import torch

    from models.student import add_lora, load_student, use_for_training
    from tasks.training.data import encode, length_batches

    cfg = student_config(args.model, True, "auto")
    model, tokenizer, choice = load_student(cfg)
    torch.manual_seed(0)
    model = add_lora(model, cfg.lora)
    use_for_training(model)
    examples = [e for e in (encode(tokenizer, c) for c in demo_examples(args.examples)) if len(e.input_ids) <= args.max_len]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    longest = max(len(e.input_ids) for e in examples)
    fixed_batches = [examples[i : i + args.batch_size] for i in range(0, len(examples), args.batch_size)]
    bucketed_batches = length_batches(examples, args.batch_size, seed=0, epoch=0)
    train_pass(model, optimizer, bucketed_batches[:1], tokenizer.pad_token_id, None)  # warm-up: first-call costs
    fixed = train_pass(model, optimizer, fixed_batches, tokenizer.pad_token_id, longest)
    bucketed = train_pass(model, optimizer, bucketed_batches, tokenizer.pad_token_id, None)
    return {"device": choice.device, "compute_dtype": choice.dtype_name, "examples": len(examples), "longest": longest,
            "fixed_padding": fixed, "bucketed": bucketed,
            "speedup": round(bucketed["tokens_per_s"] / fixed["tokens_per_s"], 2)}


def memory_probe(model_name: str | None, four_bit: bool, batch_size: int, max_len: int) -> dict:
    """Child process: load, add LoRA, one training step; the peak memory that took above the imports."""
    import bitsandbytes  # noqa: F401  (imported before the baseline, so it measures the model, not the libraries)
    import peft  # noqa: F401
    import torch
    import transformers  # noqa: F401

    from models.student import add_lora, load_student, use_for_training
    from tasks.training.data import collate, encode

    baseline = _proc_status_mib("VmRSS")
    cfg = student_config(model_name, four_bit, "auto" if four_bit else "bfloat16")
    model, tokenizer, choice = load_student(cfg)
    model = add_lora(model, cfg.lora)
    use_for_training(model)
    examples = [e for e in (encode(tokenizer, c) for c in demo_examples(batch_size * 4)) if len(e.input_ids) <= max_len]
    batch = {k: v.to(model.device) for k, v in collate(examples[:batch_size], tokenizer.pad_token_id).items()}
    model(**batch).loss.backward()
    out = {"four_bit": four_bit, "device": choice.device, "compute_dtype": choice.dtype_name}
    if choice.device == "cuda":
        out["peak_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    else:
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent, VmHWM starts fresh
        out["peak_mib"] = round(_proc_status_mib("VmHWM") - baseline, 1)
    return out


def _proc_status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def memory(args) -> dict:
    probes = {}
    for name, four_bit in (("nf4", True), ("bf16", False)):
        cmd = [sys.executable, __file__, "--probe", name, "--batch-size", str(args.batch_size), "--max-len", str(args.max_len)]
        if args.model:
            cmd += ["--model", args.model]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"memory probe {name} failed:\n{done.stderr[-2000:]}")
        probes[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**probes, "nf4_over_bf16": round(probes["nf4"]["peak_mib"] / probes["bf16"]["peak_mib"], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="student model (default: the demo config's)")
    parser.add_argument("--examples", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-len", type=int, default=384, help="drop longer examples, as curation would")
    parser.add_argument("--probe", choices=["nf4", "bf16"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(memory_probe(args.model, args.probe == "nf4", args.batch_size, args.max_len)))
        return
    started = time.monotonic()
    result = {"benchmark": "train_throughput", **throughput(args), "memory": memory(args)}
    result["target_speedup"] = 1.5
    result["wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
