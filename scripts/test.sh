#!/usr/bin/env bash
# `make test`: installs what is missing, builds, starts a private PostgreSQL and Redis for the
# tests, runs every test through CTest (unit, integration, end-to-end), then stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
scripts/setup.sh
scripts/build.sh
(cd web && npm run --silent build)
TEST_DIR=${TEST_DIR:-$PWD/.run/test}
rm -rf "$TEST_DIR"
scripts/servers.sh start "$TEST_DIR"
trap '"$ROOT/scripts/servers.sh" stop "$TEST_DIR"' EXIT
# shellcheck disable=SC1091
. "$TEST_DIR/env"
export BOTFACTORY_TEST_PG="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
export BOTFACTORY_TEST_PG_BASE="host=127.0.0.1 port=$PG_PORT user=postgres"
export BOTFACTORY_TEST_REDIS_HOST=127.0.0.1 BOTFACTORY_TEST_REDIS_PORT=$REDIS_PORT
export BOTFACTORY_BUILD_DIR="$PWD/build"
# Fresh random secrets for every run: no test needs BOTFACTORY_INSECURE_DEV (tests that check the
# secret rules set their own values).
random_secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export JWT_SECRET="test-$(random_secret)" INTERNAL_RPC_SECRET="test-$(random_secret)"
export PROVIDER_KEYS_SECRET="$(random_secret)"  # 64 hex characters = the 32-byte key
export CHANNEL_CREDENTIALS_SECRET="$(random_secret)"  # same, channel-connector
export WEBHOOK_SECRETS_KEY="$(random_secret)"  # same, channel-connector's webhook secrets
unset BOTFACTORY_INSECURE_DEV
cd build
ctest --output-on-failure --timeout 300 "$@"
