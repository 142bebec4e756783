"""A plain QLoRA training loop: AdamW on the LoRA weights, warmup + linear/cosine schedule, gradient
accumulation, eval loss on the validation split, checkpoints every N steps that resume bit-for-bit.

Plain rather than Trainer because every piece the issue asks for (masking, NaN stop, safetensors-only
checkpoints, exact resume, progress lines) is a few lines here and would be callbacks and overrides
there. Checkpoints hold the adapter, optimizer moments, scheduler step and RNG state (CPU and every CUDA
device) as safetensors + JSON: nothing in the store is ever unpickled. Each checkpoint also records the
fingerprint of what it trained on (train.parquet's hash and the student config), so a run folder reused with
other data does not quietly continue the old run.

Under torchrun (student.training.processes > 1) the same loop runs data-parallel: each rank trains on its shard of
every global batch and the LoRA gradients are summed across ranks before the step (tasks/training/distributed.py
says how, and why not DDP, FSDP or TRL); only rank 0 logs and writes checkpoints, which hold every rank's RNG.
"""

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from distillery.failpoints import failpoint
from tasks.training.answer_loss import answer_loss
from tasks.training.data import Encoded, collate, length_batches
from tasks.training.distributed import World, start, world

if TYPE_CHECKING:  # annotations only: benchmarks/gpu_check.py runs this loop where pydantic is not installed
    from distillery.config import TrainingConfig

log = logging.getLogger(__name__)


class TrainError(RuntimeError):
    """Training cannot go on (NaN loss, no data); nothing is registered."""


@dataclass
class Result:
    steps: int
    train_losses: list[float]   # per optimizer step
    eval_losses: list[float]    # after each epoch
    tokens: int                 # trained (non-pad) tokens
    seconds: float


def trainable(model) -> list:
    return [p for p in model.parameters() if p.requires_grad]


def eval_loss(model, examples: list[Encoded], batch_size: int, pad_id: int, ranks: World = World()) -> float:
    """Token-weighted validation loss; under torchrun each rank takes every size-th batch and the sums are added."""
    import torch

    if not examples:
        return float("nan")
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for k, i in enumerate(range(0, len(examples), batch_size)):
            if k % ranks.size != ranks.rank:
                continue
            batch = collate(sorted(examples[i : i + batch_size], key=lambda e: len(e.input_ids)), pad_id)
            n = int((batch["labels"][:, 1:] != -100).sum())
            total += float(answer_loss(model, _to(batch, model))) * n
            count += n
    model.train()
    total, count = ranks.sum(total, count)
    return total / max(count, 1)


def _to(batch: dict, model) -> dict:
    device = next(p.device for p in model.parameters())
    return {k: v.to(device) for k, v in batch.items()}


def train(model, train_set: list[Encoded], val_set: list[Encoded], cfg: "TrainingConfig", pad_id: int, ckpt_dir: Path,
          checkpoint_every: int, resume: bool, *, fingerprint: dict) -> Result:
    """`fingerprint` names what this training is of (tasks/training/stage.py `checkpoint_fingerprint`): it is saved
    with each checkpoint, and a checkpoint with another fingerprint is not resumed."""
    import torch
    from transformers import get_scheduler

    if not train_set:
        raise TrainError("no training examples: curate produced none that fit student.training.max_seq_len")
    ranks = start(next(model.parameters()).device.type)  # one process unless torchrun launched this one
    torch.manual_seed(cfg.seed + ranks.rank)  # rank 0 draws what one process draws; the others their own dropout
    ranks.same_parameters(trainable(model))
    per_epoch = math.ceil(math.ceil(len(train_set) / cfg.batch_size) / cfg.grad_accum)
    total_steps = cfg.max_steps or max(1, math.ceil(per_epoch * cfg.epochs))
    optimizer = torch.optim.AdamW(trainable(model), lr=cfg.learning_rate, weight_decay=0.0)
    scheduler = get_scheduler(cfg.scheduler, optimizer, num_warmup_steps=int(cfg.warmup_ratio * total_steps),
                              num_training_steps=total_steps)
    state = {"step": 0, "train_losses": [], "eval_losses": [], "tokens": 0, "seconds": 0.0, "fingerprint": fingerprint}
    if resume and ranks.from_main(resumable(ckpt_dir, fingerprint) if ranks.main else None):  # rank 0 moves folders
        state = load_checkpoint(model, optimizer, scheduler, ckpt_dir)
        log.info("resumed from step %d of %d", state["step"], total_steps)
    started = time.monotonic() - state["seconds"]
    step = state["step"]
    epoch = step // per_epoch
    model.train()
    while step < total_steps:
        batches = length_batches(train_set, cfg.batch_size, cfg.seed, epoch)
        groups = [batches[i : i + cfg.grad_accum] for i in range(0, len(batches), cfg.grad_accum)]
        for group in groups[step - epoch * per_epoch :]:
            tokens = sum(int((b_labels != -100).sum()) for b_labels in (collate(b, pad_id)["labels"][:, 1:] for b in group))
            try:  # this rank's shard of each batch, weighted by the global step's token count
                loss_sum = _backward(model, [ranks.shard(b) for b in group], pad_id, tokens, step + 1, cfg)
            except (torch.OutOfMemoryError, MemoryError, RuntimeError) as exc:
                if not out_of_memory(exc):
                    raise
                raise TrainError(f"out of memory at step {step + 1} ({exc}): lower student.training.batch_size "
                                 f"({cfg.batch_size}) or max_seq_len ({cfg.max_seq_len}), or raise grad_accum "
                                 f"({cfg.grad_accum}) to keep the effective batch; nothing was registered, the last "
                                 f"checkpoint ({_checkpoint_step(ckpt_dir)}) is kept and a rerun resumes from it") from None
            loss_sum = ranks.sum_gradients(trainable(model), loss_sum)  # every rank now holds the global gradient
            grad_norm = torch.nn.utils.clip_grad_norm_(trainable(model), 1.0)
            check_gradients(grad_norm, step + 1, cfg, ckpt_dir)  # before the step: a NaN never reaches the weights
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            state["tokens"] += tokens
            state["train_losses"].append(round(loss_sum, 6))
            elapsed = time.monotonic() - started
            if step % 5 == 0 or step == total_steps:
                rate = state["tokens"] / elapsed
                log.info("step %d/%d loss %.4f lr %.2e %.0f tok/s ETA %.1f min", step, total_steps, loss_sum,
                         scheduler.get_last_lr()[0], rate, (total_steps - step) * elapsed / step / 60)
            if checkpoint_every and step % checkpoint_every == 0 and step < total_steps:
                state.update(step=step, seconds=elapsed)
                save_checkpoint(model, optimizer, scheduler, state, ckpt_dir)
            if step >= total_steps:
                break
        epoch += 1
        if step % per_epoch == 0 or step >= total_steps:
            state["eval_losses"].append(round(eval_loss(model, val_set, cfg.batch_size, pad_id, ranks), 6))
            log.info("epoch %d: validation loss %.4f", epoch, state["eval_losses"][-1])
    return Result(step, state["train_losses"], state["eval_losses"], state["tokens"], time.monotonic() - started)


def _backward(model, group: list, pad_id: int, tokens: int, step: int, cfg: "TrainingConfig") -> float:
    """Forward and backward over one optimizer step's batches; returns the step's loss."""
    import torch

    failpoint("train.step")
    diverge = failpoint("train.loss") == "nan"  # tests plant a diverged step here
    loss_sum = 0.0
    for b in group:
        if not b:  # a rank's shard of a batch smaller than the number of ranks
            continue
        batch = collate(b, pad_id)
        n = int((batch["labels"][:, 1:] != -100).sum())
        loss = answer_loss(model, _to(batch, model)) * (n / tokens)  # token-weighted across the accumulated batches
        if diverge:
            loss = loss * float("nan")
        if not torch.isfinite(loss):
            raise TrainError(f"loss is {loss.item()} at step {step}: training diverged; lower "
                             f"student.training.learning_rate ({cfg.learning_rate:g}) — nothing was registered")
        loss.backward()
        loss_sum += loss.item()
    if failpoint("train.grad") == "nan":  # tests plant a non-finite gradient behind a finite loss here
        next(p for p in trainable(model) if p.grad is not None).grad.view(-1)[0] = float("nan")
    return loss_sum


def check_gradients(grad_norm, step: int, cfg: "TrainingConfig", ckpt_dir: Path) -> None:
    """Stop like the loss guard when the step's total gradient norm is not finite: the loss can be finite while
    the backward pass overflowed (fp16 compute, a bad batch), and stepping would write NaN into every LoRA weight
    and then into the next checkpoint."""
    import torch

    if not torch.isfinite(grad_norm):
        raise TrainError(f"gradient norm is {grad_norm.item()} at step {step}: training diverged; lower "
                         f"student.training.learning_rate ({cfg.learning_rate:g}) — nothing was registered, the last "
                         f"checkpoint ({_checkpoint_step(ckpt_dir)}) is kept and a rerun with --resume continues from it")


def out_of_memory(exc: BaseException) -> bool:
    """CUDA raises torch.OutOfMemoryError; the CPU allocator a RuntimeError saying it can't allocate memory."""
    import torch

    return isinstance(exc, (torch.OutOfMemoryError, MemoryError)) or "can't allocate memory" in str(exc)


def _checkpoint_step(ckpt_dir: Path) -> str:
    state = ckpt_dir / "state.json"
    return f"step {json.loads(state.read_text())['step']}" if state.is_file() else "none yet"


def resumable(ckpt_dir: Path, fingerprint: dict) -> bool:
    """Whether ckpt_dir holds a checkpoint of this very training. One written for other data or config is moved
    aside to `<ckpt_dir>.stale` with a warning naming what changed, and training starts from step 0.

    Start fresh rather than refuse: the nightly flow always asks to resume (tasks/training/task.py) and the stage
    already trains again when train.parquet or the student config changed (stage.py `finished_record`); a
    checkpoint of other data has no correct continuation, and refusing would stop every such night until someone
    deleted it by hand. Moved, not deleted: restore the old data/config and rename it back to continue it."""
    import shutil

    previous = ckpt_dir.with_name(ckpt_dir.name + ".old")
    if not ckpt_dir.exists() and (previous / "state.json").is_file():
        previous.rename(ckpt_dir)  # killed mid-swap (save_checkpoint): the previous checkpoint is whole
    if not (ckpt_dir / "state.json").is_file():
        return False
    changed = fingerprint_changes(json.loads((ckpt_dir / "state.json").read_text()).get("fingerprint"), fingerprint)
    if not changed:
        return True
    stale = ckpt_dir.with_name(ckpt_dir.name + ".stale")
    shutil.rmtree(stale, ignore_errors=True)
    ckpt_dir.rename(stale)
    log.warning("not resuming %s: it was written for other data or config (%s changed); training from step 0. "
                "It is kept as %s: restore the old data/config and rename it back to continue it",
                ckpt_dir, "; ".join(changed), stale)
    return False


def fingerprint_changes(saved: dict | None, current: dict) -> list[str]:
    """What differs between a checkpoint's fingerprint and this run's, one `key (old -> new)` per leaf."""
    if saved is None:
        return ["the checkpoint predates fingerprints, so its data and config are unknown"]
    old, new = _flatten(saved), _flatten(current)
    return [f"{key} ({_short(old.get(key))} -> {_short(new.get(key))})" for key in sorted(old.keys() | new.keys())
            if old.get(key) != new.get(key)]


def _flatten(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def save_checkpoint(model, optimizer, scheduler, state: dict, ckpt_dir: Path) -> None:
    """Adapter, optimizer moments, scheduler and RNG as safetensors + JSON, written whole then renamed. Under
    torchrun every rank calls it (they hand rank 0 their random state) and rank 0 writes; the replicas' adapter and
    optimizer are identical, so rank 0's are everyone's."""
    import shutil

    import torch
    from safetensors.torch import save_file

    ranks = world()
    rng = ranks.gather(_rng_state(ranks)) if ranks.size > 1 else None
    if not ranks.main:
        ranks.barrier()  # no rank runs ahead while rank 0 writes: a rank that dies next step leaves this checkpoint whole
        return
    tmp = ckpt_dir.with_name(ckpt_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp / "adapter")
    tensors, scalars = {}, {}
    for i, p in enumerate(trainable(model)):
        for key, value in optimizer.state.get(p, {}).items():
            if torch.is_tensor(value):
                tensors[f"{i}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{i}.{key}"] = value
    if rng is not None:  # one generator state per rank (its CPU one, and its own GPU's)
        tensors.update({f"rank{r}.rng.{kind}": value for r, states in enumerate(rng) for kind, value in states.items()})
    else:
        tensors["rng.torch"] = torch.get_rng_state()
        if torch.cuda.is_available():  # dropout on CUDA draws from the devices' generators, not the CPU one
            for i, device_state in enumerate(torch.cuda.get_rng_state_all()):
                tensors[f"rng.cuda.{i}"] = device_state
    save_file(tensors, tmp / "optimizer.safetensors")
    (tmp / "state.json").write_text(json.dumps({**state, "processes": ranks.size, "optimizer_scalars": scalars,
                                                "scheduler": scheduler.state_dict()}, default=str))
    # Swap, never delete first: a kill between the two renames leaves the previous checkpoint as `.old`,
    # which train() puts back before resuming.
    old = ckpt_dir.with_name(ckpt_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if ckpt_dir.exists():
        ckpt_dir.rename(old)
    tmp.rename(ckpt_dir)
    shutil.rmtree(old, ignore_errors=True)
    log.info("checkpoint at step %d -> %s", state["step"], ckpt_dir)
    ranks.barrier()


def load_checkpoint(model, optimizer, scheduler, ckpt_dir: Path) -> dict:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(ckpt_dir / "adapter" / "adapter_model.safetensors"))
    tensors = load_file(ckpt_dir / "optimizer.safetensors")
    state = json.loads((ckpt_dir / "state.json").read_text())
    for i, p in enumerate(trainable(model)):
        moments = {k.split(".", 1)[1]: v.to(p.device) for k, v in tensors.items() if k.startswith(f"{i}.")}
        moments.update({k.split(".", 1)[1]: v for k, v in state["optimizer_scalars"].items() if k.startswith(f"{i}.")})
        if moments:
            optimizer.state[p] = moments
    scheduler.load_state_dict(state["scheduler"])
    # The scheduler's state does not include the optimizer's current learning rate: put it back, or the first
    # step after a resume runs at the schedule's step-0 rate.
    for group, lr in zip(optimizer.param_groups, scheduler.get_last_lr()):
        group["lr"] = lr
    ranks = world()
    if ranks.size > 1 or state.get("processes", 1) > 1:
        restore_rank_rng(tensors, ranks, state.get("processes", 1))
    else:
        torch.set_rng_state(tensors["rng.torch"])
        restore_cuda_rng([tensors[f"rng.cuda.{i}"] for i in range(sum(k.startswith("rng.cuda.") for k in tensors))])
    return state


def _rng_state(ranks: World) -> dict:
    """This process's generators: the CPU one, and its GPU's under torchrun on CUDA (one GPU per rank)."""
    import torch

    out = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        out["cuda"] = torch.cuda.get_rng_state(ranks.local_rank)
    return out


def restore_rank_rng(tensors: dict, ranks: World, saved_processes: int) -> None:
    """Put back this rank's generators from a checkpoint of a torchrun training. The fingerprint holds
    student.training.processes, so a checkpoint is resumed by as many processes as wrote it; anything else (started
    by hand with another count) trains on from the same step with other dropout draws, and says so."""
    import torch

    key = f"rank{ranks.rank}.rng"
    if saved_processes != ranks.size or f"{key}.torch" not in tensors:
        log.warning("the checkpoint holds the random state of %d training processes, this run has %d: training goes "
                    "on from the same step, but dropout after the resume differs from an uninterrupted run",
                    saved_processes, ranks.size)
        return
    torch.set_rng_state(tensors[f"{key}.torch"])
    if f"{key}.cuda" in tensors:
        torch.cuda.set_rng_state(tensors[f"{key}.cuda"], ranks.local_rank)


def restore_cuda_rng(states: list) -> None:
    """Put back each CUDA device's generator; where the machine differs, say the resume is not exact."""
    import torch

    devices = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if states and len(states) == devices:
        torch.cuda.set_rng_state_all(states)
    elif states or devices:
        log.warning("the checkpoint holds the random state of %d CUDA devices, this machine has %d: training goes on, "
                    "but dropout after the resume differs from an uninterrupted run", len(states), devices)
