#!/usr/bin/env bash
# Builds the window (frontend embedded) and runs the window e2e under Xvfb with tauri-driver.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
tools="${SOCKPIT_TOOLS:-$HOME/.cache/sockpit/tauri-driver}"
if [ ! -x "$tools/bin/tauri-driver" ]; then
  echo "installing tauri-driver into $tools"
  CARGO_TARGET_DIR="$tools/build" cargo install tauri-driver --locked --root "$tools" >/dev/null
fi
# `make test` has built everything already (SKIP_APP_BUILD=1); rebuilding the UI would relink the app.
if [ -z "${SKIP_APP_BUILD:-}" ]; then
  make -s app-build
  cargo build -q -p sockpit-cli
fi
export SOCKPIT_APP="$target/debug/sockpit-app" SOCKPIT_BIN="$target/debug/sockpit" TAURI_DRIVER="$tools/bin/tauri-driver"
# One window session at a time on this machine (tauri-driver holds ports 4444/4445): wait for the lock.
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/e2e/*.test.mjs)
exec flock /tmp/sockpit-e2e.lock sh -c 'rm -rf tests/output/e2e && exec "$@"' sh xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 --test-timeout=120000 "${files[@]}"
