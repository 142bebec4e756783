"""Data-parallel training: the plain loop in N processes on one machine, launched with torchrun.

    student.training.processes: 2      # run_train launches `torchrun --standalone --nproc-per-node 2`

Why this and not TRL's SFTTrainer or `accelerate launch` (docs/facts.md "Data-parallel training"): the loop's
guarantees (answer-only loss weighted by tokens across accumulated batches, the NaN and gradient guards,
safetensors-only checkpoints that resume bit for bit, the fingerprint) would have to be rebuilt as callbacks and
overrides around a trainer (TRL is not even a dependency), while data parallelism for a LoRA is ~100 lines here
on torch.distributed, which torch ships (torchrun is `python -m torch.distributed.run`). FSDP shards weights
that do not fit one device; a QLoRA student's 4-bit base fits one 80 GB GPU up to ~70B, so it is replicated
here. Sharding it with FSDP would need `bnb_4bit_quant_storage=bfloat16` (FSDP flattens and shards only float
tensors, and wraps only modules of one float dtype), the base loaded with `dtype=bfloat16` to match, add_lora's
upcast of the norms and embeddings to fp32 dropped for the same reason, and state-dict handling for sharded
checkpoints: a GPU-only path this project cannot run or test today.

How: every process holds the whole model (4-bit base, LoRA) and walks the same global batches in the same order
as one process would (length_batches with the same seed); rank r trains on examples r, r+N, ... of each batch.
Each rank's loss is weighted by the *global* step's answer-token count, so after the LoRA gradients are summed
across ranks (one all-reduce per optimizer step) every rank holds exactly the one-process gradient, up to float
summation order, and takes the same AdamW step: the replicas never drift and the loss trajectory is one
process's at the same global batch. Summed by hand, not DistributedDataParallel, although DDP wraps this 4-bit
peft model without find_unused_parameters or static_graph (probed: docs/facts.md): DDP needs every rank to run a
forward and backward every micro-batch (a last batch of one example leaves a rank with nothing to run and the
others wait in its all-reduce forever), `no_sync` around gradient accumulation, and averages where the token
weighting wants a sum; a LoRA's gradients are a few MB (4.9M parameters for the 135M student at r=16, ~42M for
an 8B), so DDP's overlap of communication with the backward pass buys little.

Only rank 0 writes: checkpoints (with every rank's random state, so dropout resumes exactly), the adapter, and
its result for run_train, which registers. gloo on CPU, NCCL on CUDA, one GPU per process (LOCAL_RANK).
"""

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

WORKER = "tasks.training.worker"  # the module each process runs: tasks/training/worker.py


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    def shard(self, batch: list) -> list:
        """This rank's examples of one global batch: every size-th from its rank on (may be empty)."""
        return batch[self.rank :: self.size]

    def sum_gradients(self, params: list, loss: float) -> float:
        """Sum the ranks' gradients of `params` in place and return the summed loss (the one-process step's loss).
        A rank whose shards were all empty has no gradients: it adds zeros."""
        if self.size == 1:
            return loss
        import torch
        import torch.distributed as dist

        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1).float() for g in grads])
        total = torch.tensor([loss], dtype=torch.float64, device=flat.device)
        dist.all_reduce(flat)
        dist.all_reduce(total)
        offset = 0
        for p, g in zip(params, grads):
            p.grad = flat[offset : offset + g.numel()].view_as(g).to(g.dtype)
            offset += g.numel()
        return float(total.item())

    def sum(self, *values: float) -> tuple[float, ...]:
        """The sum over ranks of each value."""
        if self.size == 1:
            return values
        import torch
        import torch.distributed as dist

        device = f"cuda:{self.local_rank}" if dist.get_backend() == "nccl" else "cpu"
        t = torch.tensor(values, dtype=torch.float64, device=device)
        dist.all_reduce(t)
        return tuple(t.tolist())

    def from_main(self, value):
        """Rank 0's `value` on every rank (what rank 0 decided, e.g. whether to resume)."""
        if self.size == 1:
            return value
        import torch.distributed as dist

        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, value) -> list:
        """Every rank's `value`, in rank order, on every rank."""
        if self.size == 1:
            return [value]
        import torch.distributed as dist

        out = [None] * self.size
        dist.all_gather_object(out, value)
        return out

    def barrier(self) -> None:
        """Wait until every rank is here."""
        if self.size > 1:
            import torch.distributed as dist

            dist.barrier()

    def same_parameters(self, params: list) -> None:
        """Copy rank 0's trainable weights to every rank: the replicas start identical whatever seeded them."""
        if self.size == 1:
            return
        import torch.distributed as dist

        for p in params:
            dist.broadcast(p.data, src=0)


def world() -> World:
    """This process's place, from the variables torchrun sets; one process when they are absent."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return World()
    return World(int(os.environ["RANK"]), size, int(os.environ.get("LOCAL_RANK", "0")))


def start(device: str) -> World:
    """Join the process group (once): gloo for CPU tensors, NCCL for CUDA ones."""
    w = world()
    if w.size == 1:
        return w
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        if device == "cuda":
            torch.cuda.set_device(w.local_rank)
        dist.init_process_group("nccl" if device == "cuda" else "gloo")
    return w


def launch(processes: int, spec: dict, folder: Path) -> int:
    """Run WORKER in `processes` processes on this machine with torchrun (standalone: a free local port, so two
    runs on one machine do not meet); returns torchrun's exit code. `spec` (what to train) is written to
    folder/launch.json for the workers; rank 0 writes folder/result.json, and a rank that stops with a TrainError
    writes folder/error.<rank>.json.

    No training outlives this process: Ctrl-C or SIGTERM here (the CLI turns both into KeyboardInterrupt) asks
    torchrun to stop its workers and waits for it; a SIGKILL here reaches torchrun as SIGTERM (Linux's parent-death
    signal, set before it starts), and torchrun's death reaches the workers the same way. Without that a killed
    run's workers would go on writing checkpoints into the run folder that its resumed run trains in."""
    (folder / "launch.json").write_text(json.dumps(spec))
    env = dict(os.environ)
    # torchrun would set 1 thread per process with a warning; share the cores instead (1 each on a 2-core machine):
    # the cores this process may use, not the machine's (taskset, a container's cpuset)
    env.setdefault("OMP_NUM_THREADS", str(max(1, len(os.sched_getaffinity(0)) // processes)))
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, env.get("PYTHONPATH")) if p)
    torchrun = ["--standalone", f"--nproc-per-node={processes}", "-m", WORKER, str(folder)]
    log.info("training in %d processes: torchrun %s", processes, " ".join(torchrun))
    proc = subprocess.Popen([sys.executable, "-m", __name__, str(os.getpid()), *torchrun], env=env)
    try:
        return proc.wait()
    except BaseException:
        proc.terminate()  # torchrun sends its workers SIGTERM, then SIGKILL after 30 s, and exits
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise


def die_with_parent(parent: int) -> None:
    """Linux: SIGTERM this process when its parent dies (PR_SET_PDEATHSIG); at once if it already has. Elsewhere
    nothing: a killed launcher's training then runs to its end."""
    import signal

    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM) != 0:  # 1 = PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":  # launch(): python -m tasks.training.distributed LAUNCHER_PID TORCHRUN_ARGS...
    die_with_parent(int(sys.argv[1]))  # kept across exec
    os.execv(sys.executable, [sys.executable, "-m", "torch.distributed.run", *sys.argv[2:]])
