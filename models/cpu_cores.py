"""The cores a vLLM-CPU engine binds its OpenMP threads to, kept inside the cores this process may run on.

    bind, threads = allowed_bind("0-1", 2)     # ("0-1", 2) on a free 2-core machine; ("1", 1) under `taskset -c 1`

A process may be limited to some of the machine's cores: `taskset`, a container's cpuset, a batch scheduler's
slot, or a test worker pinned to one core (tests/conftest.py). vLLM-CPU binds its threads to the cores that
VLLM_CPU_OMP_THREADS_BIND names, whatever the process's own affinity: a configured "0-1" would escape a
`taskset -c 1` limit and crowd the neighbour's core, and inside a cpuset without core 0 the bind fails. So the
configured cores are intersected with the allowed ones; when none remain, the engine takes as many allowed
cores as it was configured for. Forms this does not parse (vLLM's per-rank "0-3|4-7", "auto", "nobind") pass as
they are.
"""

import os


def allowed_cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def parse_cores(bind: str) -> list[int] | None:
    """"0-1,4" -> [0, 1, 4]; None for anything else ("auto", "nobind", a per-rank "0-3|4-7", a typo)."""
    cores: list[int] = []
    for part in bind.split(","):
        low, _, high = part.strip().partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        cores.extend(range(int(low), int(high or low) + 1))
    return cores or None


def format_cores(cores: list[int]) -> str:
    return ",".join(map(str, cores))


def allowed_bind(bind: str, threads: int, allowed: list[int] | None = None) -> tuple[str, int]:
    """(VLLM_CPU_OMP_THREADS_BIND, OMP_NUM_THREADS) for a configured bind, inside the allowed cores."""
    cores = parse_cores(bind)
    allowed = allowed if allowed is not None else allowed_cores()
    if cores is None or set(cores) <= set(allowed):
        return bind, threads
    kept = [c for c in cores if c in allowed] or allowed[:len(cores)]
    return format_cores(kept), max(1, min(threads, len(kept)))
