#!/usr/bin/env bash
# Builds the BotFactory images with the thin per-service Dockerfiles:
#   1. the shared base images from deploy/Dockerfile: botfactory/build:local (all six binaries,
#      compiled once), botfactory/web:local (web/dist), botfactory/runtime:local (slim runtime);
#   2. botfactory/<service>:${TAG:-local} from deploy/<service>/Dockerfile for every service.
# usage: deploy/build-images.sh [service ...]     (default: all six)
# env: TAG (image tag, default local), JOBS (compile parallelism, default 2), DOCKER (docker).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-docker}
TAG=${TAG:-local}
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(gateway auth subscription bot-registry ai-proxy channel-connector)

for target in build web runtime; do
  "$DOCKER" build -f deploy/Dockerfile --target "$target" --build-arg JOBS="${JOBS:-2}" \
    -t "botfactory/$target:local" .
done
for svc in "${services[@]}"; do
  [ -f "deploy/$svc/Dockerfile" ] || { echo "build-images: no deploy/$svc/Dockerfile" >&2; exit 2; }
  "$DOCKER" build -t "botfactory/$svc:$TAG" "deploy/$svc"
done
