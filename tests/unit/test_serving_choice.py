"""Which student `serve student` and the evaluation serve: the merged export, or multi-LoRA on CUDA."""

import pytest
import torch

from distillery.config import load_config
from models.served_student import ServeError, multi_lora_config
from tests.conftest import REPO


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_multi_lora_is_refused_without_cuda_with_the_knob_to_change():
    cfg = load_config(REPO / "configs/demo.yaml", ["export.multi_lora=true"])
    with pytest.raises(ServeError, match=r"export.multi_lora needs CUDA .* set export.multi_lora=false"):
        multi_lora_config(cfg, "v0001", REPO / "no-adapter")
