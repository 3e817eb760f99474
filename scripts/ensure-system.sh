#!/usr/bin/env bash
# Makes sure of the machine's own packages that a command needs, before it starts its real work.
#   scripts/ensure-system.sh NEED...
#     chromium  the browser that the webview, VS Code and end-to-end tests drive (CHROMIUM=/path overrides)
#     krb5      Kerberos headers and krb5-config, for code-server's native modules
#     build     make, g++ and python3, which node-gyp builds native modules with
# Where it runs as root on Debian, missing packages are installed (once: present ones are not touched).
# Elsewhere it stops with one line naming what is missing and the command that installs it. Exit 0: all there.
set -euo pipefail

missing=()   # what is missing, in words
packages=()  # the Debian packages that bring it

need_chromium() {
  if [ -n "${CHROMIUM:-}" ]; then
    if [ ! -x "$CHROMIUM" ]; then
      echo "CHROMIUM=$CHROMIUM is not an executable file: point it at a Chromium or Chrome binary" >&2
      exit 1
    fi
    return
  fi
  [ -x /usr/bin/chromium ] || { missing+=("Chromium (/usr/bin/chromium)"); packages+=(chromium); }
}

need_krb5() {
  command -v krb5-config >/dev/null 2>&1 || { missing+=("Kerberos headers (krb5-config)"); packages+=(libkrb5-dev); }
}

need_build() {
  command -v make >/dev/null 2>&1 || { missing+=("make"); packages+=(make); }
  command -v g++ >/dev/null 2>&1 || { missing+=("g++"); packages+=(g++); }
  command -v python3 >/dev/null 2>&1 || { missing+=("python3"); packages+=(python3); }
}

for need in "$@"; do
  case "$need" in
    chromium) need_chromium ;;
    krb5) need_krb5 ;;
    build) need_build ;;
    *) echo "ensure-system.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

what=$(IFS=,; echo "${missing[*]}" | sed 's/,/, /g')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "› installing ${packages[*]} (missing: $what)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq "${packages[@]}"; } >/tmp/ensure-system.$$.log 2>&1; then
    echo "could not install ${packages[*]} with apt-get (log: /tmp/ensure-system.$$.log)" >&2
    exit 1
  fi
  rm -f /tmp/ensure-system.$$.log
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "missing: $what. Install it with: sudo apt-get install ${packages[*]}" >&2
else
  hint=""
  case " ${packages[*]} " in *" chromium "*) hint="; or point CHROMIUM=/path at a Chromium you have" ;; esac
  echo "missing: $what. Install it with your system's package manager (on Debian: apt-get install ${packages[*]})$hint" >&2
fi
exit 1
