#!/usr/bin/env bash
# Socket.IO receive-path benchmark on this machine (loopback), not a timed test: a flooding Node
# socket.io 4 server (tests/peers/socketio_flood_server.js: real handshake and namespace, then N
# `tick` events pre-framed once at start, one write of ready bytes per client) read over websocket by
#   - `sockpit socketio --transport websocket -n N`, decoded events printed to /dev/null, and
#   - socket.io-client 4 in Node (tests/peers/socketio_flood_client.js), counting the events,
# in the same run (both read the same bytes), the sides alternating. Prints the best of RUNS
# (default 3) wall and CPU times, events/s and the ratios.
# Goal (issue 17): sockpit >= 2x the official client's events/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${SIO_N:-500000}
cd "$root"
# BENCH_NO_BUILD=1 measures the binary already in the target dir as it is.
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release -q -p sockpit-cli
[ -d tests/peers/node_modules/socket.io-client ] || "$root/scripts/test-deps.sh"
bin=$target/release
peers=$root/tests/peers

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
node "$peers/socketio_flood_server.js" "$n" >"$tmp/port" &
server=$!
for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(head -1 "$tmp/port")"

# Correctness first: both see every event, in order for sockpit.
"$bin/sockpit" socketio "$url" --transport websocket -n "$n" >"$tmp/out"
got=$(grep -c '^tick ' "$tmp/out")
[ "$got" -eq "$n" ] || { echo "sockpit socketio decoded $got of $n events" >&2; exit 1; }
last=$(tail -1 "$tmp/out")
[ "$last" = "tick [{\"n\":$n,\"text\":\"hello sockpit\"}]" ] || { echo "last event: $last" >&2; exit 1; }
got=$(node "$peers/socketio_flood_client.js" "$url" "$n")
[ "$got" -eq "$n" ] || { echo "socket.io-client counted $got of $n events" >&2; exit 1; }

# The timed runs, alternating the sides (sockpit, sockpit --json, the Node client) so that a load
# from elsewhere on the machine falls on all of them alike; per side the best wall time and the best
# CPU time (user + system) of the client process. On a loaded machine, wall times follow the
# scheduler as much as the clients; CPU times say what each client costs.
python3 - "$n" "$runs" "$bin/sockpit" "$url" "$peers/socketio_flood_client.js" <<'PY'
import os, subprocess, sys, time
n, runs, sockpit, url, client = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
base = [sockpit, "socketio", url, "--transport", "websocket", "-n", str(n)]
sides = {
    "sockpit socketio (lines to /dev/null)": base,
    "sockpit socketio --json":               base + ["--json"],
    "socket.io-client 4 (Node, counting)":   ["node", client, url, str(n)],
}
best = {k: (float("inf"), float("inf")) for k in sides}
for _ in range(runs):
    for k, cmd in sides.items():
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if status != 0:
            sys.exit(f"{k}: exit status {status}")
        cpu = ru.ru_utime + ru.ru_stime
        best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
print(f"Socket.IO: {n} events from a flooding socket.io 4 server (websocket), best of {runs} alternating runs:")
for k, (w, c) in best.items():
    print(f"  {k:38} {w:6.3f} s wall  {n/w/1e3:5.0f} k events/s   {c:6.3f} s CPU  {n/c/1e3:5.0f} k events/s of CPU")
(s, sc), (j, jc), (c, cc) = best.values()
print(f"  ratio sockpit/socket.io-client events/s = {c/s:.2f} (--json {c/j:.2f})   (goal >= 2)")
print(f"  per CPU second:                           {cc/sc:.2f} (--json {cc/jc:.2f})")
PY
