#!/usr/bin/env bash
# ai-proxy overhead benchmark (docs/benchmarks.md "ai-proxy overhead"): builds bench_ai_proxy and
# runs it with the reply in one delta (ai-proxy's default for the extractive provider) and in
# deltas of 4 words (the cost per streamed delta). In process, loopback gRPC; no servers needed.
#   bash bench/run_ai_proxy.sh
# Environment (defaults): BUILD_DIR (build), BUILD (1), CALLS (5000)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ "${BUILD:-1}" = 1 ]; then BUILD_DIR="$BUILD_DIR" scripts/build.sh bench_ai_proxy; fi
# In-process gRPC servers and clients share a random internal-call secret.
export INTERNAL_RPC_SECRET=${INTERNAL_RPC_SECRET:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
for words in 0 4; do
  LOG_LEVEL=warn timeout 300 "$BUILD_DIR/bench/bench_ai_proxy" "${CALLS:-5000}" "$words" 2>/dev/null
  echo
done
