#!/usr/bin/env bash
# CPU per answered channel update, by process (docs/benchmarks.md "Knowledge search: in-process
# index"), for a bench/run_channels.sh run in progress: every second, the CPU seconds
# (utime + stime, /proc/<pid>/stat) of PostgreSQL (the postmaster and all its children) and of
# each service of the fleet, and the number of replies handed to the fake Telegram API
# (chat.channel_outbox rows with sent_at). Stops when the run's servers are gone; prints, per
# process, the CPU used between the first and the last sample whose count grew, divided by the
# replies sent in between.
#   bash bench/cpu_per_update.sh RUN_DIR      (RUN_DIR of run_channels.sh; start it right after)
#   SUMMARY_ONLY=1 bash bench/cpu_per_update.sh RUN_DIR   (the table again from the samples)
set -euo pipefail
RUN_DIR=${1:?usage: cpu_per_update.sh RUN_DIR}
TICK=$(getconf CLK_TCK)
OUT="$RUN_DIR/cpu_samples.txt"
if [ "${SUMMARY_ONLY:-0}" != 1 ]; then
: >"$OUT"

ticks() {  # utime + stime of one pid (0 when gone)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}

children() {  # every descendant of pid $1
  local c
  for c in $(cat "/proc/$1/task/"*/children 2>/dev/null); do echo "$c"; children "$c"; done
}

while [ ! -f "$RUN_DIR/servers/env" ] || [ ! -f "$RUN_DIR/fleet/fleet.pids" ]; do sleep 0.2; done
# shellcheck disable=SC1091
. "$RUN_DIR/servers/env"
declare -A last  # pid -> ticks seen last (a backend's ticks are kept after it exits)
while [ -f "$RUN_DIR/servers/pg/postmaster.pid" ]; do
  post=$(head -1 "$RUN_DIR/servers/pg/postmaster.pid" 2>/dev/null) || break
  line="$(date +%s.%N)"
  sent=$(psql "$PG_CONNINFO" -qAtc "SELECT count(*) FROM chat.channel_outbox WHERE sent_at IS NOT NULL" 2>/dev/null || echo -1)
  line+=" sent=$sent"
  pg=0
  for pid in "$post" $(children "$post"); do
    t=$(ticks "$pid"); [ "$t" -gt "${last[$pid]:-0}" ] && last[$pid]=$t
  done
  for pid in "${!last[@]}"; do pg=$((pg + last[$pid])); done
  line+=" postgres=$pg"
  if [ -f "$RUN_DIR/fleet/fleet.pids" ]; then
    while read -r pid name; do line+=" $name=$(ticks "$pid")"; done <"$RUN_DIR/fleet/fleet.pids"
  fi
  echo "$line" >>"$OUT"
  sleep 1
done
fi
# The window: from the last sample before the first reply to the first sample after the last.
# A sample whose count failed (-1) is skipped; a process's CPU is its largest value so far (a
# process that exited reads 0).
awk -v tick="$TICK" '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); raw[kv[1]] = kv[2] + 0; names[kv[1]] = 1 }
    if (raw["sent"] < 0) next
    ++r
    for (k in raw) { if (k == "sent" || raw[k] > top[k]) top[k] = raw[k]; v[r, k] = top[k] } }
  END {
    first = 0; lastr = 0
    for (i = 2; i <= r; i++) if (v[i, "sent"] > v[i - 1, "sent"]) { if (!first) first = i - 1; lastr = i }
    if (!first) { print "no replies sent"; exit }
    n = v[lastr, "sent"] - v[first, "sent"]
    printf "| process | CPU ms per answered update (%d replies) |\n|---|---|\n", n
    total = 0
    for (k in names) if (k != "sent") {
      d = (v[lastr, k] - v[first, k]) / tick * 1000 / n
      total += d; printf "| %s | %.2f |\n", k, d
    }
    printf "| **all** | **%.2f** |\n", total
  }' "$OUT"
