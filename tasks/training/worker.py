"""One process of a data-parallel training, started by torchrun (tasks/training/distributed.py `launch`):

    python -m torch.distributed.run --standalone --nproc-per-node N -m tasks.training.worker FOLDER

FOLDER/launch.json says what to train (the run config, the run folder, resume, checkpoint_every). Every rank
trains its shard; rank 0 writes the adapter into the run folder and FOLDER/result.json for run_train, which
registers it. A rank that stops with a TrainError writes FOLDER/error.<rank>.json, so run_train can end with the
same one-line message one process would have given.
"""

import json
import logging
import sys
from pathlib import Path

from distillery.config import RunConfig
from tasks.training.distributed import die_with_parent, world
from tasks.training.loop import TrainError
from tasks.training.stage import train_here


def main(folder: Path) -> int:
    import os

    die_with_parent(os.getppid())  # torchrun killed outright: this rank stops too, instead of training on alone
    me = world()
    # rank 0 speaks for the run; the others only warn
    logging.basicConfig(level=logging.INFO if me.main else logging.WARNING, stream=sys.stderr, force=True,
                        format=f"%(asctime)s train rank {me.rank}/{me.size} %(levelname)s %(message)s")
    spec = json.loads((folder / "launch.json").read_text())
    cfg = RunConfig.model_validate(spec["config"])
    try:
        out = train_here(cfg, Path(spec["run_dir"]), resume=spec["resume"], checkpoint_every=spec["checkpoint_every"])
    except TrainError as exc:
        (folder / f"error.{me.rank}.json").write_text(json.dumps({"rank": me.rank, "message": str(exc)}))
        return 1
    if me.main:
        (folder / "result.json").write_text(json.dumps(out))
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
