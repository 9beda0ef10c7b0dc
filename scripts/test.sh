#!/usr/bin/env bash
# Runs keyplan's whole test suite, installing what it needs when it is missing:
# formatting and lints, the Rust tests (unit, golden, property, CLI, and live tests
# against real OpenBao, MariaDB and PostgreSQL servers they start themselves), the
# wasm build of the compiler core, and the playground's end-to-end tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "installing what the tests need (skipped when present)"
scripts/install-deps.sh

step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the compiler core builds for wasm32-unknown-unknown"
cargo build --locked --target wasm32-unknown-unknown \
  -p kp-diag -p kp-syntax -p kp-schema -p kp-check -p kp-graph -p kp-emit -p keyplan \
  -p kp-fmt -p kp-report -p kp-acl -p kp-access -p kp-ide -p kp-import -p kp-sort -p kp-json

step "endpoint schemas match their generator"
python3 tools/schemagen/generate.py --check

if [ -f web/package.json ]; then
  step "playground: build and end-to-end tests in Chromium"
  npm --prefix web ci --no-audit --no-fund
  npm --prefix web run build
  npm --prefix web test
  step "wasm-bindgen tests of the wasm shim (under node)"
  scripts/build-web.sh test
fi

step "VS Code grammar: vscode-textmate and vscode-oniguruma for crates/lsp/tests/grammar.rs"
npm --prefix editors/vscode ci --no-audit --no-fund

step "Rust tests (unit, golden, property, CLI, live servers)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
# cargo prints one line per test binary (the last is often an empty doc-test run): close
# with the totals.
awk '/^test result:/ { p += $4; f += $6 } END { printf "\nrust: %d passed, %d failed\n", p, f }' "$log"
# The language suite (tests/, run by `cargo test -p keyplan-cli --test language` above).
echo "language suite: $(find tests -mindepth 1 -maxdepth 1 \( -name '*.kp' -o -type d \) | wc -l) cases in tests/"

step "kp-schema without its docs feature, as the playground's wasm builds it"
cargo test --locked -p kp-schema --no-default-features --lib
