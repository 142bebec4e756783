"""benchmarks/pii_title_case_phrases.py: every locale's phrases, title-cased, the same for the same seed."""

from tests.conftest import load_benchmark


def test_phrases_are_title_cased_seeded_and_from_every_locale():
    bench = load_benchmark("pii_title_case_phrases")
    first, again = bench.phrases(11), bench.phrases(11)
    assert first == again
    assert len({locale for locale, _, _ in first}) > 100
    assert {asked for _, asked, _ in first} == set(bench.ASKED)
    assert bench.title_case("chemical engineer, data-driven ROI.") == "Chemical Engineer, Data-driven ROI"
