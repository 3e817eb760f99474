#!/usr/bin/env bash
# The whole test suite: lint, typecheck, build, unit + integration tests against local servers,
# the webview in headless Chromium, the extension-host suite in a real VS Code (code-server),
# the interop tier against real FastAPI servers, and end-to-end scenarios. Each stage runs when its tests exist. First it makes sure of what the machine
# needs (scripts/ensure-system.sh, scripts/ensure-code-server.sh): missing pieces are installed where it may,
# named in one line where it may not.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n== %s ==\n' "$*"; }

# What the suites need from the machine, checked (and as root on Debian installed) before anything runs.
stage "machine: Chromium, code-server"
bash scripts/ensure-system.sh chromium
echo "code-server: $(bash scripts/ensure-code-server.sh)"

stage lint
npm run --silent lint
stage typecheck
npm run --silent typecheck
stage build
node scripts/build.mjs
stage "compile tests"
rm -rf out
npx tsc -p tsconfig.test.json

run_node_tests() {
  local label=$1; shift
  local files=()
  for pattern in "$@"; do
    for f in $pattern; do [ -f "$f" ] && files+=("$f"); done
  done
  if [ ${#files[@]} -gt 0 ]; then
    stage "$label (${#files[@]} files)"
    # The timeout stops a hung file; it also bounds a whole file, so it is generous: a shared
    # machine under load runs the browser file's 28 cases in well over two minutes.
    node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=900000 "${files[@]}"
  fi
}

shopt -s nullglob globstar
run_node_tests "unit and integration tests" 'out/test/unit/**/*.test.js'
NODE_OPTIONS="${NODE_OPTIONS:-} --expose-gc" run_node_tests "reliability (hostile servers)" 'out/test/reliability/*.test.js'
run_node_tests "webview in headless Chromium" 'out/test/browser/*.test.js'
if [ -f out/test/vscode/runInCodeServer.js ] && [ -f out/test/vscode/suite/index.js ]; then
  stage "extension-host integration tests (code-server)"
  node out/test/vscode/runInCodeServer.js
  stage "extension-host integration tests, restricted (untrusted) window"
  node out/test/vscode/runInCodeServer.js --trust --grep "Workspace trust"
fi
interop_files=(out/test/interop/*.test.js)
if [ ${#interop_files[@]} -gt 0 ]; then
  stage "interop (real FastAPI servers) (${#interop_files[@]} files)"
  # The servers run in a cached Python venv; without Python (or its venv module) the stage is skipped.
  py_status=0
  py_env=$(bash scripts/ensure-python-env.sh) || py_status=$?
  if [ "$py_status" -eq 3 ] && [ -n "${RI_REQUIRE_INTEROP:-}" ]; then
    echo "interop cannot run, and RI_REQUIRE_INTEROP is set: $py_env" >&2
    exit 1
  elif [ "$py_status" -eq 3 ]; then
    echo "interop skipped: $py_env"
  elif [ "$py_status" -ne 0 ]; then
    exit "$py_status"
  else
    RI_PYTHON_ENV="$py_env" node --test --test-concurrency=1 --test-timeout=300000 "${interop_files[@]}"
  fi
fi
TEST_CONCURRENCY=1 run_node_tests "end to end (code-server + Chromium)" 'out/test/e2e/*.test.js'
stage done
