#!/usr/bin/env bash
# Installs what bench/peers compares Taskyard with, on a fresh Debian machine: Redis from Debian's package
# (for BullMQ) and Celery with PyMongo from PyPI into a venv of its own. Idempotent; prints the venv's python.
set -euo pipefail
CELERY_VERSION=5.7.0
PYMONGO_VERSION=4.20.0
VENV="${PEERS_VENV:-$HOME/.cache/taskyard-bench/celery-venv}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian)" >&2
  # The package's own service stays off: the benchmark starts Redis on a port of its own.
  OWN_POLICY=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    OWN_POLICY=1
  fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >&2
  if [ -n "$OWN_POLICY" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

if ! "$VENV/bin/python" -c "import celery, pymongo; assert celery.__version__ == '$CELERY_VERSION'" >/dev/null 2>&1; then
  echo "installing Celery $CELERY_VERSION and PyMongo $PYMONGO_VERSION (PyPI) into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "celery==$CELERY_VERSION" "pymongo==$PYMONGO_VERSION" >&2
fi
echo "$VENV/bin/python"
