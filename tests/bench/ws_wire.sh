#!/usr/bin/env bash
# Wire-layer benchmark (issue 3), all in one run on this machine (loopback), best of RUNS (default 3):
#   A. the foundation path against the mock's /flood (1,000,000 x 32 B, which declines deflate):
#      default (deflate offered, wire layer forwarding only) vs --no-deflate (no wire layer at all)
#      vs --frames (inspector on: every frame parsed, recorded and printed to stderr).
#   B. deflate negotiated vs not, against Python `websockets` flooding 50,000 x 32 B (compression on
#      vs off). (Node `ws` deflates only ~2k messages/s here, too slow to load the client.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${SMALL_N:-1000000}
dn=${DEFLATE_N:-50000}
cd "$root"
cargo build --release -q -p sockpit-cli
"$root/scripts/test-deps.sh"
bin=$target/release/sockpit
tmp=$(mktemp -d)
trap 'kill $server $node_plain $node_deflate 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin" serve >"$tmp/serve.out" &
server=$!
py=tests/peers/.venv/bin/python
$py tests/peers/ws_server.py >"$tmp/node_plain.out" &
node_plain=$!
$py tests/peers/ws_server.py --deflate >"$tmp/node_deflate.out" &
node_deflate=$!
for f in serve node_plain node_deflate; do
  for _ in $(seq 100); do [ -s "$tmp/$f.out" ] && break; sleep 0.1; done
done
mock=$(sed -n 's/^listening on http/ws/p' "$tmp/serve.out")
plain="ws://127.0.0.1:$(head -1 "$tmp/node_plain.out")"
deflate="ws://127.0.0.1:$(head -1 "$tmp/node_deflate.out")"

best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 </dev/null
    e=$(date +%s%N)
    t=$(( e - s ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  python3 -c "print(f'{$best/1e9:.3f}')"
}

# The deflate run must really be compressed, and every message must arrive.
"$bin" connect "$deflate/flood?n=10&size=32" --json --frames </dev/null | grep -q '"rsv1":true' \
  || { echo "deflate was not negotiated with the Python peer" >&2; exit 1; }
got=$("$bin" connect --count "$dn" "$deflate/flood?n=$dn&size=32" </dev/null | wc -l)
[ "$got" -eq "$dn" ] || { echo "received $got of $dn compressed messages" >&2; exit 1; }

a_default=$(best_of "$bin" connect --count "$n" "$mock/flood?n=$n&size=32")
a_nowire=$(best_of "$bin" connect --count "$n" --no-deflate "$mock/flood?n=$n&size=32")
a_frames=$(best_of "$bin" connect --count "$n" --frames "$mock/flood?n=$n&size=32")
b_plain=$(best_of "$bin" connect --count "$dn" "$plain/flood?n=$dn&size=32")
b_deflate=$(best_of "$bin" connect --count "$dn" "$deflate/flood?n=$dn&size=32")

python3 - "$n" "$dn" "$a_default" "$a_nowire" "$a_frames" "$b_plain" "$b_deflate" <<'PY'
import sys
n, dn = int(sys.argv[1]), int(sys.argv[2])
d, nw, fr, bp, bd = map(float, sys.argv[3:])
r = lambda c, t: f"{t:.3f} s ({c/t/1e6:.2f} M msg/s)"
print(f"A. mock flood {n} x 32 B: default {r(n,d)} | --no-deflate {r(n,nw)} | --frames {r(n,fr)}")
print(f"   wire layer forwarding vs none: {d/nw:.2f}x   inspector on vs off: {fr/d:.2f}x")
print(f"B. Python websockets flood {dn} x 32 B: without deflate {r(dn,bp)} | deflate negotiated {r(dn,bd)}  ({bd/bp:.2f}x)")
PY
