#!/usr/bin/env bash
# Knowledge extraction benchmark (docs/benchmarks.md "Knowledge extraction"): builds
# bench_extract and prints extraction + chunking time for ordinary and hostile Markdown, HTML,
# plain text and PDF documents of 64 KiB … 8 MiB. Linear time = a flat "ms per MiB" column.
# In process; no servers needed. About a minute.
#   bash bench/run_extract.sh
# Environment (defaults): BUILD_DIR (build), BUILD (1), SIZES (64,256,1024,4096,8192 KiB), RUNS (3),
# ONLY (all documents; e.g. "markdown" or "pdf")
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ "${BUILD:-1}" = 1 ]; then BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_extract; fi
LOG_LEVEL=warn timeout 1200 "$BUILD_DIR/bench/bench_extract" \
  --sizes "${SIZES:-64,256,1024,4096,8192}" --runs "${RUNS:-3}" --only "${ONLY:-}"
