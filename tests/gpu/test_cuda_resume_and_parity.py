"""On CUDA: the train loop resumes exactly (CUDA's random state is in the checkpoint) and the bf16 export keeps
parity, through benchmarks/gpu_check.py's small-model sections (a minute; the 1B/8B memory part is left to
`bash scripts/gpu_check.sh`). Skipped on machines without CUDA."""

import json
import subprocess

import pytest
import torch

from tests.conftest import REPO

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; this machine has none"),
]


def test_resume_is_exact_on_cuda_and_the_bf16_export_keeps_parity():
    done = subprocess.run(["bash", str(REPO / "scripts/gpu_check.sh"), "--only", "env,dtype,resume,export_parity"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, result
    major = torch.cuda.get_device_capability()[0]
    assert result["dtype"]["compute_dtype"] == ("bfloat16" if major >= 8 else "float32")
    resume = result["resume"]
    assert resume["checkpoint_cuda_rng_states"] == torch.cuda.device_count()
    assert resume["close"], resume  # exact equality is reported too; CUDA attention kernels may differ in the last bit
    assert result["export_parity"]["passes_gate"], result["export_parity"]
