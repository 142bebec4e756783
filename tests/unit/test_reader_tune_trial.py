"""The fine-tuning trial (scripts/reader_tune_trial.py) compares against the product's reader, so it must read what
the product reads: with its adapters off, and with them on before any step (LoRA's second matrix starts at zero), its
readings are ContextReader.read_many's; a training step moves them and the head's probabilities."""

import numpy as np
import pytest

from tasks.sampling.pii.context_reader import ContextReader
from tests.conftest import load_benchmark

CONTEXTS = [("0612345678", "Customer wants ", " expedited, promised by Friday.", ""),
            ("415-555-0132", "Plumber: ", ", cheap and quick.", ""),
            ("863-637-4327", "Arıza kaydı ", " kapatıldı.", "")]


@pytest.fixture(scope="module")
def tunable(small_model):  # small_model: SmolLM2-135M prepared, the reader's model
    return load_benchmark("reader_tune_trial", folder="scripts").Tunable(rank=2)


def test_the_trial_reads_what_the_product_reads_until_it_trains(tunable):
    product = ContextReader.bundled().read_many(CONTEXTS)
    texts = [ContextReader.text(*c) for c in CONTEXTS]
    with tunable.model.disable_adapter():
        frozen = tunable.read_all(CONTEXTS)
    untrained = tunable.read_all(CONTEXTS)
    np.testing.assert_allclose(frozen, product, rtol=0, atol=1e-5)
    np.testing.assert_allclose(untrained, product, rtol=0, atol=1e-5)

    mean, std = frozen.mean(0), frozen.std(0) + 1e-6
    before = tunable.head_probability(untrained, mean, std)
    tunable.train(texts, np.array([0.0, 1.0, 0.0]), mean, std, epochs=1, lr=1e-2, batch=3, started=0.0)
    tuned = tunable.read_all(CONTEXTS)
    assert np.abs(tuned - product).max() > 1e-3  # the adapters moved the reading
    assert not np.allclose(tunable.head_probability(tuned, mean, std), before)
