#!/usr/bin/env bash
# `npm run stop`: stops the services and the servers that `npm start` started (by pid), leaving data.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/deploy/local/services.sh" stop
bash "$ROOT/deploy/local/servers.sh" stop
say "stopped"
