"""scripts/gpu_check.sh --dry-run: the GPU check's own code paths on the CPU, so a GPU session does not find it broken.

The GPU machine has torch, transformers, peft and accelerate but no network, no pydantic and no bitsandbytes: the
dry runs hide those two the same way (a sitecustomize that blocks their import), once with bitsandbytes present
(every NF4 path runs on the CPU) and once without (the NF4 parts must say so, the rest must still run).
"""

import importlib
import json
import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO, load_benchmark


def gpu_check():
    return load_benchmark("gpu_check")


def dry_run(tmp_path, hidden: tuple[str, ...], *args: str) -> dict:
    """Run the real command with `hidden` packages unimportable; returns the one JSON line it printed."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(f"import sys\nfor name in {hidden!r}:\n    sys.modules[name] = None\n")
    done = subprocess.run(["bash", str(REPO / "scripts/gpu_check.sh"), "--dry-run", *args], cwd=REPO, text=True,
                          capture_output=True, timeout=300, env={**os.environ, "PYTHONPATH": str(site)})
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0 and len(lines) == 1, f"rc {done.returncode}, stdout {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return json.loads(lines[0])


def test_dry_run_runs_every_section_on_the_cpu_as_the_gpu_machine_would(tmp_path):
    result = dry_run(tmp_path, ("pydantic",))
    assert gpu_check().errors(result) == [], result
    assert result["dry_run"] and result["wall_s"] < 90, result["wall_s"]  # ~15-20 s on a 2-core machine
    assert result["env"]["bitsandbytes"][0].isdigit() and result["dtype"]["device"] == "cpu"
    resume = result["resume"]
    assert resume["base"] == "nf4" and len(resume["losses_resumed"]) == 6
    assert resume["losses_equal"] and resume["params_equal"], resume  # exact on the CPU
    parity = result["export_parity"]
    assert parity["base"] == "nf4" and parity["merge"]["merged_modules"] > 0 and parity["passes_gate"], parity
    assert parity["untrained_base"]["next_token_agreement"] < 0.5, "the adapter must matter, or parity proves nothing"
    for size in ("1b", "8b"):
        for mode in ("nf4", "bf16"):
            row = result["memory"][size][mode]
            assert row["trained_tokens_per_s"] > 0 and row["peak_mib"].startswith("skipped: needs CUDA"), row
    assert "not measured" in str(result["memory"]["nf4_over_bf16_8b"])


def test_without_bitsandbytes_the_nf4_parts_say_so_and_the_rest_runs(tmp_path):
    result = dry_run(tmp_path, ("pydantic", "bitsandbytes"), "--only", "env,resume,export_parity,memory", "--sizes", "1b")
    assert gpu_check().errors(result) == [], result
    assert result["env"]["bitsandbytes"].startswith("bitsandbytes missing")
    assert result["memory"]["1b"]["nf4"]["skipped"].startswith("bitsandbytes missing")
    assert result["memory"]["1b"]["bf16"]["trained_tokens_per_s"] > 0
    assert result["resume"]["base"] == "bf16" and result["resume"]["nf4"].startswith("skipped: bitsandbytes missing")
    assert result["resume"]["losses_equal"] and result["export_parity"]["passes_gate"]


def test_a_failing_section_is_reported_and_the_others_still_run():
    check = gpu_check()

    def broken():
        raise RuntimeError("planted")

    assert check.attempt(broken)["error"] == "RuntimeError: planted"
    assert check.errors({"a": {"error": "x"}, "b": {"fine": 1}}) == ["x"]


def test_wheels_install_offline_and_import(tmp_path, monkeypatch):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with zipfile.ZipFile(wheels / "gpucheckdemo-1.0-py3-none-any.whl", "w") as z:
        z.writestr("gpucheckdemo/__init__.py", "VALUE = 7\n")
        z.writestr("gpucheckdemo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: gpucheckdemo\nVersion: 1.0\n")
        z.writestr("gpucheckdemo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr("gpucheckdemo-1.0.dist-info/RECORD", "")
    monkeypatch.setattr(sys, "path", list(sys.path))
    report = gpu_check().install_wheels(wheels, tmp_path / "site")
    assert report["installed"] == ["gpucheckdemo-1.0-py3-none-any.whl"], report
    monkeypatch.delitem(sys.modules, "gpucheckdemo", raising=False)
    planted = "gpucheckdemo"  # a module this test wrote, not a dependency (tests/unit/test_dependencies.py reads literals)
    assert importlib.import_module(planted).VALUE == 7
    assert "no *.whl" in gpu_check().install_wheels(tmp_path / "site", tmp_path / "other")["error"]


def test_the_check_uses_the_products_config_fields_and_gate():
    from distillery.config import ExportConfig, LoraConfig, QuantConfig, TrainingConfig

    check = gpu_check()
    assert set(vars(check.lora_config(0.0))) == set(LoraConfig.model_fields)
    assert set(vars(check.quant_config(True, "bfloat16"))) == set(QuantConfig.model_fields)
    assert set(vars(check.training_config(1, 1, 1e-3, 16))) == set(TrainingConfig.model_fields)
    lora = LoraConfig()
    assert (lora.r, lora.alpha, lora.target_modules) == (16, 32, "all-linear")
    export = ExportConfig()
    assert check.GATE == {"min_agreement": export.min_token_agreement, "max_top_logprob_gap": export.max_top_logprob_gap,
                          "min_positions": export.min_positions}


@pytest.mark.parametrize("shape", ["1b", "8b"])
def test_the_sizes_are_the_published_llamas(shape):
    """Llama-3.2-1B ~1.24B and Llama-3.1-8B ~8.03B parameters, counted on the meta device (no memory, no time)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    check = gpu_check()
    with torch.device("meta"):
        model = LlamaForCausalLM(LlamaConfig(**check.COMMON, **check.SHAPES[shape]))
    params = sum(p.numel() for p in model.parameters()) / 1e9
    assert params == pytest.approx({"1b": 1.236, "8b": 8.030}[shape], abs=0.01)
