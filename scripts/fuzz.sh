#!/usr/bin/env bash
# libFuzzer targets of the parsers the project owns (tests/fuzz/, docs/architecture.md "Fuzzing").
#   scripts/fuzz.sh build [TARGET...]   configure build-fuzz/ (clang-14, ASan + UBSan, only the
#                                       fuzz targets and their parser sources) and build
#   scripts/fuzz.sh check TARGET [RUNS] the checked-in corpus, then RUNS mutations (default per
#                                       target, a few seconds) with a fixed seed; `make test`
#   scripts/fuzz.sh run TARGET [SECONDS] a longer run with a random seed (bench/run_fuzz.sh);
#                                       new inputs go to $FUZZ_WORK/TARGET/corpus
#   scripts/fuzz.sh repro TARGET FILE   runs one input (e.g. a crash-* artifact)
#   scripts/fuzz.sh list                the targets
# Env: FUZZ_BUILD_DIR (build-fuzz), FUZZ_WORK (a temporary directory), FUZZ_RSS_MB (2048),
# FUZZ_NO_BUILD (0; 1 = use the built binaries as they are, as CTest does after fuzz_build).
# A crash, a property violation, a leak or a timeout exits non-zero; the input that caused it is
# kept as FUZZ_WORK/TARGET/crash-* (or leak-*, timeout-*) and named in the output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
TARGETS="ws_framing ws_client_frame multipart router static_files text_extract sse telegram whatsapp e2ee_envelope word_vectors sentence_tokenizer sentence_encoder_file"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true

# Per-target options: the longest input, the mutations of `check`, a dictionary when there is one.
max_len() {
  case $1 in
    ws_framing) echo 4096 ;;
    ws_client_frame) echo 20000 ;;  # past the 4000-code-point text limit
    multipart) echo 4096 ;;
    router|static_files) echo 1024 ;;
    text_extract) echo 8192 ;;
    sse) echo 4096 ;;
    telegram) echo 8192 ;;
    whatsapp) echo 8192 ;;
    e2ee_envelope) echo 25000 ;;  # past the 24000-character ciphertext limit
    word_vectors) echo 8192 ;;  # a header and a few words of 100 dims
    sentence_tokenizer) echo 4096 ;;  # a vocabulary and a text
    sentence_encoder_file) echo 8192 ;;  # a header, a few pieces and tensor headers
  esac
}
check_runs() {
  case $1 in
    text_extract) echo 20000 ;;
    ws_framing) echo 150000 ;;
    *) echo 100000 ;;
  esac
}

configure() {
  [ -f "$BUILD_DIR/build.ninja" ] && return 0
  local cxx
  cxx=$(command -v clang++-14 || command -v clang++ || true)
  [ -n "$cxx" ] || { echo "fuzz.sh: clang++ not found (scripts/setup.sh installs clang-14)" >&2; exit 1; }
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" -DBOTFACTORY_FUZZ=ON >/dev/null
}

build() {
  if [ "${FUZZ_NO_BUILD:-0}" = 1 ]; then  # CTest: the fuzz_build test built them
    for t in "$@"; do
      [ -x "$BUILD_DIR/tests/fuzz/fuzz_$t" ] || { echo "fuzz.sh: fuzz_$t is not built (scripts/fuzz.sh build)" >&2; exit 1; }
    done
    return 0
  fi
  configure
  local targets=()
  for t in "$@"; do targets+=("fuzz_$t"); done
  cmake --build "$BUILD_DIR" -- -j"${JOBS:-2}" "${targets[@]}"
}

known() {
  for t in $TARGETS; do [ "$t" = "$1" ] && return 0; done
  echo "fuzz.sh: unknown target '$1' (one of: $TARGETS)" >&2
  exit 2
}

# fuzz TARGET ARGS...: runs the fuzzer on a scratch copy of the corpus (the checked-in corpus is
# only read), with the target's dictionary and limits.
fuzz() {
  local target=$1
  shift
  local work=${FUZZ_WORK:-}
  if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/botfactory-fuzz.XXXXXX")
  fi
  local dir="$work/$target"
  mkdir -p "$dir/corpus"
  local args=(-max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb="${FUZZ_RSS_MB:-2048}"
              -artifact_prefix="$dir/" -print_final_stats=1)
  [ -f "tests/fuzz/dict/$target.dict" ] && args+=(-dict="tests/fuzz/dict/$target.dict")
  local status=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$BUILD_DIR/tests/fuzz/fuzz_$target" "${args[@]}" "$@" "$dir/corpus" "tests/fuzz/corpus/$target" \
    >"$dir/log" 2>&1 || status=$?
  # The summary: libFuzzer's final stats, then any report.
  grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' "$dir/log" || true
  if [ $status -ne 0 ]; then
    echo "FAIL fuzz_$target (exit $status); the fuzzer's output:"
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|INITED|RELOAD)' "$dir/log" | tail -60
    ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | sed 's/^/artifact: /' || true
    echo "reproduce: scripts/fuzz.sh repro $target <artifact>"
    return $status
  fi
  [ -z "${FUZZ_WORK:-}" ] && rm -rf "$work"
  echo "OK fuzz_$target"
}

cmd=${1:-}
case $cmd in
  build)
    shift
    for t in "$@"; do known "$t"; done
    build "$@"
    ;;
  check)
    target=${2:?usage: fuzz.sh check TARGET [RUNS]}
    known "$target"
    build "$target" >&2
    fuzz "$target" -seed=1 -runs="${3:-$(check_runs "$target")}"
    ;;
  run)
    target=${2:?usage: fuzz.sh run TARGET [SECONDS]}
    known "$target"
    build "$target" >&2
    fuzz "$target" -max_total_time="${3:-60}"
    ;;
  repro)
    target=${2:?usage: fuzz.sh repro TARGET FILE}
    known "$target"
    build "$target" >&2
    "$BUILD_DIR/tests/fuzz/fuzz_$target" "${3:?usage: fuzz.sh repro TARGET FILE}"
    ;;
  list)
    echo "$TARGETS"
    ;;
  *)
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
