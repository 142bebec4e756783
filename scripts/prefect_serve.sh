#!/usr/bin/env bash
# `make serve`: a local Prefect server on 127.0.0.1, the `distillery` process work pool, the deployments in
# prefect.yaml, one worker and the report server (cli/report_server.py: each run's report over HTTP, so the
# UI's report links open), all in the background; prints the URLs. `make stop` stops what this started.
# State (the server's SQLite database, logs, pids) lives in $DISTILLERY_PREFECT_DIR (default .distillery/prefect).
# DISTILLERY_LABEL_POOL=<name>: a second process pool of that name with its own worker, where the label-stage
# deployment goes (a stand-in for a GPU pool: docs/cluster.md); runs send their label stage there when
# DISTILLERY_STAGE_POOLS=label=<name> is set where they run (this environment, passed on to the worker).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=$(realpath -m "${DISTILLERY_PREFECT_DIR:-.distillery/prefect}")
PORT=${DISTILLERY_PREFECT_PORT:-4200}
REPORT_PORT=${DISTILLERY_REPORT_PORT:-$((PORT + 1))}
REPORTS=$(realpath -m "${DISTILLERY_REPORTS_ROOT:-.distillery}")   # the store(s) whose reports are served
BIN=$PWD/.venv/bin
# prefect.yaml deploys label-stage on this pool ("{{ $DISTILLERY_LABEL_POOL }}"): the main one unless named
export DISTILLERY_LABEL_POOL=${DISTILLERY_LABEL_POOL:-distillery}
LABEL_POOL=$DISTILLERY_LABEL_POOL
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
  # `prefect server start` whose SQLite transactions take the write lock up front: no "database is locked" (cli/prefect_sqlite.py)
  setsid "$BIN/python" -m cli.prefect_sqlite server start --host 127.0.0.1 --port "$PORT" >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/server.pid"
  for _ in $(seq 120); do healthy && break; sleep 1; done
  healthy || { echo "the Prefect server did not answer within 120 s; see $STATE/server.log" >&2; exit 1; }
fi

ensure_pool() {
  "$BIN/prefect" --no-prompt work-pool create "$1" --type process >/dev/null 2>&1 \
    || "$BIN/prefect" --no-prompt work-pool inspect "$1" >/dev/null   # exists already: fine
}
ensure_pool distillery & main_pool=$!
label_pool=
if [[ $LABEL_POOL != distillery ]]; then ensure_pool "$LABEL_POOL" & label_pool=$!; fi
wait "$main_pool"
[[ -z $label_pool ]] || wait "$label_pool"
# Prefect's deploy output advises starting a worker (once per deployment): this script starts one below, so
# the output goes to a log and one line says what was deployed.
if ! COLUMNS=400 "$BIN/prefect" --no-prompt deploy --all >"$STATE/deploy.log" 2>&1; then   # wide: one line each
  tail -n 30 "$STATE/deploy.log" >&2
  echo "prefect deploy failed; whole output: $STATE/deploy.log" >&2
  exit 1
fi
echo "deployed: $(grep -o "Deployment '[^']*' successfully created" "$STATE/deploy.log" | cut -d"'" -f2 | paste -sd, | sed 's/,/, /g')"

if alive reports; then
  echo "report server already running (pid $(cat "$STATE/reports.pid"))"
else
  setsid "$BIN/python" -m cli.report_server --root "$REPORTS" --port "$REPORT_PORT" >"$STATE/reports.log" 2>&1 &
  echo $! >"$STATE/reports.pid"
fi
# The worker's runs link their reports here (the Prefect UI's report-page artifact).
export DISTILLERY_REPORT_URL=http://127.0.0.1:$REPORT_PORT DISTILLERY_REPORTS_ROOT=$REPORTS

if alive worker; then
  echo "worker already running (pid $(cat "$STATE/worker.pid"))"
else
  setsid "$BIN/prefect" worker start --pool distillery --type process --name "distillery-$(hostname)" \
    >"$STATE/worker.log" 2>&1 &
  echo $! >"$STATE/worker.pid"
  echo "worker started (log: $STATE/worker.log)"
fi
if [[ $LABEL_POOL != distillery ]]; then
  if alive label-worker; then
    echo "label-stage worker already running (pid $(cat "$STATE/label-worker.pid"))"
  else
    setsid "$BIN/prefect" worker start --pool "$LABEL_POOL" --type process --name "distillery-label-$(hostname)" \
      >"$STATE/label-worker.log" 2>&1 &
    echo $! >"$STATE/label-worker.pid"
    echo "label-stage worker started on pool $LABEL_POOL (log: $STATE/label-worker.log)"
  fi
  [[ ${DISTILLERY_STAGE_POOLS:-} == *label=* ]] || echo "runs label in-process until DISTILLERY_STAGE_POOLS=label=$LABEL_POOL" \
    "is set where they run (here, or a deployment's env in prefect.yaml; docs/cluster.md)"
fi
echo "$PREFECT_API_URL" >"$STATE/api_url"
echo "Prefect UI: http://127.0.0.1:$PORT  (deployments: nightly/nightly at 02:00 UTC, nightly/on-demand, ...)"
echo "reports:    http://127.0.0.1:$REPORT_PORT/  (each run's report.html, linked from its run page)"
echo "use it from this shell: export PREFECT_API_URL=$PREFECT_API_URL"
