#!/usr/bin/env bash
# The CUDA path checked in one command: QLoRA vs bf16 LoRA memory and tokens/s at 1B and 8B, exact resume of the
# train loop, the merged export's bf16 parity. Prints one JSON line (benchmarks/gpu_check.py says what is in it).
#
#   bash scripts/gpu_check.sh                      # on one H100/H200-class GPU: at most 8 minutes, no network
#   bash scripts/gpu_check.sh --wheels DIR         # first install DIR/*.whl offline (bitsandbytes is not there)
#   bash scripts/gpu_check.sh --dry-run            # the same code on the CPU with tiny models, under a minute
#
# Python: $PYTHON, else the repo's .venv (the CPU machines), else python3 (the GPU machine's own torch).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
# The script stops starting new parts at --budget-s (420 s) and prints what it has; this is the hard stop behind it.
exec timeout --kill-after=10 470 "$PYTHON" benchmarks/gpu_check.py "$@"
