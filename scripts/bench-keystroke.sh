#!/usr/bin/env bash
# Keystroke -> fresh diagnostics in the playground, in headless Chromium driven by
# Playwright from outside the page: median and p95 over ROUNDS keystrokes (default 40)
# measured each of two ways (the page's own message, one way; or Playwright's awaited
# round trips, as earlier stops measured), and in the page, on a LINES-line program
# (default 2,000), plus the main thread's frame gaps. Builds the wasm and the page first
# unless NO_BUILD=1. A benchmark: prints, asserts nothing.
#
#   scripts/bench-keystroke.sh            LINES=2000 ROUNDS=40 GAP_MS=150 by default
#   TRACE=1 scripts/bench-keystroke.sh    also the main thread's tasks while typing (a trace)
#   NO_BUILD=1 AB_DIST=dir scripts/bench-keystroke.sh   web/dist against another build, keystrokes
#                                         alternated between the two pages (a busy machine loads both alike)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${NO_BUILD:-}" != 1 ]; then
  [ -d web/node_modules ] || npm --prefix web ci
  npm --prefix web run build >/dev/null
fi
node web/tests/bench-keystroke.mjs
