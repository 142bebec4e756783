"""The house's layers, enforced with import-linter (contracts in pyproject.toml [tool.importlinter]):
cli > flows > tasks > models > distillery, nothing imports upward, and no stage imports another stage's code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("cli", "flows", "tasks", "models", "distillery")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` as a developer runs it, on the packages under `root` (PYTHONPATH puts them first)."""
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root, text=True,
                          capture_output=True, timeout=300, env={**os.environ, "PYTHONPATH": str(root)})


def test_no_module_imports_a_layer_above_it_and_stages_are_independent():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_planted_upward_import_and_a_cross_stage_import_fail_with_the_offending_line(tmp_path):
    for name in PACKAGES:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "models/planted.py").write_text('"""A model module reaching up into a stage."""\n\n'
                                                "from tasks.export.stage import run_export  # noqa\n")
    (tmp_path / "tasks/evaluation/planted.py").write_text("from tasks.labeling.stage import run_label  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "models.planted -> tasks.export.stage (l.3)" in result.stdout, result.stdout
    assert "tasks.evaluation.planted -> tasks.labeling.stage (l.1)" in result.stdout, result.stdout
    assert "0 kept, 2 broken" in result.stdout
