#!/usr/bin/env bash
# Installs what the playground's build and tests need, each only when missing:
# the wasm32 target and wasm-bindgen-cli (from crates.io, at the crate's pinned version)
# and Debian's Chromium for the end-to-end tests. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-web.sh deps

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
