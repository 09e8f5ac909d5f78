#!/usr/bin/env bash
# MQTT receive-path benchmark, all in one run on this machine (loopback): N (default 200,000)
# QoS 0 publishes of 32 B flooded by tests/peers/mqtt_raw.js (/flood: CONNACK, SUBACK, then the
# publishes packed many per WebSocket frame) into `sockpit mqtt -n N` printing to /dev/null, against
# the `mqtt` npm client (MQTT.js, tests/bench/mqtt_npm_count.js) on the same stream.
# Prints the best of RUNS (default 3) wall times, publishes/s and the ratio. Goal: sockpit >= 2x.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${MQTT_N:-200000}
cd "$root"
cargo build --release -q -p sockpit-cli
"$root/scripts/test-deps.sh"
bin=$target/release

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
node tests/peers/mqtt_raw.js >"$tmp/port" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url="ws://127.0.0.1:$(head -1 "$tmp/port")/flood?n=$n&size=32"

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

# Correctness first: sockpit sees every publish.
got=$("$bin/sockpit" mqtt "$url" --subscribe 'flood/#' -n "$n" --no-deflate </dev/null | wc -l)
[ "$got" -eq "$n" ] || { echo "sockpit received $got of $n publishes" >&2; exit 1; }

t_sockpit=$(best_of "$bin/sockpit" mqtt "$url" --subscribe 'flood/#' -n "$n" --no-deflate)
t_npm=$(best_of node tests/bench/mqtt_npm_count.js "$url" "$n")

python3 - "$n" "$t_sockpit" "$t_npm" <<'PY'
import sys
n, s, m = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"mqtt: {n} x 32 B QoS 0   sockpit {s:.3f} s ({n/s/1e3:.0f} k pub/s)   mqtt npm {m:.3f} s ({n/m/1e3:.0f} k pub/s)")
print(f"mqtt: sockpit/npm throughput ratio = {m/s:.2f}   (goal >= 2.00)")
PY
