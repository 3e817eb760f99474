#!/usr/bin/env bash
# Creates the Python virtual environment of the interop tests (FastAPI, sse-starlette, uvicorn, websockets,
# requests, pinned in test/interop/requirements.txt) in a cache folder. Idempotent: a finished environment
# is reused; a changed requirements file gets a new one. Prints the environment's folder.
#   RI_CACHE   where to create it (default: ~/.cache/realtime-inspector)
#   PYTHON     the interpreter to use (default: python3)
# When Python or its venv module is missing, or pip reaches no package index: exit status 3, and instead of
# the folder one line saying what is missing and how to get it.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUIREMENTS=test/interop/requirements.txt
MODULES="fastapi sse_starlette uvicorn websockets requests"
PYTHON="${PYTHON:-python3}"
CACHE="${RI_CACHE:-$HOME/.cache/realtime-inspector}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "$PYTHON not found: install Python 3 with its venv module (e.g. apt-get install python3 python3-venv)"
  exit 3
fi
if ! VERSION=$("$PYTHON" -c 'import sys; assert sys.version_info >= (3, 9); print(sys.version)' 2>/dev/null); then
  echo "$PYTHON does not run as Python 3.9 or later: install Python 3 with its venv module (e.g. apt-get install python3 python3-venv)"
  exit 3
fi
HASH=$({ echo "$VERSION"; cat "$REQUIREMENTS"; } | sha256sum | cut -c1-12)
VENV="$CACHE/py-$HASH"
MARK="$VENV/.ok"
if [ -f "$MARK" ]; then
  echo "$VENV"
  exit 0
fi
mkdir -p "$CACHE"
# One install at a time: a second caller waits here, then finds the finished environment.
exec 9>"$CACHE/.python-env.lock"
flock 9
if [ -f "$MARK" ]; then
  echo "$VENV"
  exit 0
fi
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
  rm -rf "$VENV"
  echo "$PYTHON -m venv does not work: install Python's venv module (e.g. apt-get install python3-venv)"
  exit 3
fi
# One retry: where only a mirror answers, every retry of an unreachable index costs seconds a package.
if ! "$VENV/bin/python" -m pip install --no-input --disable-pip-version-check --retries 1 -r "$REQUIREMENTS" >"$VENV.pip.log" 2>&1; then
  rm -rf "$VENV"
  if grep -qE 'NewConnectionError|Failed to establish a new connection|Name or service not known|Temporary failure in name resolution|Network is unreachable' "$VENV.pip.log"; then
    rm -f "$VENV.pip.log"
    echo "pip could not reach a package index for $REQUIREMENTS: give pip an index it can reach (pip's configuration or PIP_INDEX_URL)"
    exit 3
  fi
  cat "$VENV.pip.log" >&2
  rm -f "$VENV.pip.log"
  echo "pip could not install $REQUIREMENTS (its output is above)" >&2
  exit 1
fi
rm -f "$VENV.pip.log"
{
  # A half-finished install (interrupted, a wheel that did not build) must not be marked done.
  for module in $MODULES; do
    "$VENV/bin/python" -c "import $module" || { echo "module $module does not import in $VENV" >&2; exit 1; }
  done
} >&2
touch "$MARK"
echo "$VENV"
