#!/usr/bin/env bash
# Window benchmarks (issue 8 item 5): release builds of the Sockpit window and the hello-world Tauri
# floor (tests/bench/hello-tauri), then tests/bench/window_bench.mjs under Xvfb with tauri-driver.
# Prints start time, idle PSS, responsiveness during a 100k msg/s flood, and 1M-row scroll/search/memory.
# Knobs: RUNS (interleaved launches per app, default 5), RATE (msg/s, default 100000), SECONDS_FLOOD (default 10).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
tools=${SOCKPIT_TOOLS:-$HOME/.cache/sockpit/tauri-driver}
if [ ! -x "$tools/bin/tauri-driver" ]; then
  CARGO_TARGET_DIR="$tools/build" cargo install tauri-driver --locked --root "$tools" >/dev/null
fi
npm --prefix ui run -s build
cargo build --release -q -p sockpit-app -p sockpit-hello-floor -p sockpit-cli
# The window picks WebKitGTK's plain renderer when there is no GPU render node (src-tauri/src/renderer.rs);
# the floor gets the same renderer so the two are compared like for like.
if ! ls /dev/dri/renderD* >/dev/null 2>&1 && [ -z "${WEBKIT_DISABLE_DMABUF_RENDERER:-}" ]; then
  export WEBKIT_DISABLE_DMABUF_RENDERER=1
fi
echo "renderer: WEBKIT_DISABLE_DMABUF_RENDERER=${WEBKIT_DISABLE_DMABUF_RENDERER:-unset} ($(ls /dev/dri 2>/dev/null | tr '\n' ' ' || true))"
export SOCKPIT_APP="$target/release/sockpit-app" FLOOR_APP="$target/release/sockpit-hello-floor" \
  SOCKPIT_BIN="$target/release/sockpit" TAURI_DRIVER="$tools/bin/tauri-driver"
exec flock /tmp/sockpit-e2e.lock xvfb-run -a -s "-screen 0 1280x800x24" node tests/bench/window_bench.mjs
