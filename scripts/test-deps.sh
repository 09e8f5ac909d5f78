#!/usr/bin/env bash
# Installs the test peers: a Python venv (websockets, uvicorn, sse-starlette, websocat, python-socketio,
# strawberry-graphql)
# and Node's ws, socket.io 4 and socket.io 2 (alias socket.io-v2).
# Idempotent; safe to run on every test run.
set -euo pipefail
cd "$(dirname "$0")/../tests/peers"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.installed 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.installed
fi
# amqtt (tests/tests/mqtt.rs) pins websockets==15.0.1, so it lives in a venv of its own.
if [ ! -x .venv-amqtt/bin/python ]; then
  "$py" -m venv .venv-amqtt
fi
if ! cmp -s requirements-amqtt.txt .venv-amqtt/.installed 2>/dev/null; then
  .venv-amqtt/bin/pip install --quiet --disable-pip-version-check -r requirements-amqtt.txt
  cp requirements-amqtt.txt .venv-amqtt/.installed
fi
if [ ! -d node_modules/ws ] || [ ! -d node_modules/aedes ] || [ ! -d node_modules/socket.io-v2 ] || [ package.json -nt node_modules/.installed ]; then
  npm install --silent --no-audit --no-fund
  touch node_modules/.installed
fi
# Autobahn|Testsuite (Python 2.7 virtualenv) for tests/tests/autobahn.rs.
../autobahn/setup.sh   # (the cwd is tests/peers, see the cd above)
