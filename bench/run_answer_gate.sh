#!/usr/bin/env bash
# Offline answerer: answer or refuse (docs/benchmarks.md): starts a private PostgreSQL + Redis
# (scripts/servers.sh), runs bench_answer_gate on ../shared/data (covered questions answered
# with the right entry vs uncovered ones refused, over the relevance gate's thresholds), prints
# markdown tables and stops the servers.
#   bash bench/run_answer_gate.sh
# Environment (defaults):
#   BUILD_DIR (build)               CMake build dir with bench/bench_answer_gate
#   BUILD (1)                       build it first (scripts/build.sh)
#   RUN_DIR (.run/bench-answer-gate)  servers, results.jsonl, results.md
#   DATA (../shared/data)           the datasets (covid-faq-deepset, xquad-en-ru, mozilla-faq)
#   VECTORS (tools/word-vectors/en-100d.bfwv when present; empty: off)  semantic re-rank
#   SENTENCE_ENCODER (tools/sentence-encoder/use-lite-en.bfse when present; empty: off)
#                                   the sentence-encoder re-rank (replaces the word vectors)
#   DUMP (empty: off)               one JSON line per asked question (bench/retrieval_prototype/gate.py)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-answer-gate}
DATA=${DATA:-$ROOT/../shared/data}
[ -d "$DATA" ] || { echo "run_answer_gate: no datasets at $DATA (set DATA)" >&2; exit 1; }

if [ "${BUILD:-1}" = 1 ]; then BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_answer_gate; fi
[ -x "$BUILD_DIR/bench/bench_answer_gate" ] || { echo "run_answer_gate: bench_answer_gate not built" >&2; exit 1; }

mkdir -p "$RUN_DIR"
SERVERS="$RUN_DIR/servers"
trap 'scripts/servers.sh stop "$SERVERS" || true' EXIT
scripts/servers.sh start "$SERVERS" >/dev/null
# shellcheck disable=SC1091
. "$SERVERS/env"

ARGS=(--pg "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" --data "$DATA")
# VECTORS (default tools/word-vectors/en-100d.bfwv when present, as bot-registry's
# REGISTRY_WORD_VECTORS; VECTORS= turns it off): the semantic re-rank for the English bots.
DEFAULT_VECTORS=""
[ -f "$ROOT/tools/word-vectors/en-100d.bfwv" ] && DEFAULT_VECTORS="$ROOT/tools/word-vectors/en-100d.bfwv"
VECTORS=${VECTORS-$DEFAULT_VECTORS}
[ -n "$VECTORS" ] && ARGS+=(--vectors "$VECTORS")
DEFAULT_ENCODER=""
[ -f "$ROOT/tools/sentence-encoder/use-lite-en.bfse" ] && DEFAULT_ENCODER="$ROOT/tools/sentence-encoder/use-lite-en.bfse"
SENTENCE_ENCODER=${SENTENCE_ENCODER-$DEFAULT_ENCODER}
[ -n "$SENTENCE_ENCODER" ] && ARGS+=(--sentence-encoder "$SENTENCE_ENCODER")
[ -n "${DUMP:-}" ] && ARGS+=(--dump "$DUMP")
# Logs (JSON lines) and RESULT lines go to stderr; the table to stdout.
timeout 1800 "$BUILD_DIR/bench/bench_answer_gate" "${ARGS[@]}" \
  2> >(sed -n 's/^RESULT //p' >"$RUN_DIR/results.jsonl") | tee "$RUN_DIR/results.md"
echo "(raw results: $RUN_DIR/results.jsonl)"
