#!/usr/bin/env bash
# The compose start: generates the deployment's secrets when missing, then `docker compose up -d`.
# Extra arguments go to `docker compose up` (e.g. `--scale spelling-report=4`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$ROOT/deploy/docker/init-env.sh"
cd "$ROOT" && docker compose up -d "$@"
echo "Taskyard: http://127.0.0.1:${GATEWAY_PORT:-8080}/  (API keys: deploy/docker/keys.json)"
