#!/bin/sh
# Container health check: GET /healthz on this service's ops port, fails on anything but 2xx.
# The port comes from the same variable the binary reads (so overrides stay consistent):
# HTTP_LISTEN for the gateway, <SERVICE>_METRICS_LISTEN for the gRPC services.
set -eu
case "${BOTFACTORY_SERVICE:-}" in
  gateway) listen=${HTTP_LISTEN:-0.0.0.0:8080} ;;
  auth) listen=${AUTH_METRICS_LISTEN:-0.0.0.0:9101} ;;
  subscription) listen=${SUBSCRIPTION_METRICS_LISTEN:-0.0.0.0:9102} ;;
  bot-registry) listen=${REGISTRY_METRICS_LISTEN:-0.0.0.0:9103} ;;
  ai-proxy) listen=${AI_PROXY_METRICS_LISTEN:-0.0.0.0:9104} ;;
  channel-connector) listen=${CHANNEL_METRICS_LISTEN:-0.0.0.0:9105} ;;
  *) echo "botfactory-healthcheck: unknown BOTFACTORY_SERVICE '${BOTFACTORY_SERVICE:-}'" >&2; exit 1 ;;
esac
exec curl --fail --silent --show-error --max-time 2 --output /dev/null \
  "http://127.0.0.1:${listen##*:}${1:-/healthz}"
