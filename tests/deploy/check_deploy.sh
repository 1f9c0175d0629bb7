#!/usr/bin/env bash
# Offline checks of the container deployment (no Docker engine needed):
#  1. docker-compose.yml passes Debian's `docker-compose config -q` (compose 1.29 schema);
#  2. the checker can fail: a copy with an unknown key, and the file without JWT_SECRET, are
#     rejected;
#  3. every service under services/ has deploy/<service>/Dockerfile, a stage in deploy/Dockerfile,
#     a compose service (gateway: gateway-1 and gateway-2) with a /healthz healthcheck, a restart
#     policy and resource limits, and a deploy/k8s/<service>.yaml;
#  4. the gateways publish 8080 and 8081; deploy/Dockerfile installs every build package of
#     scripts/setup.sh except the servers and test tools (fuzzer toolchain included).
# usage: check_deploy.sh [REPO_ROOT]     exit 0 = all passed; prints each failure.
set -uo pipefail
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root" || exit 1
compose=${DOCKER_COMPOSE:-docker-compose}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }
mark=0
step() { mark=$failures; }                                 # starts a group of checks
done_step() { [ "$failures" -eq "$mark" ] && pass "$*"; }  # reports it when none failed

if ! command -v "$compose" >/dev/null 2>&1; then
  echo "FAIL: $compose not found (scripts/setup.sh installs Debian's docker-compose)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JWT_SECRET=deploy-test-secret-not-for-production
export INTERNAL_RPC_SECRET=deploy-test-internal-secret-not-for-production
export PROVIDER_KEYS_SECRET=deploy-test-provider-keys-secret-not-for-production
export CHANNEL_CREDENTIALS_SECRET=deploy-test-channel-credentials-secret-not-for-production
export WEBHOOK_SECRETS_KEY=deploy-test-webhook-secrets-key-not-for-production
cfg() { "$compose" -f "$1" --project-directory "$root" "${@:2}"; }

# 1. The real file.
if cfg docker-compose.yml config -q 2>"$tmp/err"; then
  pass "docker-compose.yml: docker-compose config -q"
else
  fail "docker-compose.yml rejected by docker-compose config: $(cat "$tmp/err")"
fi
cfg docker-compose.yml config >"$tmp/rendered.yml" 2>/dev/null
services=$(cfg docker-compose.yml config --services 2>/dev/null | sort)

# 2. Negative checks: the validator must reject a bad key and a missing mandatory secret.
cp docker-compose.yml "$tmp/good.yml"
if ! cfg "$tmp/good.yml" config -q 2>/dev/null; then
  fail "an unmodified copy in $tmp is rejected (the negative check would prove nothing)"
fi
sed 's/^\(  gateway-1:.*\)$/\1\n    not_a_compose_option: 1/' docker-compose.yml >"$tmp/bad.yml"
if cmp -s docker-compose.yml "$tmp/bad.yml"; then
  fail "could not inject a bad key (no 'gateway-1:' service line)"
elif cfg "$tmp/bad.yml" config -q 2>"$tmp/err"; then
  fail "a copy with an unknown key 'not_a_compose_option' passed docker-compose config"
elif grep -q not_a_compose_option "$tmp/err"; then
  pass "unknown key rejected: $(tr '\n' ' ' <"$tmp/err" | cut -c1-120)"
else
  fail "bad copy rejected for another reason: $(cat "$tmp/err")"
fi
if env -u JWT_SECRET "$compose" -f docker-compose.yml --project-directory "$root" config -q 2>/dev/null; then
  fail "docker-compose.yml accepted without JWT_SECRET (it must be mandatory)"
else
  pass "JWT_SECRET is mandatory"
fi
if env -u INTERNAL_RPC_SECRET "$compose" -f docker-compose.yml --project-directory "$root" config -q 2>/dev/null; then
  fail "docker-compose.yml accepted without INTERNAL_RPC_SECRET (it must be mandatory)"
else
  pass "INTERNAL_RPC_SECRET is mandatory"
fi
if env -u PROVIDER_KEYS_SECRET "$compose" -f docker-compose.yml --project-directory "$root" config -q 2>/dev/null; then
  fail "docker-compose.yml accepted without PROVIDER_KEYS_SECRET (it must be mandatory)"
else
  pass "PROVIDER_KEYS_SECRET is mandatory"
fi
if env -u CHANNEL_CREDENTIALS_SECRET "$compose" -f docker-compose.yml --project-directory "$root" config -q 2>/dev/null; then
  fail "docker-compose.yml accepted without CHANNEL_CREDENTIALS_SECRET (it must be mandatory)"
else
  pass "CHANNEL_CREDENTIALS_SECRET is mandatory"
fi
if env -u WEBHOOK_SECRETS_KEY "$compose" -f docker-compose.yml --project-directory "$root" config -q 2>/dev/null; then
  fail "docker-compose.yml accepted without WEBHOOK_SECRETS_KEY (it must be mandatory)"
else
  pass "WEBHOOK_SECRETS_KEY is mandatory"
fi

# Prints the rendered block of one compose service.
block() { awk -v s="  $1:" '$0 == s {on = 1; next} on && /^  [^ ]/ {exit} on && /^[^ ]/ {exit} on' "$tmp/rendered.yml"; }

# 3. Every service of the tree is deployable.
svc_dirs=$(find services -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
[ -n "$svc_dirs" ] || fail "no service directories under services/"
for s in postgres redis; do
  grep -qx "$s" <<<"$services" || fail "compose: no '$s' service"
done
for svc in $svc_dirs; do
  step
  df="deploy/$svc/Dockerfile"
  if [ ! -f "$df" ]; then
    fail "$svc: no $df"
  else
    grep -q "^FROM " "$df" || fail "$df: no FROM"
    grep -q "botfactory-$svc" "$df" || fail "$df: does not install botfactory-$svc"
    grep -q "^ENTRYPOINT " "$df" || fail "$df: no ENTRYPOINT"
    grep -q "^EXPOSE " "$df" || fail "$df: no EXPOSE"
  fi
  grep -q "^FROM runtime AS service-$svc\$" deploy/Dockerfile || fail "deploy/Dockerfile: no stage service-$svc"
  [ -f "deploy/k8s/$svc.yaml" ] || fail "$svc: no deploy/k8s/$svc.yaml"
  names=$svc
  [ "$svc" = gateway ] && names="gateway-1 gateway-2"
  for name in $names; do
    if ! grep -qx "$name" <<<"$services"; then
      fail "compose: no service '$name' for services/$svc"
      continue
    fi
    b=$(block "$name")
    grep -q "SERVICE: $svc\$" <<<"$b" || fail "compose $name: not built with SERVICE=$svc"
    grep -q "/healthz" <<<"$b" || fail "compose $name: no /healthz healthcheck"
    grep -q "restart: " <<<"$b" || fail "compose $name: no restart policy"
    grep -q "memory: " <<<"$b" || fail "compose $name: no memory limit"
    grep -q "JWT_SECRET: $JWT_SECRET" <<<"$b" || fail "compose $name: JWT_SECRET not passed"
    grep -q "INTERNAL_RPC_SECRET: $INTERNAL_RPC_SECRET" <<<"$b" || fail "compose $name: INTERNAL_RPC_SECRET not passed"
    grep -q "_LISTEN: 0.0.0.0:" <<<"$b" || fail "compose $name: does not listen on 0.0.0.0"
    if [ "$svc" = bot-registry ]; then
      grep -q "PROVIDER_KEYS_SECRET: $PROVIDER_KEYS_SECRET" <<<"$b" || fail "compose $name: PROVIDER_KEYS_SECRET not passed"
    fi
    if [ "$svc" = channel-connector ]; then
      grep -q "CHANNEL_CREDENTIALS_SECRET: $CHANNEL_CREDENTIALS_SECRET" <<<"$b" || fail "compose $name: CHANNEL_CREDENTIALS_SECRET not passed"
      grep -q "WEBHOOK_SECRETS_KEY: $WEBHOOK_SECRETS_KEY" <<<"$b" || fail "compose $name: WEBHOOK_SECRETS_KEY not passed"
    fi
  done
  done_step "$svc: Dockerfile, compose service, k8s manifest"
done

# 4. Fleet shape and Dockerfile package list.
step
grep -A3 "published: 8080" <<<"$(block gateway-1)" | grep -q "target: 8080" || fail "gateway-1 not on host port 8080"
grep -A3 "published: 8081" <<<"$(block gateway-2)" | grep -q "target: 8080" || fail "gateway-2 not on host port 8081"
[ "$(block gateway-1 | grep 'image:')" = "$(block gateway-2 | grep 'image:')" ] || fail "gateway replicas use different images"
done_step "two gateway replicas on 8080 and 8081"
step
pkgs=$(sed -n '/^APT_PACKAGES=(/,/^)/p' scripts/setup.sh | sed '1d;$d' | tr -s ' \t' '\n' | grep -v '^$')
[ -n "$pkgs" ] || fail "could not read APT_PACKAGES from scripts/setup.sh"
for p in $pkgs; do
  case $p in postgresql | redis-server | nodejs | npm | chromium | docker-compose | clang-14 | libfuzzer-14-dev) continue ;; esac
  grep -qE "(^|[[:space:]])$(sed 's/[+.]/\\&/g' <<<"$p")([[:space:]]|\$)" deploy/Dockerfile \
    || fail "deploy/Dockerfile does not install build package $p (scripts/setup.sh)"
done
done_step "deploy/Dockerfile build stage matches scripts/setup.sh"
step
sh -n deploy/healthcheck.sh || fail "deploy/healthcheck.sh: shell syntax error"
bash -n deploy/build-images.sh || fail "deploy/build-images.sh: shell syntax error"
grep -q "^COPY deploy/healthcheck.sh " deploy/Dockerfile || fail "deploy/Dockerfile does not install deploy/healthcheck.sh"
# Every logical line of every Dockerfile starts with a Dockerfile instruction (catches typos and
# broken line continuations; there is no engine here to parse them).
for df in deploy/Dockerfile deploy/*/Dockerfile; do
  bad=$(awk '
    /^[[:space:]]*#/ && !cont { next }
    /^[[:space:]]*$/ { next }
    { line = $0
      if (!cont) {
        split(line, w, /[[:space:]]+/)
        if (toupper(w[1]) !~ /^(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)$/)
          print FILENAME ":" NR ": " line
      }
      cont = (line ~ /\\[[:space:]]*$/) }' "$df")
  [ -z "$bad" ] || fail "not a Dockerfile instruction: $bad"
  grep -q "^FROM " "$df" || fail "$df: no FROM"
done
done_step "deploy scripts parse"

if [ "$failures" -gt 0 ]; then
  echo "check_deploy: $failures failure(s)" >&2
  exit 1
fi
echo "check_deploy: all passed"
