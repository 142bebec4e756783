#!/usr/bin/env bash
# `make serve`: a local Prefect server on 127.0.0.1, the `distillery` process work pool, the deployments in
# prefect.yaml and one worker, all in the background; prints the UI URL. `make stop` stops what this started.
# State (the server's SQLite database, logs, pids) lives in $DISTILLERY_PREFECT_DIR (default .distillery/prefect).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=$(realpath -m "${DISTILLERY_PREFECT_DIR:-.distillery/prefect}")
PORT=${DISTILLERY_PREFECT_PORT:-4200}
BIN=$PWD/.venv/bin
mkdir -p "$STATE"
export PREFECT_HOME=$STATE
export PREFECT_API_URL=http://127.0.0.1:$PORT/api
export PREFECT_SERVER_ANALYTICS_ENABLED=false   # no phoning home from an offline machine

healthy() { curl -fsS -m 2 "$PREFECT_API_URL/health" >/dev/null 2>&1; }
alive() { [[ -f $STATE/$1.pid ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

if healthy; then
  echo "Prefect server already answering on $PREFECT_API_URL"
else
  echo "starting the Prefect server on 127.0.0.1:$PORT (log: $STATE/server.log)"
  setsid "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/server.pid"
  for _ in $(seq 120); do healthy && break; sleep 1; done
  healthy || { echo "the Prefect server did not answer within 120 s; see $STATE/server.log" >&2; exit 1; }
fi

"$BIN/prefect" --no-prompt work-pool create distillery --type process >/dev/null 2>&1 \
  || "$BIN/prefect" --no-prompt work-pool inspect distillery >/dev/null   # exists already: fine
"$BIN/prefect" --no-prompt deploy --all

if alive worker; then
  echo "worker already running (pid $(cat "$STATE/worker.pid"))"
else
  setsid "$BIN/prefect" worker start --pool distillery --type process --name "distillery-$(hostname)" \
    >"$STATE/worker.log" 2>&1 &
  echo $! >"$STATE/worker.pid"
  echo "worker started (log: $STATE/worker.log)"
fi
echo "$PREFECT_API_URL" >"$STATE/api_url"
echo "Prefect UI: http://127.0.0.1:$PORT  (deployments: nightly/nightly at 02:00 UTC, nightly/on-demand, ...)"
echo "use it from this shell: export PREFECT_API_URL=$PREFECT_API_URL"
