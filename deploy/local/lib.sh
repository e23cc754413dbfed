# Shared settings of the local (Docker-less) stack. Sourced by the other scripts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# As root the state lives in /var/lib so that the postgres user can reach its data directory.
if [ "$(id -u)" = 0 ]; then STATE="${TASKYARD_STATE:-/var/lib/taskyard}"; else STATE="${TASKYARD_STATE:-$HOME/.local/state/taskyard}"; fi
CACHE="${TASKYARD_CACHE:-$HOME/.cache/taskyard}"
mkdir -p "$STATE/run" "$STATE/log" "$CACHE"
# Logs and secrets are the owner's only (the services log task ids, owners and errors).
chmod 700 "$STATE/log"

FERRETDB_VERSION=v1.24.0
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
GO_TOOLCHAIN=go1.24.8
PNPM_VERSION=10.34.8
SCHEMATHESIS_VERSION=4.32.5

PG_PORT="${TASKYARD_PG_PORT:-54329}"
MONGO_PORT="${TASKYARD_MONGO_PORT:-27018}"
AMQP_PORT="${TASKYARD_AMQP_PORT:-5673}"
RABBIT_UI_PORT="${TASKYARD_RABBIT_UI_PORT:-15673}"
RABBIT_PROM_PORT="${TASKYARD_RABBIT_PROM_PORT:-15693}"
S3_PORT="${TASKYARD_S3_PORT:-9010}"
S3_CONSOLE_PORT="${TASKYARD_S3_CONSOLE_PORT:-9011}"
GATEWAY_PORT="${TASKYARD_GATEWAY_PORT:-8080}"

# MinIO's root user: the admin's (console login, bucket creation by the tests), not the services'.
S3_ACCESS_KEY=taskyard
S3_SECRET_KEY=taskyard-local-secret
S3_BUCKET=taskyard
# The services' least-privilege users (created by servers.sh start; their secrets are generated once,
# into $SECRETS): RabbitMQ `taskyard` (the `/` vhost, management tag for queue depths, not administrator)
# and MinIO `taskyard-svc` (objects of the bucket, and of the tests' `t-*` buckets, nothing else).
RABBIT_SVC_USER=taskyard
S3_SVC_USER=taskyard-svc
SECRETS="$STATE/secrets.env"

# Keyed by the embedding program and our patches to FerretDB too, so a change to them is rebuilt rather than served
# from the cache.
FERRETDB_SRC=$(cat "$ROOT/deploy/local/ferretdb/main.go" "$ROOT/deploy/local/ferretdb/go.sum" "$ROOT"/deploy/local/ferretdb/patches/*.patch | sha1sum | cut -c1-10)
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION-$FERRETDB_SRC/ferretdb"
MINIO_BIN="$CACHE/minio-$MINIO_VERSION/minio"
# FerretDB's pool of PostgreSQL connections (its default is 50). FerretDB 1.24 keeps a pooled connection for each
# statement of an update command it has read for, and waits for the pool with no deadline: once the statements in
# flight exceed the pool, it hangs for ever, and every later command with it (listCollections included). Seen here:
# update commands of 8-16 statements, 4 in flight, left 50 connections idle after their SELECT and every command
# waiting for the pool (the spec's "bulkWrite of about 64+ operations hangs" is the same limit). 250 stays under
# PostgreSQL's max_connections of 300 (servers.sh).
FERRETDB_POOL_MAX_CONNS="${FERRETDB_POOL_MAX_CONNS:-250}"
# Go's garbage collector ran at 13% of FerretDB's CPU under the status service's updates (perf, session 5): every
# document read and written is unmarshalled into fresh Go values. Collecting at 4x the live heap instead of 2x
# (GOGC=100) cut FerretDB's CPU per update by ~20% (bench/peers/status-writes.ts); its heap stays tens of MB.
FERRETDB_GOGC="${FERRETDB_GOGC:-400}"
# PostgreSQL's settings beyond its defaults (a change takes effect at its next start). A task's stored document
# (FerretDB's JSON with its type schema) is over the 2 kB TOAST threshold, so every update compressed it and every
# read decompressed it: lz4 does both at a fraction of pglz's CPU (pglz_compress alone was 4% of PostgreSQL's CPU
# per update). Durability settings stay at their defaults (fsync, synchronous_commit, full_page_writes on): the
# kill tests kill the database and nothing may be lost.
PG_SETTINGS="-c max_connections=300 -c shared_buffers=256MB -c default_toast_compression=lz4"
MINIO_USERS_SRC=$(cat "$ROOT/deploy/local/minio-users/main.go" "$ROOT/deploy/local/minio-users/go.sum" | sha1sum | cut -c1-10)
MINIO_USERS_BIN="$CACHE/minio-users-$MINIO_USERS_SRC/minio-users"
# The alert rules' checker (deploy/local/rules-check: Prometheus' own rule parser, as `promtool check rules`), built from the Go module proxy.
RULES_CHECK_SRC=$(cat "$ROOT/deploy/local/rules-check/main.go" "$ROOT/deploy/local/rules-check/go.sum" | sha1sum | cut -c1-10)
RULES_CHECK_BIN="$CACHE/rules-check-$RULES_CHECK_SRC/rules-check"
# The API fuzzer (PyPI), in a virtualenv of its own; the gateway's fuzz test runs it.
SCHEMATHESIS_VENV="$CACHE/schemathesis-$SCHEMATHESIS_VERSION"

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

# ensure_secrets: the services' passwords, generated at the first start and kept in $SECRETS (0600).
ensure_secrets() {
  [ -s "$SECRETS" ] && return 0
  local rabbit s3
  rabbit=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  s3=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf 'RABBIT_SVC_PASSWORD=%s\nS3_SVC_SECRET=%s\n' "$rabbit" "$s3" > "$SECRETS.tmp" && mv "$SECRETS.tmp" "$SECRETS")
}

# The URLs every service and test reads. Real servers elsewhere win when already set. The services get
# their least-privilege users once servers.sh has made them ($SECRETS exists); the admin URLs
# (RABBITMQ_ADMIN_URL, S3_ADMIN_*) are for what only an admin may do: the tests' vhosts and buckets.
export_env() {
  local rabbit_user=guest rabbit_pass=guest s3_user=$S3_ACCESS_KEY s3_secret=$S3_SECRET_KEY
  if [ -s "$SECRETS" ]; then
    # shellcheck disable=SC1090
    source "$SECRETS"
    rabbit_user=$RABBIT_SVC_USER rabbit_pass=$RABBIT_SVC_PASSWORD s3_user=$S3_SVC_USER s3_secret=$S3_SVC_SECRET
  fi
  export MONGO_URL="${MONGO_URL:-mongodb://127.0.0.1:$MONGO_PORT/taskyard}"
  export RABBITMQ_URL="${RABBITMQ_URL:-amqp://$rabbit_user:$rabbit_pass@127.0.0.1:$AMQP_PORT}"
  # A cluster (RABBITMQ_NODES=3): every node, so a service reconnects to another when its node is lost.
  if [ -z "${RABBITMQ_URLS:-}" ] && [ "${RABBITMQ_NODES:-1}" -gt 1 ]; then
    local i urls=()
    for i in $(seq 0 $((RABBITMQ_NODES - 1))); do urls+=("amqp://$rabbit_user:$rabbit_pass@127.0.0.1:$((AMQP_PORT + i))"); done
    RABBITMQ_URLS=$(IFS=,; echo "${urls[*]}")
    export RABBITMQ_URLS
  fi
  export RABBITMQ_MANAGEMENT_URL="${RABBITMQ_MANAGEMENT_URL:-http://$rabbit_user:$rabbit_pass@127.0.0.1:$RABBIT_UI_PORT}"
  export RABBITMQ_ADMIN_URL="${RABBITMQ_ADMIN_URL:-http://guest:guest@127.0.0.1:$RABBIT_UI_PORT}"
  # RabbitMQ's Prometheus plugin (the dashboard's and alert rules' broker figures) and the rules' checker.
  export RABBITMQ_PROMETHEUS_URL="${RABBITMQ_PROMETHEUS_URL:-http://127.0.0.1:$RABBIT_PROM_PORT}"
  export RULES_CHECK_BIN
  export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:$S3_PORT}"
  export S3_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-$s3_user}"
  export S3_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-$s3_secret}"
  export S3_ADMIN_ACCESS_KEY_ID="${S3_ADMIN_ACCESS_KEY_ID:-$S3_ACCESS_KEY}"
  export S3_ADMIN_SECRET_ACCESS_KEY="${S3_ADMIN_SECRET_ACCESS_KEY:-$S3_SECRET_KEY}"
  export S3_BUCKET="${S3_BUCKET:-taskyard}"
  export S3_REGION="${S3_REGION:-us-east-1}"
  export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
  # Where the local stack keeps its data and logs (the tests check their permissions).
  export TASKYARD_STATE="$STATE"
  export SCHEMATHESIS_BIN="${SCHEMATHESIS_BIN:-$SCHEMATHESIS_VENV/bin/st}"
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
    # The log (and whatever the daemon writes) is the owner's only.
    umask 077
    touch "$logfile" && chmod 600 "$logfile"
    exec "$@" </dev/null >>"$logfile" 2>&1
  ) &
}
