#!/usr/bin/env bash
# The ranking prototype of docs/benchmarks.md "Lexical ideas measured": starts a private
# PostgreSQL, runs bench_retrieval --keep (every dataset, no latency run), dumps the kept
# database and prints every measured variant (recall@1 half 0 / half 1 (all)).
#   DATA=/work/shared/data bash bench/retrieval_prototype/run.sh
# Needs python3 (standard library), psql, a build of bench_retrieval (BUILD_DIR, default build)
# and, for the WordNet rows, Debian's wordnet-base; for the word-vector rows (embed.py), the file
# scripts/setup.sh converts (tools/word-vectors/en-100d.bfwv); for the sentence-encoder rows
# (sentence.py), tools/sentence-encoder/use-lite-en.bfse and a build of bench_sentence_encoder.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
OUT=${OUT:-$ROOT/.run/retrieval-prototype}
export DATA=${DATA:-$ROOT/../shared/data}
mkdir -p "$OUT"
trap 'scripts/servers.sh stop "$OUT/servers" || true' EXIT
scripts/servers.sh start "$OUT/servers" >/dev/null
# shellcheck disable=SC1091
. "$OUT/servers/env"
export PG_PORT
"$BUILD_DIR/bench/bench_retrieval" --pg "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres" \
  --data "$DATA" --scale-chunks 0 --keep >"$OUT/bench.md" 2>"$OUT/bench.log"
DB=$(sed -n 's/^kept database //p' "$OUT/bench.log")
P=bench/retrieval_prototype
python3 $P/dump.py "$DB" "$OUT"
if [ -d /usr/share/wordnet ]; then python3 $P/wordnet.py "$DB" "$OUT"; fi
python3 $P/rank.py "$OUT" "{}"
python3 $P/rank.py "$OUT" "{'k1': [0.9, 1.2, 1.6, 2.0], 'b': [0.5, 0.75, 0.9]}"
python3 $P/rank.py "$OUT" "{'gw': [0.5, 0.7, 1.0, 1.5], 'ncand': [20, 50]}"
python3 $P/rank.py "$OUT" "{'coord': [0.5, 1, 2]}"
python3 $P/rank.py "$OUT" "{'title': [0.3, 0.6, 1.0, 1.5]}"
python3 $P/rank.py "$OUT" "{'bigram': [0.5, 1, 2, 3], 'win': [1, 2]}"
python3 $P/rank.py "$OUT" "{'rrf': [1, 5, 20, 60], 'w2': [0.5, 1]}"
if [ -f "$OUT/wordnet.json" ]; then
  python3 $P/rank.py "$OUT" "{'wn': ['lemma', 's1', 's1d', 's2', 's1n'], 'alpha': [0.2, 0.4, 0.7]}"
fi
python3 $P/guard.py "$OUT"
# Word vectors (docs/benchmarks.md "Word vectors"): the file scripts/setup.sh converts.
VEC=$ROOT/tools/word-vectors/en-100d.bfwv
if [ -f "$VEC" ]; then
  (cd $P && python3 embed.py "$OUT" "$VEC" "{'mode': ['mean'], 'center': ['global', 'bot', 'cand'], 'w': [0.1, 0.2, 0.3, 0.5, 1], 'a': [1e-3, 1e-4], 'tw': [1]}")
  (cd $P && python3 embed.py "$OUT" "$VEC" "{'mode': ['mean'], 'center': ['cand'], 'w': [0.25, 0.3, 0.4], 'a': [1e-3, 3e-3], 'tw': [2, 3, 5]}")
  (cd $P && python3 embed.py "$OUT" "$VEC" "{'mode': ['mean'], 'center': ['cand'], 'w': [0.3], 'a': [1e-3], 'tw': [5], 'r5': [1], 'guard': [1]}")
fi
# Sentence encoder (docs/benchmarks.md "Sentence-encoder re-rank (issue 7)"): every English
# chunk, title and question embedded once by bench_sentence_encoder --embed (~1–2 min).
ENC=$ROOT/tools/sentence-encoder/use-lite-en.bfse
if [ -f "$ENC" ] && [ -x "$BUILD_DIR/bench/bench_sentence_encoder" ]; then
  S="python3 $P/sentence.py $OUT $BUILD_DIR/bench/bench_sentence_encoder $ENC"
  $S "{'how': ['text', 'title', 'max', 'mean', 'a0.65'], 'w': [1, 2, 2.5, 3, 4, 5]}"
  $S "{'how': ['mean'], 'w': [3], 'k': [0, 5, 20]}"
fi
