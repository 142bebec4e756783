"""The train stage data-parallel in 2 processes on the CPU (torchrun, gloo): the same losses as one process at the
same global batch, and a run killed midway resumes onto the uninterrupted 2-process trajectory.

The global batch is 3 examples x 2 accumulated batches: odd, so one rank gets 2 examples of each batch and the
other 1, and the token weighting across ranks and accumulated batches is what makes the losses agree.
"""

import contextlib
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from distillery.config import load_config
from models.registry import Registry
from tasks.training.loop import TrainError
from tasks.training.stage import run_train
from tests.conftest import REPO
from tests.integration.test_train import curated, fresh_run  # noqa: F401 (a fixture, and the run folder it copies)

pytestmark = pytest.mark.slow

STEPS = 3
# One process vs two at the same global batch: the same examples, the same gradient in exact arithmetic; what
# differs is float rounding only. Each rank's loss is a mean over its own examples (another summation order and
# padding width than the whole batch's), weighted by the global token count, and the ranks' LoRA gradients are
# summed. The comparison computes in fp32: one step's gradient then differs by 3e-7 to 6e-7 of its norm (1e-3 would be
# a weighting bug of 0.1%), and 1e-5 on the loss leaves room for AdamW turning tiny gradient differences into
# step-size ones for near-zero components. In bf16 (this CPU's default) the gradient itself differs by ~2e-3 and
# the losses by ~1e-3 after 4 steps, which is rounding too but would hide such a bug. docs/facts.md
# "Data-parallel training" has the figures.
LOSS_TOLERANCE = {"rel": 1e-5, "abs": 1e-5}


def config(small_model, store: Path, processes: int, dropout: float, *overrides: str):
    return load_config(REPO / "configs/demo.yaml", [
        f"store.root={store}", f"student.model={small_model}", f"student.training.max_steps={STEPS}",
        "student.training.batch_size=3", "student.training.grad_accum=2", "student.training.learning_rate=2e-3",
        "student.training.warmup_ratio=0", f"student.training.processes={processes}", f"student.lora.dropout={dropout}",
        *overrides])


@contextlib.contextmanager
def one_thread():
    """Torch on one thread, as each of 2 processes is on 2 cores (launch: OMP_NUM_THREADS = cores / processes); on
    a busy 2-core machine also several times faster than two (docs/facts.md "The CUDA path", 3): 38 s vs 75 s."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def adapter(run: Path) -> dict:
    return load_file(run / "adapter" / "adapter_model.safetensors")


def test_two_processes_train_the_one_process_trajectory(small_model, curated, tmp_path):  # noqa: F811
    """fp32 and LoRA dropout 0: with dropout each rank draws masks for its own shard, which cannot match the masks
    one process draws for the whole batch (the trajectories then agree in distribution, not step by step)."""
    runs = {}
    for processes in (1, 2):
        run = fresh_run(curated, tmp_path, f"p{processes}")
        started = time.monotonic()
        cfg = config(small_model, tmp_path / f"store{processes}", processes, 0.0, "student.quant.compute_dtype=float32")
        with one_thread() if processes == 1 else contextlib.nullcontext():
            runs[processes] = run_train(cfg, run)
        print(f"{processes} process(es): {time.monotonic() - started:.1f} s, losses {runs[processes]['train_losses']}, "
              f"eval {runs[processes]['losses']['eval']}")
        runs[processes]["run"] = run
    one, two = runs[1], runs[2]
    assert two["steps"] == one["steps"] == STEPS and two["trained_tokens"] == one["trained_tokens"]
    assert two["examples"] == one["examples"]
    assert two["train_losses"] == pytest.approx(one["train_losses"], **LOSS_TOLERANCE)
    assert two["losses"]["eval"] == pytest.approx(one["losses"]["eval"], **LOSS_TOLERANCE)
    a, b = adapter(one["run"]), adapter(two["run"])
    assert a.keys() == b.keys()
    flat_a, flat_b = (torch.cat([t[k].float().flatten() for k in sorted(a)]) for t in (a, b))
    gap = float((flat_a - flat_b).norm() / flat_a.norm())
    print(f"adapters differ by {gap:.2e} of their norm")
    assert gap < 1e-4
    assert two["processes"] == 2 and Registry(tmp_path / "store2", small_model).versions() == ["v0001"]


def test_a_killed_two_process_run_resumes_onto_the_uninterrupted_trajectory(small_model, curated, tmp_path, monkeypatch):  # noqa: F811
    """LoRA dropout on: the checkpoint carries each rank's random state, and the resumed run draws the same masks."""
    straight = run_train(config(small_model, tmp_path / "s", 2, 0.05), fresh_run(curated, tmp_path, "straight"),
                         checkpoint_every=1)
    interrupted = fresh_run(curated, tmp_path, "interrupted")
    # both ranks SIGKILLed as step 2 starts: after the step-1 checkpoint, which every rank waits for
    monkeypatch.setenv("DISTILLERY_FAILPOINT", "train.step@2:kill")
    with pytest.raises(TrainError, match=r"training in 2 processes failed .*the last checkpoint \(step 1\) is kept"):
        run_train(config(small_model, tmp_path / "i", 2, 0.05), interrupted, checkpoint_every=1)
    monkeypatch.delenv("DISTILLERY_FAILPOINT")
    assert Registry(tmp_path / "i", small_model).versions() == [], "a killed run registers nothing"
    resumed = run_train(config(small_model, tmp_path / "i", 2, 0.05), interrupted, resume=True, checkpoint_every=1)
    print(f"straight {straight['train_losses']}, resumed {resumed['train_losses']}")
    # Exact, not within a tolerance: as many processes, as many threads each, redo the same float operations in the same
    # order from the same weights, moments and random state, and the 2-rank sum is a + b on both ranks.
    assert resumed["train_losses"] == straight["train_losses"] and resumed["losses"] == straight["losses"]
    a, b = adapter(tmp_path / "straight"), adapter(interrupted)
    assert a.keys() == b.keys() and all(a[k].equal(b[k]) for k in a), "the resumed adapter is the uninterrupted one"
