#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 and Redis on loopback, in a directory of their own.
#   scripts/servers.sh start DIR   -> writes DIR/env (PG_PORT, REDIS_PORT, PG_CONNINFO, ...)
#   scripts/servers.sh stop DIR    -> stops what `start` started (by pid, never by name)
# Ports: PG_PORT / REDIS_PORT from the environment, else the first free ones from 25432 / 26379
# (below the kernel's ephemeral range 32768+, where an outbound connection may take a port between
# the check and the bind); a start that still loses such a race moves on to the next free port.
set -euo pipefail

cmd=${1:?usage: servers.sh start|stop DIR}
dir=${2:?usage: servers.sh start|stop DIR}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_free() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/env" ]; then stop || true; fi
  local pg_port=${PG_PORT:-$(first_free 25432)}
  local redis_port=${REDIS_PORT:-$(first_free 26379)}
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    as_pg mkdir -p "$dir/pg"
    as_pg "$PG_BIN/initdb" -D "$dir/pg" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  local attempt
  for attempt in 1 2 3 4 5; do
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 \
      -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 ${PG_OPTS:-}" \
      start >/dev/null && break
    if [ -n "${PG_PORT:-}" ] || [ "$attempt" = 5 ] || ! grep -q "Address already in use" "$dir/pg.log"; then
      echo "servers: PostgreSQL did not start (log: $dir/pg.log)" >&2
      return 1
    fi
    pg_port=$(first_free $((pg_port + 1)))
  done
  for attempt in 1 2 3 4 5; do
    rm -f "$dir/redis.log" "$dir/redis.pid"
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --pidfile "$dir/redis.pid" \
      --dir "$dir" --save '' --appendonly no --logfile "$dir/redis.log"
    local up=0
    for _ in $(seq 1 50); do
      # Our own server answers: its pid file exists (written after the bind) and it is alive.
      if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null &&
        redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
        up=1
        break
      fi
      grep -q "Address already in use" "$dir/redis.log" 2>/dev/null && break
      sleep 0.1
    done
    [ "$up" = 1 ] && break
    if [ -n "${REDIS_PORT:-}" ] || [ "$attempt" = 5 ]; then
      echo "servers: Redis did not start (log: $dir/redis.log)" >&2
      return 1
    fi
    redis_port=$(first_free $((redis_port + 1)))
  done
  cat >"$dir/env" <<ENV
PG_PORT=$pg_port
REDIS_PORT=$redis_port
PG_CONNINFO="host=127.0.0.1 port=$pg_port user=postgres dbname=botfactory"
PG_ADMIN_CONNINFO="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
ENV
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='botfactory'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE DATABASE botfactory" >/dev/null
  echo "servers: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port ($dir)"
}

stop() {
  dir=$(cd "$dir" 2>/dev/null && pwd) || return 0
  if [ -f "$dir/pg/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/redis.pid"
  fi
  rm -f "$dir/env"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: servers.sh start|stop DIR" >&2; exit 2 ;;
esac
