#!/usr/bin/env bash
# Installs Autobahn|Testsuite (wstest, Python 2 only) into tests/autobahn/.venv27. Idempotent: a warm run is a no-op.
#
# Python 2.7.18 comes from pyenv ($(pyenv root)/versions/2.7.18, or $PYTHON27). The Python 2 virtualenv is made
# by `virtualenv<20.22` (the last line that can target 2.7), itself installed in a Python 3 venv (.venv-tools).
# Only PyPI is used. Pins: requirements-py27.txt beside this file (from the testsuite's sdist).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

ATS_VERSION=25.10.1
venv27=$here/.venv27
tools=$here/.venv-tools
stamp=$venv27/.installed
want="autobahntestsuite==$ATS_VERSION
$(cat requirements-py27.txt)"

# Serialize concurrent runs (make test-deps and the cargo test may both call this).
exec 9>"$here/.venv-setup.lock"
flock 9

if [ -x "$venv27/bin/wstest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

log() { echo "autobahn setup: $*" >&2; }

# Python 2.7.18
py27=${PYTHON27:-}
if [ -z "$py27" ]; then
  if command -v pyenv >/dev/null 2>&1; then
    pyroot=$(pyenv root)
  else
    pyroot=${PYENV_ROOT:-$HOME/.pyenv}
  fi
  py27=$pyroot/versions/2.7.18/bin/python2.7
fi
if [ ! -x "$py27" ] || ! "$py27" -c 'import sys; assert sys.version_info[:2] == (2, 7)' 2>/dev/null; then
  echo "autobahn setup: error: Python 2.7 not found at $py27 (Autobahn|Testsuite is Python 2 only)." >&2
  echo "  install it with \`pyenv install 2.7.18\`, or point PYTHON27 at a python2.7 binary." >&2
  exit 1
fi

# virtualenv<20.22 in a Python 3 venv
py3=${PYTHON3:-python3}
if [ ! -x "$tools/bin/virtualenv" ]; then
  log "creating $tools (virtualenv<20.22)"
  rm -rf "$tools"
  "$py3" -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check 'virtualenv<20.22'
fi

# The Python 2.7 virtualenv with the testsuite
log "installing autobahntestsuite==$ATS_VERSION into $venv27 (python: $py27)"
rm -rf "$venv27"
"$tools/bin/virtualenv" --quiet -p "$py27" "$venv27"
"$venv27/bin/pip" install --quiet --disable-pip-version-check --no-python-version-warning \
  -r requirements-py27.txt "autobahntestsuite==$ATS_VERSION"
"$venv27/bin/python" -c 'import autobahntestsuite, autobahn, twisted' 
[ -x "$venv27/bin/wstest" ] || { echo "autobahn setup: error: wstest missing after install" >&2; exit 1; }
printf '%s' "$want" > "$stamp"
log "done"
