#!/usr/bin/env bash
# Starts or stops the Taskyard services (one process each) against the local servers.
# A service already running (by pid) and answering /healthz is left alone.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export_env

# name:port — each service answers /healthz on its port (the gateway serves the API there too).
SERVICES=(gateway:$GATEWAY_PORT status:8081 diagnostic:8082 spelling-report:8083 assessment-report:8084 cloud-import:8085 scheduler:8086 check-receiver:8087 check-validator:8088 check-marker:8089 check-notifier:8090 api-harvest:8091)

ensure_keys() {
  export TASKYARD_KEYS_FILE="${TASKYARD_KEYS_FILE:-$STATE/keys.json}"
  [ -f "$TASKYARD_KEYS_FILE" ] && return 0
  local user admin
  user="ty_user_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  admin="ty_admin_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cat > "$TASKYARD_KEYS_FILE" <<JSON
[
  { "key": "$user", "principal": "teacher-1", "role": "user" },
  { "key": "$admin", "principal": "admin-1", "role": "admin" }
]
JSON
  chmod 600 "$TASKYARD_KEYS_FILE"
}

# The deployment's callback-signing secret: made at the first start, kept in $STATE/callback-secret.
ensure_callback_secret() {
  local file="$STATE/callback-secret"
  [ -s "$file" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file")
  CALLBACK_SECRET=$(cat "$file")
  export CALLBACK_SECRET
}

# V8 flags of a service's process. cloud-import: the old generation may grow to twice the live heap between
# collections rather than V8's ~3-4x (its documents wait for their batches and all reach the old generation):
# a 1,000,000-row import's peak RSS 287-319 -> 218-244 MB for ~5-10% more CPU (bench/job-services.md, Session 8).
node_flags() {
  case $1 in
    cloud-import) echo --heap-growing-percent=100 ;;
  esac
}

start_one() {
  local name=${1%%:*} port=${1##*:} pidf="$STATE/run/svc-${1%%:*}.pid"
  if pid_alive "$pidf" && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
  pid_alive "$pidf" && kill "$(cat "$pidf")" 2>/dev/null
  say "starting $name on 127.0.0.1:$port"
  (cd "$ROOT/services/$name" && PORT=$port HOST=127.0.0.1 ENABLE_DIAGNOSTIC=true \
    GATEWAY_PUBLIC_URL="http://127.0.0.1:$GATEWAY_PORT" \
    daemon "$pidf" "$STATE/log/$name.log" node $(node_flags "$name") --import tsx src/main.ts)
}

wait_one() {
  local name=${1%%:*} port=${1##*:}
  wait_for 60 "$name /healthz" curl -fsS "http://127.0.0.1:$port/healthz" \
    || { say "$name did not come up; last lines of $STATE/log/$name.log:"; tail -20 "$STATE/log/$name.log" >&2; return 1; }
}

stop_one() {
  local name=${1%%:*} pidf="$STATE/run/svc-${1%%:*}.pid"
  pid_alive "$pidf" || { rm -f "$pidf"; return 0; }
  say "stopping $name"
  local pid; pid=$(cat "$pidf"); kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidf"
}

case "${1:-start}" in
  start) ensure_keys; ensure_callback_secret; for s in "${SERVICES[@]}"; do start_one "$s"; done; for s in "${SERVICES[@]}"; do wait_one "$s"; done ;;
  stop) for s in "${SERVICES[@]}"; do stop_one "$s"; done ;;
  *) echo "usage: services.sh start|stop" >&2; exit 2 ;;
esac
