"""The learned phone context (tasks/sampling/pii/phone_context.py): it scrubs phones no rule announces, it keeps a
record's number that only its shape called a phone (never one a word, an owner or a + vouches for), it is never
asked about a number its sentence names as a record's, it can be switched off, and it never learned the unread set."""

import json
import zlib
from pathlib import Path

import pytest

from distillery.config import PiiConfig
from tasks.sampling.pii import Scrubber, context
from tasks.sampling.pii.phone_context import META, READER_META, PhoneContext, features, hashed


@pytest.mark.parametrize("text", [
    "ping me 0612345678 when you land",
    "Neighbour with the spare key: 0612345678",
    "Tom the plumber 0612345678",
    # (was "Bleep 0612345678 for the duty registrar": the refit after blind 29's round scores it 0.87, under the
    # threshold of 0.9; docs/facts.md "PII: blind 29 read, a review, blinds 30 to 32 unread")
    "Bleep the duty registrar on 0612345678",
    "If the alarm goes off, Jens can be woken at 0612345678.",
    # a packaging word elsewhere in the clause keeps no record's veto on the model (blind 30's round, a review's)
    "The farmer who brought six sacks this morning wants the grading result on 0612345678.",
])
def test_scrubs_phones_no_rule_announces(text):
    rules_only, learned = Scrubber(phone_context=False), Scrubber()
    assert rules_only.scrub(text) == text  # no cue word, no shape rule: the rules alone let it through
    out = learned.scrub(text)
    assert "0612345678" not in out and "<PHONE>" in out, out
    assert learned.hits["phone"] == 1


@pytest.mark.parametrize("text", [
    "Booking for the Smith family: 0612345678",
    "The shipment is on 0612345678 manifest",
    "Can you get me the status of 0612345678?",
    "Account number to transfer to: 0612345678",
    "Printer 0612345678 jammed",
])
def test_a_record_named_in_the_sentence_keeps_the_model_out(text):
    """The model alone would call these phones (the shape of a Dutch mobile): the record word in the sentence is
    what keeps them, so dropping the veto fails here."""
    start = text.index("0612345678")
    head, tail = context.clause(text, start, start + 10)
    model = PhoneContext.bundled()
    assert model.probability("0612345678", head, tail, context.cues_around(text, start, start + 10)) >= model.threshold
    assert context.names_a_record(head, tail)
    assert Scrubber().scrub(text) == text


def test_a_contact_word_lifts_the_record_veto():
    assert not context.names_a_record("the customer's contact number for the booking is ", "")
    assert context.names_a_record("the number for the booking is ", "")


def test_business_numbers_in_sentences_without_phone_words_stay():
    for text in ("Order #4815162342 shipped by DHL to Rotterdam", "We shipped 4155550132 units last year",
                 "Meter reading 0612345678 kWh", "Build 20260412 passed in 14 minutes"):
        assert Scrubber().scrub(text) == text


def test_on_by_default_only_where_prompts_leave_the_machine():
    """auto: a teacher or judge endpoint off this machine turns it on; a managed or loopback teacher leaves it off."""
    from distillery.config import RunConfig
    from tasks.sampling.stage import prompts_leave, sample_config_hash

    text = "ping me 0612345678 when you land"
    assert Scrubber.from_config(PiiConfig()).scrub(text) == text
    assert Scrubber.from_config(PiiConfig(), prompts_leave=True).scrub(text) != text
    assert Scrubber.from_config(PiiConfig(phone_context="on")).scrub(text) != text
    assert Scrubber.from_config(PiiConfig(phone_context=False), prompts_leave=True).scrub(text) == text  # YAML's "off"
    assert PiiConfig(phone_context=True).phone_context == "on"

    local, loopback = RunConfig(), RunConfig.model_validate({"teacher": {"endpoint": "http://127.0.0.1:8000/v1"}})
    remote = RunConfig.model_validate({"teacher": {"endpoint": "https://api.example.com/v1"}})
    judged = RunConfig.model_validate({"evaluation": {"judge": {"endpoint": "https://judge.example.com/v1"}}})
    assert not prompts_leave(local) and not prompts_leave(loopback) and prompts_leave(remote) and prompts_leave(judged)
    ray = lambda address: RunConfig.model_validate({"teacher": {"batch": {"engine": "ray", "address": address}}})  # noqa: E731
    assert prompts_leave(ray("ray://head.cluster:10001")) and prompts_leave(ray("auto")), "a cluster may span machines"
    assert not prompts_leave(ray("ray://127.0.0.1:10001")) and not prompts_leave(ray(None)), "Ray on this machine"
    # a teacher moved off the machine is a new sample: its prompts are scrubbed again, not reused
    assert sample_config_hash(remote) != sample_config_hash(local) == sample_config_hash(loopback)


def test_features_hash_the_same_in_every_process():
    """crc32, not hash(): a weight trained in one process must land on the same index in another."""
    names = features("0612345678", "ping me ", " when you land", "", False, False)
    assert "hw:ping" in names and "tw:when" in names and "grp:10" in names and "lead:0" in names
    assert hashed(["bias"], 1 << 16) == {zlib.crc32(b"bias") & 0xFFFF: 1.0}


def test_never_trained_on_the_unread_set():
    """The unread blind set's figure is the honest one only while the model never saw it: the newest blind set in
    benchmarks/ (the one whose misses nobody has read) is never trained on."""
    meta, with_reader = json.loads(META.read_text()), json.loads(READER_META.read_text())
    benchmarks = Path(__file__).resolve().parents[2] / "benchmarks"
    newest = max(int(p.stem.removeprefix("pii_blind") or 1) for p in benchmarks.glob("pii_blind*.py"))
    for fitted in (meta, with_reader):  # the model fitted with the context reader too (context_reader.py)
        assert f"blind{newest}" in fitted["never_read"] and f"blind{newest}" not in fitted["trained_on"]
        assert f"--unread blind{newest}" in fitted["command"]  # so a refit by its command keeps it unread
    assert len(PhoneContext.bundled().weights) == meta["dim"]
    assert 0.5 <= meta["threshold"] < 1
    left_out = meta["left_out"][str(meta["threshold"])]
    assert left_out["flagged"] <= meta["max_clean_rate"] * left_out["clean_numbers"]
    vetoed = meta["veto_left_out"][str(meta["veto"])]
    assert 0 < meta["veto"] <= meta["max_veto"] and vetoed["lost"] <= meta["max_veto_loss"] * vetoed["shape_phones"]


def test_text_that_is_not_valid_unicode_is_read_too():
    """A log row may carry a lone surrogate (hypothesis found one in tests/unit/test_bad_input.py)."""
    assert "<PHONE>" in Scrubber().scrub("ping me \ud800 0612345678 when you land")


@pytest.mark.parametrize("text", [
    "Intel server 0612345678 fan failure.",            # "Intel" holds "tel": no contact word, the veto holds
    "Uw bestelling is onder 0612345678 geregistreerd.",  # "bestelling" too
    "Bitte 0000123456 aus der Kreditsperre nehmen.",    # zero-padded: valid as a phone nowhere, never asked
    "Picked: 0612345678 0612345679 0612345680",         # a series of ids
    "0612345678",                                       # no word around it says anything
])
def test_what_a_review_found_it_must_not_be_asked_about(text):
    assert Scrubber().scrub(text) == text


def test_a_contact_word_at_the_start_of_a_word_still_lifts_the_veto():
    assert not context.names_a_record("Telefonnummer für die Bestellung ", "")
    assert context.names_a_record("Hersteller hat die Sendung für ", " verschoben")


def test_the_training_keeps_the_lowest_threshold_inside_both_bounds_and_refuses_when_none_is():
    """scripts/train_phone_context.py's choice: the most phones caught without passing the clean or lookalike bound."""
    from tests.conftest import load_benchmark

    train = load_benchmark("train_phone_context", folder="scripts")

    def row(flagged, lookalikes_flagged):
        return {"clean_numbers": 1000, "flagged": flagged, "lookalikes": 100, "lookalikes_flagged": lookalikes_flagged}

    # 0.5 flags too many clean numbers (3 > 2), 0.6 too many lookalikes (3 > 2): 0.7 is the lowest inside both
    table = {"0.5": row(3, 0), "0.6": row(2, 3), "0.7": row(2, 2), "0.8": row(0, 0)}
    assert train.choose_threshold(table, 0.002, 0.02) == 0.7
    with pytest.raises(SystemExit, match=r"no threshold keeps .* within 0.001 .* the model is not written"):
        train.choose_threshold({"0.8": row(2, 0), "0.95": row(2, 0)}, 0.001, 0.02)


# Phones only by their shape (no word says phone), in sentences that name a record: the rules alone scrub them
SHAPE_ONLY_RECORDS = [
    "Hotfix rolled out to 208 stores, tracked in 65 12 39 75 56.",
    "Arıza kaydı 863-637-4327, seri no 962948033788, garanti bitişi 13/07/2027.",
    "Mzigo 594.160.9501 umefika ghalani saa 16:34.",
]


@pytest.mark.parametrize("text", SHAPE_ONLY_RECORDS)
def test_the_veto_keeps_a_record_number_only_its_shape_called_a_phone(text):
    rules_only, learned = Scrubber(phone_context=False), Scrubber()
    assert "<PHONE>" in rules_only.scrub(text), "the rules alone call it a phone by its shape"
    assert learned.scrub(text) == text, learned.hits


@pytest.mark.parametrize("text", [
    "Linehaul driver's mobile 0346 8457654, he left the hub at 23:00.",  # a phone word
    "Hotfix rolled out, call 65 12 39 75 56 if it breaks.",
    "Mast site lease: +44 20 7946 0958",                                 # written internationally
    "Mast site lease: Hannah Spieß, 299-425-8564",                       # beside a person
    "Plot 22 tenant 299-425-8564",                                       # after a person's role
])
def test_the_veto_never_overrules_a_word_an_owner_or_a_plus(text):
    """A model that vetoes every phone by shape (veto 1.0) must still leave these scrubbed: what vouches for them is
    more than their shape. Must fail if shape_only ignored the words, the + or the person."""
    scrubber = Scrubber()
    model = PhoneContext.bundled()
    scrubber._numbers.learned = PhoneContext(model.weights, model.threshold, veto=1.0)
    assert "<PHONE>" in scrubber.scrub(text), text
    scrubber._numbers.learned = PhoneContext(model.weights, model.threshold, veto=None)
    assert "<PHONE>" in scrubber.scrub(text)


@pytest.mark.parametrize("text", [
    "Plumber: 415-555-0132, cheap and quick.",
    "Locksmith who came out: 415-555-0132, cheap and quick.",
    "Gardener 0171 2345678 does hedges too.",
    "Contractor 415-555-0132 no-show again.",
    "Flight cancelled, rebook via agent 415-555-0132.",
])
def test_the_veto_keeps_its_hands_off_a_tradesman_s_number(text):
    """A review's notes with no phone word, whose numbers the benchmark's planted phones (nearly all announced) do
    not teach: they score 0.19-0.30, above the capped veto (scripts/train_phone_context.py --max-veto). Must fail if
    the veto climbs back to 0.3."""
    assert "<PHONE>" in Scrubber().scrub(text)


def test_without_a_veto_the_shape_rule_stands():
    """The veto is the model's: rules alone (phone_context off) or a model without one keep today's shape rule."""
    scrubber = Scrubber()
    model = PhoneContext.bundled()
    scrubber._numbers.learned = PhoneContext(model.weights, model.threshold, veto=None)
    assert all("<PHONE>" in scrubber.scrub(text) for text in SHAPE_ONLY_RECORDS)


def test_the_training_keeps_the_highest_veto_inside_the_loss_bound():
    from tests.conftest import load_benchmark

    train = load_benchmark("train_phone_context", folder="scripts")
    table = {"0.1": {"shape_phones": 200, "lost": 0}, "0.2": {"shape_phones": 200, "lost": 1},
             "0.3": {"shape_phones": 200, "lost": 2}}
    assert train.choose_veto(table, 0.0, 1.0) == 0.1  # none lost
    assert train.choose_veto(table, 0.005, 1.0) == 0.2  # 1 <= 0.005 x 200 < 2
    assert train.choose_veto(table, 0.01, 0.2) == 0.2  # 0.3 would do, the cap says no
    assert train.choose_veto({"0.1": {"shape_phones": 200, "lost": 5}}, 0.0, 1.0) is None  # no veto rather than a loss
