#!/usr/bin/env bash
# Installs what keyplan's tests need, each piece only when it is missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

for script in scripts/install-live-deps.sh scripts/install-web-deps.sh; do
  if [ -x "$script" ]; then
    "$script"
  fi
done
