#!/usr/bin/env bash
# End-to-end tests of the real Parlance window: starts Xvfb (when there is no
# DISPLAY) and tauri-driver, runs app.test.mjs with Node's test runner, and
# stops everything it started on exit, pass or fail.
#
# Needs: target/debug/parlance-app and target/debug/parlance (the CLI), built
# with `npm --prefix ui run build && cargo build -p parlance-app -p parlance-cli`;
# tauri-driver, WebKitWebDriver and Xvfb (scripts/setup.sh installs them).
#
# Environment: PARLANCE_APP / PARLANCE_CLI override the binaries;
# E2E_KEEP=1 keeps the scratch folder (warehouses, logs) for a look afterwards.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
app="${PARLANCE_APP:-$root/target/debug/parlance-app}"
cli="${PARLANCE_CLI:-$root/target/debug/parlance}"

fail() { echo "e2e: $*" >&2; exit 2; }

[ -x "$app" ] || fail "no app binary at $app: run 'npm --prefix ui run build && cargo build -p parlance-app'"
[ -x "$cli" ] || fail "no CLI binary at $cli: run 'cargo build -p parlance-cli'"
command -v tauri-driver >/dev/null || fail "tauri-driver is missing: run scripts/setup.sh"
native_driver="$(command -v WebKitWebDriver || true)"
[ -n "$native_driver" ] || fail "WebKitWebDriver is missing: apt-get install webkit2gtk-driver (scripts/setup.sh)"

if [ ! -d "$here/node_modules/webdriverio" ]; then
  echo "e2e: installing test dependencies"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/parlance-e2e.XXXXXX")"
xvfb_pid=""
driver_pid=""

cleanup() {
  local status=$?
  for pid in "$driver_pid" "$xvfb_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ "${E2E_KEEP:-}" = "1" ]; then
    echo "e2e: kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits (bounded) until $1 is true; $2 names what we wait for; $3 seconds.
wait_for() {
  local check="$1" what="$2" seconds="$3"
  for _ in $(seq 1 $((seconds * 10))); do
    if eval "$check"; then return 0; fi
    sleep 0.1
  done
  echo "e2e: timed out after ${seconds}s waiting for $what" >&2
  return 1
}

# A display: the caller's, else a private Xvfb on the first free number.
if [ -z "${DISPLAY:-}" ]; then
  command -v Xvfb >/dev/null || fail "no DISPLAY and no Xvfb: apt-get install xvfb"
  display=""
  for n in $(seq 99 140); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display="$n"; break; fi
  done
  [ -n "$display" ] || fail "no free X display number between :99 and :140"
  Xvfb ":$display" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  wait_for "[ -e /tmp/.X11-unix/X$display ]" "Xvfb on :$display" 15 || { cat "$work/xvfb.log" >&2; exit 1; }
  export DISPLAY=":$display"
fi

# WebKitGTK under Xvfb: no GPU, no compositing, no DMA-BUF renderer.
export WEBKIT_DISABLE_COMPOSITING_MODE="${WEBKIT_DISABLE_COMPOSITING_MODE-1}"
export WEBKIT_DISABLE_DMABUF_RENDERER=1
export LIBGL_ALWAYS_SOFTWARE=1
export GDK_BACKEND=x11
export NO_AT_BRIDGE=1
# The app (started by WebKitWebDriver, started by tauri-driver) inherits these:
# its web view storage and any default warehouse stay inside the scratch
# folder, and a first start makes a small demo.
export XDG_DATA_HOME="$work/xdg/data"
export XDG_CONFIG_HOME="$work/xdg/config"
export XDG_CACHE_HOME="$work/xdg/cache"
export PARLANCE_DEMO_PEOPLE="${E2E_DEMO_PEOPLE:-300}"  # app.test.mjs expects 300
# Exports (charts, CSV) go here rather than the user's Downloads folder.
export PARLANCE_EXPORT_DIR="$work/exports"
unset PARLANCE_WAREHOUSE

# tauri-driver on the first free pair of ports from 4444.
port=""
for p in $(seq 4444 2 4500); do
  if ! port_in_use "$p" && ! port_in_use "$((p + 1))"; then port="$p"; break; fi
done
[ -n "$port" ] || fail "no free port pair for tauri-driver between 4444 and 4501"
tauri-driver --port "$port" --native-port "$((port + 1))" --native-driver "$native_driver" \
  >"$work/tauri-driver.log" 2>&1 &
driver_pid=$!
wait_for "port_in_use $port" "tauri-driver on port $port" 20 || { cat "$work/tauri-driver.log" >&2; exit 1; }

echo "e2e: DISPLAY=$DISPLAY tauri-driver on :$port, app $app"
status=0
(
  cd "$here"
  E2E_PORT="$port" PARLANCE_APP="$app" PARLANCE_CLI="$cli" E2E_WORK="$work" \
    ${E2E_COMMAND:-node --test --test-concurrency=1 --test-reporter=spec *.test.mjs}
) || status=$?

if [ "$status" -ne 0 ]; then
  echo "e2e: FAILED (exit $status); last lines of the tauri-driver log:" >&2
  tail -n 40 "$work/tauri-driver.log" >&2 || true
fi
echo "e2e: screenshots in $here/screenshots"
exit "$status"
