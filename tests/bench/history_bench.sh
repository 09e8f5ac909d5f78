#!/usr/bin/env bash
# History-persistence benchmark (release build, loopback): `sockpit serve` floods N x 32 B text
# messages (default 1,000,000); tests/src/bin/history_bench.rs receives them once without history
# and once forwarding every event batch to the store's background history writer, then prints
# both receive times and the persisted rate. Target: >= 200k events/s persisted, receive path
# not slowed. Set N to change the flood size.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
n=${N:-1000000}
cd "$root"
cargo build --release -q -p sockpit-cli -p sockpit-tests --bins
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$target/release/sockpit" serve >"$tmp/serve.out" &
server=$!
for _ in $(seq 50); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on http/ws/p' "$tmp/serve.out")
echo "flood: $n x 32 B from sockpit serve; history in $tmp/data (SQLite, WAL)"
"$target/release/history_bench" "$base/flood?n=$n&size=32" "$tmp/data"
ls -l "$tmp/data" | sed -n 's/^.* \([0-9]\+\) .* \(sockpit.db.*\)$/db file \2: \1 bytes/p'
