"""The export's parity gate on planted measurements: each way a merge can fall short is refused, and says why."""

import pytest
import torch

from models.parity import compare_logits, passes
from tasks.export.stage import refusal

BOUNDS = {"min_agreement": 0.97, "max_top_logprob_gap": 1.0, "min_positions": 100}
GOOD = {"positions": 369, "next_token_agreement": 0.9919, "max_top_logprob_gap": 0.21, "max_logit_gap": 1.4}


def test_a_correct_bf16_merge_as_measured_passes():
    assert passes(GOOD, **BOUNDS)


@pytest.mark.parametrize("planted, why", [
    ({"positions": 30, "next_token_agreement": 1.0}, "only 30 answer tokens were compared"),
    ({"next_token_agreement": 0.93}, "next-token agreement with the NF4 reference 0.93"),
    ({"max_top_logprob_gap": 2.1}, "log-probability 2.1"),
    ({"positions": 0, "next_token_agreement": None}, "only 0 answer tokens"),
])
def test_a_merge_that_falls_short_is_refused_with_its_reason(planted, why):
    measured = {**GOOD, **planted}
    assert not passes(measured, **BOUNDS)
    assert why in refusal(measured, BOUNDS)


def test_compare_logits_counts_flips_once_and_measures_the_drift_of_the_reference_pick():
    reference = [torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])]
    same = compare_logits(reference, [reference[0] + 5.0])  # a shift of every logit changes no probability
    assert same["next_token_agreement"] == 1.0 and same["max_top_logprob_gap"] == pytest.approx(0.0, abs=1e-6)
    flipped = reference[0].clone()
    flipped[1] = torch.tensor([3.0, 2.0, 0.0])  # one position now prefers another token
    out = compare_logits(reference, [flipped])
    assert out["positions"] == 3 and out["next_token_agreement"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["max_top_logprob_gap"] > 0.5
