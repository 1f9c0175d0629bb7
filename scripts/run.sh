#!/usr/bin/env bash
# `make run`: the embedded default. Installs what is missing, builds, starts a private
# PostgreSQL and Redis on loopback (data kept in .run/embedded between runs), every service with
# two gateway replicas (each restarted when it dies, see scripts/fleet.sh), seeds the demo tenant and bot, prints the URLs, and on Ctrl-C stops
# everything it started.
# Overrides: GATEWAY_PORTS ("8080 8081"), PORT_BASE (50050), PG_PORT, REDIS_PORT, JWT_SECRET,
# INTERNAL_RPC_SECRET, PROVIDER_KEYS_SECRET. Secrets not given are generated once into .run/embedded/secrets.env
# (mode 600) and reused by later runs, like the data.
# A real model: OPENAI_API_KEY and/or OPENAI_BASE_URL (a local OpenAI-compatible server such as
# llama.cpp or Ollama; a trailing /v1 is dropped, ai-proxy appends /v1/chat/completions),
# OPENAI_MODEL, or GEMINI_API_KEY (GEMINI_MODEL); DEMO_PROVIDER picks one when both are set. The
# services inherit them (bot-registry decides which answerer a bot gets, ai-proxy calls the
# model); the demo bot is switched to that provider on every start, back to extractive without.
# Keys are never printed.
# TELEGRAM_BOT_TOKEN (from @BotFather): the demo bot answers that Telegram bot too (long polling,
# no public address needed; docs/channels.md); TELEGRAM_API_BASE_URL points it at another Bot API
# server (a fake, a local telegram-bot-api).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN_DIR=$ROOT/.run/embedded
# English word vectors for bot-registry's semantic re-rank (scripts/setup.sh converts them).
export REGISTRY_WORD_VECTORS=${REGISTRY_WORD_VECTORS-$ROOT/tools/word-vectors/en-100d.bfwv}
# English sentence encoder (USE-lite) for bot-registry (scripts/setup.sh converts it).
export REGISTRY_SENTENCE_ENCODER=${REGISTRY_SENTENCE_ENCODER-$ROOT/tools/sentence-encoder/use-lite-en.bfse}
export GATEWAY_PORTS=${GATEWAY_PORTS:-"8080 8081"}

scripts/setup.sh
scripts/build.sh botfactory-auth botfactory-subscription botfactory-bot-registry \
  botfactory-ai-proxy botfactory-channel-connector botfactory-gateway
(cd web && npm run --silent build)

cleanup() {
  trap - INT TERM EXIT
  trap '' PIPE  # the terminal or a pipe may be gone already; stopping must still finish
  if [ -n "${sleeper:-}" ]; then kill "$sleeper" 2>/dev/null || true; fi
  echo
  echo "run: stopping services…"
  scripts/fleet.sh stop "$RUN_DIR/fleet" || true
  scripts/servers.sh stop "$RUN_DIR/servers" || true
  echo "run: stopped"
  exit 0
}
trap cleanup INT TERM EXIT

for port in $GATEWAY_PORTS; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run: port $port is busy; set GATEWAY_PORTS to free ports, e.g. GATEWAY_PORTS=\"9080 9081\" make run" >&2
    exit 1
  fi
done

# Random secrets for this embedded data directory, created once and kept with the data (tokens
# stay valid across restarts). Values from the environment win.
secrets_file=$RUN_DIR/secrets.env
if [ ! -s "$secrets_file" ]; then
  mkdir -p "$RUN_DIR"
  (
    umask 077
    random_secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
    printf 'JWT_SECRET=%s\nINTERNAL_RPC_SECRET=%s\nPROVIDER_KEYS_SECRET=%s\n' \
      "$(random_secret)" "$(random_secret)" "$(random_secret)" >"$secrets_file.tmp"
    mv "$secrets_file.tmp" "$secrets_file"
  )
  echo "run: generated secrets in $secrets_file"
fi
while IFS='=' read -r key value; do
  case "$key" in
    JWT_SECRET | INTERNAL_RPC_SECRET | PROVIDER_KEYS_SECRET | CHANNEL_CREDENTIALS_SECRET | WEBHOOK_SECRETS_KEY) [ -n "${!key:-}" ] || export "$key=$value" ;;
  esac
done <"$secrets_file"
# A secrets.env from before PROVIDER_KEYS_SECRET existed: add one (keys sealed under it must
# keep opening across restarts, so it is kept with the data like the others).
if [ -z "${PROVIDER_KEYS_SECRET:-}" ]; then
  PROVIDER_KEYS_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf 'PROVIDER_KEYS_SECRET=%s\n' "$PROVIDER_KEYS_SECRET" >>"$secrets_file")
fi
# Likewise CHANNEL_CREDENTIALS_SECRET (channel-connector seals channel tokens under it).
if [ -z "${CHANNEL_CREDENTIALS_SECRET:-}" ]; then
  CHANNEL_CREDENTIALS_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf 'CHANNEL_CREDENTIALS_SECRET=%s\n' "$CHANNEL_CREDENTIALS_SECRET" >>"$secrets_file")
fi
# Likewise WEBHOOK_SECRETS_KEY (channel-connector seals webhook signing secrets under it).
if [ -z "${WEBHOOK_SECRETS_KEY:-}" ]; then
  WEBHOOK_SECRETS_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf 'WEBHOOK_SECRETS_KEY=%s\n' "$WEBHOOK_SECRETS_KEY" >>"$secrets_file")
fi
export JWT_SECRET INTERNAL_RPC_SECRET PROVIDER_KEYS_SECRET CHANNEL_CREDENTIALS_SECRET WEBHOOK_SECRETS_KEY

# The OpenAI SDKs' base URLs end in /v1 (Ollama's docs say http://localhost:11434/v1); ai-proxy
# adds /v1/chat/completions itself.
if [[ "${OPENAI_BASE_URL:-}" =~ /v1/*$ ]]; then
  OPENAI_BASE_URL=$(printf '%s' "$OPENAI_BASE_URL" | sed -E 's#/v1/*$##')
  export OPENAI_BASE_URL
  echo "run: OPENAI_BASE_URL without its trailing /v1: $(printf '%s' "$OPENAI_BASE_URL" | sed -E 's#//[^/@]*@#//#')"
fi

scripts/servers.sh start "$RUN_DIR/servers"
# shellcheck disable=SC1091
. "$RUN_DIR/servers/env"
export DATABASE_URL=$PG_CONNINFO REDIS_HOST=127.0.0.1 REDIS_PORT
export BIN_DIR=$ROOT/build WEB_ROOT=$ROOT/web/dist
export ATTACHMENTS_DIR=${ATTACHMENTS_DIR:-$RUN_DIR/attachments}  # files: chat attachments
# A local run: the tenant is the developer, whose own model server (Ollama, llama.cpp) listens
# on 127.0.0.1. Production keeps the default "off" (docs/security.md, SSRF).
export LLM_TENANT_PRIVATE_ADDRESSES=${LLM_TENANT_PRIVATE_ADDRESSES:-on}
# hooks: outgoing webhooks to a receiver on this machine (http://127.0.0.1:…); production: off.
export WEBHOOK_ALLOW_PRIVATE=${WEBHOOK_ALLOW_PRIVATE:-1}
scripts/fleet.sh start "$RUN_DIR/fleet"

first_port=${GATEWAY_PORTS%% *}
second_port=${GATEWAY_PORTS##* }
node scripts/seed.mjs "http://127.0.0.1:$first_port" "$RUN_DIR/demo.json" \
  deploy/seed/mozilla-faq/docs.en.jsonl deploy/seed/mozilla-faq/docs.ru.jsonl \
  deploy/seed/mozilla-faq/docs.uz.jsonl >/dev/null
public_id=$(sed -n 's/.*"public_id": "\([^"]*\)".*/\1/p' "$RUN_DIR/demo.json")
answerer=$(node scripts/lib/describe-answerer.mjs "$RUN_DIR/demo.json")
telegram=$(sed -n 's/.*"telegram": "\([^"]*\)".*/\1/p' "$RUN_DIR/demo.json")
telegram_line=""
[ -n "$telegram" ] && telegram_line="
  Demo bot on Telegram:     $telegram: write to it in Telegram (TELEGRAM_BOT_TOKEN)"

cat <<INFO

  BotFactory is running (embedded default).

  Dashboard (sign in/up):   http://127.0.0.1:$first_port/app/   (demo login below)
  Chat with the demo bot:   http://127.0.0.1:$first_port/?bot=$public_id
  Same, second replica:     http://127.0.0.1:$second_port/?bot=$public_id
  Widget on a page:         http://127.0.0.1:$first_port/widget-preview.html?bot=$public_id   (docs/widget.md)
  REST API:                 http://127.0.0.1:$first_port/api/v1   (docs/api.md)
  Health / metrics:         http://127.0.0.1:$first_port/readyz   http://127.0.0.1:$first_port/metrics
  Demo tenant login:        demo@botfactory.local / demo-password-2026
  Demo bot answers with:    $answerer$telegram_line
  Logs:                     $RUN_DIR/fleet/logs/
  A service that dies is restarted (back-off 1 s doubling to 30 s; logs/fleet.log says so).

  Press Ctrl-C to stop.
INFO
while true; do
  sleep 3600 &
  sleeper=$!
  wait $sleeper || true
done
