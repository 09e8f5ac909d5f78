#!/usr/bin/env bash
# `sockpit load` capacity benchmark (not run in CI), all on this machine (loopback):
#   1. connections held: N idle users (default 10,000) against an echo server, with and without
#      permessage-deflate offered; reports the client's RSS per connection (goal < 20 KB) from
#      the run's own progress lines (RSS of N users minus RSS of 1 user, over N).
#   2. messages: M users (default 1,000) each sending, expecting the echo and thinking 100 ms;
#      reports msgs/s, round-trip percentiles and the client's CPU.
# SERVER=mock (default; `sockpit serve`, Rust/axum) or SERVER=node (tests/peers/ws_echo_counting.js).
# N, M, HOLD (seconds held, default 10), RAMP (default 10) override the sizes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
n=${N:-10000}
m=${M:-1000}
hold=${HOLD:-10}
ramp=${RAMP:-10}
server_kind=${SERVER:-mock}
cd "$root"
cargo build --release -q -p sockpit-cli
bin=$target/release/sockpit
# Both ends need a descriptor per connection.
ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
if [ "$server_kind" = node ]; then
  (cd tests/peers && exec node ws_echo_counting.js) >"$tmp/serve.out" &
  server=$!
  for _ in $(seq 50); do [ -s "$tmp/serve.out" ] && break; sleep 0.1; done
  url="ws://127.0.0.1:$(head -1 "$tmp/serve.out")/echo"
else
  "$bin" serve >"$tmp/serve.out" &
  server=$!
  for _ in $(seq 50); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
  url="$(sed -n 's/^listening on http/ws/p' "$tmp/serve.out")/echo"
fi

# last_steady FILE: the last progress line before the users start closing (the one with the most
# users open), and the summary.
report() {
  python3 - "$@" <<'PY'
import json, sys
label, path, base = sys.argv[1], sys.argv[2], float(sys.argv[3])
lines = [json.loads(l) for l in open(path)]
prog = [l for l in lines if l["event"] == "progress"]
s = [l for l in lines if l["event"] == "summary"][0]
top = max(prog, key=lambda p: (p["active"], p["t_s"]))
c = s["connections"]
per = (top["rss_mb"] - base) * 1024 / max(top["active"], 1)
print(f"{label}: {top['active']} open at once (opened {c['opened']}, failed {c['failed']} {c.get('failed_by_code', {})}, "
      f"dropped {c['dropped']}); RSS {top['rss_mb']} MB = {per:.1f} KB per connection over the 1-user base of {base} MB; "
      f"connect p50 {s['connect_ms']['p50']} ms p99 {s['connect_ms']['p99']} ms")
PY
}

rss_of() {
  python3 -c "import json,sys; p=[json.loads(l) for l in open(sys.argv[1]) if '\"progress\"' in l]; print(p[-1]['rss_mb'])" "$1"
}

"$bin" load "$url" --vus 1 --duration 3 --no-deflate --json >"$tmp/one.json"
base=$(rss_of "$tmp/one.json")
"$bin" load "$url" --vus "$n" --ramp "$ramp" --duration "$hold" --no-deflate --json >"$tmp/idle.json"
report "idle, no deflate" "$tmp/idle.json" "$base"
"$bin" load "$url" --vus 1 --duration 3 --json >"$tmp/one_d.json"
base_d=$(rss_of "$tmp/one_d.json")
"$bin" load "$url" --vus "$n" --ramp "$ramp" --duration "$hold" --json >"$tmp/idle_d.json"
report "idle, deflate offered" "$tmp/idle_d.json" "$base_d"

"$bin" load "$url" --vus "$m" --ramp 2 --duration "$hold" --no-deflate --send 'msg {{$vu}} {{$iteration}}' \
  --expect 'contains:msg' --think 100 --json >"$tmp/msgs.json"
python3 - "$tmp/msgs.json" "$m" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
prog = [l for l in lines if l["event"] == "progress" and l["phase"] == "steady"]
s = [l for l in lines if l["event"] == "summary"][0]["phases"]["steady"]
cpu = [p["cpu_pct"] for p in prog if p.get("cpu_pct") is not None]
print(f"messages: {sys.argv[2]} users, send/expect/think 100 ms: {s['messages']['sent_per_s']:.0f} msgs/s out, "
      f"{s['messages']['received_per_s']:.0f} in; rtt p50 {s['rtt_ms']['p50']} ms p99 {s['rtt_ms']['p99']} ms; "
      f"expects timed out {s['expects']['timed_out']}; client CPU {max(cpu) if cpu else '?'}% at most (100% = one core)")
PY
