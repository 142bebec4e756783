#!/usr/bin/env bash
# `make stop`: stop the workers (the label-stage one too, when `make serve` started one), the report server and the
# Prefect server that `make serve` started (their state stays).
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=$(realpath -m "${DISTILLERY_PREFECT_DIR:-.distillery/prefect}")
stop() {
  local name=$1 what=$2 pidfile=$STATE/$1.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"   # setsid made it a group leader: its children go too
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    # Prefect's worker turns SIGTERM into a graceful shutdown that did not end within 30 s here (docs/facts.md
    # "Stopping Prefect's worker"); a second signal is its own way to end at once
    kill -0 "$pid" 2>/dev/null && kill -INT "$pid" 2>/dev/null
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    echo "stopped the $what (pid $pid)"
  fi
  rm -f "$pidfile"
}
stop worker worker & stop label-worker "label-stage worker" & wait   # both workers at once: ~5 s each
stop reports "report server"
stop server server
rm -f "$STATE/api_url"
