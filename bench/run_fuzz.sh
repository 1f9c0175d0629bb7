#!/usr/bin/env bash
# Longer libFuzzer runs of every fuzz target (docs/benchmarks.md "Fuzzing"): each target runs for
# SECONDS with a random seed from the checked-in corpus (scripts/fuzz.sh run), then one markdown
# row per target: executions/s, coverage (edges, features), corpus size, crashes.
#   bash bench/run_fuzz.sh                     # 5 targets × 120 s ≈ 10 minutes
#   SECONDS_PER_TARGET=30 TARGETS="router multipart" bash bench/run_fuzz.sh
# Environment (defaults):
#   SECONDS_PER_TARGET (120)   time per target
#   TARGETS (all)              which targets (scripts/fuzz.sh list)
#   RUN_DIR (.run/bench-fuzz)  per target: log, corpus (inputs found), crash-* artifacts;
#                              results.md (the table)
#   MERGE (0)                  1: minimise the inputs found into tests/fuzz/corpus/<target>
#                              (libFuzzer -merge=1: only inputs that add coverage are copied)
# Exits non-zero when any target crashed (the artifacts stay in RUN_DIR/<target>).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-120}
TARGETS=${TARGETS:-$(scripts/fuzz.sh list)}
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-fuzz}
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"

# shellcheck disable=SC2086
scripts/fuzz.sh build $TARGETS >/dev/null
results="$RUN_DIR/results.md"
{
  echo "| target | seconds | execs | execs/s | edges (cov) | features (ft) | corpus: seeds → end (units/size) | peak RSS MB | crashes |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$results"
failed=0
for target in $TARGETS; do
  echo "fuzzing $target for ${SECONDS_PER_TARGET}s ..." >&2
  status=0
  FUZZ_WORK="$RUN_DIR" scripts/fuzz.sh run "$target" "$SECONDS_PER_TARGET" >"$RUN_DIR/$target.out" 2>&1 || status=$?
  log="$RUN_DIR/$target/log"
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  field() { sed -nE "s/.*[[:space:]]$1: ([^ ]+).*/\\1/p" <<<"$done_line"; }
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
  rss=$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+)/\1/p' "$log")
  seeds=$(find "tests/fuzz/corpus/$target" -type f | wc -l)
  crashes=$(find "$RUN_DIR/$target" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
    -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
  if [ "$status" -ne 0 ]; then
    failed=1
    [ "$crashes" -eq 0 ] && crashes="exit $status"
    cat "$RUN_DIR/$target.out" >&2
  fi
  echo "| $target | $SECONDS_PER_TARGET | ${execs:-?} | ${rate:-?} | $(field cov) | $(field ft) | $seeds → $(field corp) | ${rss:-?} | $crashes |" >>"$results"
  if [ "${MERGE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
    "${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}/tests/fuzz/fuzz_$target" -merge=1 \
      "tests/fuzz/corpus/$target" "$RUN_DIR/$target/corpus" >>"$RUN_DIR/$target.merge.log" 2>&1
  fi
done
cat "$results"
exit $failed
