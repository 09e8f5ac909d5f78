#!/usr/bin/env bash
# SSE receive-path benchmark on this machine (loopback), not a timed test:
#   1. `sockpit sse` against the mock's /sse at full speed (interval=0: events packed into 16 KiB
#      writes), N events (default 1,000,000) printed to /dev/null, human and --json output; events/s.
#      curl reading the same stream to /dev/null, when installed, shows what the source can give.
#   2. The parser alone: the ignored `sse_parser_throughput` test in sockpit-core, in release (MB/s).
# Target (issue 4): the parser is never the bottleneck at 100k events/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${SSE_N:-1000000}
cd "$root"
cargo build --release -q -p sockpit-cli
bin=$target/release

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin/sockpit" serve >"$tmp/serve.out" &
server=$!
for _ in $(seq 50); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$tmp/serve.out")
url="$base/sse?n=$n&interval=0"

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

# Correctness first: every event arrives.
got=$("$bin/sockpit" sse --json "$url" | grep -c '"event":"sse"')
[ "$got" -eq "$n" ] || { echo "sockpit sse received $got of $n events" >&2; exit 1; }
bytes=$(python3 - "$n" <<'PY'
import sys
# The mock's stream for n events (see crates/sockpit-mock/src/sse.rs), measured without a network.
n = int(sys.argv[1])
total = len(": sockpit mock feed\n")
for i in range(1, n + 1):
    s = ""
    if i % 4 == 0: s += ": keepalive\n"
    s += f"id: {i}\n"
    if i % 3 != 0: s += "event: tick\n"
    if i == 1: s += "retry: 1000\n"
    data = f'{{"n":{i},\n"lines":2}}' if i % 5 == 0 else f'{{"n":{i}}}'
    for line in data.split("\n"): s += f"data: {line}\n"
    total += len(s) + 1
print(total)
PY
)

t_human=$(best_of "$bin/sockpit" sse "$url")
t_json=$(best_of "$bin/sockpit" sse --json "$url")
t_curl=""
if command -v curl >/dev/null; then
  t_curl=$(best_of curl -sN "$url")
fi

python3 - "$n" "$bytes" "$t_human" "$t_json" "$t_curl" <<'PY'
import sys
n, b = int(sys.argv[1]), int(sys.argv[2])
h, j = float(sys.argv[3]), float(sys.argv[4])
print(f"sockpit sse, {n} events ({b/1e6:.1f} MB) from the mock's /sse to /dev/null:")
print(f"  human output: {h:.3f} s   {n/h/1e3:.0f} k events/s   {b/h/1e6:.1f} MB/s")
print(f"  --json:       {j:.3f} s   {n/j/1e3:.0f} k events/s   {b/j/1e6:.1f} MB/s")
if sys.argv[5]:
    c = float(sys.argv[5])
    print(f"  curl -sN (the source's pace, no parsing): {c:.3f} s   {n/c/1e3:.0f} k events/s")
PY

echo "parser alone (release, 16 KiB chunks):"
cargo test --release -q -p sockpit-core --lib sse_parser_throughput -- --ignored --nocapture 2>/dev/null \
  | grep '^sse_parser_throughput' | sed 's/^/  /'
