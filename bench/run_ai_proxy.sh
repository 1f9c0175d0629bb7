#!/usr/bin/env bash
# ai-proxy overhead benchmarks (docs/benchmarks.md "ai-proxy overhead" and "ai-proxy streaming
# overhead"). Loopback only, no database; every run is time-bounded.
#  1. extractive (bench_ai_proxy): the reply in one delta (ai-proxy's default for the extractive
#     provider) and in deltas of 4 words (the cost per streamed delta), all in process.
#  2. streaming (bench_ai_proxy_stream): the real botfactory-ai-proxy process against a fake
#     OpenAI-compatible server emitting TOKENS tokens: what ai-proxy adds per reply over calling
#     the fake directly (REPEAT runs, medians), unpaced and paced; then CONCURRENT replies at once
#     with ai-proxy's thread count.
#  3. gateway (bench/ai_gateway_stream.mjs): the whole fleet (a private PostgreSQL + Redis from
#     scripts/servers.sh), a bot answering with openai against the same fake, one visitor on the
#     WebSocket: message.delta frames per reply, the model's last event → the bot's message.new.
#   bash bench/run_ai_proxy.sh
# Environment (defaults):
#   BUILD_DIR (build), BUILD (1)       CMake build dir; build the targets first
#   RUN_DIR (.run/bench-ai-proxy)      results.md and results.jsonl (the RESULT lines)
#   ONLY                               "extractive", "stream" or "gateway": run one part
#   CALLS (5000)                       extractive calls per path
#   STREAM_CALLS (300) REPEAT (3)      streamed replies per path and run; runs
#   TOKENS (200)                       text events per model reply
#   PACED_MS (1)  PACED_CALLS (30)     a second, paced case: ms between tokens ("" skips it)
#   CONCURRENT (200) CONCURRENT_PACE_MS (5)  replies at once; ms between their tokens
#   GATEWAY_REPLIES (50) GATEWAY_PACE_MS ("0 1")  replies through the gateway per pacing
#   QUIET_WAIT (0) QUIET_LOAD (2)      before each case, wait up to QUIET_WAIT s for the 1-minute
#                                      load average to fall below QUIET_LOAD (other builds skew
#                                      every figure); then it runs anyway
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-ai-proxy}
ONLY=${ONLY:-}
part() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
if [ "${BUILD:-1}" = 1 ]; then
  TARGETS=(bench_ai_proxy bench_ai_proxy_stream botfactory-ai-proxy)
  if part gateway; then
    TARGETS+=(botfactory-gateway botfactory-auth botfactory-subscription botfactory-bot-registry
              botfactory-channel-connector)
  fi
  BUILD_DIR="$BUILD_DIR" scripts/build.sh "${TARGETS[@]}"
fi
PROXY="$BUILD_DIR/services/ai-proxy/botfactory-ai-proxy"
for f in "$BUILD_DIR/bench/bench_ai_proxy" "$BUILD_DIR/bench/bench_ai_proxy_stream" "$PROXY"; do
  [ -x "$f" ] || { echo "run_ai_proxy: $f not built" >&2; exit 1; }
done
mkdir -p "$RUN_DIR"
: >"$RUN_DIR/results.jsonl"
# In-process gRPC servers, clients and the ai-proxy child share a random internal-call secret.
export INTERNAL_RPC_SECRET=${INTERNAL_RPC_SECRET:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export LOG_LEVEL=${LOG_LEVEL:-warn}

quiet() {  # waits up to QUIET_WAIT s for the load average to fall below QUIET_LOAD
  local waited=0
  while [ "$waited" -lt "${QUIET_WAIT:-0}" ] &&
    awk -v max="${QUIET_LOAD:-2}" '{ exit !($1 >= max) }' /proc/loadavg; do
    sleep 5
    waited=$((waited + 5))
  done
}

run() {  # run TIMEOUT_S BINARY ARGS...: the table to stdout, RESULT lines to results.jsonl
  local limit=$1
  shift
  quiet
  echo "(load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  timeout "$limit" "$@" 2> >(awk -v out="$RUN_DIR/results.jsonl" \
    '/^RESULT /{sub(/^RESULT /, ""); print >> out; next} {print > "/dev/stderr"}')
  echo
}

{
  if part extractive; then
    echo "## extractive provider, in process"
    echo
    for words in 0 4; do run 300 "$BUILD_DIR/bench/bench_ai_proxy" "${CALLS:-5000}" "$words"; done
  fi
  if part stream; then
    echo "## streaming provider (openai, fake server), ai-proxy as its own process"
    echo
    STREAM=("$BUILD_DIR/bench/bench_ai_proxy_stream" --ai-proxy "$PROXY" --tokens "${TOKENS:-200}")
    run 600 "${STREAM[@]}" --calls "${STREAM_CALLS:-300}" --repeat "${REPEAT:-3}" --pace-ms 0 \
      --concurrent "${CONCURRENT:-200}" --concurrent-pace-ms "${CONCURRENT_PACE_MS:-5}"
    if [ -n "${PACED_MS-1}" ]; then
      run 600 "${STREAM[@]}" --only sequential --calls "${PACED_CALLS:-30}" --repeat "${REPEAT:-3}" \
        --pace-ms "${PACED_MS-1}"
    fi
  fi
  if part gateway; then
    echo "## streaming provider through channel-connector, Redis and the gateway"
    echo
    (cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >&2; })
    SERVERS="$RUN_DIR/servers"
    scripts/servers.sh start "$SERVERS" >/dev/null
    trap 'scripts/servers.sh stop "$SERVERS" >/dev/null || true' EXIT
    # shellcheck disable=SC1091
    . "$SERVERS/env"
    export BOTFACTORY_TEST_PG_BASE="host=127.0.0.1 port=$PG_PORT user=postgres"
    export BOTFACTORY_TEST_REDIS_HOST=127.0.0.1 BOTFACTORY_TEST_REDIS_PORT=$REDIS_PORT
    export BOTFACTORY_BUILD_DIR="$BUILD_DIR"
    for pace in ${GATEWAY_PACE_MS-0 1}; do
      run 900 node bench/ai_gateway_stream.mjs --replies "${GATEWAY_REPLIES:-50}" --tokens "${TOKENS:-200}" \
        --pace-ms "$pace"
    done
  fi
} | tee "$RUN_DIR/results.md"
echo "(raw results: $RUN_DIR/results.jsonl)"
