"""The CUDA path's guards, proven on the CPU: the dtype choice for old GPUs, the gradient guard, checkpoints that
keep CUDA's random state and know what they trained on, and a merge that refuses to drop trained tensors.

Each planted bad case is one a GPU run would hit: a T4's capability, a NaN gradient behind a finite loss, a run
folder reused with a new train.parquet, an adapter with a `modules_to_save` tensor. The model is a randomly
initialised one-layer Llama built from a config (no download), so the whole module runs in seconds.
"""

import json
import logging
import random

import pytest
import torch

from distillery import failpoints
from distillery.config import LoraConfig, TrainingConfig, load_config
from models.device import choose_device, cuda_compute_dtype
from models.merge import MergeError, merge_adapter
from models.student import add_lora
from tasks.training.data import Encoded
from tasks.training.loop import TrainError, fingerprint_changes, load_checkpoint, save_checkpoint, train, trainable
from tasks.training.stage import checkpoint_fingerprint
from tests.conftest import REPO

FINGERPRINT = {"train.parquet": "a" * 64, "student": {"training": {"learning_rate": 0.01}}}


@pytest.mark.parametrize("capability, dtype", [((7, 5), "float32"), ((7, 0), "float32"), ((6, 1), "float32"),
                                               ((8, 0), "bfloat16"), ((9, 0), "bfloat16")])
def test_gpus_below_sm80_train_in_fp32_not_unscaled_fp16(capability, dtype):
    assert cuda_compute_dtype(capability).dtype_name == dtype


def test_choose_device_on_a_t4_picks_fp32(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: (7, 5))
    choice = choose_device("auto", "auto")
    assert (choice.device, choice.dtype_name) == ("cuda", "float32") and "7.5 < 8.0" in choice.reason
    explicit = choose_device("auto", "float16")
    assert explicit.dtype_name == "float16" and "no loss scaling" in explicit.reason


def tiny_lora(dropout: float = 0.1, seed: int = 0):
    """A one-layer Llama (random weights, fp32, CPU) with LoRA on every projection, as add_lora builds it."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    model = LlamaForCausalLM(config)
    return add_lora(model, LoraConfig(r=4, alpha=8, dropout=dropout), gradient_checkpointing=False)


def examples(count: int = 12, seed: int = 0) -> list[Encoded]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        ids = [rng.randrange(1, 64) for _ in range(rng.randrange(6, 12))]
        out.append(Encoded(ids, [-100] * 3 + ids[3:]))
    return out


def training(steps: int = 4) -> TrainingConfig:
    return TrainingConfig(max_steps=steps, batch_size=2, learning_rate=1e-2, warmup_ratio=0.0)


def run(tmp_path, *, resume=False, fingerprint=FINGERPRINT, data=None, checkpoint_every=1, steps=4):
    return train(tiny_lora(), data or examples(), [], training(steps), 0, tmp_path / "checkpoint", checkpoint_every,
                 resume, fingerprint=fingerprint)


@pytest.fixture
def plant(monkeypatch):
    """Set DISTILLERY_FAILPOINT for this test, with the hit counts of earlier tests forgotten."""
    def set_spec(spec: str) -> None:
        failpoints._hits.clear()
        monkeypatch.setenv(failpoints.ENV, spec)
    yield set_spec
    failpoints._hits.clear()


def test_a_nonfinite_gradient_stops_before_the_step_and_is_never_checkpointed(tmp_path, plant):
    plant("train.grad@3:nan")  # steps 1 and 2 are clean and checkpointed; step 3's loss is finite, a gradient is not
    with pytest.raises(TrainError, match=r"gradient norm is nan at step 3: training diverged.*nothing was registered, "
                                         r"the last checkpoint \(step 2\) is kept"):
        run(tmp_path)
    state = json.loads((tmp_path / "checkpoint" / "state.json").read_text())
    assert state["step"] == 2 and all(v == v for v in state["train_losses"])
    from safetensors.torch import load_file

    saved = load_file(tmp_path / "checkpoint" / "adapter" / "adapter_model.safetensors")
    assert all(torch.isfinite(t).all() for t in saved.values())


def test_the_gradient_guard_lets_clean_training_through(tmp_path):
    result = run(tmp_path, checkpoint_every=0)
    assert result.steps == 4 and all(loss == loss for loss in result.train_losses)


def test_checkpoints_keep_and_restore_every_cuda_devices_random_state(tmp_path, monkeypatch):
    """No GPU here: torch.cuda's RNG calls are stood in for, so the test proves the plumbing, not the kernels."""
    devices = [torch.arange(16, dtype=torch.uint8), torch.arange(16, 32, dtype=torch.uint8)]
    restored = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: [d.clone() for d in devices])
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", lambda states: restored.extend(states))
    model = tiny_lora()
    optimizer = torch.optim.AdamW(trainable(model), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    state = {"step": 1, "train_losses": [1.0], "eval_losses": [], "tokens": 5, "seconds": 0.1, "fingerprint": FINGERPRINT}
    save_checkpoint(model, optimizer, scheduler, state, tmp_path / "checkpoint")
    load_checkpoint(model, optimizer, scheduler, tmp_path / "checkpoint")
    assert len(restored) == 2 and all(torch.equal(a, b) for a, b in zip(restored, devices))


def test_a_checkpoint_of_other_data_is_set_aside_not_resumed(tmp_path, plant, caplog):
    plant("train.step@3:oom")  # killed after the step-2 checkpoint of the old train.parquet
    with pytest.raises(TrainError, match="out of memory at step 3"):
        run(tmp_path)
    plant("")
    new_data = {**FINGERPRINT, "train.parquet": "b" * 64}
    straight = run(tmp_path / "straight", fingerprint=new_data, data=examples(seed=1))
    with caplog.at_level(logging.WARNING):
        resumed = run(tmp_path, resume=True, fingerprint=new_data, data=examples(seed=1))
    assert resumed.train_losses == straight.train_losses, "trained from step 0 on the new data, not resumed"
    assert "not resuming" in caplog.text and "train.parquet (\"aaaa" in caplog.text
    assert (tmp_path / "checkpoint.stale" / "state.json").is_file(), "the old checkpoint is kept, not deleted"


def test_a_checkpoint_of_the_same_data_resumes_where_it_stopped(tmp_path, plant):
    straight = run(tmp_path / "straight")
    plant("train.step@3:oom")
    with pytest.raises(TrainError):
        run(tmp_path)
    plant("")
    resumed = run(tmp_path, resume=True)
    assert resumed.train_losses == pytest.approx(straight.train_losses, rel=1e-5)


def test_the_fingerprint_names_a_changed_train_parquet_and_config(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    cfg = load_config(REPO / "configs/demo.yaml")
    data = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist([{"split": "train", "messages": "[]"}]), data)
    old = checkpoint_fingerprint(cfg, data)
    assert fingerprint_changes(old, checkpoint_fingerprint(cfg, data)) == []
    pq.write_table(pa.Table.from_pylist([{"split": "train", "messages": "[1]"}]), data)
    changed = load_config(REPO / "configs/demo.yaml", ["student.training.learning_rate=0.5"])
    names = [c.split(" ")[0] for c in fingerprint_changes(old, checkpoint_fingerprint(changed, data))]
    assert names == ["student.training.learning_rate", "train.parquet"]
    assert fingerprint_changes(None, old) == ["the checkpoint predates fingerprints, so its data and config are unknown"]


def test_plain_lora_honours_gradient_checkpointing():
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    model = add_lora(LlamaForCausalLM(config), LoraConfig(), gradient_checkpointing=True)
    assert model.base_model.model.is_gradient_checkpointing


def adapter_and_base(tmp_path, extra: dict):
    """A one-weight base and a rank-2 adapter on it, plus `extra` tensors in the adapter file."""
    from safetensors.torch import save_file

    base, adapter = tmp_path / "base", tmp_path / "adapter"
    base.mkdir()
    adapter.mkdir()
    save_file({"model.layers.0.q.weight": torch.zeros(4, 4), "model.norm.weight": torch.ones(4)}, base / "model.safetensors")
    prefix = "base_model.model.model.layers.0.q"
    save_file({f"{prefix}.lora_A.weight": torch.ones(2, 4), f"{prefix}.lora_B.weight": torch.ones(4, 2), **extra},
              adapter / "adapter_model.safetensors")
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 2, "lora_alpha": 4}))
    return base, adapter


def test_merge_refuses_an_adapter_with_tensors_it_would_drop(tmp_path):
    base, adapter = adapter_and_base(tmp_path, {"base_model.model.lm_head.modules_to_save.weight": torch.ones(8, 4)})
    with pytest.raises(MergeError, match=r"1 trained tensor\(s\) this merge would drop: "
                                         r"base_model\.model\.lm_head\.modules_to_save\.weight.*modules_to_save"):
        merge_adapter(base, adapter, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_merge_of_a_plain_lora_adapter_still_works(tmp_path):
    base, adapter = adapter_and_base(tmp_path, {})
    assert merge_adapter(base, adapter, tmp_path / "out")["merged_modules"] == 1
