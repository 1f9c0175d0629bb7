#!/usr/bin/env bash
# Starts or stops the six BotFactory services (gateway as N replicas) as background processes.
#   scripts/fleet.sh start DIR   env: DATABASE_URL, REDIS_HOST, REDIS_PORT, BIN_DIR (build dir),
#                                PORT_BASE (gRPC = base+1..5, ops = base+11..15; default 50050),
#                                GATEWAY_PORTS ("8080 8081"), WEB_ROOT, JWT_SECRET and
#                                INTERNAL_RPC_SECRET (required: >= 32 random bytes each),
#                                PROVIDER_KEYS_SECRET (bot-registry: 64 hex chars / base64 of 32 bytes),
#                                CHANNEL_CREDENTIALS_SECRET (channel-connector: same format),
#                                WEBHOOK_SECRETS_KEY (channel-connector: same format),
#                                CHANNEL_REPLICAS (1..3, default 1: channel-connector replicas; the
#                                Nth listens on gRPC base+4+N, ops base+14+N, and every caller's
#                                CHANNEL_ADDR lists them all for gRPC round_robin)
#   scripts/fleet.sh stop DIR    stops every process recorded in DIR/fleet.pids (by pid)
# Logs go to DIR/logs/<service>.log. `start` returns once every /readyz answers 200.
# Each service runs under a small supervisor that restarts it when it dies, as Kubernetes
# would: after 1 s, doubling up to 30 s, back to 1 s once a run lasted a minute; each restart
# is logged in the service's log, DIR/logs/fleet.log and on stderr. FLEET_RESTART=0 turns it
# off. DIR/fleet.pids holds "pid name" of each service (updated on restart) and
# DIR/supervisors.pids the supervisors' pids.
set -euo pipefail

cmd=${1:?usage: fleet.sh start|stop DIR}
dir=${2:?usage: fleet.sh start|stop DIR}
mkdir -p "$dir/logs"
dir=$(cd "$dir" && pwd)
pids="$dir/fleet.pids"
supervisors="$dir/supervisors.pids"

stop() {
  # Supervisors first, so that nothing is restarted; each passes TERM on to its service.
  if [ -f "$supervisors" ]; then
    tac "$supervisors" | while read -r pid name; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
      alive=0
      while read -r pid name; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$supervisors"
      [ $alive -eq 0 ] && break
      sleep 0.1
    done
    while read -r pid name; do kill -KILL "$pid" 2>/dev/null || true; done <"$supervisors"
    rm -f "$supervisors"
  fi
  [ -f "$pids" ] || return 0
  # Gateways first (they close sockets with 1001), then the rest.
  tac "$pids" | while read -r pid name; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0
    while read -r pid name; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$pids"
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  while read -r pid name; do kill -KILL "$pid" 2>/dev/null || true; done <"$pids"
  rm -f "$pids"
}

http_ok() {  # http_ok PORT PATH: true when GET answers 200
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    [[ "$line" == *" 200 "* ]]
  ) 2>/dev/null
}

# Runs one service and restarts it whenever it exits, with back-off (see the header); stops
# (passing TERM on) when it gets TERM itself.
supervise() {  # supervise NAME BINARY [ENV=VALUE ...]
  local name=$1 bin=$2
  shift 2
  local delay=1 child="" stopping=0 started rc lived
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
  while :; do
    started=$SECONDS
    env "$@" "$bin" >>"$dir/logs/$name.log" 2>&1 &
    child=$!
    (
      flock 9
      grep -v " $name\$" "$pids" >"$pids.tmp" 2>/dev/null || true
      echo "$child $name" >>"$pids.tmp"
      mv "$pids.tmp" "$pids"
    ) 9>"$pids.lock"
    rc=0
    wait "$child" || rc=$?
    # A TERM interrupts wait: wait again for the service to finish its own shutdown.
    while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
    [ "$stopping" = 1 ] && return 0
    lived=$((SECONDS - started))
    [ "$lived" -ge 60 ] && delay=1
    local line
    line="$(date -u +%FT%TZ) fleet: $name (pid $child) exited with status $rc after ${lived} s; restarting in ${delay} s"
    echo "$line" >>"$dir/logs/$name.log"
    echo "$line" >>"$dir/logs/fleet.log"
    echo "$line" >&2
    sleep "$delay" &
    wait $! || true
    [ "$stopping" = 1 ] && return 0
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

# all_up PORT: true when the gateway's /readyz answers 200 and lists no dependency "down" (a
# gateway is ready without bot-registry, auth or subscription; start waits for all of them).
all_up() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    response=$(timeout 2 cat <&3) || exit 1
    [[ "$response" == "HTTP/1.1 200 "* && "$response" != *'"down"'* ]]
  ) 2>/dev/null
}

start() {
  stop
  : "${BIN_DIR:?BIN_DIR must point at the CMake build directory}"
  local base=${PORT_BASE:-50050}
  local gateways=${GATEWAY_PORTS:-"8080 8081"}
  export AUTH_ADDR=127.0.0.1:$((base + 1)) SUBSCRIPTION_ADDR=127.0.0.1:$((base + 2))
  export REGISTRY_ADDR=127.0.0.1:$((base + 3)) AI_PROXY_ADDR=127.0.0.1:$((base + 4))
  export CHANNEL_ADDR=127.0.0.1:$((base + 5))
  export AUTH_GRPC_LISTEN=$AUTH_ADDR SUBSCRIPTION_GRPC_LISTEN=$SUBSCRIPTION_ADDR
  export REGISTRY_GRPC_LISTEN=$REGISTRY_ADDR AI_PROXY_GRPC_LISTEN=$AI_PROXY_ADDR
  export CHANNEL_GRPC_LISTEN=$CHANNEL_ADDR
  local channel_replicas=${CHANNEL_REPLICAS:-1}
  if [ "$channel_replicas" -lt 1 ] || [ "$channel_replicas" -gt 3 ]; then
    echo "fleet: CHANNEL_REPLICAS must be 1..3" >&2
    return 1
  fi
  if [ "$channel_replicas" -gt 1 ]; then
    local targets=127.0.0.1:$((base + 5)) r
    for r in $(seq 2 "$channel_replicas"); do targets+=",127.0.0.1:$((base + 4 + r))"; done
    export CHANNEL_ADDR=ipv4:$targets
  fi
  export AUTH_METRICS_LISTEN=127.0.0.1:$((base + 11)) SUBSCRIPTION_METRICS_LISTEN=127.0.0.1:$((base + 12))
  export REGISTRY_METRICS_LISTEN=127.0.0.1:$((base + 13)) AI_PROXY_METRICS_LISTEN=127.0.0.1:$((base + 14))
  export CHANNEL_METRICS_LISTEN=127.0.0.1:$((base + 15))
  local ready_ports=()
  launch() {  # launch NAME BINARY [ENV=VALUE ...]
    local name=$1 bin=$2
    shift 2
    if [ "${FLEET_RESTART:-1}" = 0 ]; then
      env "$@" "$bin" >>"$dir/logs/$name.log" 2>&1 &
      echo "$! $name" >>"$pids"
      return
    fi
    # The service's first pid is recorded before start() returns (it checks them). Job control
    # puts each supervisor (and its service) in a process group of its own, so a terminal's
    # Ctrl-C reaches only `make run`, whose clean-up stops the fleet in order; otherwise the
    # services would die of the SIGINT and their supervisors would restart them.
    set -m
    supervise "$name" "$bin" "$@" &
    set +m
    echo "$! $name" >>"$supervisors"
    for _ in $(seq 1 50); do
      grep -q " $name\$" "$pids" 2>/dev/null && return
      sleep 0.02
    done
  }
  # Apply every schema first (services also migrate at start; the advisory lock makes it safe).
  for svc in subscription auth bot-registry; do
    "$BIN_DIR/services/$svc/botfactory-$svc" migrate >>"$dir/logs/$svc.log" 2>&1
  done
  "$BIN_DIR/services/channel-connector/botfactory-channel-connector" migrate \
    >>"$dir/logs/channel-connector.log" 2>&1
  launch subscription "$BIN_DIR/services/subscription/botfactory-subscription"
  launch auth "$BIN_DIR/services/auth/botfactory-auth"
  launch bot-registry "$BIN_DIR/services/bot-registry/botfactory-bot-registry"
  launch ai-proxy "$BIN_DIR/services/ai-proxy/botfactory-ai-proxy"
  launch channel-connector "$BIN_DIR/services/channel-connector/botfactory-channel-connector"
  ready_ports+=($((base + 11)) $((base + 12)) $((base + 13)) $((base + 14)) $((base + 15)))
  local r
  for r in $(seq 2 "$channel_replicas"); do
    launch "channel-connector-$r" "$BIN_DIR/services/channel-connector/botfactory-channel-connector" \
      "CHANNEL_GRPC_LISTEN=127.0.0.1:$((base + 4 + r))" "CHANNEL_METRICS_LISTEN=127.0.0.1:$((base + 14 + r))"
    ready_ports+=($((base + 14 + r)))
  done
  local i=1 gateway_ports=()
  for port in $gateways; do
    launch "gateway-$i" "$BIN_DIR/services/gateway/botfactory-gateway" "HTTP_LISTEN=127.0.0.1:$port"
    gateway_ports+=("$port")
    i=$((i + 1))
  done
  local first_pids
  first_pids=$(cat "$pids")
  for _ in $(seq 1 300); do
    local waiting=0
    for port in "${ready_ports[@]}"; do http_ok "$port" /readyz || waiting=1; done
    for port in "${gateway_ports[@]}"; do all_up "$port" || waiting=1; done
    [ $waiting -eq 0 ] && return 0
    # A service that dies during start-up is a broken build or configuration: report it
    # rather than restart it.
    while read -r pid name; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "fleet: $name exited during start-up; last log lines:" >&2
        tail -n 20 "$dir/logs/$name.log" >&2
        stop
        return 1
      fi
    done <<<"$first_pids"
    sleep 0.1
  done
  echo "fleet: services not ready after 30 s (logs in $dir/logs)" >&2
  stop
  return 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: fleet.sh start|stop DIR" >&2; exit 2 ;;
esac
