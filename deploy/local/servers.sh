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
      -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 $PG_SETTINGS" start >/dev/null
  fi
  if ! as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U taskyard -d postgres -tAc "select 1 from pg_database where datname='taskyard'" | grep -q 1; then
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U taskyard taskyard
  fi
  gin_indexes
}

# FerretDB's own indexes cannot serve its queries here; GIN twins of them can (see the SQL file). Applied on
# every start, running servers included: it is idempotent and also backfills existing databases.
gin_indexes() {
  local id_twins=false
  other_ferretdb_serves && id_twins=true
  as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U taskyard -d taskyard -qAt -v ON_ERROR_STOP=1 -v id_twins="$id_twins" \
    -f "$ROOT/deploy/local/ferretdb/gin-indexes.sql" >/dev/null
}

# True when a FerretDB other than this checkout's binary serves the database: one started from an older checkout
# and not restarted since. It filters `_id` by containment (this checkout's, patches/02-id-filter-as-equality.patch,
# by equality), which only a GIN twin of the `_id` btree serves, so gin-indexes.sql keeps those twins while it runs.
other_ferretdb_serves() {
  pid_alive "$STATE/run/ferretdb.pid" || return 1
  [ "$(readlink "/proc/$(cat "$STATE/run/ferretdb.pid")/exe" 2>/dev/null)" != "$FERRETDB_BIN" ]
}

pg_stop() {
  [ -f "$PG_DATA/postmaster.pid" ] || return 0
  say "stopping PostgreSQL"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}

# FerretDB's binary is keyed by its sources and patches (lib.sh): after a change to them it is built by install.sh
# (`npm start`, `npm test`), before anything starts, rather than failing as a FerretDB that never listens.
ferretdb_built() {
  if [ -x "$FERRETDB_BIN" ] || pid_alive "$STATE/run/ferretdb.pid"; then return 0; fi
  say "FerretDB is not built for this checkout ($FERRETDB_BIN): run deploy/local/install.sh first (npm start and npm test do)"
  exit 1
}

ferretdb_start() {
  pid_alive "$STATE/run/ferretdb.pid" && return 0
  say "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:$MONGO_PORT"
  daemon "$STATE/run/ferretdb.pid" "$STATE/log/ferretdb.log" \
    env GOGC="$FERRETDB_GOGC" "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -postgresql-url "postgres://taskyard@127.0.0.1:$PG_PORT/taskyard?pool_max_conns=$FERRETDB_POOL_MAX_CONNS"
  wait_for 30 FerretDB port_open "$MONGO_PORT"
}

# RABBITMQ_NODES=3 (of `npm start`, `servers.sh start`) runs RabbitMQ as a cluster of that many nodes on
# loopback; one node is the default. Node 1 is the single node of the default set-up (its name, ports and
# state unchanged); node i > 1 is `<name>-i@<host>` on each of node 1's ports + i - 1 (AMQP, management,
# Prometheus, Erlang distribution), with its own state in $RABBIT_DIR-i. All share one HOME, so one
# Erlang cookie; they join node 1 with `join_cluster` at their first start.
RABBIT_NODES="${RABBITMQ_NODES:-1}"
RABBIT_NODE1="${TASKYARD_RABBIT_NODE:-taskyard@localhost}"

rabbit_node_name() { if [ "$1" = 1 ]; then echo "$RABBIT_NODE1"; else echo "${RABBIT_NODE1%@*}-$1@${RABBIT_NODE1#*@}"; fi; }
rabbit_node_dir() { if [ "$1" = 1 ]; then echo "$RABBIT_DIR"; else echo "$RABBIT_DIR-$1"; fi; }
rabbit_pidfile() { if [ "$1" = 1 ]; then echo "$STATE/run/rabbitmq.pid"; else echo "$STATE/run/rabbitmq-$1.pid"; fi; }

# rabbit_env [NODE]: the environment of node NODE (default 1) and of the CLI tools that talk to it.
rabbit_env() {
  local i=${1:-1} dir; dir=$(rabbit_node_dir "${1:-1}")
  export HOME="$RABBIT_DIR" RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(rabbit_node_name "$i")
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE; RABBITMQ_PID_FILE=$(rabbit_pidfile "$i")
  export RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000 + i - 1))
  export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
}

# rabbit_config DIR [NODE]: writes node NODE's (default 1) configuration and enabled plugins into DIR.
rabbit_config() {
  local off=$((${2:-1} - 1))
  cat > "$1/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$((AMQP_PORT + off))
management.tcp.ip = 127.0.0.1
management.tcp.port = $((RABBIT_UI_PORT + off))
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $((RABBIT_PROM_PORT + off))
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

# rabbit NODE TOOL ARGS...: runs one of RabbitMQ's tools (rabbitmq-server, rabbitmqctl) as or against node NODE.
rabbit() { (rabbit_env "$1"; "/usr/lib/rabbitmq/bin/$2" "${@:3}"); }

# rabbit_node_start NODE: starts node NODE unless it runs, and waits until it serves (also a restart
# after a crash: the node comes back with its data and its cluster membership).
rabbit_node_start() {
  local i=$1 dir pidf; dir=$(rabbit_node_dir "$1"); pidf=$(rabbit_pidfile "$1")
  mkdir -p "$dir/log" "$dir/mnesia"
  chmod 700 "$dir/log" "$dir/mnesia"
  if pid_alive "$pidf"; then return 0; fi
  rm -f "$pidf"
  rabbit_config "$dir" "$i"
  say "starting RabbitMQ node $(rabbit_node_name "$i") on 127.0.0.1:$((AMQP_PORT + i - 1)) (management UI on http://127.0.0.1:$((RABBIT_UI_PORT + i - 1)))"
  without_pipes rabbit "$i" rabbitmq-server -detached >/dev/null 2>&1
  wait_for 60 "RabbitMQ pid file" test -s "$pidf"
  rabbit "$i" rabbitmqctl wait --timeout 90 "$pidf" >/dev/null
  wait_for 30 "RabbitMQ management" curl -fsS -u guest:guest "http://127.0.0.1:$((RABBIT_UI_PORT + i - 1))/api/overview"
}

# rabbit_join NODE: makes node NODE (running, fresh) a member of node 1's cluster, once.
rabbit_join() {
  local i=$1 marker; marker="$(rabbit_node_dir "$1")/joined"
  [ -f "$marker" ] && return 0
  say "joining $(rabbit_node_name "$i") to $RABBIT_NODE1"
  # join_cluster resets the (fresh) node itself. The tools' chatter is shown only when a step fails.
  local step out
  for step in stop_app "join_cluster $RABBIT_NODE1" start_app; do
    # shellcheck disable=SC2086
    out=$(rabbit "$i" rabbitmqctl $step 2>&1) || { say "rabbitmqctl $step failed on $(rabbit_node_name "$i"):"; echo "$out" >&2; return 1; }
  done
  touch "$marker"
}

# The Erlang cookie every node and CLI tool shares (in their common HOME), made before any node boots so
# that nodes booting side by side do not each make their own.
rabbit_cookie() {
  local cookie="$RABBIT_DIR/.erlang.cookie"
  [ -s "$cookie" ] && return 0
  mkdir -p "$RABBIT_DIR"
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f0-9' 'A-J' > "$cookie.tmp" && mv "$cookie.tmp" "$cookie")
  chmod 400 "$cookie"
}

rabbit_start() {
  rabbit_cookie
  [ "$RABBIT_NODES" -gt 1 ] || { rabbit_node_start 1; rabbit_dlx_guard 1; return 0; }
  local i p pids=()
  # The nodes boot side by side, then the others join node 1 one after another.
  for i in $(seq 1 "$RABBIT_NODES"); do rabbit_node_start "$i" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p"; done
  for i in $(seq 2 "$RABBIT_NODES"); do rabbit_join "$i"; done
  # After the joins: join_cluster restarts a node's rabbit application, and with it the supervisor guarded.
  for i in $(seq 1 "$RABBIT_NODES"); do rabbit_dlx_guard "$i"; done
}

# rabbit_dlx_guard NODE: keeps node NODE able to declare at-least-once dead-lettered quorum queues (the status
# service's timers, the scheduled waits). In RabbitMQ 3.10.x every such queue's leader runs a dead-letter worker
# under rabbit_fifo_dlx_sup, which allows 1 restart per 5 s: two worker crashes within 5 s (on any queues) end it,
# rabbit_sup does not restart it (a transient child ended with `shutdown`), and from then on every declaration
# of such a queue fails with 541 INTERNAL_ERROR, broker-wide, until the node restarts; the queues that had a
# worker stop dead-lettering. A production broker on 3.10.8 has the same trap. So on every start, running nodes
# included (the CI's servers were started before and are reused), rabbitmq/dlx-guard.erl restarts a dead
# supervisor (and the workers and Ra servers it took with it) and raises its restart intensity to 1,000 per 5 s;
# then a declaration and deletion on each node checks it. A node still failing is restarted. What no intensity
# survives: a worker whose queue is gone crash-loops at once (its restart looks the queue up and fails again);
# the guard heals that afterwards, on the next start or when the tests' probe finds it (libs/testing).
rabbit_dlx_guard() {
  # One guard at a time per state (the tests' probes in several Jest workers may find the broker broken at once).
  (flock 9; rabbit_dlx_guard_node "$1") 9>"$STATE/run/rabbit-guard.lock"
}

rabbit_dlx_guard_node() {
  local i=$1 out node; node=$(rabbit_node_name "$1")
  if ! out=$(rabbit "$i" rabbitmqctl eval "$(cat "$ROOT/deploy/local/rabbitmq/dlx-guard.erl")" 2>&1); then
    say "RabbitMQ node $node: the dead-letter supervisor's guard failed:"; echo "$out" >&2
  fi
  case "$out" in *"{supervisor,restarted}"*)
    say "RabbitMQ node $node: rabbit_fifo_dlx_sup had died (declaring a dead-lettered quorum queue failed with 541): restarted it $out" ;;
  esac
  # A second try a moment later before a restart: the management API of a node just booted may refuse a moment.
  rabbit_dlx_healthy "$i" || { sleep 2; rabbit_dlx_healthy "$i"; } && return 0
  say "RabbitMQ node $node still cannot declare a dead-lettered quorum queue: restarting it"
  rabbit_node_stop "$i"
  rabbit_node_start "$i"
  rabbit "$i" rabbitmqctl eval "$(cat "$ROOT/deploy/local/rabbitmq/dlx-guard.erl")" >/dev/null || true
  rabbit_dlx_healthy "$i" || { say "RabbitMQ node $node cannot declare a dead-lettered quorum queue even after a restart"; return 1; }
}

# rabbit_dlx_healthy NODE: declares (through node NODE's management API) and deletes an at-least-once
# dead-lettered quorum queue in a scratch vhost of its own. The queue lives a moment before its deletion, so
# that its dead-letter worker is settled: a worker whose queue is deleted before it registered crash-loops.
rabbit_dlx_healthy() {
  local api="http://127.0.0.1:$((RABBIT_UI_PORT + $1 - 1))/api" vhost=taskyard-health q; q="dlx-probe-$$-$RANDOM"
  local admin=(-fsS -o /dev/null -u guest:guest -H 'content-type: application/json')
  curl "${admin[@]}" -X PUT "$api/vhosts/$vhost" || return 1
  curl "${admin[@]}" -X PUT "$api/queues/$vhost/$q" --data-binary \
    '{"durable":true,"arguments":{"x-queue-type":"quorum","x-dead-letter-exchange":"amq.direct","x-dead-letter-strategy":"at-least-once","x-overflow":"reject-publish"}}' || return 1
  sleep 0.5
  curl "${admin[@]}" -X DELETE "$api/queues/$vhost/$q"
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

# rabbit_node_stop NODE: stops node NODE if it runs (by its pid file).
rabbit_node_stop() {
  local pidf; pidf=$(rabbit_pidfile "$1")
  pid_alive "$pidf" || { rm -f "$pidf"; return 0; }
  say "stopping RabbitMQ node $(rabbit_node_name "$1")"
  local pid; pid=$(cat "$pidf")
  rabbit "$1" rabbitmqctl stop "$pidf" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  rm -f "$pidf"
}

rabbit_stop() {
  local i
  # Every node this state holds, whatever RABBITMQ_NODES says now (the last one first, node 1 last).
  for i in $(seq 9 -1 2); do [ -e "$(rabbit_pidfile "$i")" ] && rabbit_node_stop "$i"; done
  rabbit_node_stop 1
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
  start) ferretdb_built; pg_start; ferretdb_start; rabbit_start; rabbit_users; minio_start; minio_users ;;
  # RabbitMQ alone (RABBITMQ_NODES=3 for a cluster): what the cluster test starts in a state of its own.
  rabbit-start) rabbit_start ;;
  rabbit-stop) rabbit_stop ;;
  rabbit-node-start) rabbit_node_start "$2"; rabbit_dlx_guard "$2" ;;
  # The dead-letter supervisor's check and cure on every node (what start does); the tests' probe runs it on a
  # local broker it finds answering 541 (libs/testing/src/broker-guard.ts).
  rabbit-guard) for i in $(seq 1 "$RABBIT_NODES"); do rabbit_dlx_guard "$i"; done ;;
  # rabbit-ctl NODE ARGS...: rabbitmqctl against node NODE of this state (a test's private node).
  rabbit-ctl) rabbit "$2" rabbitmqctl "${@:3}" ;;
  gin-indexes) gin_indexes ;;
  # The database alone (PostgreSQL + FerretDB): a benchmark's private instance, with TASKYARD_STATE and the
  # port variables pointing elsewhere, so its CPU is its own and its fill does not load the shared one.
  database-start) ferretdb_built; pg_start; ferretdb_start ;;
  database-stop) kill_pidfile ferretdb; pg_stop ;;
  rabbit-config) rabbit_config "$2" "${3:-1}" ;;
  stop) kill_pidfile minio; rabbit_stop; kill_pidfile ferretdb; pg_stop ;;
  status)
    status_line postgresql "as_postgres $PG_BIN/pg_ctl -D $PG_DATA status"
    status_line ferretdb "pid_alive $STATE/run/ferretdb.pid"
    status_line rabbitmq "pid_alive $STATE/run/rabbitmq.pid"
    for i in $(seq 2 9); do [ -e "$(rabbit_pidfile "$i")" ] && status_line "rabbitmq-$i" "pid_alive $(rabbit_pidfile "$i")"; done
    status_line minio "pid_alive $STATE/run/minio.pid" ;;
  *) echo "usage: servers.sh start|stop|status|gin-indexes|database-start|database-stop|rabbit-config DIR [NODE]|rabbit-start|rabbit-stop|rabbit-node-start NODE|rabbit-guard|rabbit-ctl NODE ARGS..." >&2; exit 2 ;;
esac
