"""scripts/phone_miss_gates.py counts each missed phone under the gate that kept it from the learned context: its
counts say which misses a better context could win (docs/facts.md "PII: an instruct model asked outright, where the
phones are lost"). Each case below must land under its own gate; a gate checked out of numbers.py's order, or one
left out, puts a case under another."""

import pytest

from tasks.sampling.pii import Scrubber
from tests.conftest import load_benchmark


@pytest.mark.parametrize("text, gate", [
    ("Order 0612345678 was cancelled by the customer", "reference"),
    ("We shipped 0612345678 units last year", "amount"),
    ("Printer 0612345678 jammed again this morning", "names_a_record"),
    ("Picked today: 0612345678, 0612345679 and 0612345680", "series"),
    ("0612345678", "no_words"),
    ("Bitte 0000123456 aus der Kreditsperre nehmen.", "not_valid_in_regions"),
    ("Customer wants 0612345678 expedited, promised by Friday.", "asked_and_declined"),
])
def test_each_miss_lands_under_the_gate_that_kept_it(text, gate):
    gates = load_benchmark("phone_miss_gates", folder="scripts")
    numbers = Scrubber(phone_context=True)._numbers
    value = "0000123456" if "0000123456" in text else "0612345678"
    assert gates.gate(numbers, text, value) == gate
