"""benchmarks/agreement_ceiling.py: agreement with the teacher split by who is right, against the log's true labels.

The figures it prints back the claim that the triage agreement target sits above what a perfect student can reach
with the demo's teacher, so the split must count every item once, and a label the log gives two ways must never be
read as the truth.
"""

import json

import pytest

from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("agreement_ceiling")


BAD = "<invalid>"


def test_a_perfect_student_agrees_exactly_where_the_teacher_is_right(bench):
    truth = ["billing", "outage", "billing", "security", "outage"]
    teacher = ["billing", "billing", "billing", "outage", "outage"]  # wrong on items 2 and 4
    cells = bench.decompose(truth, teacher, truth, BAD)
    assert cells == {"both_right": 3, "student_only_right": 2, "teacher_only_right": 0, "both_wrong_same": 0,
                     "both_wrong_different": 0}
    figures = bench.ceiling(cells, target=0.9)
    assert figures["agreement"] == figures["perfect_student_agreement"] == 0.6
    # 0.9 of 5 items is 5 agreements: the 3 the teacher gets right plus both of its errors copied
    assert figures["copied_errors_needed"] == 2 and figures["teacher_errors"] == 2


def test_copied_errors_count_as_agreement_and_invalid_answers_are_never_right(bench):
    truth = ["billing", "outage", "security", "billing"]
    teacher = ["billing", "billing", "outage", BAD]
    student = ["billing", "billing", "billing", BAD]  # copies error 2, errs differently on 3, both invalid on 4
    cells = bench.decompose(student, teacher, truth, BAD)
    assert cells == {"both_right": 1, "student_only_right": 0, "teacher_only_right": 0, "both_wrong_same": 2,
                     "both_wrong_different": 1}
    assert sum(cells.values()) == len(truth)
    assert bench.ceiling(cells)["agreement"] == 0.75
    assert bench.decompose([BAD], [BAD], [BAD], BAD)["both_wrong_same"] == 1  # an invalid "truth" is never matched


def test_an_id_logged_twice_with_different_answers_gives_no_label(bench, tmp_path):
    rows = [
        {"request_id": "a", "route": "ticket-triage", "response": json.dumps({"category": "billing"})},
        {"request_id": "b", "route": "ticket-triage", "response": json.dumps({"category": "outage"})},
        {"request_id": "b", "route": "ticket-triage", "response": json.dumps({"category": "security"})},
        {"request_id": "c", "route": "ticket-triage", "response": "Sure! It is billing."},
        {"request_id": "d", "route": "invoice-extract", "response": json.dumps({"total": 1})},
        {"request_id": "a", "route": "ticket-triage", "response": json.dumps({"category": "billing"})},  # same twice
    ]
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    labels, unusable = bench.log_labels(log, "ticket-triage")
    assert labels == {"a": {"category": "billing"}}
    assert unusable == {"b", "c"}
