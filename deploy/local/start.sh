#!/usr/bin/env bash
# `npm start`: installs what is missing, starts the servers and every service, and prints where they are.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ROOT/deploy/local/install.sh"
bash "$ROOT/deploy/local/servers.sh" start
bash "$ROOT/deploy/local/services.sh" start
export_env
keys="${TASKYARD_KEYS_FILE:-$STATE/keys.json}"
user_key=$(node -e 'const k=require(process.argv[1]);console.log(k.find(x=>x.role==="user").key)' "$keys")
admin_key=$(node -e 'const k=require(process.argv[1]);console.log(k.find(x=>x.role==="admin").key)' "$keys")
cat <<INFO

Taskyard is running.
  Console + API   http://127.0.0.1:$GATEWAY_PORT/        (API docs: http://127.0.0.1:$GATEWAY_PORT/docs)
  User key        $user_key
  Admin key       $admin_key
  RabbitMQ UI     http://127.0.0.1:$RABBIT_UI_PORT/      (login guest / guest)
  MinIO console   http://127.0.0.1:$S3_CONSOLE_PORT/       (login $S3_ACCESS_KEY / $S3_SECRET_KEY)
  Database        $MONGO_URL   (FerretDB $FERRETDB_VERSION on PostgreSQL, 127.0.0.1:$PG_PORT)
  Logs and data   $STATE
  Try it          curl -H "Authorization: Bearer $user_key" http://127.0.0.1:$GATEWAY_PORT/v1/job-types
  Stop            npm run stop
INFO
