"""The train stage: train.parquet -> a 4-bit student's LoRA adapter, registered with its lineage.

    distillery train -c configs/demo.yaml --run-dir .distillery/runs/<run> [--resume]

The base loads in NF4 (bitsandbytes), LoRA goes on every linear projection, the loss covers the
answer tokens only. Checkpoints land in <run>/checkpoint every `checkpoint_every` steps; --resume
continues from there on the same trajectory. The adapter is registered only when training finished
with finite losses.
"""

import json
import logging
import time
from pathlib import Path

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from distillery.store import StageClock, file_sha256, versions, write_json
from tasks.training.data import encode_rows
from tasks.training.distributed import launch, world
from tasks.training.loop import TrainError, _checkpoint_step, train

log = logging.getLogger(__name__)


def run_train(cfg: RunConfig, run_dir: Path, resume: bool = False, checkpoint_every: int = 20) -> dict:
    import pyarrow.parquet as pq

    from models.registry import Registry, base_hash, tokenizer_hash
    from models.resolve import resolve_model

    if world().size > 1:
        raise TrainError("the train stage was started under torchrun: start it as one process and set "
                         "student.training.processes instead; it launches torchrun itself, and registers once")
    clock = StageClock()
    data_path = run_dir / "train.parquet"
    if not data_path.is_file():
        raise TrainError(f"{data_path} does not exist: run the curate stage first (distillery curate --run-dir {run_dir})")
    done = finished_record(cfg, run_dir) or registered_record(cfg, run_dir)
    if done:
        log.info("this run already trained adapter %s on the same data and config; nothing to do", done["adapter_version"])
        return done
    table = pq.read_table(data_path)
    rows = trained_routes(table.to_pylist(), cfg.student.training.routes)
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items() if k.startswith(b"distillery.")}
    t = cfg.student.training
    started = time.monotonic()
    if t.processes > 1:
        out = train_in_processes(cfg, run_dir, resume, checkpoint_every)
    else:
        out = train_here(cfg, run_dir, resume, checkpoint_every, rows)
    adapter_dir = run_dir / "adapter"
    base_path = resolve_model(cfg.student.model)
    lineage = {
        "base_model": cfg.student.model, "base_hash": base_hash(base_path), "tokenizer_hash": tokenizer_hash(base_path),
        "quantization": cfg.student.quant.model_dump(), "compute_dtype": out["compute_dtype"], "lora": cfg.student.lora.model_dump(),
        "prompt_shape": meta.get("distillery.prompt_shape"),
        "removed_templates": json.loads(meta.get("distillery.removed_templates", "{}")),
        "dataset_hash": file_sha256(data_path), "training_config": t.model_dump(), "training_config_hash": _hash(t.model_dump()),
        "losses": {"train_first": out["train_losses"][0], "train_last": out["train_losses"][-1], "eval": out["eval_losses"]},
        "steps": out["steps"], "trained_tokens": out["tokens"], "wall_s": round(time.monotonic() - started, 1),
        "device": out["device"], "run_dir": str(run_dir),
    }
    record = {"stage": "train", "inputs": {"train.parquet": lineage["dataset_hash"]}, "run_dir": str(run_dir),
              "config_hash": _train_config_hash(cfg),
              "examples": out["examples"], "losses": lineage["losses"], "train_losses": out["train_losses"],
              "steps": out["steps"], "trained_tokens": out["tokens"],
              "tokens_per_s": round(out["tokens"] / max(out["seconds"], 1e-9), 1), "processes": t.processes,
              "device": out["device"], "compute_dtype": out["compute_dtype"],
              "versions": versions("torch", "transformers", "peft", "bitsandbytes"), **clock.totals()}
    # The stage record travels in the lineage: a run killed after registering finds it there (registered_record).
    version = Registry(Path(cfg.store.root), cfg.student.model).register(adapter_dir, {**lineage, "train_record": record})
    failpoint("train.registered")  # registered, stage record not yet written: a rerun must not train or register again
    record["adapter_version"] = version
    write_json(record, run_dir / "stage-train.json")
    log.info("registered adapter %s (validation loss %s)", version, out["eval_losses"])
    return record


def train_here(cfg: RunConfig, run_dir: Path, resume: bool, checkpoint_every: int, rows: list[dict] | None = None) -> dict:
    """Load the 4-bit student, add LoRA and train it in this process (one of N under torchrun: see
    tasks/training/distributed.py); the main process saves the adapter to <run>/adapter. Returns what run_train
    records: the Result's fields, the example counts, the device and compute dtype."""
    import torch

    from models.student import add_lora, load_student, use_for_training

    t = cfg.student.training
    if rows is None:  # a torchrun worker reads the curated rows itself
        import pyarrow.parquet as pq

        rows = trained_routes(pq.read_table(run_dir / "train.parquet").to_pylist(), t.routes)
    model, tokenizer, choice = load_student(cfg.student)
    torch.manual_seed(t.seed)  # LoRA's A matrices are random: same seed, same start, same trajectory
    model = add_lora(model, cfg.student.lora, t.gradient_checkpointing)
    use_for_training(model)
    train_set, skipped_train = encode_rows(tokenizer, [r for r in rows if r["split"] == "train"], t.max_seq_len)
    val_set, skipped_val = encode_rows(tokenizer, [r for r in rows if r["split"] == "val"], t.max_seq_len)
    log.info("training on %d examples (%d validation) on %s/%s: %s", len(train_set), len(val_set), choice.device,
             choice.dtype_name, choice.reason)
    result = train(model, train_set, val_set, t, tokenizer.pad_token_id, run_dir / "checkpoint", checkpoint_every, resume,
                   fingerprint=checkpoint_fingerprint(cfg, run_dir / "train.parquet"))
    if world().main:
        model.save_pretrained(run_dir / "adapter")
    return {"steps": result.steps, "train_losses": result.train_losses, "eval_losses": result.eval_losses,
            "tokens": result.tokens, "seconds": result.seconds, "device": choice.device, "compute_dtype": choice.dtype_name,
            "examples": {"train": len(train_set), "val": len(val_set), "skipped_too_long": skipped_train + skipped_val}}


def train_in_processes(cfg: RunConfig, run_dir: Path, resume: bool, checkpoint_every: int) -> dict:
    """train_here in student.training.processes processes under torchrun (data-parallel, same global batch); the
    workers' first TrainError becomes this process's, with the message one process would have given."""
    import tempfile

    processes = cfg.student.training.processes
    with tempfile.TemporaryDirectory(prefix="distillery-train-") as tmp:
        folder = Path(tmp)
        spec = {"config": cfg.model_dump(mode="json"), "run_dir": str(run_dir.resolve()), "resume": resume,
                "checkpoint_every": checkpoint_every}
        code = launch(processes, spec, folder)
        errors = sorted(folder.glob("error.*.json"))
        if errors:
            raise TrainError(json.loads(errors[0].read_text())["message"])
        if code != 0 or not (folder / "result.json").is_file():
            raise TrainError(f"training in {processes} processes failed (torchrun exit {code}; the workers' "
                             f"output above says why); nothing was registered, the last checkpoint "
                             f"({_checkpoint_step(run_dir / 'checkpoint')}) is kept and a rerun with --resume continues "
                             "from it")
        return json.loads((folder / "result.json").read_text())


def finished_record(cfg: RunConfig, run_dir: Path) -> dict | None:
    """The run's stage-train.json when it trained on this exact train.parquet with this student config."""
    path = run_dir / "stage-train.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    same = record.get("inputs", {}).get("train.parquet") == file_sha256(run_dir / "train.parquet") and \
        record.get("config_hash") == _train_config_hash(cfg)
    return record if same else None


def registered_record(cfg: RunConfig, run_dir: Path) -> dict | None:
    """The record of a training of this run on this exact data and config that registered its adapter but was
    killed before writing stage-train.json; written now, so the resumed run neither trains nor registers again."""
    from models.registry import Registry

    registry = Registry(Path(cfg.store.root), cfg.student.model)
    version = registry.find(run_dir=str(run_dir), dataset_hash=file_sha256(run_dir / "train.parquet"))
    if version is None:
        return None
    record = registry.lineage(version).get("train_record")
    if not record or record.get("config_hash") != _train_config_hash(cfg):
        return None
    record = {**record, "adapter_version": version}
    write_json(record, run_dir / "stage-train.json")
    return record


def checkpoint_fingerprint(cfg: RunConfig, data_path: Path) -> dict:
    """What a checkpoint is a checkpoint of: the training data's hash and the student config (base, quantization,
    LoRA, training knobs), the same two things `finished_record` compares. Kept whole rather than hashed, so a
    checkpoint that is not resumed can say which setting changed."""
    return {"train.parquet": file_sha256(data_path), "student": cfg.student.model_dump(mode="json")}


def _train_config_hash(cfg: RunConfig) -> str:
    return _hash({"student": cfg.student.model_dump(mode="json")})


def _hash(obj) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def trained_routes(rows: list[dict], routes: list[str]) -> list[dict]:
    """The curated examples of the routes `student.training.routes` names (all when it is empty). A named route
    without an example tonight is said and skipped (a small night may sample none); none of them with an example is
    a config mistake, said before minutes of training go to nothing."""
    if not routes:
        return rows
    present = {r["route"] for r in rows}
    if not present & set(routes):
        raise TrainError(f"student.training.routes names {', '.join(routes)}, none of which has a curated example in this "
                         f"run; routes with examples: {', '.join(sorted(present)) or 'none'}")
    for missing in sorted(set(routes) - present):
        log.warning("student.training.routes names %s, which has no curated example in this run: trained without it", missing)
    kept = [r for r in rows if r["route"] in routes]
    log.info("training on %d of %d curated examples: routes %s (student.training.routes)", len(kept), len(rows), ", ".join(routes))
    return kept
