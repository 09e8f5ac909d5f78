#!/usr/bin/env bash
# Script overhead benchmark on this machine (loopback), not a timed test (issue 19):
#   `sockpit connect --quiet --count N` on the mock's /flood?json=1 (N JSON messages of 32 B as fast
#   as the mock sends them), without a script and with the trivial hook file below; messages/s of
#   each and the ratio. Goal: the scripted run keeps up with >= 200k messages/s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-3}
n=${SCRIPT_N:-1000000}
cd "$root"
cargo build --release -q -p sockpit-cli
bin=$target/release

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin/sockpit" serve >"$tmp/serve.out" &
server=$!
for _ in $(seq 50); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on http/ws/p' "$tmp/serve.out")
url="$base/flood?n=$n&size=32&json=1"
cat >"$tmp/trivial.js" <<'JS'
let seen = 0;
function onMessage(sp) {
  seen++;
  if (sp.message.json().n % 100000 == 0) sp.log('at', sp.message.json().n);
}
function onClose(sp) { sp.log('seen', seen); }
JS

best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s%N)
    "$@" >/dev/null 2>"$tmp/err" </dev/null
    e=$(date +%s%N)
    t=$(( e - s ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  python3 -c "print(f'{$best/1e9:.3f}')"
}

# Correctness first: the script saw every message.
"$bin/sockpit" connect "$url" --quiet --count "$n" --script "$tmp/trivial.js" 2>"$tmp/check" >/dev/null
grep -q "script: seen $n" "$tmp/check" || { echo "the script did not see $n messages:"; cat "$tmp/check"; exit 1; }

plain=$(best_of "$bin/sockpit" connect "$url" --quiet --count "$n")
scripted=$(best_of "$bin/sockpit" connect "$url" --quiet --count "$n" --script "$tmp/trivial.js")
python3 - "$n" "$plain" "$scripted" <<'PY'
import sys
n, plain, scripted = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"{n} JSON messages of 32 B from the mock's /flood, best of runs:")
print(f"  no script:           {plain:7.3f} s  {n/plain:12,.0f} msg/s")
print(f"  trivial on_message:  {scripted:7.3f} s  {n/scripted:12,.0f} msg/s")
print(f"  script overhead: {scripted/plain:.2f}x the time; goal >= 200,000 msg/s: {'met' if n/scripted >= 200000 else 'NOT met'}")
PY
