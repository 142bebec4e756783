"""benchmarks/pii_written_forms.py: its set holds what it claims, and a value left in part counts as leaked."""

from tests.conftest import load_benchmark


def test_every_value_stands_in_its_text():
    data = load_benchmark("pii_written_forms_dev")
    assert all(value in text for text, values in data.PII for value in values)
    assert len(data.PII) >= 150 and len(data.CLEAN) >= 200


def test_a_value_left_in_part_is_leaked():
    leaked = load_benchmark("pii_written_forms").leaked
    assert not leaked("０９０－１２３４－５６７８", "電話：<PHONE>")
    assert leaked("０９０－１２３４－５６７８", "電話：<PHONE>－５６７８")  # the last group survived
    assert leaked("taro@example.com", "mail taro@<EMAIL>")
    assert not leaked("06\u00a012\u00a034\u00a056\u00a078", "Tél. : <PHONE> 12")  # a short part elsewhere is no leak
