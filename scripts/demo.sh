#!/usr/bin/env bash
# `make run`: starts the built-in mock server and an interactive session against its /echo route.
# Type lines to send them; Ctrl-D closes cleanly. (The desktop window replaces this when it lands.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CARGO_TARGET_DIR:-$root/target}/release/sockpit
log=$(mktemp)
"$bin" serve >"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
http=$(sed -n 's/^listening on //p' "$log")
ws=${http/http:/ws:}
echo "Sockpit mock server: $http (routes: curl $http/)"
echo "Connected to $ws/echo — type a line to send it, Ctrl-D to close."
"$bin" connect "$ws/echo" --verbose
