#!/usr/bin/env bash
# GraphQL-over-WebSocket receive-path benchmark on this machine (loopback), not a timed test: a
# flooding Node graphql-transport-ws server (tests/peers/graphql_flood_server.js: connection_ack,
# then N pre-framed `next` messages for the subscription, then `complete`) read by
#   - `sockpit graphql --query 'subscription { count }'`, payloads printed to /dev/null (it ends on
#     `complete`), and
#   - the `graphql-ws` client in Node over `ws` (tests/peers/graphql_flood_client.js), counting,
# in the same run (both read the same bytes: operation id "1"), the sides alternating. Prints the
# best of RUNS (default 3) wall and CPU times, `next`/s and the ratios.
# Goal (issue 17): sockpit >= 2x the official client's `next`/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${GQL_N:-500000}
cd "$root"
# BENCH_NO_BUILD=1 measures the binary already in the target dir as it is.
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release -q -p sockpit-cli
[ -d tests/peers/node_modules/graphql-ws ] || "$root/scripts/test-deps.sh"
bin=$target/release
peers=$root/tests/peers
query='subscription { count }'

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
node "$peers/graphql_flood_server.js" "$n" >"$tmp/port" &
server=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url="ws://127.0.0.1:$(head -1 "$tmp/port")/graphql"

# Correctness first: both see every `next`, and sockpit ends on `complete`.
"$bin/sockpit" graphql "$url" --query "$query" >"$tmp/out"
got=$(wc -l <"$tmp/out")
[ "$got" -eq "$n" ] || { echo "sockpit graphql printed $got of $n payloads" >&2; exit 1; }
[ "$(tail -1 "$tmp/out")" = "{\"data\":{\"count\":$n}}" ] || { echo "last: $(tail -1 "$tmp/out")" >&2; exit 1; }
got=$(node "$peers/graphql_flood_client.js" "$url")
[ "$got" -eq "$n" ] || { echo "graphql-ws client counted $got of $n payloads" >&2; exit 1; }

# The timed runs, alternating the sides (sockpit, sockpit --json, the Node client) so that a load
# from elsewhere on the machine falls on all of them alike; per side the best wall time and the best
# CPU time (user + system) of the client process. On a loaded machine, wall times follow the
# scheduler as much as the clients; CPU times say what each client costs.
python3 - "$n" "$runs" "$bin/sockpit" "$url" "$query" "$peers/graphql_flood_client.js" <<'PY'
import os, subprocess, sys, time
n, runs, sockpit, url, query, client = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:]
sides = {
    "sockpit graphql (lines to /dev/null)": [sockpit, "graphql", url, "--query", query],
    "sockpit graphql --json":               [sockpit, "graphql", url, "--query", query, "--json"],
    "graphql-ws client (Node, counting)":   ["node", client, url],
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
print(f"GraphQL: {n} `next` messages from a flooding graphql-transport-ws server, best of {runs} alternating runs:")
for k, (w, c) in best.items():
    print(f"  {k:38} {w:6.3f} s wall  {n/w/1e3:5.0f} k next/s   {c:6.3f} s CPU  {n/c/1e3:5.0f} k next/s of CPU")
(s, sc), (j, jc), (c, cc) = best.values()
print(f"  ratio sockpit/graphql-ws client next/s = {c/s:.2f} (--json {c/j:.2f})   (goal >= 2)")
print(f"  per CPU second:                          {cc/sc:.2f} (--json {cc/jc:.2f})")
PY
