"""QLoRA training of the 4-bit demo student: it learns, it registers with lineage, it resumes, it refuses."""

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from models.prompt_shape import student_messages
from models.registry import Registry, RegistryError
from tasks.training.loop import TrainError
from tasks.training.stage import run_train
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # minutes: `pytest -m 'not slow'` skips it locally

STEPS = 6


@pytest.fixture(scope="module")
def curated(small_model, demo_log, tmp_path_factory) -> Path:
    """A train.parquet of short triage examples (the production answers), as curate writes it."""
    rows = []
    for line in (demo_log / "production.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r.get("route") != "ticket-triage" or not isinstance(r.get("messages"), list) or len(rows) >= 48:
            continue
        user = r["messages"][1]["content"]
        if isinstance(user, str) and 40 < len(user) < 260 and "@" not in user:
            messages = student_messages("ticket-triage", user) + [{"role": "assistant", "content": r["response"]}]
            rows.append({"prompt_id": r["request_id"], "route": "ticket-triage", "split": "val" if len(rows) % 6 == 0 else "train",
                         "messages": json.dumps(messages), "answer": r["response"]})
    folder = tmp_path_factory.mktemp("curated")
    schema = pa.Table.from_pylist(rows).schema.with_metadata({"distillery.prompt_shape": "route-tag-v1",
                                                             "distillery.removed_templates": json.dumps({"ticket-triage": {"hash": "x", "chars": 2452}})})
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "train.parquet")
    return folder


def config(small_model, store, *overrides):
    return load_config(REPO / "configs/demo.yaml", [f"store.root={store}", f"student.model={small_model}",
                                                    f"student.training.max_steps={STEPS}", "student.training.batch_size=4",
                                                    "student.training.learning_rate=2e-3",
                                                    # dropout on (the demo trains without): the resume must restore RNG
                                                    "student.lora.dropout=0.05", *overrides])


def fresh_run(curated: Path, tmp_path: Path, name: str) -> Path:
    run = tmp_path / name
    run.mkdir()
    shutil.copy(curated / "train.parquet", run / "train.parquet")
    return run


@pytest.fixture(scope="module")
def trained(small_model, curated, tmp_path_factory) -> dict:
    """One uninterrupted run, checkpointing every 3 steps, registered as v0001: the resume test's straight
    trajectory, the adapter the base check loads, the champion of the out-of-memory night (one run, not four)."""
    store = tmp_path_factory.mktemp("trained")
    run = fresh_run(curated, store, "straight")
    return {"store": store, "run": run, "record": run_train(config(small_model, store), run, checkpoint_every=3)}


def test_training_lowers_the_loss_and_registers_a_candidate_with_lineage(small_model, trained):
    losses = trained["record"]["train_losses"]
    assert len(losses) == STEPS and sum(losses[-2:]) / 2 < sum(losses[:2]) / 2, losses
    registry = Registry(trained["store"], small_model)
    assert registry.versions() == ["v0001"] and registry.status()["candidates"] == ["v0001"]
    lineage = registry.lineage("v0001")
    assert lineage["quantization"]["quant_type"] == "nf4" and lineage["removed_templates"]["ticket-triage"]["chars"] == 2452
    assert lineage["dataset_hash"] and lineage["base_hash"] and lineage["tokenizer_hash"] and lineage["steps"] == STEPS
    assert {p.name for p in (registry.dir / "v0001").iterdir()} == {"adapter_model.safetensors", "adapter_config.json", "lineage.json"}


def test_resume_continues_the_same_trajectory(small_model, curated, trained, tmp_path, monkeypatch):
    straight = trained["record"]
    interrupted = fresh_run(curated, tmp_path, "interrupted")
    monkeypatch.setenv("DISTILLERY_FAILPOINT", "train.loss@5:nan")
    with pytest.raises(TrainError, match=r"loss is nan at step 5: training diverged.*nothing was registered"):
        run_train(config(small_model, tmp_path / "i"), interrupted, checkpoint_every=3)
    monkeypatch.delenv("DISTILLERY_FAILPOINT")
    assert Registry(tmp_path / "i", small_model).versions() == [], "a failed run registers nothing"
    resumed = run_train(config(small_model, tmp_path / "i"), interrupted, resume=True, checkpoint_every=3)
    assert resumed["train_losses"][:3] == straight["train_losses"][:3]
    assert resumed["train_losses"] == pytest.approx(straight["train_losses"], rel=1e-3, abs=1e-4)


def test_an_adapter_is_refused_on_a_different_base(small_model, trained, tmp_path):
    from models.resolve import resolve_model
    from models.student import load_student

    registry = Registry(trained["store"], small_model)
    base = Path(resolve_model(small_model))
    other = tmp_path / "other-base"
    other.mkdir()
    for f in base.iterdir():
        (other / f.name).symlink_to(f)
    (other / "config.json").unlink()
    (other / "config.json").write_text(json.dumps({**json.loads((base / "config.json").read_text()), "rope_theta": 1.0}))
    model, _, _ = load_student(config(small_model, tmp_path).student)
    with pytest.raises(RegistryError, match=r"adapter v0001 was trained on a base with hash \w+, but .*other-base has \w+"):
        registry.load("v0001", model, str(other))
    assert registry.load("v0001", model, str(base)) is not None


def test_out_of_memory_registers_nothing_keeps_the_champion_and_resumes(small_model, curated, trained, tmp_path, monkeypatch):
    cfg = config(small_model, tmp_path)
    shutil.copytree(trained["store"] / "registry", tmp_path / "registry")  # last night's adapter, in this test's store
    registry = Registry(tmp_path, small_model)
    (champion,) = registry.versions()
    registry.promote(champion, "test: last night's winner")
    night = fresh_run(curated, tmp_path, "night-2")
    monkeypatch.setenv("DISTILLERY_FAILPOINT", "train.step@4:oom")  # the allocator gives up at the 4th step
    with pytest.raises(TrainError, match=r"out of memory at step 4 .*lower student.training.batch_size \(4\).*"
                                         r"nothing was registered, the last checkpoint \(step 3\) is kept"):
        run_train(cfg, night, checkpoint_every=3)
    assert registry.versions() == [champion] and registry.status()["champion"] == champion
    assert not (night / "stage-train.json").exists()
    monkeypatch.delenv("DISTILLERY_FAILPOINT")
    import torch

    def unpickle(*args, **kwargs):
        raise AssertionError("torch.load unpickles; the store holds safetensors and JSON only")

    monkeypatch.setattr(torch, "load", unpickle)  # the checkpoint is read back with no pickle involved
    resumed = run_train(cfg, night, resume=True, checkpoint_every=3)
    assert resumed["steps"] == STEPS and resumed["adapter_version"] == "v0002"
    assert registry.status()["champion"] == champion  # a new candidate waits for its evaluation
