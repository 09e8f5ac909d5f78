#!/usr/bin/env bash
# GraphQL-over-WebSocket receive-path benchmark on this machine (loopback), not a timed test: a
# flooding Node graphql-transport-ws server (tests/peers/graphql_flood_server.js: connection_ack,
# then N pre-framed `next` messages for the subscription, then `complete`) read by
#   - `sockpit graphql --query 'subscription { count }'`, payloads printed to /dev/null (it ends on
#     `complete`), and
#   - the `graphql-ws` client in Node over `ws` (tests/peers/graphql_flood_client.js), counting,
# in the same run. Prints the best of RUNS (default 3) wall times, `next`/s and the ratio.
# Goal (issue 17): sockpit >= 2x the official client's `next`/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${GQL_N:-500000}
cd "$root"
cargo build --release -q -p sockpit-cli
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

# Correctness first: both see every `next`, and sockpit ends on `complete`.
"$bin/sockpit" graphql "$url" --query "$query" >"$tmp/out"
got=$(wc -l <"$tmp/out")
[ "$got" -eq "$n" ] || { echo "sockpit graphql printed $got of $n payloads" >&2; exit 1; }
[ "$(tail -1 "$tmp/out")" = "{\"data\":{\"count\":$n}}" ] || { echo "last: $(tail -1 "$tmp/out")" >&2; exit 1; }
got=$(node "$peers/graphql_flood_client.js" "$url")
[ "$got" -eq "$n" ] || { echo "graphql-ws client counted $got of $n payloads" >&2; exit 1; }

t_sockpit=$(best_of "$bin/sockpit" graphql "$url" --query "$query")
t_json=$(best_of "$bin/sockpit" graphql "$url" --query "$query" --json)
t_node=$(best_of node "$peers/graphql_flood_client.js" "$url")

python3 - "$n" "$t_sockpit" "$t_json" "$t_node" <<'PY'
import sys
n, s, j, c = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"GraphQL: {n} `next` messages from a flooding graphql-transport-ws server, best of runs:")
print(f"  sockpit graphql (lines to /dev/null): {s:.3f} s   {n/s/1e3:.0f} k next/s")
print(f"  sockpit graphql --json:               {j:.3f} s   {n/j/1e3:.0f} k next/s")
print(f"  graphql-ws client (Node, counting):   {c:.3f} s   {n/c/1e3:.0f} k next/s")
print(f"  ratio sockpit/graphql-ws client next/s = {c/s:.2f} (--json {c/j:.2f})   (goal >= 2)")
PY
