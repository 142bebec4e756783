"""The name lists (names.py): every Latin-script Faker locale but the benchmark's held-out two, no first name that
is a common English word counting alone, and no place named after someone."""

import pytest

from tasks.sampling.pii import Scrubber, names
from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(detectors=("person",), phone_context=False).scrub


@pytest.mark.parametrize("text, name", [
    ("Ayub Gatwiri will pick up the order.", "Ayub Gatwiri"),  # Kenya
    ("Please ask Chukwuemeka Okonkwo for the invoice.", "Chukwuemeka Okonkwo"),  # Nigeria (Igbo)
    ("Handover to Jonas Kazlauskas done.", "Jonas Kazlauskas"),  # Lithuania
    ("Sigríður Jónsdóttir approved the refund.", "Sigríður Jónsdóttir"),  # Iceland
    ("Per Andersson called about the delivery.", "Per Andersson"),  # a word-name before a known surname
    ("Santa Bērziņa signed the delivery note.", "Santa Bērziņa"),  # Latvia: "Santa" is a first name there too
    ("Call John Park tomorrow about the lease.", "John Park"),  # surnames that are places' words too
    ("Tom Hall approved the order.", "Tom Hall"),
])
def test_a_name_from_a_listed_locale_goes_without_a_cue(scrub, text, name):
    out = scrub(text)
    assert name.split()[-1] not in out and "<PERSON>" in out, out


@pytest.mark.parametrize("text", [
    # first names somewhere, and among the commonest English words: alone they are the word
    "Please review the Line Items below.",
    "The Floor Plan was approved.",
    "Age Verification failed for the order.",
    "Side Effects are listed on the leaflet.",
    "Run Book updated for the night shift.",
    "Ball Bearings are out of stock.",
    # a folded or a Latvian first name that is a firm or a place here
    "Royal Mail lost the parcel.",
    "Shipped from Santa Maria Novella today.",
    # a firm whose suffix closes a quoted field (a JSON record's vendor; "Atlas" is a first name in some lists)
    '{"vendor": "Atlas Furniture SARL", "total": 1600.19}',
    # a place or an institution named after someone
    "Washington Street will be closed between Main Street and Lincoln Avenue for repairs.",
    "Meet us at Nelson Mandela Square at noon.",
    "Samples go to Johns Hopkins University on Monday.",
    "Parking on Martin Luther St. is free after six.",
])
def test_a_common_word_that_is_a_first_name_somewhere_stays(scrub, text):
    assert scrub(text) == text


def test_the_benchmark_s_held_out_locales_stay_out_of_the_lists():
    """pii_recall.py reports names from locales outside the lists; adding them would make that figure circular."""
    bench = load_benchmark("pii_recall")
    held_out = [loc for loc in bench.LOCALES if bench.subgroup("person", "x", loc) == "person_locales_not_in_name_lists"]
    assert held_out and not set(held_out) & set(names.NAME_LIST_LOCALES), held_out
