#!/usr/bin/env bash
# Installs what the local stack needs and is missing: Debian packages, a Go toolchain, the FerretDB and
# MinIO binaries (built once, cached outside the clone), pnpm and the workspace's dependencies.
# Quick when everything is there already. `--browser` also installs Debian's Chromium for UI tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$STATE/log/apt.log" 2>&1 \
    || { tail -20 "$STATE/log/apt.log"; exit 1; }
}

go_version_ok() { # go >= 1.24 on PATH?
  command -v go >/dev/null 2>&1 || return 1
  local v; v=$(go env GOVERSION 2>/dev/null | sed 's/^go//') || return 1
  [ "$(printf '%s\n1.24\n' "$v" | sort -V | head -1)" = "1.24" ]
}

ensure_go() {
  go_version_ok && return 0
  local dir="$CACHE/$GO_TOOLCHAIN"
  if [ ! -x "$dir/bin/go" ]; then
    # The Go toolchain is itself a module on the Go module proxy.
    say "fetching the Go toolchain $GO_TOOLCHAIN from the Go module proxy"
    local zip="$CACHE/$GO_TOOLCHAIN.zip" tmp="$CACHE/$GO_TOOLCHAIN.tmp"
    curl -fsSL -o "$zip" "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
    rm -rf "$tmp" && mkdir -p "$tmp" && unzip -q "$zip" -d "$tmp"
    mv "$tmp/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-amd64" "$dir" && rm -rf "$tmp" "$zip"
    chmod +x "$dir/bin/"* "$dir/pkg/tool/"*/* 2>/dev/null || true
  fi
  export PATH="$dir/bin:$PATH" GOTOOLCHAIN=local
}

# FerretDB's source from the Go module proxy (checked against deploy/local/ferretdb/go.sum), with our patches
# (deploy/local/ferretdb/patches) applied, built into the embedding program through a `replace` in a copy of its
# go.mod (the repository's go.mod stays as it is).
ensure_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  ensure_go
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  # Two installs at once (two checkouts' `npm test`) build it once: the second waits for the first, then finds it.
  (flock 9 && build_ferretdb) 9>"$(dirname "$FERRETDB_BIN").lock"
}

build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  say "building FerretDB $FERRETDB_VERSION (embedded, postgresql handler, deploy/local/ferretdb/patches applied; about 2 minutes)"
  local dir="$ROOT/deploy/local/ferretdb" build src p
  build=$(mktemp -d "$CACHE/ferretdb-build.XXXXXX")
  trap "rm -rf '$build'" EXIT
  (cd "$dir" && go mod download github.com/FerretDB/FerretDB)
  src=$(cd "$dir" && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  cp -r "$src" "$build/src" && chmod -R u+w "$build/src"
  for p in "$dir"/patches/*.patch; do
    (cd "$build/src" && git apply "$p") \
      || { say "FerretDB patch ${p#"$ROOT"/} does not apply to FerretDB $FERRETDB_VERSION's source"; exit 1; }
  done
  cp "$dir"/{main.go,go.mod,go.sum} "$build/"
  (cd "$build" && go mod edit -replace "github.com/FerretDB/FerretDB=./src" && go build -mod=mod -buildvcs=false -o ferretdb .)
  mv "$build/ferretdb" "$FERRETDB_BIN"
}

ensure_minio() {
  [ -x "$MINIO_BIN" ] && return 0
  ensure_go
  say "building MinIO $MINIO_VERSION from the Go module proxy (about 5 minutes, once)"
  local tmp="$CACHE/minio-build.tmp"
  GOBIN="$tmp" go install "github.com/minio/minio@$MINIO_VERSION"
  mkdir -p "$(dirname "$MINIO_BIN")" && mv "$tmp/minio" "$MINIO_BIN" && rm -rf "$tmp"
}

# A small admin client (deploy/local/minio-users) that gives MinIO the services' least-privilege user.
ensure_minio_users() {
  [ -x "$MINIO_USERS_BIN" ] && return 0
  ensure_go
  say "building the MinIO user tool (deploy/local/minio-users; about a minute, once)"
  mkdir -p "$(dirname "$MINIO_USERS_BIN")"
  (cd "$ROOT/deploy/local/minio-users" && go build -o "$MINIO_USERS_BIN.tmp" . && mv "$MINIO_USERS_BIN.tmp" "$MINIO_USERS_BIN")
}

# Checks deploy/prometheus's alert rules in the tests (as `promtool check rules`: Prometheus' rule parser,
# without building all of promtool). Prometheus' module needs Go 1.26.7: an older Go fetches that toolchain
# from the Go module proxy (GOTOOLCHAIN=auto).
ensure_rules_check() {
  [ -x "$RULES_CHECK_BIN" ] && return 0
  ensure_go
  say "building the alert rules' checker (deploy/local/rules-check; about a minute, once)"
  mkdir -p "$(dirname "$RULES_CHECK_BIN")"
  (cd "$ROOT/deploy/local/rules-check" && GOTOOLCHAIN=auto go build -o "$RULES_CHECK_BIN.tmp" . && mv "$RULES_CHECK_BIN.tmp" "$RULES_CHECK_BIN")
}

ensure_pnpm() {
  command -v pnpm >/dev/null 2>&1 && return 0
  say "installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
}

ensure_node_modules() {
  local stamp="$ROOT/node_modules/.taskyard-lock"
  local want; want=$(cat "$ROOT/pnpm-lock.yaml" "$ROOT/package.json" | sha1sum | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  say "installing the workspace's dependencies"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent)
  echo "$want" > "$stamp"
}

# schemathesis (pinned, from PyPI) in its own virtualenv, for the gateway's fuzz test. The `.installed`
# stamp is written last, so an interrupted install is redone rather than half-used.
ensure_schemathesis() {
  [ -f "$SCHEMATHESIS_VENV/.installed" ] && return 0
  say "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >"$STATE/log/schemathesis-install.log" 2>&1 \
    || { tail -20 "$STATE/log/schemathesis-install.log"; exit 1; }
  touch "$SCHEMATHESIS_VENV/.installed"
}

# The browser console (services/gateway/console) is served by the gateway from its dist/; built when
# missing or older than any of its sources, so both `npm start` and `npm test` have it.
ensure_console() {
  local dir="$ROOT/services/gateway/console" built="$ROOT/services/gateway/console/dist/index.html"
  if [ -f "$built" ] && [ -z "$(find "$dir/src" "$dir/index.html" "$dir/vite.config.ts" "$dir/package.json" "$dir/tsconfig.json" -newer "$built" -print -quit)" ]; then
    return 0
  fi
  say "building the console"
  (cd "$ROOT" && pnpm --filter @taskyard/console build >"$STATE/log/console-build.log" 2>&1) \
    || { tail -30 "$STATE/log/console-build.log"; exit 1; }
}

pkgs=(postgresql rabbitmq-server curl unzip ca-certificates python3 python3-venv)
[ $want_browser = 1 ] && pkgs+=(chromium fonts-dejavu-core)
apt_install "${pkgs[@]}"
ensure_pnpm
ensure_node_modules
ensure_schemathesis
ensure_console
ensure_ferretdb
ensure_minio
ensure_minio_users
ensure_rules_check
