#!/usr/bin/env bash
# Instructions per keystroke check of the wasm in node, counted by callgrind: exact and
# repeatable where wall times on a shared machine are not (bench-wasm-check.mjs).
#
#   web/scripts/count-wasm-check.sh [PKG_DIR] [whole|edit]
#
# PKG_DIR: a wasm-bindgen output (default web/src/pkg); `whole` (default) passes the text
# to `check`, `edit` passes the keystroke to `edit` and `check_edited`. Runs N=0 and N=40
# checks under callgrind and prints the difference per check. V8 runs in its predictable
# mode (one thread, fixed seeds) with every wasm function compiled up front by TurboFan:
# repeated counts agree within 0.1%. Includes the JavaScript glue's share (the copy of the
# text into the module). A few minutes per figure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="${1:-$here/../src/pkg}"
edit=0
[ "${2:-whole}" = edit ] && edit=1
N=40
count() {
  COUNT="$1" EDIT="$edit" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    node --predictable --no-liftoff --no-wasm-tier-up --no-wasm-lazy-compilation "$here/bench-wasm-check.mjs" "$pkg" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
zero="$(count 0)"
some="$(count "$N")"
echo "$pkg ${2:-whole}: $(((some - zero) / N)) instructions per check"
