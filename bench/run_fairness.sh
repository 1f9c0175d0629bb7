#!/usr/bin/env bash
# Bot pipeline fairness benchmark (docs/benchmarks.md "Bot pipeline fairness"): starts a private
# PostgreSQL + Redis (scripts/servers.sh), runs bench_fairness (tenant A floods its widget while
# tenant B asks a question every PROBE_MS; B's reply latency p50/p99) in four modes: no flood
# (the baseline), one shared FIFO queue (the pipeline before per-tenant queues), fair queues,
# fair queues + rates. Prints a markdown table and stops the servers. About 1.5 minutes.
#   bash bench/run_fairness.sh
# Environment (defaults):
#   BUILD_DIR (build), BUILD (1)      CMake build dir; build bench_fairness first
#   RUN_DIR (.run/bench-fairness)     servers, results.jsonl, results.md
#   THREADS (4)  MODEL_MS (100)       PIPELINE_THREADS; time the stand-in model takes per reply
#   POSTERS (2)  PROBES (100)  PROBE_MS (100)  ONLY (a mode: "no flood", fifo, fair, fair+rates)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-fairness}

if [ "${BUILD:-1}" = 1 ]; then BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_fairness; fi
[ -x "$BUILD_DIR/bench/bench_fairness" ] || { echo "run_fairness: bench_fairness not built" >&2; exit 1; }

mkdir -p "$RUN_DIR"
SERVERS="$RUN_DIR/servers"
trap 'scripts/servers.sh stop "$SERVERS" || true' EXIT
scripts/servers.sh start "$SERVERS" >/dev/null
# shellcheck disable=SC1091
. "$SERVERS/env"

ARGS=(--pg "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
      --redis-port "$REDIS_PORT" --threads "${THREADS:-4}" --model-ms "${MODEL_MS:-100}"
      --posters "${POSTERS:-2}" --probes "${PROBES:-100}" --probe-interval-ms "${PROBE_MS:-100}")
[ -n "${ONLY:-}" ] && ARGS+=(--only "$ONLY")
# Logs (JSON lines, errors only) and RESULT lines go to stderr; the table to stdout.
LOG_LEVEL=error timeout 900 "$BUILD_DIR/bench/bench_fairness" "${ARGS[@]}" \
  2> >(sed -n 's/^RESULT //p' >"$RUN_DIR/results.jsonl") | tee "$RUN_DIR/results.md"
echo "(raw results: $RUN_DIR/results.jsonl)"
