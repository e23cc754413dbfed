# Shared settings of the local (Docker-less) stack. Sourced by the other scripts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# As root the state lives in /var/lib so that the postgres user can reach its data directory.
if [ "$(id -u)" = 0 ]; then STATE="${TASKYARD_STATE:-/var/lib/taskyard}"; else STATE="${TASKYARD_STATE:-$HOME/.local/state/taskyard}"; fi
CACHE="${TASKYARD_CACHE:-$HOME/.cache/taskyard}"
mkdir -p "$STATE/run" "$STATE/log" "$CACHE"

FERRETDB_VERSION=v1.24.0
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
GO_TOOLCHAIN=go1.24.8
PNPM_VERSION=10.34.8

PG_PORT="${TASKYARD_PG_PORT:-54329}"
MONGO_PORT="${TASKYARD_MONGO_PORT:-27018}"
AMQP_PORT="${TASKYARD_AMQP_PORT:-5673}"
RABBIT_UI_PORT="${TASKYARD_RABBIT_UI_PORT:-15673}"
RABBIT_PROM_PORT="${TASKYARD_RABBIT_PROM_PORT:-15693}"
S3_PORT="${TASKYARD_S3_PORT:-9010}"
S3_CONSOLE_PORT="${TASKYARD_S3_CONSOLE_PORT:-9011}"
GATEWAY_PORT="${TASKYARD_GATEWAY_PORT:-8080}"

S3_ACCESS_KEY=taskyard
S3_SECRET_KEY=taskyard-local-secret
S3_BUCKET=taskyard

# Keyed by the embedding program too, so a change to it is rebuilt rather than served from the cache.
FERRETDB_SRC=$(cat "$ROOT/deploy/local/ferretdb/main.go" "$ROOT/deploy/local/ferretdb/go.sum" | sha1sum | cut -c1-10)
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION-$FERRETDB_SRC/ferretdb"
MINIO_BIN="$CACHE/minio-$MINIO_VERSION/minio"

say() { printf '\033[1m[taskyard]\033[0m %s\n' "$*" >&2; }

# pid_alive FILE: true when FILE names a live process.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: retries COMMAND until it succeeds.
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then say "timed out waiting for $what"; return 1; fi
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The URLs every service and test reads. Real servers elsewhere win when already set.
export_env() {
  export MONGO_URL="${MONGO_URL:-mongodb://127.0.0.1:$MONGO_PORT/taskyard}"
  export RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:$AMQP_PORT}"
  export RABBITMQ_MANAGEMENT_URL="${RABBITMQ_MANAGEMENT_URL:-http://guest:guest@127.0.0.1:$RABBIT_UI_PORT}"
  export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:$S3_PORT}"
  export S3_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-$S3_ACCESS_KEY}"
  export S3_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-$S3_SECRET_KEY}"
  export S3_BUCKET="${S3_BUCKET:-taskyard}"
  export S3_REGION="${S3_REGION:-us-east-1}"
  export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
}

# without_pipes CMD...: runs CMD with every inherited descriptor above stderr closed, so a daemon it
# starts holds no caller's pipe open (a caller reading our output would otherwise wait for the daemon).
without_pipes() {
  (
    for fd in $(ls /proc/$BASHPID/fd); do
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    if declare -F "$1" >/dev/null; then "$@" </dev/null; else exec "$@" </dev/null; fi
  )
}

# daemon PIDFILE LOGFILE CMD...: starts CMD in the background, without the caller's pipes, logging to
# LOGFILE; PIDFILE holds CMD's own pid (not a wrapper's), so stopping it by pid stops the right process.
daemon() {
  local pidfile=$1 logfile=$2; shift 2
  (
    for fd in $(ls /proc/$BASHPID/fd); do
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    echo "$BASHPID" > "$pidfile"
    exec "$@" </dev/null >>"$logfile" 2>&1
  ) &
}
