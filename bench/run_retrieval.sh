#!/usr/bin/env bash
# Knowledge retrieval benchmark (docs/benchmarks.md "Knowledge retrieval"): starts a private
# PostgreSQL + Redis (scripts/servers.sh), runs bench_retrieval on the FAQ datasets of
# ../shared/data (recall@1, recall@5 and MRR@5 of SearchKnowledge's BM25F ranking against
# PostgreSQL ts_rank on the same index; the Mozilla FAQ also answers-only), the out-of-knowledge
# guard curves (best score vs covered/uncovered questions) and the search latency at
# SCALE_CHUNKS chunks in one bot, prints markdown tables and stops the servers.
#   bash bench/run_retrieval.sh
# Environment (defaults):
#   BUILD_DIR (build)               CMake build dir with bench/bench_retrieval
#   BUILD (1)                       build it first (scripts/build.sh)
#   RUN_DIR (.run/bench-retrieval)  servers, results.jsonl, results.md
#   DATA (../shared/data)           the datasets (covid-faq-deepset, xquad-en-ru, mozilla-faq)
#   ONLY                            run only the datasets whose name contains this
#                                   ("guard": the guard curves, "scale": the latency run)
#   SCALE_CHUNKS (10000)            chunks of the latency bot (0 skips it)
#   VECTORS (tools/word-vectors/en-100d.bfwv when present; empty: none)
#                                   word vectors: adds the "+ vectors" columns (semantic re-rank)
#                                   and the "index + word vectors" latency row
#   SENTENCE_ENCODER (tools/sentence-encoder/use-lite-en.bfse when present; empty: none)
#                                   the shipped configuration: every chunk embedded by the backfill
#                                   worker, the "Sentence-encoder re-rank" table and latency row
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
RUN_DIR=${RUN_DIR:-$ROOT/.run/bench-retrieval}
DATA=${DATA:-$ROOT/../shared/data}
[ -d "$DATA" ] || { echo "run_retrieval: no datasets at $DATA (set DATA)" >&2; exit 1; }

if [ "${BUILD:-1}" = 1 ]; then BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_retrieval; fi
[ -x "$BUILD_DIR/bench/bench_retrieval" ] || { echo "run_retrieval: bench_retrieval not built" >&2; exit 1; }

mkdir -p "$RUN_DIR"
SERVERS="$RUN_DIR/servers"
trap 'scripts/servers.sh stop "$SERVERS" || true' EXIT
scripts/servers.sh start "$SERVERS" >/dev/null
# shellcheck disable=SC1091
. "$SERVERS/env"

ARGS=(--pg "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" --data "$DATA")
[ -n "${ONLY:-}" ] && ARGS+=(--only "$ONLY")
ARGS+=(--scale-chunks "${SCALE_CHUNKS:-10000}")
DEFAULT_VECTORS=""
[ -f "$ROOT/tools/word-vectors/en-100d.bfwv" ] && DEFAULT_VECTORS="$ROOT/tools/word-vectors/en-100d.bfwv"
VECTORS=${VECTORS-$DEFAULT_VECTORS}
[ -n "$VECTORS" ] && ARGS+=(--vectors "$VECTORS")
DEFAULT_ENCODER=""
[ -f "$ROOT/tools/sentence-encoder/use-lite-en.bfse" ] && DEFAULT_ENCODER="$ROOT/tools/sentence-encoder/use-lite-en.bfse"
SENTENCE_ENCODER=${SENTENCE_ENCODER-${REGISTRY_SENTENCE_ENCODER-$DEFAULT_ENCODER}}
[ -n "$SENTENCE_ENCODER" ] && ARGS+=(--sentence-encoder "$SENTENCE_ENCODER")
# Logs (JSON lines) and RESULT lines go to stderr; the table to stdout.
timeout 2400 "$BUILD_DIR/bench/bench_retrieval" "${ARGS[@]}" \
  2> >(sed -n 's/^RESULT //p' >"$RUN_DIR/results.jsonl") | tee "$RUN_DIR/results.md"
echo "(raw results: $RUN_DIR/results.jsonl)"
