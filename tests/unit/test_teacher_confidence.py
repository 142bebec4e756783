"""benchmarks/teacher_confidence.py: the teacher's confidence in its category, read from logprobs, and its AUC.

The confidence must come from the token that opens the category's value (not the key, not another field), and
an AUC must say 0.5 when the confidence carries no signal and 1.0 when it separates the groups.
"""

import math

import pytest

from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("teacher_confidence")


def test_the_confidence_is_the_category_values_first_token(bench):
    tokens = [['{"', -0.01, []], ['urgency', -0.2, []], ['":', 0.0, []], [' "', 0.0, []], ['high', math.log(0.9), []],
              ['",', 0.0, []], [' "', 0.0, []], ['category', -0.05, []], ['":', 0.0, []], [' "', 0.0, []],
              ['billing', math.log(0.4), []], ['"}', 0.0, []]]
    assert bench.category_confidence(tokens) == pytest.approx(0.4)  # not urgency's 0.9, not the key's
    assert bench.category_confidence([['{"', 0.0, []], ['summary', 0.0, []]]) is None


def test_auc_is_a_half_without_signal_and_one_when_it_separates(bench):
    assert bench.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert bench.auc([0.5, 0.5], [0.5, 0.5]) == 0.5
    assert bench.auc([0.1], [0.9]) == 0.0
    assert bench.auc([], [0.3]) is None


def test_confident_tickets_are_counted_at_each_threshold(bench):
    rows = [{"cell": "both_right", "confidence": 0.95, "agrees": True, "teacher_right": True},
            {"cell": "student_only_right", "confidence": 0.3, "agrees": False, "teacher_right": False},
            {"cell": "both_wrong_same", "confidence": 0.75, "agrees": True, "teacher_right": False}]
    out = bench.summarize(rows)
    assert out["confident"]["0.7"] == {"n": 2, "agreement": 1.0, "teacher_accuracy": 0.5}
    assert out["confident"]["0.9"]["n"] == 1 and out["confident"]["0.5"]["n"] == 2
    assert out["cells"]["student_only_right"] == {"n": 1, "mean": 0.3, "median": 0.3}
    assert out["auc_student_agrees"] == 1.0
