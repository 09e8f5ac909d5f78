#!/usr/bin/env bash
# Receive-path benchmark, all in one run on this machine (loopback):
#   1. 1,000,000 x 32 B text from the mock's /flood: `sockpit connect` (every message timestamped,
#      printed to /dev/null) against websocat on the same stream. Target: sockpit <= 0.6 x websocat.
#   2. 1,000 x 1 MiB binary: `sockpit connect --quiet` against a bare tokio-tungstenite counting loop.
#      Target: sockpit <= 1.3 x the raw loop. (With hex output to /dev/null shown for reference.)
# Prints the best of RUNS (default 3) wall times per contender and the ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
small_n=${SMALL_N:-1000000}
cd "$root"
cargo build --release -q -p sockpit-cli -p sockpit-tests --bins
"$root/scripts/test-deps.sh"
bin=$target/release
websocat=$root/tests/peers/.venv/bin/websocat

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin/sockpit" serve >"$tmp/serve.out" &
server=$!
for _ in $(seq 50); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on http/ws/p' "$tmp/serve.out")
small="$base/flood?n=$small_n&size=32"
large="$base/flood?n=1000&size=1048576&binary=1"

# best_of NAME CMD...: runs CMD (stdout to /dev/null) $runs times, prints the best time in seconds.
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s%N)
    "$@" >/dev/null </dev/null
    e=$(date +%s%N)
    t=$(( e - s ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  python3 -c "print(f'{$best/1e9:.3f}')"
}

# Correctness first: every contender sees every message.
got=$("$bin/sockpit" connect --count "$small_n" "$small" </dev/null | wc -l)
[ "$got" -eq "$small_n" ] || { echo "sockpit received $got of $small_n messages" >&2; exit 1; }
got=$("$websocat" -U "$small" </dev/null | wc -l)
[ "$got" -eq "$small_n" ] || { echo "websocat received $got of $small_n messages" >&2; exit 1; }

t_sockpit=$(best_of "$bin/sockpit" connect --count "$small_n" "$small")
t_websocat=$(best_of "$websocat" -U "$small")
t_large=$(best_of "$bin/sockpit" connect --count 1000 --quiet "$large")
t_large_hex=$(best_of "$bin/sockpit" connect --count 1000 "$large")
t_raw=$(best_of "$bin/raw_ws_count" "$large")

python3 - "$small_n" "$t_sockpit" "$t_websocat" "$t_large" "$t_large_hex" "$t_raw" <<'PY'
import sys
n, s, w, l, lh, r = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"small: {n} x 32 B text   sockpit {s:.3f} s ({n/s/1e6:.2f} M msg/s)   websocat {w:.3f} s ({n/w/1e6:.2f} M msg/s)")
print(f"small: sockpit/websocat time ratio = {s/w:.2f}   (target <= 0.60)")
print(f"large: 1000 x 1 MiB binary   sockpit --quiet {l:.3f} s   raw tokio-tungstenite loop {r:.3f} s   (sockpit printing hex: {lh:.3f} s)")
print(f"large: sockpit/raw time ratio = {l/r:.2f}   (target <= 1.30)")
PY
