#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Sockpit's build and tests need, only those missing.
# dbus-daemon (dbus-run-session) and gnome-keyring give the secrets test a real Secret Service; the
# keyring crate itself talks D-Bus in pure Rust (zbus), so no libdbus-1-dev is needed to build.
# rabbitmq-server (Web-STOMP) is a STOMP peer for tests/tests/stomp.rs, which starts its own private
# broker; the system service is kept from starting (policy-rc.d) and disabled, so no stray broker
# listens on 5672.
set -euo pipefail
packages=(build-essential pkg-config python3-venv nodejs npm protobuf-compiler
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libgtk-3-dev librsvg2-dev webkit2gtk-driver xvfb xauth
  dbus-daemon gnome-keyring rabbitmq-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and Python may come from elsewhere (nvm, pyenv): accept working tools instead of the packages.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  policy=""
  if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  if [ -n "$policy" ]; then
    $sudo rm -f /usr/sbin/policy-rc.d
    $sudo systemctl disable rabbitmq-server >/dev/null 2>&1 || true
  fi
fi
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust from rustup (https://rustup.rs) first" >&2
  exit 1
fi
