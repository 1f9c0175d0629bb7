#!/usr/bin/env bash
# Gateway WebSocket fan-out benchmark (docs/benchmarks.md). Starts a private PostgreSQL + Redis
# (scripts/servers.sh) and, for every case, a fresh fleet (scripts/fleet.sh, two gateway
# replicas), creates widget sessions over REST (bench/sessions.mjs), runs bench_ws_load, then
# prints a markdown table and stops everything. Loopback only; every step is time-bounded.
#   bash bench/run_fanout.sh
# Environment (defaults):
#   BUILD_DIR (build)          CMake build dir with the services and bench/bench_ws_load
#   BUILD (1)                  build the needed targets first (scripts/build.sh)
#   RUN_DIR (.run/bench)       servers, fleet logs, results.jsonl, results.md
#   CONNECTIONS (1000)         sockets of the fan-out cases (all in one conversation)
#   RATES ("20 50 100 200 300 500")  msgs/s published in the one-replica cases
#   TWO_REPLICA_RATES ("100 200")  msgs/s in the two-replica cases (sockets split over both)
#   IDLE_SIZES ("1000 5000")   socket counts of the idle-memory cases
#   ROOMS ("500")              conversations of the many-rooms case (CONNECTIONS spread over
#                              them, 2 msgs/s per conversation); empty to skip
#   DURATION (10)              seconds of publishing per case
#   QUIET_WAIT (60)            seconds to wait, before each case, for other load on the machine
#                              to stop (other builds skew every number); then it runs anyway
#   WS_MAX_QUEUE, WS_SEND_BUDGET_BYTES   passed to the gateways when set
#   INGEST_RATES ("5 20")      msgs/s PER CONVERSATION of the chat-ingest cases: CONNECTIONS
#                              sockets over INGEST_CONVERSATIONS (100) conversations taken over by
#                              the bench user (no bot replies); each conversation's first socket
#                              sends message.send (stored by channel-connector, seq allocated)
#   PERF (0)                   1: `perf record -a -g` during each ingest case's sending window
#                              → RUN_DIR/perf-<case>.data (and perf-<case>.txt, by process)
#   CASES (all)                which groups run: any of idle fanout two-replica many-rooms
#                              ingest rooms (e.g. CASES=rooms reruns only the rooms case)
#   ROOMS_CASE (1)             0 skips the rooms case (docs/benchmarks.md "Rooms fan-out"):
#   ROOM_COUNT (100), ROOM_MEMBERS (50)   public rooms × widget-visitor members (one socket each,
#                              spread over both gateway replicas; bench/room_members.mjs)
#   ROOM_RATE (2)              messages/s PER ROOM (all rooms: ROOM_COUNT × ROOM_RATE msgs/s,
#                              × ROOM_MEMBERS deliveries), posted with WS message.send by the
#                              members in turn
#   ROOM_TYPING (1)            1: every sender types first (typing start every 2.5 s from
#                              ROOM_TYPING_LEAD (3) s before its post, stop right after it);
#                              "1 0" runs the case twice, with and without typing (same members)
#                              With PERF=1 the rooms case records `perf record -g` of both
#                              gateways over its window → RUN_DIR/perf-<case>.txt (by symbol)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench}
CONNECTIONS=${CONNECTIONS:-1000}
RATES=${RATES-"20 50 100 200 300 500"}
TWO_REPLICA_RATES=${TWO_REPLICA_RATES-"100 200"}
IDLE_SIZES=${IDLE_SIZES-"1000 5000"}
ROOMS=${ROOMS-500}
DURATION=${DURATION:-10}
INGEST_RATES=${INGEST_RATES-"5 20"}
INGEST_CONVERSATIONS=${INGEST_CONVERSATIONS:-100}
PERF=${PERF:-0}
CASES=${CASES:-all}
ROOMS_CASE=${ROOMS_CASE:-1}
ROOM_COUNT=${ROOM_COUNT:-100}
ROOM_MEMBERS=${ROOM_MEMBERS:-50}
ROOM_RATE=${ROOM_RATE:-2}
ROOM_TYPING=${ROOM_TYPING:-1}
ROOM_TYPING_LEAD=${ROOM_TYPING_LEAD:-3}
QUIET_WAIT=${QUIET_WAIT:-60}
LOAD="$BUILD_DIR/bench/bench_ws_load"

# One fd per socket on both ends: raise the soft limit (inherited by the fleet).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 12000 ] ||
  { echo "run_fanout: open-file limit $(ulimit -n) is too low" >&2; exit 1; }

if [ "${BUILD:-1}" = 1 ]; then
  BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_ws_load botfactory-gateway botfactory-auth \
    botfactory-subscription botfactory-bot-registry botfactory-ai-proxy botfactory-channel-connector
fi
[ -x "$LOAD" ] || { echo "run_fanout: $LOAD not built" >&2; exit 1; }

# Every case creates its widget sessions from 127.0.0.1: lift the per-IP session limit.
export RATE_LIMIT_SESSIONS_PER_MIN=0
# Every socket comes from 127.0.0.1 too: lift the per-address connection cap.
export MAX_CONNECTIONS_PER_IP=${MAX_CONNECTIONS_PER_IP:-0}
# Ingest cases: one sender per conversation at up to tens of msgs/s: lift the per-socket frame
# rate and the per-conversation visitor message limit (they are abuse limits, not capacity).
export WS_RATE_PER_SEC=${WS_RATE_PER_SEC:-1000} WS_RATE_BURST=${WS_RATE_BURST:-1000}
export VISITOR_MESSAGES_PER_MIN=${VISITOR_MESSAGES_PER_MIN:-0}

mkdir -p "$RUN_DIR"
SERVERS="$RUN_DIR/servers"
FLEET="$RUN_DIR/fleet"
RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"

cleanup() {
  scripts/fleet.sh stop "$FLEET" || true
  scripts/servers.sh stop "$SERVERS" || true
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
range_free() {  # range_free BASE: the fleet's gRPC (base+1..5) and ops (base+11..15) ports
  local o
  for o in 1 2 3 4 5 11 12 13 14 15; do port_free $(($1 + o)) || return 1; done
}

scripts/servers.sh start "$SERVERS"
# shellcheck disable=SC1091
source "$SERVERS/env"
REDIS_PID=$(cat "$SERVERS/redis.pid")
PORT_BASE=${PORT_BASE:-51350}
while ! range_free "$PORT_BASE"; do PORT_BASE=$((PORT_BASE + 100)); done
GW1=$(first_free 18480)
GW2=$(first_free $((GW1 + 1)))
export BIN_DIR="$BUILD_DIR" DATABASE_URL="$PG_CONNINFO" REDIS_HOST=127.0.0.1 REDIS_PORT PORT_BASE
export GATEWAY_PORTS="$GW1 $GW2" LOG_LEVEL=${LOG_LEVEL:-warn}
export JWT_SECRET=${JWT_SECRET:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export INTERNAL_RPC_SECRET=${INTERNAL_RPC_SECRET:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export PROVIDER_KEYS_SECRET=${PROVIDER_KEYS_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export CHANNEL_CREDENTIALS_SECRET=${CHANNEL_CREDENTIALS_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export WEBHOOK_SECRETS_KEY=${WEBHOOK_SECRETS_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}

# Waits (at most QUIET_WAIT s) until the machine is mostly idle over a 1 s sample.
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) b0 t0 b1 t1 pct
  while :; do
    read -r b0 t0 < <(busy_ticks)
    sleep 1
    read -r b1 t1 < <(busy_ticks)
    pct=$(((b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1)))
    [ "$pct" -lt 15 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "run_fanout: machine still ${pct}% busy with other work; running anyway" >&2
      return 0
    fi
  done
}

# --cpu-group arguments: CPU per process of the fleet's chat path (both gateways count as one).
cpu_groups() {
  awk '$2 ~ /^gateway-/ {print "--cpu-group gateway=" $1} $2 == "channel-connector" {print "--cpu-group channel-connector=" $1}' "$FLEET/fleet.pids"
  echo "--cpu-group postgres=$(head -1 "$SERVERS/pg/postmaster.pid") --cpu-group redis=$REDIS_PID"
}

wanted() { [ "$CASES" = all ] || [[ " $CASES " == *" $1 "* ]]; }

# run_case LABEL REPLICAS SOCKETS CONVERSATIONS RATE [ingest]
run_case() {
  local label=$1 replicas=$2 sockets=$3 conversations=$4 rate=$5 mode=${6:-}
  echo "== $label: $replicas replica(s), $sockets sockets, $conversations conversation(s), $rate msgs/s" >&2
  scripts/fleet.sh start "$FLEET"  # fresh gateways: RSS and heap start clean for every case
  TAKEOVER=$([ "$mode" = ingest ] && echo 1 || echo 0) \
    timeout 300 node bench/sessions.mjs "http://127.0.0.1:$GW1" "$conversations" "$RUN_DIR/sessions.txt"
  local pid1 pid2 args=()
  pid1=$(awk '$2=="gateway-1"{print $1}' "$FLEET/fleet.pids")
  pid2=$(awk '$2=="gateway-2"{print $1}' "$FLEET/fleet.pids")
  args+=(--url "ws://127.0.0.1:$GW1/ws" --pid "$pid1")
  [ "$replicas" = 2 ] && args+=(--url "ws://127.0.0.1:$GW2/ws" --pid "$pid2")
  [ "$mode" = ingest ] && args+=(--send-ws)
  args+=($(cpu_groups))
  wait_quiet
  local deadline=$((DURATION + 150)) rc=0 perf_pid=
  if [ "$mode" = ingest ] && [ "$PERF" = 1 ]; then
    # Skips the connect + settle phase (~4 s), then samples the sending window.
    (sleep 4; perf record -a -g -F 499 -o "$RUN_DIR/perf-$label.data" -- sleep $((DURATION - 2))
     ps -eo pid=,ppid=,args= >"$RUN_DIR/perf-$label.ps") >"$RUN_DIR/perf-$label.log" 2>&1 &
    perf_pid=$!
  fi
  timeout $((deadline + 10)) "$LOAD" "${args[@]}" --sessions "$RUN_DIR/sessions.txt" \
    --connections "$sockets" --rate "$rate" --duration "$DURATION" --settle 2 --drain 10 \
    --connect-timeout 90 --deadline "$deadline" --redis-port "$REDIS_PORT" --redis-pid "$REDIS_PID" \
    --label "$label" >"$RUN_DIR/case.out" || rc=$?
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$RUN_DIR/perf-$label.data" --no-children --sort comm -g none --stdio 2>/dev/null |
      grep -v '^$' >"$RUN_DIR/perf-$label.txt" || true
    # Share of each fleet process; messages stored in the window ≈ (sent - refused) over the
    # sampled (DURATION - 2) of DURATION s.
    local stored
    stored=$(grep '^RESULT ' "$RUN_DIR/case.out" | sed 's/^RESULT //' |
      node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        console.log(Math.max(1, Math.round((r.published - (r.refused ?? 0)) * (r.duration_s - 2) / r.duration_s)))' ||
      echo $((rate * (DURATION - 2))))
    perf script -i "$RUN_DIR/perf-$label.data" -F pid 2>/dev/null |
      node bench/perf_split.mjs "$RUN_DIR/perf-$label.ps" 499 "$stored" \
        gateway="$pid1" channel-connector="$(awk '$2=="channel-connector"{print $1}' "$FLEET/fleet.pids")" \
        PostgreSQL="$(head -1 "$SERVERS/pg/postmaster.pid")" Redis="$REDIS_PID" \
        >"$RUN_DIR/perf-$label.split.md" || true
  fi
  if [ "$mode" = ingest ]; then
    # channel-connector's group commit in this case (fresh fleet): batch sizes, queue, refusals.
    curl -s --max-time 5 "http://127.0.0.1:$((PORT_BASE + 15))/metrics" |
      grep '^chat_commit' >"$RUN_DIR/metrics-$label.txt" || true
  fi
  grep '^RESULT ' "$RUN_DIR/case.out" | sed 's/^RESULT //' >>"$RESULTS" ||
    echo "run_fanout: $label produced no result (exit $rc)" >&2
  [ $rc -eq 0 ] || echo "run_fanout: $label exited with $rc (failures, losses or deadline)" >&2
}

# The rooms case (issue 11): ROOM_COUNT public rooms × ROOM_MEMBERS visitor members on both
# replicas, ROOM_RATE posts/s per room by WS message.send (stored by channel-connector, fanned out
# to every member, the sender included), typing on. Members are created over REST first
# (bench/room_members.mjs, bounded), then bench_ws_load --rooms.
run_rooms_case() {
  local typing=$1 typing_label label
  typing_label=$([ "$typing" = 1 ] && echo typing || echo notyping)
  label="room-${ROOM_COUNT}x${ROOM_MEMBERS}-${ROOM_RATE}ps-$typing_label"
  echo "== $label: 2 replicas, $ROOM_COUNT rooms × $ROOM_MEMBERS members, $ROOM_RATE msgs/s per room" >&2
  scripts/fleet.sh start "$FLEET"
  # One set of members per run (a second typing variant reuses them on the fresh fleet).
  if [ ! -s "$RUN_DIR/room-members.txt" ]; then
    timeout 420 node bench/room_members.mjs "http://127.0.0.1:$GW1" "$ROOM_COUNT" "$ROOM_MEMBERS" \
      "$RUN_DIR/room-members.txt"
  fi
  local pid1 pid2 rc=0 deadline=$((DURATION + ROOM_TYPING_LEAD + 200)) perf_pid=
  pid1=$(awk '$2=="gateway-1"{print $1}' "$FLEET/fleet.pids")
  pid2=$(awk '$2=="gateway-2"{print $1}' "$FLEET/fleet.pids")
  wait_quiet
  rm -f "$RUN_DIR/window.mark"
  if [ "$PERF" = 1 ]; then
    # Waits for the load client's window mark, then samples both gateways for DURATION - 2 s.
    (for _ in $(seq 1 1800); do [ -f "$RUN_DIR/window.mark" ] && break; sleep 0.1; done
     [ -f "$RUN_DIR/window.mark" ] &&
       perf record -g -F 499 -p "$pid1,$pid2" -o "$RUN_DIR/perf-$label.data" -- sleep $((DURATION - 2))
    ) >"$RUN_DIR/perf-$label.log" 2>&1 &
    perf_pid=$!
  fi
  # shellcheck disable=SC2046
  timeout $((deadline + 10)) "$LOAD" --url "ws://127.0.0.1:$GW1/ws" --pid "$pid1" \
    --url "ws://127.0.0.1:$GW2/ws" --pid "$pid2" --rooms "$RUN_DIR/room-members.txt" \
    --room-rate "$ROOM_RATE" --typing "$typing" --typing-lead "$ROOM_TYPING_LEAD" \
    --duration "$DURATION" --settle 2 --drain 10 --connect-timeout 150 --deadline "$deadline" \
    --redis-port "$REDIS_PORT" --redis-pid "$REDIS_PID" $(cpu_groups) \
    --window-mark "$RUN_DIR/window.mark" --label "$label" >"$RUN_DIR/case.out" || rc=$?
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$RUN_DIR/perf-$label.data" --no-children --sort dso,symbol -g none --stdio \
      2>/dev/null | grep -v '^$' | head -80 >"$RUN_DIR/perf-$label.txt" || true
  fi
  grep '^RESULT ' "$RUN_DIR/case.out" | sed 's/^RESULT //' >>"$RESULTS" ||
    echo "run_fanout: $label produced no result (exit $rc)" >&2
  [ $rc -eq 0 ] || echo "run_fanout: $label exited with $rc (failures, losses or deadline)" >&2
}

echo "run_fanout: load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
if wanted idle; then for n in $IDLE_SIZES; do run_case "idle-$n" 1 "$n" 1 0; done; fi
if wanted fanout; then for r in $RATES; do run_case "fanout-1r-$r" 1 "$CONNECTIONS" 1 "$r"; done; fi
if wanted two-replica; then
  for r in $TWO_REPLICA_RATES; do run_case "fanout-2r-$r" 2 "$CONNECTIONS" 1 "$r"; done
fi
if wanted many-rooms; then
  for k in $ROOMS; do run_case "rooms-$k" 1 "$CONNECTIONS" "$k" $((2 * k)); done
fi
if wanted ingest; then
  for r in $INGEST_RATES; do
    run_case "ingest-$r" 1 "$CONNECTIONS" "$INGEST_CONVERSATIONS" $((r * INGEST_CONVERSATIONS)) ingest
  done
fi
if [ "$ROOMS_CASE" = 1 ] && wanted rooms; then
  rm -f "$RUN_DIR/room-members.txt"
  for typing in $ROOM_TYPING; do run_rooms_case "$typing"; done
fi
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)
export LOADAVG_END

scripts/fleet.sh stop "$FLEET"
node - "$RESULTS" >"$RUN_DIR/results.md" <<'JS'
const fs = require("node:fs");
const rows = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const f = (x, d = 1) => (x === undefined || x === null ? "" : Number(x).toFixed(d));
const out = [];
const os = require("node:os");
out.push(`Machine: ${os.cpus().length} cores (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
  `Linux ${os.release()}; ${new Date().toISOString()}`);
out.push(`Gateway: WS_SEND_BUDGET_BYTES=${process.env.WS_SEND_BUDGET_BYTES ?? "262144 (default)"}, ` +
  `WS_MAX_QUEUE=${process.env.WS_MAX_QUEUE ?? "1024 (default)"}; ${rows[0]?.duration_s ?? ""} s of publishing per case.`);
out.push("");
out.push("| case | replicas | sockets | conv. | msgs/s | deliveries/s | lost | p50 ms | p99 ms | max ms | gateway µs CPU/delivery | of which kernel | gateway % of a core | client µs/delivery | other load ms | KB/idle socket |");
out.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const pub = r.published > 0;
  out.push(`| ${r.label} | ${r.urls} | ${r.joined}/${r.connections} | ${r.conversations} | ${pub ? r.rate : "idle"} | ` +
    `${pub ? f(r.deliveries_per_s, 0) : ""} | ${pub ? r.lost : ""} | ${pub ? f(r.lat_p50_ms) : ""} | ` +
    `${pub ? f(r.lat_p99_ms) : ""} | ${pub ? f(r.lat_max_ms) : ""} | ${pub ? f(r.gw_cpu_us_per_delivery, 2) : ""} | ` +
    `${pub && r.gw_cpu_ms > 0 ? f((100 * r.gw_sys_cpu_ms) / r.gw_cpu_ms, 0) + "%" : ""} | ` +
    `${pub ? f(r.gw_cpu_pct, 0) : ""} | ${pub ? f(r.client_cpu_us_per_delivery, 2) : ""} | ${pub ? f(r.other_cpu_ms, 0) : ""} | ` +
    `${f(r.kb_per_idle_socket, 2)} |`);
}
// CPU per message delivery by process (--cpu-group), the rooms case's typing beside it.
const grouped = rows.filter((r) => r.published > 0 && r.cpu_groups && Object.keys(r.cpu_groups).length > 0);
if (grouped.length > 0) {
  const names = ["gateway", "channel-connector", "postgres", "redis"];
  out.push("");
  out.push(`CPU µs per message delivery by process (both gateway replicas summed; load average at the end ${process.env.LOADAVG_END ?? "?"}):`);
  out.push("");
  out.push(`| case | msgs/s | deliveries/s | typing frames/s | p50 ms | p99 ms | ${names.join(" | ")} | all four |`);
  out.push(`|---|---|---|---|---|---|${names.map(() => "---|").join("")}---|`);
  for (const r of grouped) {
    const us = names.map((n) => r.cpu_groups[n]?.us_per_delivery);
    const all = us.reduce((a, b) => a + (b ?? 0), 0);
    out.push(`| ${r.label} | ${r.rate} | ${f(r.deliveries_per_s, 0)} | ${r.mode === "rooms" ? f(r.typing_per_s, 0) : ""} | ` +
      `${f(r.lat_p50_ms)} | ${f(r.lat_p99_ms)} | ${us.map((u) => f(u, 2)).join(" | ")} | ${f(all, 2)} |`);
  }
}
const notes = rows.filter((r) => r.failed > 0 || r.lost > 0 || Object.keys(r.closes).length > 0 || r.timed_out || r.room_skipped > 0 || r.refused > 0);
for (const r of notes) {
  out.push("");
  out.push(`- ${r.label}: failed ${r.failed}${r.first_failure ? ` (${r.first_failure})` : ""}, lost ${r.lost}, ` +
    `closes by code ${JSON.stringify(r.closes)}, timed out ${r.timed_out}` +
    `${r.refused > 0 ? `, refused ${r.refused} (${r.first_error})` : ""}${r.room_skipped > 0 ? `, room events skipped ${r.room_skipped}` : ""}`);
}
const ok = rows.filter((r) => r.published > 0 && r.urls === 1 && r.conversations === 1 && r.lost === 0 && r.lat_p99_ms < 100);
if (ok.length > 0) {
  const best = ok.reduce((a, b) => (b.deliveries_per_s > a.deliveries_per_s ? b : a));
  out.push("");
  out.push(`Best sustained, one replica, no loss, p99 < 100 ms: ${f(best.deliveries_per_s, 0)} deliveries/s ` +
    `(${best.label}), ${f(best.gw_cpu_us_per_delivery, 2)} µs gateway CPU per delivery.`);
}
console.log(out.join("\n"));
JS
cat "$RUN_DIR/results.md"
echo "(raw results: $RESULTS)" >&2
