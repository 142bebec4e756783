"""benchmarks/pii_names_scripts.py: its sets hold what they claim, a name left in part counts as leaked, and
--figures-only prints no text of the unread set (nor does a failing test here)."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[2]


def test_every_name_stands_in_its_text():
    """Counts only: a failure must not print the unread set's texts."""
    bench = load_benchmark("pii_names_scripts")
    for name, module in bench.SETS.items():
        missing = sum(n not in text for text, ns in module.PERSON for n in ns)
        assert missing == 0, f"{missing} names of the {name} set are not in their texts"
        assert len(module.PERSON) >= 150 and len(module.CLEAN) >= 200, name


def test_a_name_left_in_part_is_leaked():
    leaked = load_benchmark("pii_names_scripts").leaked
    assert not leaked("Ярослава Гнатюк", "Меня зовут <PERSON>, вопрос")
    assert leaked("Ярослава Гнатюк", "Меня зовут <PERSON> Гнатюк, вопрос")  # the family name survived
    assert leaked("陈思彤", "我叫陈思彤")


def test_figures_only_prints_no_text_of_the_unread_set():
    out = subprocess.run([sys.executable, "benchmarks/pii_names_scripts.py", "--set", "blind2", "--figures-only"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["n"] > 300 and not any("misses" in line or "examples" in line for line in lines)
