#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 and Redis on loopback, in a directory of their own.
#   scripts/servers.sh start DIR   -> writes DIR/env (PG_PORT, REDIS_PORT, PG_CONNINFO, ...)
#   scripts/servers.sh stop DIR    -> stops what `start` started (by pid, never by name)
# Ports: PG_PORT / REDIS_PORT from the environment, else the first free ones from 55432 / 56379.
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
  local pg_port=${PG_PORT:-$(first_free 55432)}
  local redis_port=${REDIS_PORT:-$(first_free 56379)}
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    as_pg mkdir -p "$dir/pg"
    as_pg "$PG_BIN/initdb" -D "$dir/pg" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 30 \
    -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --pidfile "$dir/redis.pid" \
    --dir "$dir" --save '' --appendonly no --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
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
