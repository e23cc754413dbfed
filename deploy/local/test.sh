#!/usr/bin/env bash
# `npm test`: installs what is missing (Chromium too, for the console's browser tests), starts the
# servers (not the services: tests start their own), type-checks, and runs every Jest test.
# Prints `N passed, N failed` from Jest's JSON results and exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/deploy/local/install.sh" --browser
if [ -z "${MONGO_URL:-}${RABBITMQ_URL:-}${S3_ENDPOINT:-}" ]; then bash "$ROOT/deploy/local/servers.sh" start; fi
export_env
cd "$ROOT"
say "type-checking"
typecheck=0
pnpm -s typecheck || typecheck=1
results="$ROOT/.jest-results.json"
rm -f "$results"
say "running the tests"
set +e
pnpm -s jest --json --outputFile="$results" "$@"
jest_status=$?
set -e
node "$ROOT/deploy/local/summarize-results.js" "$results" "$typecheck"
summary_status=$?
[ $jest_status -eq 0 ] && [ $typecheck -eq 0 ] && [ $summary_status -eq 0 ]
