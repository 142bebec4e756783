"""The name lists (names.py): a first name that is a common English word counts only beside another name or after a
cue, a place named after someone is no one, and the benchmark's held-out locales stay out of the lists."""

import pytest

from tasks.sampling.pii import Scrubber, names
from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(detectors=("person",), phone_context=False).scrub


@pytest.mark.parametrize("text, name", [
    # a word-name before a known surname, a known first name and a surname, after a greeting or a cue
    ("Per Andersson called about the delivery.", "Andersson"),
    ("Per Gunnar Larsen signed the form.", "Per"),
    ("Else Marie Jensen called twice.", "Else"),
    ("Hi Per, the invoice is late.", "Per"),
    ("Dear Grace, thanks for the order.", "Grace"),
    # surnames that are places' or arenas' words too
    ("Call John Park tomorrow about the lease.", "Park"),
    ("Tom Hall approved the order.", "Hall"),
    ("Please contact Juan Plaza about the refund.", "Plaza"),
    ("Marco Arena will visit on Monday.", "Arena"),
    ("Dear Ms. Ana Station, your parcel is ready.", "Station"),  # a cue: no place veto
])
def test_a_person_goes(scrub, text, name):
    out = scrub(text)
    assert f"{name} " not in out and f"{name}," not in out and "<PERSON>" in out, out


@pytest.mark.parametrize("text", [
    # first names somewhere, and among the commonest English words: alone they are the word
    "Please review the Line Items below.",
    "The Floor Plan was approved.",
    "Age Verification failed for the order.",
    "Side Effects are listed on the leaflet.",
    "Ball Bearings are out of stock.",
    # ... and words a review found taken as names (function words, a word-name before a surname-shaped word)
    "Open the My Day view.",
    "Click Mark As Read to clear it.",
    "Sort by Run Date descending.",
    # a firm whose suffix closes a quoted field (a JSON record's vendor)
    '{"vendor": "Atlas Furniture SARL", "total": 1600.19}',
    # a place or an institution named after someone
    "Washington Street will be closed between Main Street and Lincoln Avenue for repairs.",
    "Meet us at Nelson Mandela Square at noon.",
    "Samples go to Johns Hopkins University on Monday.",
])
def test_a_word_a_firm_or_a_place_stays(scrub, text):
    assert scrub(text) == text


def test_the_benchmark_s_held_out_locales_stay_out_of_the_lists():
    """pii_recall.py reports names from locales outside the lists; adding them would make that figure circular."""
    bench = load_benchmark("pii_recall")
    held_out = [loc for loc in bench.LOCALES if bench.subgroup("person", "x", loc) == "person_locales_not_in_name_lists"]
    assert held_out and not set(held_out) & set(names.NAME_LIST_LOCALES), held_out
