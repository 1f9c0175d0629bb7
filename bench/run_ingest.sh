#!/usr/bin/env bash
# Chat ingest vs peers (issue 10; docs/benchmarks.md "Chat ingest vs peers"). One run measures
# three servers under the same load and prints ONE markdown table with the peer ratios:
#   botfactory  the fleet (two gateways, channel-connector, ...) + PostgreSQL + Redis
#   socketio    Socket.IO 4 + @socket.io/redis-adapter, two replicas (bench/peers/socketio)
#   relay       bench_bare_relay, two processes (bench/bare_relay.cpp): the physical reference
# Servers (and their Redis / PostgreSQL) are pinned to SERVER_CORE, the load client
# (bench_ws_load) to CLIENT_CORE. Cases:
#   a  CONVERSATIONS × SOCKETS_PER_CONV sockets, one sender per conversation, RATE_PER_CONV msgs/s
#      each: sent, stored (acked), lost, p50/p99, server CPU per stored message (all server
#      processes with their children, from /proc)
#   b  ceiling: CEILING_RATES (total msgs/s, same sockets) ascending until p99 > 100 ms, a loss or
#      a refusal; the last passing step is the ceiling
#   c  one conversation × FANOUT_SOCKETS: gateway-tier CPU per delivery (the gateways / the
#      relays / the Socket.IO processes) and the sustained deliveries/s over FANOUT_RATES;
#      BotFactory and the relay get the messages as Redis PUBLISHes of the production payload,
#      Socket.IO as message.send on one socket (its adapter's Redis format is its own)
#   d  BotFactory only: OVERLOAD_FACTOR × its ceiling for DURATION_S: time to the first
#      `unavailable`, server memory (Pss of all server processes) and the gateways' RSS before /
#      peak / after, then (2 s later) a recovery run at half the ceiling: p99 ≤ 100 ms, nothing
#      acknowledged lost or refused
#   bash bench/run_ingest.sh            (≈ 10–12 min; DURATION_S=3 for a quicker look)
# Environment (defaults):
#   BUILD_DIR (build), BUILD (1: build the needed targets), RUN_DIR (.run/ingest)
#   SERVERS_UNDER_TEST ("botfactory socketio relay")
#   DURATION_S (6)  seconds of sending per step     QUIET_WAIT (5) s to wait for an idle machine
#   CONVERSATIONS (100) SOCKETS_PER_CONV (10) RATE_PER_CONV (20)
#   CEILING_RATES ("250 500 750 1000 1250 1500 2000 3000 4000 5000 6500 8000 10000"; the steps below
#                 the case-a rate run only when case a failed, the ones above only when it passed)
#   FANOUT_SOCKETS (1000) FANOUT_RATES ("20 50 100 200 500 700"; steps up to FANOUT_CPU_RATE
#                 always run, the ones above until the first failing one) FANOUT_CPU_RATE (100)
#   OVERLOAD_FACTOR (2)  SERVER_CORE (0)  CLIENT_CORE (1)
#   RETRY_FAILED (1)  a failing step of a, b or c runs once more and the second try counts (on
#             a shared machine one burst of other work must not end a ladder); the first try
#             stays in results.jsonl as case "<case>-first" and is listed under the table
#   NICE (0)  niceness of the servers and the load client (e.g. -10 as root: on a machine busy
#             with other work, the measured processes then get the CPU they ask for; the
#             table's header says which was used). With the kernel's autogroups on, per-process
#             niceness only counts inside a session, so the script's own session (autogroup) gets
#             this niceness too, and its old value back at exit
# Output: the table on stdout and in BUILD_DIR/bench/ingest.md; raw results RUN_DIR/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/ingest}
SERVERS_UNDER_TEST=${SERVERS_UNDER_TEST:-"botfactory socketio relay"}
DURATION_S=${DURATION_S:-6}
QUIET_WAIT=${QUIET_WAIT:-5}
CONVERSATIONS=${CONVERSATIONS:-100}
SOCKETS_PER_CONV=${SOCKETS_PER_CONV:-10}
RATE_PER_CONV=${RATE_PER_CONV:-20}
CEILING_RATES=${CEILING_RATES:-"250 500 750 1000 1250 1500 2000 3000 4000 5000 6500 8000 10000"}
FANOUT_SOCKETS=${FANOUT_SOCKETS:-1000}
FANOUT_RATES=${FANOUT_RATES:-"20 50 100 200 500 700"}
FANOUT_CPU_RATE=${FANOUT_CPU_RATE:-100}
OVERLOAD_FACTOR=${OVERLOAD_FACTOR:-2}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
NICE=${NICE:-0}
# on SERVER_CORE at niceness NICE
on_server() { nice -n "$NICE" taskset -c "$SERVER_CORE" "$@"; }
LOAD="$BUILD_DIR/bench/bench_ws_load"
RELAY="$BUILD_DIR/bench/bench_bare_relay"
PEER_DIR="$ROOT/bench/peers/socketio"
SOCKETS=$((CONVERSATIONS * SOCKETS_PER_CONV))
RATE_A=$((CONVERSATIONS * RATE_PER_CONV))
export DURATION_S CONVERSATIONS SOCKETS_PER_CONV RATE_PER_CONV FANOUT_SOCKETS FANOUT_CPU_RATE
export OVERLOAD_FACTOR SERVER_CORE CLIENT_CORE RATE_A NICE

log() { echo "run_ingest: $*" >&2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(nproc --all)" -ge 2 ] || { log "needs two cores (server core + client core)"; exit 1; }

if [ "${BUILD:-1}" = 1 ]; then
  BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_ws_load bench_bare_relay botfactory-gateway \
    botfactory-auth botfactory-subscription botfactory-bot-registry botfactory-ai-proxy \
    botfactory-channel-connector >&2
fi
[ -x "$LOAD" ] && [ -x "$RELAY" ] || { log "$LOAD or $RELAY not built"; exit 1; }
case " $SERVERS_UNDER_TEST " in *" socketio "*)
  # npm ci when node_modules is missing or was installed from another package-lock.json
  if ! cmp -s "$PEER_DIR/package-lock.json" "$PEER_DIR/node_modules/.bench-installed-lock.json"; then
    (cd "$PEER_DIR" && npm ci --no-audit --no-fund >&2 &&
      cp package-lock.json node_modules/.bench-installed-lock.json)
  fi ;;
esac

# Abuse limits that would refuse the benchmark's own traffic (they are not capacity):
export RATE_LIMIT_SESSIONS_PER_MIN=0 MAX_CONNECTIONS_PER_IP=${MAX_CONNECTIONS_PER_IP:-0}
export WS_RATE_PER_SEC=${WS_RATE_PER_SEC:-1000} WS_RATE_BURST=${WS_RATE_BURST:-1000}
export VISITOR_MESSAGES_PER_MIN=${VISITOR_MESSAGES_PER_MIN:-0}

mkdir -p "$RUN_DIR" "$BUILD_DIR/bench"
SERVERS="$RUN_DIR/servers" FLEET="$RUN_DIR/fleet" RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"
PEER_PIDS=()
stop_peers() {
  local p
  for p in "${PEER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PEER_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  PEER_PIDS=()
}
AUTOGROUP_NICE_BEFORE=
if [ "$NICE" != 0 ] && [ -w "/proc/$$/autogroup" ]; then
  AUTOGROUP_NICE_BEFORE=$(sed -n 's/.* nice //p' "/proc/$$/autogroup")
  echo "$NICE" >"/proc/$$/autogroup" 2>/dev/null || log "could not set this session's autogroup niceness"
fi
cleanup() {
  [ -z "$AUTOGROUP_NICE_BEFORE" ] || echo "$AUTOGROUP_NICE_BEFORE" >"/proc/$$/autogroup" 2>/dev/null || true
  stop_peers
  scripts/fleet.sh stop "$FLEET" >/dev/null 2>&1 || true
  scripts/servers.sh stop "$SERVERS" >/dev/null 2>&1 || true
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
range_free() { local o; for o in 1 2 3 4 5 11 12 13 14 15; do port_free $(($1 + o)) || return 1; done; }
# pin PID...: every thread of the processes and of their current children to SERVER_CORE.
pin() {
  local p c
  for p in "$@"; do
    taskset -a -cp "$SERVER_CORE" "$p" >/dev/null 2>&1 || true
    for c in $(pgrep -P "$p" 2>/dev/null); do taskset -a -cp "$SERVER_CORE" "$c" >/dev/null 2>&1 || true; done
  done
}
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
wait_quiet() {  # at most QUIET_WAIT s for the machine to be < 15% busy over 1 s
  local deadline=$((SECONDS + QUIET_WAIT)) b0 t0 b1 t1 pct
  while :; do
    read -r b0 t0 < <(busy_ticks); sleep 1; read -r b1 t1 < <(busy_ticks)
    pct=$(((b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1)))
    [ "$pct" -lt 15 ] && return 0
    [ $SECONDS -ge $deadline ] && { log "machine still ${pct}% busy with other work; running anyway"; return 0; }
  done
}

on_server scripts/servers.sh start "$SERVERS" >&2
# shellcheck disable=SC1091
source "$SERVERS/env"
REDIS_PID=$(cat "$SERVERS/redis.pid")
PG_PID=$(head -1 "$SERVERS/pg/postmaster.pid")
pin "$REDIS_PID" "$PG_PID"

# run_load SERVER CASE RATE SOCKETS SESSIONS_FILE MODE(ws|redis) -- extra bench_ws_load args
# Appends {"server","case","step_rate",...RESULT} to RESULTS; echoes the RESULT json.
run_load() {
  local server=$1 case_=$2 rate=$3 sockets=$4 sessions=$5 mode=$6
  shift 7
  local args=(--sessions "$sessions" --connections "$sockets" --rate "$rate" --duration "$DURATION_S"
    --settle 1 --drain 5 --connect-timeout 60 --deadline $((DURATION_S + 90))
    --redis-port "$REDIS_PORT" --label "$server/$case_/$rate" "$@")
  [ "$mode" = ws ] && args+=(--send-ws)
  wait_quiet
  log "$server case $case_: $rate msgs/s, $sockets sockets ($mode)"
  local out rc=0
  out=$(timeout $((DURATION_S + 100)) nice -n "$NICE" taskset -c "$CLIENT_CORE" "$LOAD" "${args[@]}" 2>>"$RUN_DIR/load.log") || rc=$?
  local json
  json=$(grep '^RESULT ' <<<"$out" | sed 's/^RESULT //' || true)
  if [ -z "$json" ]; then
    log "$server/$case_/$rate: no result (exit $rc); see $RUN_DIR/load.log"
    json='{"failed_run":true}'
  fi
  json=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(JSON.stringify({server: process.argv[2], case: process.argv[3], step_rate: Number(process.argv[4]), ...r}))' \
    "$json" "$server" "$case_" "$rate")
  echo "$json" >>"$RESULTS"
  echo "$json"
}
# passes JSON: p99 ≤ 100 ms, nothing lost or refused, ≥ 99% of the asked messages went through.
passes() {
  node -e 'const r = JSON.parse(process.argv[1]);
    const ok = !r.failed_run && !r.timed_out && r.joined === r.connections && r.lost === 0 &&
      (r.refused ?? 0) === 0 && r.messages >= 0.99 * r.rate * r.duration_s && r.lat_p99_ms <= 100;
    process.exit(ok ? 0 : 1)' "$1"
}

# step: run_load, and once more when it fails (RETRY_FAILED=1); echoes the counted RESULT json.
step() {
  local json
  json=$(run_load "$@")
  if [ "${RETRY_FAILED:-1}" = 1 ] && ! passes "$json"; then
    sed -i '$ s/"case":"'"$2"'"/"case":"'"$2"'-first"/' "$RESULTS"
    json=$(run_load "$@")
  fi
  echo "$json"
}

# run_cases SERVER URL... : cases a, b, c (and d for botfactory) against running servers.
# Needs TIER_PIDS (gateway tier), SERVER_PIDS (all server processes), SESS_A, SESS_C, PROTO.
run_cases() {
  local server=$1 r json ceiling=0 capped=true proto_args=() u
  shift
  proto_args=(--protocol "$PROTO")
  for u in "$@"; do proto_args+=(--url "$u"); done
  for p in "${TIER_PIDS[@]}"; do proto_args+=(--pid "$p"); done
  for p in "${SERVER_PIDS[@]}"; do proto_args+=(--cpu-pid "$p"); done
  # a
  json=$(step "$server" a "$RATE_A" "$SOCKETS" "$SESS_A" ws -- "${proto_args[@]}")
  local a_passed=0
  passes "$json" && a_passed=1
  # b: ascending steps; the case-a run stands for the step of its rate
  # (steps below RATE_A only when a failed, above it only when a passed).
  for r in $CEILING_RATES; do
    if [ $a_passed = 1 ] && [ "$r" -le "$RATE_A" ]; then ceiling=$RATE_A; continue; fi
    if [ $a_passed = 0 ] && [ "$r" -ge "$RATE_A" ]; then capped=false; break; fi
    json=$(step "$server" b "$r" "$SOCKETS" "$SESS_A" ws -- "${proto_args[@]}")
    passes "$json" || { capped=false; break; }
    ceiling=$r
  done
  # capped: even the highest step passed (the ceiling is at least that)
  echo "{\"server\":\"$server\",\"case\":\"ceiling\",\"ceiling\":$ceiling,\"capped\":$capped}" >>"$RESULTS"
  # c
  local cmode=redis
  [ "$PROTO" = socketio ] && cmode=ws
  for r in $FANOUT_RATES; do
    json=$(step "$server" c "$r" "$FANOUT_SOCKETS" "$SESS_C" "$cmode" -- "${proto_args[@]}")
    passes "$json" || [ "$r" -lt "$FANOUT_CPU_RATE" ] || break
  done
  # d
  if [ "$server" = botfactory ]; then
    local lowest
    lowest=$(tr ' ' '\n' <<<"$CEILING_RATES" | grep . | head -1)
    local base=$((ceiling > 0 ? ceiling : lowest))
    run_load "$server" d $((base * OVERLOAD_FACTOR)) "$SOCKETS" "$SESS_A" ws -- "${proto_args[@]}" >/dev/null
    sleep 2
    QUIET_WAIT=0 run_load "$server" recovery $(((base + 1) / 2)) "$SOCKETS" "$SESS_A" ws -- "${proto_args[@]}" >/dev/null
  fi
}

for server in $SERVERS_UNDER_TEST; do
  case $server in
    botfactory)
      PORT_BASE=${PORT_BASE:-51450}
      while ! range_free "$PORT_BASE"; do PORT_BASE=$((PORT_BASE + 100)); done
      GW1=$(first_free 18680); GW2=$(first_free $((GW1 + 1)))
      rnd() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
      BIN_DIR="$BUILD_DIR" DATABASE_URL="$PG_CONNINFO" REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT" \
        PORT_BASE="$PORT_BASE" GATEWAY_PORTS="$GW1 $GW2" LOG_LEVEL=${LOG_LEVEL:-warn} FLEET_RESTART=0 \
        JWT_SECRET="bench-$(rnd 24)" INTERNAL_RPC_SECRET="bench-$(rnd 24)" \
        PROVIDER_KEYS_SECRET="$(rnd 32)" CHANNEL_CREDENTIALS_SECRET="$(rnd 32)" WEBHOOK_SECRETS_KEY="$(rnd 32)" \
        nice -n "$NICE" taskset -c "$SERVER_CORE" scripts/fleet.sh start "$FLEET" >&2
      mapfile -t FLEET_PIDS < <(awk '{print $1}' "$FLEET/fleet.pids")
      mapfile -t TIER_PIDS < <(awk '$2 ~ /^gateway-/{print $1}' "$FLEET/fleet.pids")
      pin "${FLEET_PIDS[@]}" "$PG_PID"
      SERVER_PIDS=("${FLEET_PIDS[@]}" "$PG_PID" "$REDIS_PID")
      TAKEOVER=1 timeout 300 nice -n "$NICE" taskset -c "$CLIENT_CORE" node bench/sessions.mjs \
        "http://127.0.0.1:$GW1" "$CONVERSATIONS" "$RUN_DIR/sessions-a.txt" >&2
      SESS_A="$RUN_DIR/sessions-a.txt" SESS_C="$RUN_DIR/sessions-c.txt" PROTO=botfactory
      head -1 "$SESS_A" >"$SESS_C"
      pin "$PG_PID"  # backends forked for the sessions
      run_cases botfactory "ws://127.0.0.1:$GW1/ws" "ws://127.0.0.1:$GW2/ws"
      scripts/fleet.sh stop "$FLEET" >&2
      ;;
    socketio | relay)
      P1=$(first_free 18780); P2=$(first_free $((P1 + 1)))
      for p in "$P1" "$P2"; do
        if [ "$server" = socketio ]; then
          (cd "$PEER_DIR" && exec nice -n "$NICE" taskset -c "$SERVER_CORE" node server.mjs "$p" "$REDIS_PORT") \
            >>"$RUN_DIR/$server.log" 2>&1 &
        else
          (exec nice -n "$NICE" taskset -c "$SERVER_CORE" "$RELAY" "$p" "$REDIS_PORT") \
            >>"$RUN_DIR/$server.log" 2>&1 &
        fi
        PEER_PIDS+=($!)
      done
      for p in "$P1" "$P2"; do
        for _ in $(seq 1 100); do port_free "$p" || break; sleep 0.1; done
      done
      TIER_PIDS=("${PEER_PIDS[@]}") SERVER_PIDS=("${PEER_PIDS[@]}" "$REDIS_PID") PROTO=$server
      awk '{printf "peer-token %s\n", $2}' "$RUN_DIR/sessions-a.txt" 2>/dev/null >"$RUN_DIR/sessions-peer.txt" || true
      [ -s "$RUN_DIR/sessions-peer.txt" ] ||
        for i in $(seq 1 "$CONVERSATIONS"); do echo "peer-token conv-$i"; done >"$RUN_DIR/sessions-peer.txt"
      SESS_A="$RUN_DIR/sessions-peer.txt" SESS_C="$RUN_DIR/sessions-peer-c.txt"
      head -1 "$SESS_A" >"$SESS_C"
      if [ "$server" = socketio ]; then
        path="/socket.io/?EIO=4&transport=websocket"
      else
        path="/ws"
      fi
      run_cases "$server" "ws://127.0.0.1:$P1$path" "ws://127.0.0.1:$P2$path"
      stop_peers
      ;;
    *) log "unknown server $server"; exit 2 ;;
  esac
done

node bench/ingest_table.mjs "$RESULTS" | tee "$BUILD_DIR/bench/ingest.md"
log "table also in $BUILD_DIR/bench/ingest.md; raw results $RESULTS; load client log $RUN_DIR/load.log"
