#!/usr/bin/env bash
# Socket.IO receive-path benchmark on this machine (loopback), not a timed test: a flooding Node
# socket.io 4 server (tests/peers/socketio_flood_server.js: real handshake and namespace, then N
# pre-framed `tick` events as fast as the socket takes them) read over websocket by
#   - `sockpit socketio --transport websocket -n N`, decoded events printed to /dev/null, and
#   - socket.io-client 4 in Node (tests/peers/socketio_flood_client.js), counting the events,
# in the same run. Prints the best of RUNS (default 3) wall times, events/s and the ratio.
# Goal (issue 17): sockpit >= 2x the official client's events/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${SIO_N:-500000}
cd "$root"
cargo build --release -q -p sockpit-cli
[ -d tests/peers/node_modules/socket.io-client ] || "$root/scripts/test-deps.sh"
bin=$target/release
peers=$root/tests/peers

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
node "$peers/socketio_flood_server.js" "$n" >"$tmp/port" &
server=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(head -1 "$tmp/port")"

# best_of CMD...: runs CMD (stdout to /dev/null) $runs times, prints the best time in seconds.
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

# Correctness first: both see every event, in order for sockpit.
got=$("$bin/sockpit" socketio "$url" --transport websocket -n "$n" | grep -c '^tick ')
[ "$got" -eq "$n" ] || { echo "sockpit socketio decoded $got of $n events" >&2; exit 1; }
last=$("$bin/sockpit" socketio "$url" --transport websocket -n "$n" | tail -1)
[ "$last" = "tick [{\"n\":$n,\"text\":\"hello sockpit\"}]" ] || { echo "last event: $last" >&2; exit 1; }
got=$(node "$peers/socketio_flood_client.js" "$url" "$n")
[ "$got" -eq "$n" ] || { echo "socket.io-client counted $got of $n events" >&2; exit 1; }

t_sockpit=$(best_of "$bin/sockpit" socketio "$url" --transport websocket -n "$n")
t_json=$(best_of "$bin/sockpit" socketio "$url" --transport websocket -n "$n" --json)
t_node=$(best_of node "$peers/socketio_flood_client.js" "$url" "$n")

python3 - "$n" "$t_sockpit" "$t_json" "$t_node" <<'PY'
import sys
n, s, j, c = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"Socket.IO: {n} events from a flooding socket.io 4 server (websocket), best of runs:")
print(f"  sockpit socketio (lines to /dev/null): {s:.3f} s   {n/s/1e3:.0f} k events/s")
print(f"  sockpit socketio --json:               {j:.3f} s   {n/j/1e3:.0f} k events/s")
print(f"  socket.io-client 4 (Node, counting):   {c:.3f} s   {n/c/1e3:.0f} k events/s")
print(f"  ratio sockpit/socket.io-client events/s = {c/s:.2f} (--json {c/j:.2f})   (goal >= 2)")
PY
