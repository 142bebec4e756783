"""benchmarks/pii_recall.py counts a planted value as leaked when a piece of it is left in the scrubbed text, except
the pieces the template's own words already hold, its id label included: a replaced value must read as caught (blind
15's "AHV-Nummer (756.)" label read as 49 false misses before), and a value left in, whole or in part, as leaked."""

from tasks.sampling.pii.scrubber import KINDS
from tests.conftest import load_benchmark

LABEL = "AHV-Nummer (756.)"
TEMPLATE = "Lohnblatt: {label} {v}"
VALUE = "756.1234.5678.97"


def test_a_label_that_holds_part_of_the_value_is_not_a_leak():
    leaked = load_benchmark("pii_recall").leaked
    filled = TEMPLATE.replace("{label}", LABEL)
    assert not leaked(VALUE, "national_id", f"Lohnblatt: {LABEL} <NATIONAL_ID>", filled)
    assert leaked(VALUE, "national_id", f"Lohnblatt: {LABEL} {VALUE}", filled)
    assert leaked(VALUE, "national_id", f"Lohnblatt: {LABEL} <NATIONAL_ID> 5678", filled)  # one group left behind
    # scored against the bare template, the label's own "756" reads as a piece of the value
    assert leaked(VALUE, "national_id", f"Lohnblatt: {LABEL} <NATIONAL_ID>", TEMPLATE)


def test_figures_only_prints_no_text_of_a_set():
    """A set kept unread is measured with --figures-only: no line may carry one of its texts (a miss, an altered
    clean text), or measuring it reads it."""
    bench = load_benchmark("pii_recall")
    # a read set: a failing assert prints its texts
    sets = {"blind30": bench.run(40, 200, 7, "blind30", False)}  # rules only, enough texts to miss and alter some
    full = "\n".join(map(str, bench.report_lines(sets, 7, 40)))
    assert "misses" in full and sets["blind30"]["clean"]["examples"][0] in full  # the planted case: texts shown
    figures = bench.report_lines(sets, 7, 40, figures_only=True)
    text = "\n".join(map(str, figures))
    assert "misses" not in text and "examples" not in text
    assert not any(t in text for t in sets["blind30"]["clean"]["examples"])
    assert figures[-1]["blind30"]["structured_recall"] == sets["blind30"]["structured_recall"]  # figures still there


def test_altered_clean_texts_are_counted_by_the_detector_that_altered_them():
    """Which detector costs the clean texts is a figure an unread set may give (--figures-only keeps it): each altered
    text counts once for each detector that replaced something in it."""
    bench = load_benchmark("pii_recall")
    sets = {"blind30": bench.run(40, 200, 7, "blind30", False)}
    clean = sets["blind30"]["clean"]
    by = clean["by_detector"]
    assert clean["altered"] > 0 and set(by) <= set(KINDS)
    assert max(by.values()) <= clean["altered"] <= sum(by.values())
    assert bench.report_lines(sets, 7, 40, figures_only=True)[-2]["blind30"]["by_detector"] == by
