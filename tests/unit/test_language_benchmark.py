"""benchmarks/language_quarantine.py's held-out sets: they hold what they claim, and --figures-only prints no text
of the unread one (nor does a failing test here)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name, english, per_language", [("language_blind", 400, 30), ("language_blind2", 300, 20)])
def test_a_held_out_set_holds_what_its_docstring_says(name, english, per_language):
    """Counts only: a failure must not print the set's texts."""
    module = load_benchmark(name)
    assert len(set(module.ENGLISH_SHORT)) == len(module.ENGLISH_SHORT) == english
    assert len(module.FOREIGN) == 20 and all(len(set(v)) == per_language for v in module.FOREIGN.values())
    short = sum(len(t.split()) < 8 for lang, texts in module.FOREIGN.items() if lang != "ja" for t in texts)
    assert short == 0, f"{short} foreign texts of {name} under 8 words"


def test_figures_only_prints_no_text_of_the_unread_set():
    out = subprocess.run([sys.executable, "benchmarks/language_quarantine.py", "--set", "blind2", "--figures-only"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    summary = json.loads(out.splitlines()[-1])
    assert summary["english_short"]["n"] == 300 and summary["foreign"]["n"] == 400
    assert "examples" not in summary["english_short"] and "missed" not in summary["foreign"]
