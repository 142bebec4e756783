"""Merge a LoRA adapter into a base's weights: W' = W + scaling * B @ A, in float32, saved in the base's dtype.

    stats = merge_adapter(base_dir, adapter_dir, out_dir)

Plain tensor arithmetic on safetensors files, so what "merged" means is on this page: every LoRA pair
(A, B) of a target module is added to that module's weight; embeddings, norms and anything the adapter
does not touch are copied. An adapter that carries anything else (`modules_to_save` copies, trained biases or
embeddings) is refused: dropping trained weights would ship a model other than the one that was evaluated.
Which base the adapter lands on is the caller's choice, and it matters (tasks/export/stage.py): the
dequantized NF4 base it was trained against, not the original weights.
"""

import json
import math
import shutil
from pathlib import Path

PEFT_PREFIX = "base_model.model."
COPIED = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
          "chat_template.jinja")


class MergeError(RuntimeError):
    """The adapter cannot be merged into this base; the message says why."""


def lora_scaling(adapter_config: dict) -> float:
    r, alpha = adapter_config["r"], adapter_config["lora_alpha"]
    if adapter_config.get("rank_pattern") or adapter_config.get("alpha_pattern") or adapter_config.get("use_dora"):
        raise MergeError("per-module ranks/alphas and DoRA are not supported by this merge; train plain LoRA")
    return alpha / math.sqrt(r) if adapter_config.get("use_rslora") else alpha / r


def load_weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise MergeError(f"{folder} has no *.safetensors weights")
    weights = {}
    for f in files:
        weights.update(load_file(f))
    return weights


def lora_modules(lora: dict, adapter_dir: Path) -> list[str]:
    """The modules with a whole (A, B) pair; refuses an adapter holding any tensor this merge would not use."""
    modules = sorted(k[len(PEFT_PREFIX):-len(".lora_A.weight")] for k in lora if k.endswith(".lora_A.weight"))
    used = {f"{PEFT_PREFIX}{m}.lora_{side}.weight" for m in modules for side in "AB"}
    unused, missing = sorted(set(lora) - used), sorted(used - set(lora))
    if unused:
        raise MergeError(f"{adapter_dir} holds {len(unused)} trained tensor(s) this merge would drop: {_some(unused)}. "
                         "It merges LoRA (A, B) pairs only; train plain LoRA (no modules_to_save, bias 'none')")
    if missing:
        raise MergeError(f"{adapter_dir} is missing half of a LoRA pair: {_some(missing)}; the adapter file is incomplete")
    return modules


def _some(keys: list[str], shown: int = 8) -> str:
    return ", ".join(keys[:shown]) + (f" and {len(keys) - shown} more" if len(keys) > shown else "")


def merge_adapter(base_dir: Path, adapter_dir: Path, out_dir: Path, scale: float = 1.0) -> dict:
    """Write base + adapter as one model folder; `scale` exists only so tests can plant a wrong merge."""
    import torch
    from safetensors.torch import load_file, save_file

    config = json.loads((adapter_dir / "adapter_config.json").read_text())
    scaling = lora_scaling(config) * scale
    weights = load_weights(base_dir)
    lora = load_file(adapter_dir / "adapter_model.safetensors")
    modules = lora_modules(lora, adapter_dir)
    merged = 0
    for module in modules:
        target = f"{module}.weight"
        if target not in weights:
            raise MergeError(f"adapter module {module} has no weight {target} in {base_dir}: wrong base for this adapter")
        a = lora[f"{PEFT_PREFIX}{module}.lora_A.weight"].to(torch.float32)
        b = lora[f"{PEFT_PREFIX}{module}.lora_B.weight"].to(torch.float32)
        w = weights[target]
        weights[target] = (w.to(torch.float32) + scaling * (b @ a)).to(w.dtype)
        merged += 1
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, tmp / "model.safetensors", metadata={"format": "pt"})
    for name in COPIED:
        if (base_dir / name).is_file():
            shutil.copy2(base_dir / name, tmp / name)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    dtype = str(next(iter(weights.values())).dtype).removeprefix("torch.")
    return {"merged_modules": merged, "scaling": scaling, "dtype": dtype}
