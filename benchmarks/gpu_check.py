"""The CUDA path, checked in one command on one GPU: QLoRA memory and speed, exact resume, merged-export parity.

    bash scripts/gpu_check.sh [--wheels DIR]     # one H100/H200-class GPU, no network, <= 8 min
    bash scripts/gpu_check.sh --dry-run          # the same code paths on the CPU, tiny models, < 1 min

Models are random-initialised Llamas built from configs (nothing is downloaded): the shapes of Llama-3.2-1B and
Llama-3.1-8B for memory and speed, a small one for the rest. Every model goes through the product's own code:
models/student.py (load_base, add_lora, use_for_training), tasks/training/loop.py (train, its checkpoints and
resume), models/merge.py and models/parity.py. Sections, each in its own try (a failure is reported as
{"error": ...} and the others still run; a section that would start after --budget-s is skipped):
- env: versions, the GPU and its compute capability, whether bitsandbytes imports. Without it every NF4 part
  says "skipped: bitsandbytes missing" (the rest runs on a bf16 base): carry its wheel with --wheels DIR.
- dtype: the compute dtype models/device.py picks on this machine, and why.
- resume: the train loop for N steps straight, vs N/2 steps, a planted out-of-memory (DISTILLERY_FAILPOINT),
  and a resume for the other N/2, with LoRA dropout on (so CUDA's random state matters): same losses, same weights.
- export_parity: an adapter trained on the NF4 base in bf16, merged into the dequantized NF4 base (as the export
  stage does) and compared teacher-forced with the adapter on the NF4 base, against the export gate's bounds.
- memory: per size, NF4 QLoRA vs bf16 LoRA (both with gradient checkpointing): peak torch.cuda.max_memory_allocated
  over load + training, and trained tokens/s of the train loop after one warm-up step. Goal: NF4 <= 0.45x bf16 at 8B.
stdout is one JSON line (everything else goes to stderr). Exit status 1 when any section has an error.
"""

import argparse
import gc
import importlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Llama-3.2-1B and Llama-3.1-8B as published (config.json); "small" is the resume and parity model.
COMMON = {"rms_norm_eps": 1e-5, "rope_theta": 500000.0, "max_position_embeddings": 8192, "hidden_act": "silu"}
SHAPES = {
    "1b": {"hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
           "num_key_value_heads": 8, "vocab_size": 128256, "tie_word_embeddings": True},
    "8b": {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
           "num_key_value_heads": 8, "vocab_size": 128256, "tie_word_embeddings": False},
    "small": {"hidden_size": 512, "intermediate_size": 1536, "num_hidden_layers": 4, "num_attention_heads": 8,
              "num_key_value_heads": 4, "vocab_size": 4096, "tie_word_embeddings": False},
}
DRY_SHAPES = {  # the same code on the CPU: tiny, but each keeps its model's tying and grouped-query attention
    "1b": {**SHAPES["1b"], "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
           "num_key_value_heads": 2, "vocab_size": 512},
    "8b": {**SHAPES["8b"], "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
           "num_key_value_heads": 2, "vocab_size": 512},
    "small": {**SHAPES["small"], "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 256},
}
GOAL_NF4_OVER_BF16_8B = 0.45
# The export gate's defaults (distillery/config.py ExportConfig; tests/unit/test_gpu_check.py keeps them equal):
# written out because this script runs where pydantic, which distillery.config needs, is not installed.
GATE = {"min_agreement": 0.97, "max_top_logprob_gap": 1.0, "min_positions": 100}


class OutOfTime(BaseException):
    """--budget-s ran out; a BaseException so no library's `except Exception` swallows it."""


SPENT = {"budget": False}


def lora_config(dropout: float) -> SimpleNamespace:
    """distillery.config.LoraConfig's fields and defaults (the test keeps the field names in step)."""
    return SimpleNamespace(r=16, alpha=32, dropout=dropout, target_modules="all-linear")


def quant_config(four_bit: bool, compute_dtype: str) -> SimpleNamespace:
    return SimpleNamespace(load_in_4bit=four_bit, quant_type="nf4", double_quant=True, compute_dtype=compute_dtype)


def training_config(steps: int, batch_size: int, learning_rate: float, seq_len: int) -> SimpleNamespace:
    return SimpleNamespace(learning_rate=learning_rate, epochs=1.0, max_steps=steps, batch_size=batch_size, grad_accum=1,
                           max_seq_len=seq_len, gradient_checkpointing=True, warmup_ratio=0.0, scheduler="linear", seed=0,
                           routes=[], processes=1)


def install_wheels(folder: Path, target: Path) -> dict:
    """Every *.whl in `folder` into `target` (put first on sys.path), offline: pip --no-index, or, where this
    Python has no pip, the wheels unzipped (a wheel is laid out to be importable as unpacked)."""
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        return {"error": f"--wheels {folder}: no *.whl files there"}
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", "--target",
                           str(target), *map(str, wheels)], capture_output=True, text=True, check=False)
    how = "pip install --no-index"
    if done.returncode != 0:
        if "No module named pip" not in done.stderr:
            return {"error": f"pip install --no-index failed: {done.stderr.strip()[-800:]}"}
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as z:
                z.extractall(target)
        how = "unzipped (this Python has no pip)"
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    return {"installed": [w.name for w in wheels], "how": how}


def bitsandbytes_missing() -> str | None:
    """None when bitsandbytes imports; else the reason, which every NF4 part reports instead of running."""
    try:
        import bitsandbytes  # noqa: F401
    except Exception as exc:  # an ImportError, or a wheel built for another CUDA failing at import
        return f"bitsandbytes missing ({type(exc).__name__}: {str(exc)[:200]}); carry its wheel: --wheels DIR"
    return None


def free() -> None:
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def random_model(shape: dict, folder: Path, device: str) -> int:
    """A Llama with random bf16 weights saved as an HF folder (the product loads models from folders); its size."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # built in bf16 on the device: no fp32 copy of 8B weights anywhere
    try:
        with torch.device(device):
            model = LlamaForCausalLM(LlamaConfig(**COMMON, **shape))
    finally:
        torch.set_default_dtype(default)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(folder)
    del model
    free()
    return params


def base_choice(device_choice, mode: str):
    """nf4: the compute dtype models/device.py chose; bf16: the plain LoRA baseline, weights and compute in bf16."""
    from models.device import DeviceChoice

    if mode == "nf4":
        return device_choice
    return DeviceChoice(device_choice.device, "bfloat16", "bf16 LoRA baseline")


def lora_model(folder: Path, mode: str, choice, dropout: float, seed: int = 0):
    """load_base + add_lora + use_for_training, as the train stage does (the same seed gives the same LoRA start)."""
    import torch

    from models.student import add_lora, load_base, use_for_training

    model = load_base(str(folder), quant_config(mode == "nf4", choice.dtype_name), choice)
    torch.manual_seed(seed)
    model = add_lora(model, lora_config(dropout), gradient_checkpointing=True)
    use_for_training(model)
    return model


def random_examples(count: int, length: int, vocab: int, seed: int) -> list:
    """Token sequences with the loss on their second half, like an answer after its prompt."""
    from tasks.training.data import Encoded

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        ids = [rng.randrange(3, vocab) for _ in range(length)]
        out.append(Encoded(ids, [-100] * (length // 2) + ids[length // 2:]))
    return out


def fixed_answer_examples(count: int, vocab: int, seed: int, prompt_len: int = 16, answer_len: int = 16) -> list:
    """Random prompts, one fixed answer: learnable in a few dozen steps, so the adapter's predictions are confident
    and parity measures the merge, not coin flips between near-equal logits of a random model."""
    from tasks.training.data import Encoded

    answer = [random.Random(12345).randrange(3, vocab) for _ in range(answer_len)]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        prompt = [rng.randrange(3, vocab) for _ in range(prompt_len)]
        out.append(Encoded(prompt + answer, [-100] * prompt_len + answer))
    return out


def trainable_snapshot(model) -> dict:
    return {n: p.detach().float().cpu().clone() for n, p in model.named_parameters() if p.requires_grad}


def fingerprint(what: str) -> dict:
    return {"train.parquet": f"synthetic:{what}", "student": {"gpu_check": what}}


# --- sections -------------------------------------------------------------------------------------------------------

def env_section(wheels: dict | None, bnb_missing: str | None, dry_run: bool) -> dict:
    import platform

    import peft
    import torch
    import transformers

    out = {"python": platform.python_version(), "torch": torch.__version__, "torch_cuda": torch.version.cuda,
           "transformers": transformers.__version__, "peft": peft.__version__, "dry_run": dry_run,
           "bitsandbytes": bnb_missing or importlib.import_module("bitsandbytes").__version__}
    try:
        out["accelerate"] = importlib.import_module("accelerate").__version__
    except ImportError:
        out["accelerate"] = "missing"
    if wheels is not None:
        out["wheels"] = wheels
    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability()
        out.update(gpu=torch.cuda.get_device_name(), capability=f"{major}.{minor}", gpus=torch.cuda.device_count(),
                   gpu_memory_gib=round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1))
    else:
        out["gpu"] = None
    return out


def dtype_section() -> dict:
    from models.device import choose_device

    choice = choose_device("auto", "auto")
    return {"device": choice.device, "compute_dtype": choice.dtype_name, "reason": choice.reason}


def resume_section(args, choice, bnb_missing: str | None, shapes: dict, scratch: Path) -> dict:
    """Straight N steps vs N/2 + a planted OOM + resume: same losses and LoRA weights (dropout on, so RNG counts)."""
    import torch
    from safetensors import safe_open

    from distillery.failpoints import ENV
    from tasks.training.loop import TrainError, train

    mode = "bf16" if bnb_missing else "nf4"
    steps, half = args.resume_steps, args.resume_steps // 2
    folder = scratch / "resume-base"
    random_model(shapes["small"], folder, choice.device)
    base = base_choice(choice, mode)
    data = fixed_answer_examples(steps * args.batch_size, shapes["small"]["vocab_size"], seed=1)
    cfg = training_config(steps, args.batch_size, 2e-3, 64)
    fp = fingerprint("resume")

    model = lora_model(folder, mode, base, dropout=0.1)
    straight = train(model, data, [], cfg, 0, scratch / "straight", 0, False, fingerprint=fp)
    straight_params = trainable_snapshot(model)
    del model
    free()

    model = lora_model(folder, mode, base, dropout=0.1)
    os.environ[ENV] = f"train.step@{half + 1}:oom"  # the allocator gives up right after the step-N/2 checkpoint
    try:
        train(model, data, [], cfg, 0, scratch / "interrupted", half, False, fingerprint=fp)
        raise AssertionError(f"the planted out-of-memory at step {half + 1} did not stop training")
    except TrainError:
        pass
    finally:
        os.environ.pop(ENV, None)
    del model
    free()
    with safe_open(scratch / "interrupted" / "optimizer.safetensors", "pt") as f:
        cuda_states = sum(k.startswith("rng.cuda.") for k in f.keys())

    model = lora_model(folder, mode, base, dropout=0.1)
    resumed = train(model, data, [], cfg, 0, scratch / "interrupted", half, True, fingerprint=fp)
    resumed_params = trainable_snapshot(model)
    del model
    free()

    loss_diff = max(abs(a - b) for a, b in zip(straight.train_losses, resumed.train_losses))
    param_diff = max(float((straight_params[n] - resumed_params[n]).abs().max()) for n in straight_params)
    close = len(resumed.train_losses) == steps and all(
        abs(a - b) <= 1e-4 + 1e-3 * abs(a) for a, b in zip(straight.train_losses, resumed.train_losses))
    return {"base": mode, "device": choice.device, "compute_dtype": base.dtype_name, "steps": steps, "resumed_at": half,
            "losses_straight": straight.train_losses, "losses_resumed": resumed.train_losses,
            "losses_equal": straight.train_losses == resumed.train_losses, "max_loss_diff": loss_diff,
            "params_equal": param_diff == 0.0, "max_param_diff": param_diff, "close": close,
            "checkpoint_cuda_rng_states": cuda_states if torch.cuda.is_available() else "skipped: needs CUDA",
            **({"nf4": f"skipped: {bnb_missing}"} if bnb_missing else {})}


def forced_logits(model, examples: list) -> list:
    """Next-token logits (float32, CPU) at every answer position, teacher-forced (models/parity.py's layout)."""
    import torch

    out = []
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        for e in examples:
            start = e.labels.index(next(t for t in e.labels if t != -100))
            logits = model(input_ids=torch.tensor([e.input_ids], device=device)).logits[0]
            out.append(logits[start - 1 : len(e.input_ids) - 1].float().cpu())
    return out


def dequantized(folder: Path, choice, out: Path) -> Path:
    """The NF4 base expanded to bf16 and saved: models/served_student.py `dequantized_base`, minus its cache and
    tokenizer (these models have none)."""
    from models.student import load_base

    model = load_base(str(folder), quant_config(True, choice.dtype_name), choice)
    model = model.dequantize(dtype=model.dtype)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out)
    del model
    free()
    return out


def parity_section(args, choice, bnb_missing: str | None, shapes: dict, scratch: Path) -> dict:
    """Adapter trained on the NF4 base in bf16 -> merged into dequant(NF4) -> same tokens, same predictions?"""
    from transformers import AutoModelForCausalLM

    from models.device import DeviceChoice
    from models.merge import merge_adapter
    from models.parity import compare_logits, passes
    from tasks.training.loop import train

    mode = "bf16" if bnb_missing else "nf4"
    bf16 = DeviceChoice(choice.device, "bfloat16", "the export's parity is checked in bf16")
    folder = scratch / "parity-base"
    random_model(shapes["small"], folder, choice.device)
    vocab = shapes["small"]["vocab_size"]
    model = lora_model(folder, mode, bf16, dropout=0.0)
    trained = train(model, fixed_answer_examples(args.parity_steps * args.batch_size, vocab, seed=2), [],
                    training_config(args.parity_steps, args.batch_size, 1e-2, 64), 0, scratch / "parity-ckpt", 0, False,
                    fingerprint=fingerprint("parity"))
    model.save_pretrained(scratch / "adapter")
    held_out = fixed_answer_examples(8, vocab, seed=3)
    reference = forced_logits(model, held_out)
    del model
    free()
    base = dequantized(folder, bf16, scratch / "dequantized") if mode == "nf4" else folder
    merge = merge_adapter(base, scratch / "adapter", scratch / "merged")
    logits = {}
    for name, path in (("export", scratch / "merged"), ("untrained_base", base)):
        model = AutoModelForCausalLM.from_pretrained(path, dtype=bf16.dtype, device_map={"": bf16.device})
        logits[name] = compare_logits(reference, forced_logits(model, held_out))
        del model
        free()
    return {"base": mode, "compute_dtype": "bfloat16", "device": choice.device, "train_loss_first": trained.train_losses[0],
            "train_loss_last": trained.train_losses[-1], "merge": merge, **logits, "gate": GATE,
            "passes_gate": passes(logits["export"], **GATE),
            **({"nf4": f"skipped: {bnb_missing} (merged into the bf16 base instead)"} if bnb_missing else {})}


def measure(folder: Path, mode: str, choice, args, vocab: int, bnb_missing: str | None) -> dict:
    """Peak memory over load + LoRA + training, and the train loop's trained tokens/s after a warm-up step."""
    import torch

    from tasks.training.loop import train

    if mode == "nf4" and bnb_missing:
        return {"skipped": bnb_missing}
    cuda = choice.device == "cuda"
    base = base_choice(choice, mode)
    if cuda:
        free()
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_allocated() / 2**20  # anything an earlier part left behind is not this run's
    model = lora_model(folder, mode, base, dropout=0.0)
    loaded = torch.cuda.memory_allocated() / 2**20 if cuda else None
    data = random_examples(args.batch_size * (args.steps + 1), args.seq_len, vocab, seed=4)
    with tempfile.TemporaryDirectory() as tmp:
        train(model, data[: args.batch_size], [], training_config(1, args.batch_size, 1e-4, args.seq_len), 0,
              Path(tmp) / "warm-up", 0, False, fingerprint=fingerprint("warm-up"))  # kernel and allocator first-call costs
        result = train(model, data[args.batch_size:], [], training_config(args.steps, args.batch_size, 1e-4, args.seq_len),
                       0, Path(tmp) / "measured", 0, False, fingerprint=fingerprint("measured"))
    out = {"compute_dtype": base.dtype_name, "steps": result.steps, "batch": f"{args.batch_size} x {args.seq_len}",
           "trained_tokens_per_s": round(result.tokens / result.seconds, 1),
           "positions_per_s": round(result.steps * args.batch_size * args.seq_len / result.seconds, 1),
           "loss_first": result.train_losses[0], "loss_last": result.train_losses[-1]}
    if cuda:
        out.update(baseline_mib=round(baseline, 1), after_load_mib=round(loaded - baseline, 1),
                   peak_mib=round(torch.cuda.max_memory_allocated() / 2**20 - baseline, 1))
    else:
        out["peak_mib"] = "skipped: needs CUDA (torch.cuda.max_memory_allocated)"
    del model
    free()
    return out


def memory_section(args, choice, bnb_missing: str | None, shapes: dict, scratch: Path) -> dict:
    out = {}
    for size in args.sizes:
        if SPENT["budget"]:
            out[size] = {"skipped": "the time budget (--budget-s) was spent before this size started"}
            continue
        folder = scratch / f"base-{size}"
        row = {"params_m": round(random_model(shapes[size], folder, choice.device) / 1e6, 1)}
        for mode in ("nf4", "bf16"):
            row[mode] = attempt(measure, folder, mode, choice, args, shapes[size]["vocab_size"], bnb_missing)
        peaks = [row[m].get("peak_mib") for m in ("nf4", "bf16")]
        if all(isinstance(p, float) for p in peaks):
            row["nf4_over_bf16"] = round(peaks[0] / peaks[1], 3)
        out[size] = row
        for f in folder.iterdir():
            f.unlink()  # 16 GB at 8B: the scratch disk holds one base at a time
    ratio = out.get("8b", {}).get("nf4_over_bf16")
    out["goal"] = f"nf4_over_bf16 at 8b <= {GOAL_NF4_OVER_BF16_8B}"
    out["nf4_over_bf16_8b"] = ratio if ratio is not None else "not measured (needs CUDA, bitsandbytes and the 8b size)"
    if ratio is not None:
        out["meets_goal"] = ratio <= GOAL_NF4_OVER_BF16_8B
    return out


# --- running ---------------------------------------------------------------------------------------------------------

def attempt(fn, *args) -> dict:
    """fn's dict, or {"error": ...} when it raises; {"skipped": ...} once the time budget is spent."""
    if SPENT["budget"]:
        return {"skipped": "the time budget (--budget-s) was spent before this part started"}
    started = time.monotonic()
    try:
        out = fn(*args)
    except (Exception, OutOfTime) as exc:
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        out = {"error": f"{type(exc).__name__}: {str(exc)[:600]}",
               "where": [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames]}
    finally:
        try:
            free()
        except OutOfTime:
            pass
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def out_of_time(signum, frame):
    SPENT["budget"] = True
    raise OutOfTime("the time budget (--budget-s) ran out")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="CPU, tiny models, a couple of steps; CUDA-only parts say so")
    ap.add_argument("--wheels", type=Path, help="install every *.whl here first, offline (e.g. bitsandbytes)")
    ap.add_argument("--sizes", default="1b,8b", help="memory section sizes, of: 1b, 8b")
    ap.add_argument("--only", default="env,dtype,resume,export_parity,memory", help="sections to run")
    ap.add_argument("--steps", type=int, help="measured training steps per size and base (default 5; dry run 2)")
    ap.add_argument("--batch-size", type=int, help="default 2; dry run 2")
    ap.add_argument("--seq-len", type=int, help="default 512; dry run 32")
    ap.add_argument("--resume-steps", type=int, default=6, help="N: straight N vs N/2 + resume + N/2")
    ap.add_argument("--parity-steps", type=int, help="adapter training steps before the parity check (default 40)")
    ap.add_argument("--budget-s", type=int, help="stop starting parts after this long (default 420; dry run 150)")
    ap.add_argument("--scratch", type=Path, help="folder for the random models (8b: 16 GB); default a temp folder")
    args = ap.parse_args(argv)
    dry = args.dry_run
    args.steps = args.steps or (2 if dry else 5)
    args.batch_size = args.batch_size or 2
    args.seq_len = args.seq_len or (32 if dry else 512)
    args.parity_steps = args.parity_steps or (30 if dry else 40)
    args.budget_s = args.budget_s or (150 if dry else 420)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.only = set(args.only.split(","))
    return args


def run(args) -> dict:
    """Every section in order, cheapest first, so a slow 8B load cannot cost the resume and parity results."""
    import torch

    if args.dry_run:
        # Tiny matmuls: a second thread only adds synchronisation, and on a busy 2-core machine OpenMP's spinning
        # threads made a step of the tiny model ~100x slower (2 s vs 16 ms measured here).
        torch.set_num_threads(1)
    wheels = install_wheels(args.wheels, Path(tempfile.mkdtemp(prefix="gpu-check-wheels-"))) if args.wheels else None
    bnb_missing = bitsandbytes_missing()
    shapes = DRY_SHAPES if args.dry_run else SHAPES
    result = {"check": "gpu_check", "dry_run": args.dry_run}
    result["env"] = attempt(env_section, wheels, bnb_missing, args.dry_run)
    cuda = torch.cuda.is_available()
    if not cuda and not args.dry_run:
        result["error"] = "torch sees no CUDA device: on a CPU machine run --dry-run"
        return result
    from models.device import DeviceChoice, choose_device

    choice = choose_device("auto", "auto")
    if args.dry_run and cuda:  # a dry run stays on the CPU even where a GPU is present
        choice = DeviceChoice("cpu", "float32", "--dry-run runs on the CPU")
    if args.dry_run:
        result["cuda_only_skipped"] = ["peak GPU memory and the 0.45x goal", "CUDA random state in checkpoints",
                                       "model sizes (tiny configs stand in for 1b, 8b and small)"]
    sections = {"dtype": (dtype_section,), "resume": (resume_section, args, choice, bnb_missing, shapes),
                "export_parity": (parity_section, args, choice, bnb_missing, shapes),
                "memory": (memory_section, args, choice, bnb_missing, shapes)}
    with tempfile.TemporaryDirectory(dir=args.scratch, prefix="gpu-check-") as scratch:
        for name, (fn, *fn_args) in sections.items():
            if name in args.only:
                folder = Path(scratch) / name
                folder.mkdir()
                result[name] = attempt(fn, *fn_args, *([folder] if fn_args else []))
                print(f"gpu_check: {name} done at {time.monotonic() - STARTED:.0f} s", file=sys.stderr, flush=True)
    return result


def errors(result: dict) -> list[str]:
    found = [result["error"]] if "error" in result else []
    for value in result.values():
        if isinstance(value, dict):
            found += errors(value)
    return found


STARTED = time.monotonic()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stdout = os.dup(1)
    os.dup2(2, 1)  # libraries' prints go to stderr: stdout carries the one JSON line
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.budget_s)
    try:
        result = run(args)
    finally:
        signal.alarm(0)
        sys.stdout.flush()
        os.dup2(stdout, 1)
    result["wall_s"] = round(time.monotonic() - STARTED, 1)
    print(json.dumps(result, default=str), flush=True)
    return 1 if errors(result) else 0


if __name__ == "__main__":
    sys.exit(main())
