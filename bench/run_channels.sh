#!/usr/bin/env bash
# Telegram channel benchmark (docs/benchmarks.md "Telegram channel"). For every repetition and
# mode: a private PostgreSQL + Redis (scripts/servers.sh), bench_channels (the fake Telegram Bot
# API), a fleet (scripts/fleet.sh, one gateway) whose channel-connector talks to that fake in
# webhook mode, the bot + knowledge base + channel created over REST (bench/channel_setup.mjs),
# then the load. Prints the markdown tables; RESULT lines go to RUN_DIR/results.jsonl.
#   bash bench/run_channels.sh                    (about 2.5 min per repetition)
# Environment (defaults):
#   BUILD_DIR (build), BUILD (1)     build bench_channels and the six services first
#   RUN_DIR (.run/bench-channels)    servers, fleet logs, results.jsonl, results.md
#   DATA (../shared/data)            knowledge base DATA/mozilla-faq/docs.jsonl, questions.jsonl
#   RATES (50,200)  DURATION (10)  CHATS (1000)   latency cases (updates/s, s, chats)
#   REPEAT (3)  MODES ("latency burst")
#   PGSS (0)     1: PostgreSQL with pg_stat_statements; the top statements by total time of each
#                latency run go to RUN_DIR/pgss-<n>.md (calls, total and mean ms, rows)
# The latency mode turns the per-bot send rate off (TELEGRAM_BOT_MESSAGES_PER_SEC=0: 200/s to
# one bot is over Telegram's 30/s, the fake does not care) and the per-conversation / per-bot
# reply rates (VISITOR_MESSAGES_PER_MIN=0, BOT_REPLIES_PER_MIN=0); the burst mode keeps
# Telegram's limits at their defaults (30/s per bot, 1 s per chat) and only the reply rates off.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-channels}
DATA=${DATA:-$ROOT/../shared/data}
[ -f "$DATA/mozilla-faq/docs.jsonl" ] || { echo "run_channels: no $DATA/mozilla-faq (set DATA)" >&2; exit 1; }
BENCH="$BUILD_DIR/bench/bench_channels"
if [ "${BUILD:-1}" = 1 ]; then
  BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_channels botfactory-gateway botfactory-auth \
    botfactory-subscription botfactory-bot-registry botfactory-ai-proxy botfactory-channel-connector
fi
[ -x "$BENCH" ] || { echo "run_channels: $BENCH not built" >&2; exit 1; }

mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
RATES=${RATES:-50,200} DURATION=${DURATION:-10}
SERVERS="$RUN_DIR/servers" FLEET="$RUN_DIR/fleet" RESULTS="$RUN_DIR/results.jsonl"
: >"$RESULTS"
: >"$RUN_DIR/results.md"
: >"$RUN_DIR/stages.md"
BENCH_PID=
cleanup() {
  [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null || true
  scripts/fleet.sh stop "$FLEET" >/dev/null 2>&1 || true
  scripts/servers.sh stop "$SERVERS" >/dev/null 2>&1 || true
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
range_free() {
  local o
  for o in 1 2 3 4 5 11 12 13 14 15; do port_free $(($1 + o)) || return 1; done
}
rnd() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Where the time goes, from the database's timestamps (transaction start times) of each
# answered update: webhook stored (inbox received_at) -> visitor message committed (inbox
# processor) -> bot reply + outbox row committed (pipeline + ai-proxy) -> outbox sent_at (sender,
# rate limiter, sendMessage). One row per latency case (update ids are consecutive per case).
stages() {
  local bounds="" id=500000 r
  for r in ${RATES//,/ }; do id=$((id + r * DURATION)); bounds+="${bounds:+,}$id"; done
  psql "$PG_CONNINFO" -qAtF ' | ' -c "
    WITH r AS (
      SELECT width_bucket(i.external_id::bigint, ARRAY[500000,$bounds]) AS k,
             extract(epoch FROM m.created_at - i.received_at) * 1000 AS inbox,
             extract(epoch FROM o.created_at - m.created_at) * 1000 AS reply,
             extract(epoch FROM o.sent_at - o.created_at) * 1000 AS outbox
      FROM chat.channel_inbox i
      JOIN chat.messages m ON m.id = i.message_id
      JOIN chat.messages b ON b.conversation_id = m.conversation_id
                          AND b.client_id = 'bot-reply-' || m.id::text
      JOIN chat.channel_outbox o ON o.message_id = b.id)
    SELECT '| ' || (string_to_array('${RATES}', ','))[k] || '/s', count(*),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY inbox)::numeric, 1),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY inbox)::numeric, 1),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY reply)::numeric, 1),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY reply)::numeric, 1),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY outbox)::numeric, 1),
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY outbox)::numeric, 1) || ' |'
    FROM r GROUP BY k ORDER BY k" |
    { echo "| rate | replies | inbox p50 | inbox p99 | reply p50 | reply p99 | outbox p50 | outbox p99 |"
      echo "|---|---|---|---|---|---|---|---|"; cat; }
}

# The statements by total execution time (pg_stat_statements, PGSS=1), per call and in all.
PGSS_N=0
pgss() {
  echo "| calls | total ms | mean ms | rows/call | statement |"
  echo "|---|---|---|---|---|"
  psql "$PG_CONNINFO" -qAtF ' | ' -c "
    SELECT '| ' || calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3),
           round(rows::numeric / GREATEST(calls, 1), 1),
           left(regexp_replace(query, '\s+', ' ', 'g'), 140) || ' |'
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40"
}

# run_mode MODE: one fresh stack, one bench_channels run.
run_mode() {
  local mode=$1 handoff="$RUN_DIR/handoff" out="$RUN_DIR/$mode.out" err="$RUN_DIR/$mode.err" rc=0
  rm -rf "$SERVERS" "$FLEET"  # a fresh database every time
  if [ "${PGSS:-0}" = 1 ]; then
    PG_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" \
      scripts/servers.sh start "$SERVERS" >/dev/null
  else
    scripts/servers.sh start "$SERVERS" >/dev/null
  fi
  # shellcheck disable=SC1091
  source "$SERVERS/env"
  [ "${PGSS:-0}" = 1 ] && psql "$PG_CONNINFO" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  local base=${PORT_BASE:-52350}
  while ! range_free "$base"; do base=$((base + 100)); done
  local gw; gw=$(first_free 18680)
  rm -f "$handoff"
  local args=(--mode "$mode" --handoff "$handoff" --gateway-port "$gw" --rates "$RATES"
              --duration "$DURATION" --chats "${CHATS:-1000}"
              --questions "$DATA/mozilla-faq/questions.jsonl")
  "$BENCH" "${args[@]}" >"$out" 2>"$err" &
  BENCH_PID=$!
  for _ in $(seq 1 100); do [ -f "$handoff" ] && break; sleep 0.1; done
  local fake token; read -r fake token <"$handoff"
  (
    export BIN_DIR="$BUILD_DIR" DATABASE_URL="$PG_CONNINFO" REDIS_HOST=127.0.0.1 REDIS_PORT
    export PORT_BASE=$base GATEWAY_PORTS="$gw" LOG_LEVEL=${LOG_LEVEL:-warn}
    export JWT_SECRET="bench-$(rnd 24)" INTERNAL_RPC_SECRET="bench-$(rnd 24)"
    export PROVIDER_KEYS_SECRET="$(rnd 32)" CHANNEL_CREDENTIALS_SECRET="$(rnd 32)" WEBHOOK_SECRETS_KEY="$(rnd 32)"
    export TELEGRAM_API_BASE_URL="$fake" CHANNEL_PUBLIC_BASE_URL=https://bench.invalid
    export VISITOR_MESSAGES_PER_MIN=0 BOT_REPLIES_PER_MIN=0 RATE_LIMIT_SESSIONS_PER_MIN=0
    [ "$mode" = latency ] && export TELEGRAM_BOT_MESSAGES_PER_SEC=0
    scripts/fleet.sh start "$FLEET" >/dev/null
  )
  timeout 300 node bench/channel_setup.mjs "http://127.0.0.1:$gw" "$DATA/mozilla-faq/docs.jsonl" "$token"
  wait "$BENCH_PID" || rc=$?
  BENCH_PID=
  cat "$out" | tee -a "$RUN_DIR/results.md"
  sed -n 's/^RESULT //p' "$err" >>"$RESULTS"
  grep -v '^RESULT ' "$err" | tail -5 >&2 || true
  [ $rc -eq 0 ] || echo "run_channels: $mode exited with $rc (webhook errors)" >&2
  [ "$mode" = latency ] && stages | tee -a "$RUN_DIR/stages.md"
  [ "$mode" = latency ] && [ "${PGSS:-0}" = 1 ] && pgss >"$RUN_DIR/pgss-$((++PGSS_N)).md"
  scripts/fleet.sh stop "$FLEET" >/dev/null 2>&1 || true
  scripts/servers.sh stop "$SERVERS" >/dev/null 2>&1 || true
}

for i in $(seq 1 "${REPEAT:-3}"); do
  for mode in ${MODES:-latency burst}; do
    echo "== repetition $i: $mode" >&2
    run_mode "$mode"
  done
done
echo "(raw results: $RESULTS)"
