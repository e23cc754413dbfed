#!/usr/bin/env bash
# Starts, stops or reports the local servers: PostgreSQL + FerretDB (the database), RabbitMQ, MinIO.
# Each listens on loopback only and keeps its data under $STATE. Starting what runs already is a no-op;
# stopping stops only what this script started (by pid).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DATA="$STATE/pg/data"; PG_SOCK="$STATE/pg/socket"
# Debian installs each major version side by side; use the newest (15 on bookworm).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
RABBIT_DIR="$STATE/rabbitmq"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "initialising PostgreSQL in $PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCK"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$STATE/pg" && chmod 755 "$STATE"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U taskyard --auth=trust -E UTF8 >"$STATE/log/initdb.log"
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    without_pipes as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -l "$STATE/pg/postgres.log" \
      -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
  fi
  if ! as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U taskyard -d postgres -tAc "select 1 from pg_database where datname='taskyard'" | grep -q 1; then
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U taskyard taskyard
  fi
  gin_indexes
}

# FerretDB's own indexes cannot serve its queries here; GIN twins of them can (see the SQL file). Applied on
# every start, running servers included: it is idempotent and also backfills existing databases.
gin_indexes() {
  as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U taskyard -d taskyard -qAt -v ON_ERROR_STOP=1 \
    -f "$ROOT/deploy/local/ferretdb/gin-indexes.sql" >/dev/null
}

pg_stop() {
  [ -f "$PG_DATA/postmaster.pid" ] || return 0
  say "stopping PostgreSQL"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}

ferretdb_start() {
  pid_alive "$STATE/run/ferretdb.pid" && return 0
  say "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:$MONGO_PORT"
  daemon "$STATE/run/ferretdb.pid" "$STATE/log/ferretdb.log" \
    "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -postgresql-url "postgres://taskyard@127.0.0.1:$PG_PORT/taskyard"
  wait_for 30 FerretDB port_open "$MONGO_PORT"
}

rabbit_env() {
  export HOME="$RABBIT_DIR" RABBITMQ_NODENAME="${TASKYARD_RABBIT_NODE:-taskyard@localhost}"
  export RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" RABBITMQ_LOG_BASE="$RABBIT_DIR/log"
  export RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
  export RABBITMQ_PID_FILE="$STATE/run/rabbitmq.pid" RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000))
  export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
}

# rabbit_config DIR: writes the node's configuration and enabled plugins into DIR.
rabbit_config() {
  cat > "$1/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_UI_PORT
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $RABBIT_PROM_PORT
disk_free_limit.absolute = 100MB
CONF
  # What `rabbitmq-plugins enable --offline` writes; consistent-hash partitions the status events.
  echo '[rabbitmq_management,rabbitmq_prometheus,rabbitmq_consistent_hash_exchange].' > "$1/enabled_plugins"
  # Erlang distribution (the node's and the CLI tools' own) on loopback only, as epmd is: by default it
  # listens on every interface, and whoever reaches it with the cookie controls the node.
  cat > "$1/rabbitmq-env.conf" <<'CONF'
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
}

rabbit() { (rabbit_env; "/usr/lib/rabbitmq/bin/$1" "${@:2}"); }

rabbit_start() {
  mkdir -p "$RABBIT_DIR/log" "$RABBIT_DIR/mnesia"
  chmod 700 "$RABBIT_DIR/log" "$RABBIT_DIR/mnesia"
  if pid_alive "$STATE/run/rabbitmq.pid"; then return 0; fi
  rabbit_config "$RABBIT_DIR"
  say "starting RabbitMQ on 127.0.0.1:$AMQP_PORT (management UI on http://127.0.0.1:$RABBIT_UI_PORT)"
  without_pipes rabbit rabbitmq-server -detached >/dev/null 2>&1
  wait_for 60 "RabbitMQ pid file" test -s "$STATE/run/rabbitmq.pid"
  rabbit rabbitmqctl wait --timeout 90 "$STATE/run/rabbitmq.pid" >/dev/null
  wait_for 30 "RabbitMQ management" curl -fsS -u guest:guest "http://127.0.0.1:$RABBIT_UI_PORT/api/overview"
}

# management METHOD PATH [JSON]: RabbitMQ's management API as its administrator (JSON from stdin, so no
# password shows in `ps`).
rabbit_admin_api() {
  curl -fsS -o /dev/null -u guest:guest -X "$1" -H 'content-type: application/json' --data-binary @- \
    "http://127.0.0.1:$RABBIT_UI_PORT$2"
}

# The services' user: the `/` vhost only, and the management tag to read its queue depths (not
# administrator). Idempotent (PUT), so it runs on every start, running servers included.
rabbit_users() {
  ensure_secrets
  # shellcheck disable=SC1090
  source "$SECRETS"
  printf '{"password":"%s","tags":"management"}' "$RABBIT_SVC_PASSWORD" | rabbit_admin_api PUT "/api/users/$RABBIT_SVC_USER"
  echo '{"configure":".*","write":".*","read":".*"}' | rabbit_admin_api PUT "/api/permissions/%2F/$RABBIT_SVC_USER"
}

rabbit_stop() {
  pid_alive "$STATE/run/rabbitmq.pid" || return 0
  say "stopping RabbitMQ"
  local pid; pid=$(cat "$STATE/run/rabbitmq.pid")
  rabbit rabbitmqctl stop "$STATE/run/rabbitmq.pid" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  rm -f "$STATE/run/rabbitmq.pid"
  # epmd is started on the node's behalf; leave none behind when no other node uses it.
  if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then epmd -kill >/dev/null 2>&1 || true; fi
}

minio_start() {
  mkdir -p "$STATE/minio" && chmod 700 "$STATE/minio"
  pid_alive "$STATE/run/minio.pid" && return 0
  say "starting MinIO on 127.0.0.1:$S3_PORT"
  MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY MINIO_BROWSER=on \
    daemon "$STATE/run/minio.pid" "$STATE/log/minio.log" "$MINIO_BIN" server "$STATE/minio" \
    --address "127.0.0.1:$S3_PORT" --console-address "127.0.0.1:$S3_CONSOLE_PORT" --quiet
  wait_for 60 MinIO curl -fsS "http://127.0.0.1:$S3_PORT/minio/health/live"
  # Create the bucket (a 409 means it is there already).
  curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -X PUT "http://127.0.0.1:$S3_PORT/$S3_BUCKET"
}

# The services' user: objects of the bucket (and of the tests' `t-*` buckets, which the tests create
# with the root user); no bucket creation, no admin API. Idempotent, so it runs on every start.
minio_users() {
  ensure_secrets
  # shellcheck disable=SC1090
  source "$SECRETS"
  MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY MINIO_SERVICE_SECRET=$S3_SVC_SECRET \
    "$MINIO_USERS_BIN" -endpoint "127.0.0.1:$S3_PORT" -user "$S3_SVC_USER" -policy taskyard-services -buckets "$S3_BUCKET,t-*"
}

kill_pidfile() {
  local f="$STATE/run/$1.pid"
  pid_alive "$f" || { rm -f "$f"; return 0; }
  say "stopping $1"
  local pid; pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

status_line() { if eval "$2" >/dev/null 2>&1; then printf '  %-10s up\n' "$1"; else printf '  %-10s down\n' "$1"; fi; }

case "${1:-start}" in
  start) pg_start; ferretdb_start; rabbit_start; rabbit_users; minio_start; minio_users ;;
  gin-indexes) gin_indexes ;;
  # The database alone (PostgreSQL + FerretDB): a benchmark's private instance, with TASKYARD_STATE and the
  # port variables pointing elsewhere, so its CPU is its own and its fill does not load the shared one.
  database-start) pg_start; ferretdb_start ;;
  database-stop) kill_pidfile ferretdb; pg_stop ;;
  rabbit-config) rabbit_config "$2" ;;
  stop) kill_pidfile minio; rabbit_stop; kill_pidfile ferretdb; pg_stop ;;
  status)
    status_line postgresql "as_postgres $PG_BIN/pg_ctl -D $PG_DATA status"
    status_line ferretdb "pid_alive $STATE/run/ferretdb.pid"
    status_line rabbitmq "pid_alive $STATE/run/rabbitmq.pid"
    status_line minio "pid_alive $STATE/run/minio.pid" ;;
  *) echo "usage: servers.sh start|stop|status|gin-indexes|database-start|database-stop|rabbit-config DIR" >&2; exit 2 ;;
esac
