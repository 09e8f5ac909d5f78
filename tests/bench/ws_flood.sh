#!/usr/bin/env bash
# Receive-path benchmark, all in one run on this machine (loopback), every contender on the same
# stream from the mock's /flood, best of RUNS (default 3) wall times and the client's CPU time:
#   1. 1,000,000 x 32 B text: `sockpit connect --quiet` (every message still timestamped) against a
#      bare tokio-tungstenite counting loop (target <= 1.05 x), and `sockpit connect` printing every
#      message against websocat (target <= 0.6 x websocat).
#   2. 1,000 x 1 MiB binary: `sockpit connect --quiet` against the bare loop (target <= 1.1 x), also
#      with the frame inspector on (--frames) and with no deflate offered (--no-deflate: no wire
#      layer at all). The mock declines deflate; tests/bench/ws_wire.sh measures inflation itself.
# The wall time is bound by the mock on a 2-core box; the CPU time is what the client spent, so its
# ratio shows the client's own cost even when the server is the bottleneck.
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

# best_of CMD...: runs CMD (stdout and stderr to /dev/null) $runs times; prints "WALL CPU", each the
# best over the runs, in seconds (CPU = the child's user + system time).
best_of() {
  python3 - "$runs" "$@" <<'PY'
import resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best_wall = best_cpu = None
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best_wall = wall if best_wall is None else min(best_wall, wall)
    best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
print(f"{best_wall:.3f} {best_cpu:.3f}")
PY
}

# Correctness first: every contender sees every message.
got=$("$bin/sockpit" connect --count "$small_n" "$small" </dev/null | wc -l)
[ "$got" -eq "$small_n" ] || { echo "sockpit received $got of $small_n messages" >&2; exit 1; }
got=$("$websocat" -U "$small" </dev/null | wc -l)
[ "$got" -eq "$small_n" ] || { echo "websocat received $got of $small_n messages" >&2; exit 1; }
got=$("$bin/raw_ws_count" "$large")
[ "$got" = "1000 1048576000" ] || { echo "the bare loop received '$got' of 1000 x 1 MiB" >&2; exit 1; }

small_quiet=$(best_of "$bin/sockpit" connect --count "$small_n" --quiet "$small")
small_raw=$(best_of "$bin/raw_ws_count" "$small")
small_print=$(best_of "$bin/sockpit" connect --count "$small_n" "$small")
small_websocat=$(best_of "$websocat" -U "$small")
large_quiet=$(best_of "$bin/sockpit" connect --count 1000 --quiet "$large")
large_raw=$(best_of "$bin/raw_ws_count" "$large")
large_frames=$(best_of "$bin/sockpit" connect --count 1000 --quiet --frames "$large")
large_nowire=$(best_of "$bin/sockpit" connect --count 1000 --quiet --no-deflate "$large")
large_hex=$(best_of "$bin/sockpit" connect --count 1000 "$large")

python3 - "$small_n" $small_quiet $small_raw $small_print $small_websocat \
  $large_quiet $large_raw $large_frames $large_nowire $large_hex <<'PY'
import sys
n = int(sys.argv[1])
v = list(map(float, sys.argv[2:]))
sq, sr, sp, sw, lq, lr, lf, ln, lh = [tuple(v[i:i + 2]) for i in range(0, len(v), 2)]
def row(name, t, floor):
    return f"  {name:<34} {t[0]:7.3f} s wall {t[1]:7.3f} s CPU   x{t[0] / floor[0]:.2f} wall  x{t[1] / floor[1]:.2f} CPU"
print(f"small: {n} x 32 B text (ratios against the bare loop)")
print(row("bare tokio-tungstenite loop", sr, sr))
print(row("sockpit --quiet (target <= 1.05)", sq, sr))
print(f"small: printing every message (ratios against websocat; target <= 0.60 wall)")
print(row("websocat -U", sw, sw))
print(row("sockpit (timestamp + text)", sp, sw))
print("large: 1000 x 1 MiB binary (ratios against the bare loop)")
print(row("bare tokio-tungstenite loop", lr, lr))
print(row("sockpit --quiet (target <= 1.10)", lq, lr))
print(row("sockpit --quiet --frames", lf, lr))
print(row("sockpit --quiet --no-deflate", ln, lr))
print(row("sockpit printing hex", lh, lr))
PY
