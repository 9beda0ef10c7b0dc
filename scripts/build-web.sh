#!/usr/bin/env bash
# Builds the playground's wasm package into web/src/pkg (used by `npm --prefix web run build`).
#
#   scripts/build-web.sh wasm   cargo build (wasm32, profile wasm-release) + wasm-bindgen
#                               (+ wasm-opt from npm's binaryen when installed), the schema
#                               asset (a native build writes schema.json), then sizes
#   scripts/build-web.sh size   print raw and gzip sizes of the built playground (web/dist)
#   scripts/build-web.sh deps   install the wasm32 target and wasm-bindgen-cli only
#   scripts/build-web.sh test   the shim's wasm-bindgen tests, run under node
#   scripts/build-web.sh names [editor|access]
#                               one module with its function names (profile wasm-names),
#                               -Oz without --converge, for `twiggy top|monos` (target/wasm/names.wasm)
#
# wasm-bindgen-cli is installed from crates.io at exactly the version the crate pins, when
# missing or different; nothing downloads a prebuilt binary.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/web/src/pkg"
export CARGO_TARGET_DIR="${KEYPLAN_WASM_TARGET_DIR:-$ROOT/target/wasm}"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$ROOT/crates/wasm/Cargo.toml")"

ensure_wasm_bindgen() {
  local have=""
  if command -v wasm-bindgen >/dev/null 2>&1; then
    have="$(wasm-bindgen --version | awk '{print $2}')"
  fi
  if [ "$have" != "$WASM_BINDGEN_VERSION" ]; then
    echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (have: ${have:-none})" >&2
    # --locked first; the registry mirror may lack a locked transitive version.
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/cli" cargo install wasm-bindgen-cli \
      --version "=$WASM_BINDGEN_VERSION" --locked ||
      CARGO_TARGET_DIR="$CARGO_TARGET_DIR/cli" cargo install wasm-bindgen-cli \
        --version "=$WASM_BINDGEN_VERSION"
  fi
}

ensure_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
}

sizes() {
  node "$ROOT/web/scripts/size.mjs" "$@"
}

# The wasm features every browser the playground supports has; wasm-opt must be told.
WASM_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# bindgen PROFILE OUT_DIR FEATURE NAME [wasm-bindgen options]: the shim built with PROFILE
# and the exports of FEATURE (`editor` or `access`, crates/wasm/Cargo.toml), bound for the
# web as NAME.js and NAME_bg.wasm in OUT_DIR (emptied first).
bindgen() {
  local profile="$1" out="$2" feature="$3" name="$4"
  shift 4
  ensure_target
  ensure_wasm_bindgen
  # The cdylib alone: cargo links a crate whose types include an rlib (the shim's tests
  # need it) without the profile's `lto = true`, and the module was built without LTO
  # until 12-04. With it: 203,224 -> 202,032 bytes at gzip -9 (6 KB less data).
  # A stack of 512 KiB, not rustc's 1 MiB: wasm-ld puts the stack first (an overflow runs
  # below address 0 and traps) and the data above it, so every address of a string or
  # table the code names is then below 2^20, which an `i32.const` writes in three bytes
  # instead of four. No input comes near 512 KiB: every recursion of the compiler is
  # bounded (the parser's nesting at kp_syntax::MAX_DEPTH, JSON's at 128 levels; graph
  # walks are iterative), and the deepest inputs check, build, format, explain and
  # simulate with a stack of 128 KiB. (`--no-stack-first`, the data below the stack, is
  # 0.7 KB smaller still, but an overflow would then overwrite the data, not trap.)
  cargo rustc -p keyplan-wasm --lib --crate-type cdylib --target wasm32-unknown-unknown \
    --no-default-features --features "$feature" \
    --profile "$profile" --manifest-path "$ROOT/Cargo.toml" -- -C link-arg=-zstack-size=524288
  rm -rf "$out"
  wasm-bindgen "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/keyplan_wasm.wasm" \
    --out-dir "$out" --out-name "$name" --target web --no-typescript "$@"
}

# The page's two modules (crates/wasm/src/lib.rs says why two): `keyplan` with the
# editor's exports, which the page needs to start, and `keyplan_access` with the access
# tab's, loaded when it is first wanted.
build_wasm() {
  rm -rf "$PKG"
  mkdir -p "$PKG"
  local feature name
  for module in editor:keyplan access:keyplan_access; do
    feature="${module%%:*}" name="${module#*:}"
    bindgen wasm-release "$CARGO_TARGET_DIR/pkg-$name" "$feature" "$name" --omit-default-module-path
    cp "$CARGO_TARGET_DIR/pkg-$name/$name.js" "$CARGO_TARGET_DIR/pkg-$name/${name}_bg.wasm" "$PKG/"
    optimize "$PKG/${name}_bg.wasm"
  done
  # Completion's schema, descriptions included: the same for every program, so written
  # once here and fetched by the page (web/src/compiler.js); the wasm leaves it out.
  CARGO_TARGET_DIR="$ROOT/target" cargo run -q -p keyplan --example schema_json \
    --manifest-path "$ROOT/Cargo.toml" >"$PKG/schema.json"
  sizes "$PKG/keyplan_bg.wasm" "$PKG/keyplan.js" "$PKG/keyplan_access_bg.wasm" \
    "$PKG/keyplan_access.js" "$PKG/schema.json"
}

# optimize WASM: wasm-opt's size pipeline on one module, in place.
optimize() {
  local wasm="$1" named="${1%.wasm}.named.wasm"
  local opt="$ROOT/web/node_modules/.bin/wasm-opt"
  if [ -x "$opt" ]; then
    # -Os/-Oz, not -O3: -O3 makes the keystroke's check 2-3% fewer instructions in V8
    # (web/scripts/count-wasm-check.sh) for 1.3-1.5 KB gzipped, which the goal of 200 KB
    # has no room for. rustc's opt-level 3, 2 or "s" would be 27-40% fewer, but 221-275 KB;
    # so is opt-level 3 for kp-check (-17%, 239 KB) or kp-syntax (-12%, 209 KB) alone.
    # LLVM's inliner options (RUSTFLAGS -Cllvm-args) do not help: -inline-threshold=0
    # changes nothing (a function with one caller is inlined whatever its size),
    # -inline-instr-cost=20 is 5.2 KB larger gzipped, -inline-max-stacksize=256 1.6 KB.
    # --converge repeats the pipeline while it still shrinks the module (~3 KB gzipped);
    # --zero-filled-memory holds: the module defines its memory, which starts zeroed.
    # The producers and target-features sections are read by no browser (0.2 KB gzipped).
    # --low-memory-unused holds too: rustc's wasm-ld puts the stack first and the data at
    # 1 MiB, so nothing lives below 1 KiB; binaryen then folds constant offsets into loads
    # and stores (1.3 KB gzipped).
    # --one-caller-inline-max-function-size=20: binaryen otherwise inlines every function
    # with one caller whatever its size, into the few that rustc had already made large
    # (the check, the build and explain exports): 11 KB smaller raw but 12 KB larger
    # gzipped (206.9 vs 194.2 KB), as code in a function with hundreds of locals repeats
    # less. The keystroke's check is then 5% more instructions in V8 (count-wasm-check.sh
    # edit: 7.00 -> 7.32 M; bench-wasm-check.mjs median 0.87 -> 0.93 ms); 0 (no such
    # inlining) is 194.7 KB, 50 is 197.8.
    # --ignore-implicit-traps: binaryen may assume no load, store or division traps; safe
    # Rust never relies on one (bounds and divisors are checked in code, and a failed
    # check is an explicit panic, then `unreachable`, which the flag leaves alone): 60
    # bytes gzipped. --gufa-optimizing (whole-module inference of the values each
    # location can hold, then the pipeline again): 36 bytes. --traps-never-happen would
    # save about as much but turn a panic into undefined behaviour: not taken.
    # -Oz, not -Os: 180 bytes smaller gzipped on 12-05 (204,929 -> 204,749), where -Os
    # was 90 bytes smaller on 12-03. The difference is of the order of the noise any
    # change of the compiler makes (a few dozen to a hundred bytes either way): remeasure
    # both when the budget is tight again. --merge-similar-functions: -22 bytes, not taken.
    # --generate-global-effects first: each function's effects (no side effect, cannot
    # trap...) computed once over the whole module, so the passes after it may drop or
    # move a call they must otherwise keep: 86 bytes gzipped (12-04, stop 47).
    "$opt" --generate-global-effects -Oz --converge --one-caller-inline-max-function-size=20 --ignore-implicit-traps --gufa-optimizing -Oz --zero-filled-memory --low-memory-unused --strip-producers --strip-target-features \
      "${WASM_FEATURES[@]}" \
      "$wasm" -o "$wasm"
    # Similar functions side by side, for gzip's 32 KB window (web/scripts/order-functions.mjs
    # names them in that order; wasm-opt sorts by name, then strips the names): 5.6 KB
    # smaller gzipped. The optimize and shrink levels only make the writer optimize the
    # code as the pipeline above did (its Stack IR).
    # --dealign: every load and store says alignment 1 instead of its natural alignment.
    # The alignment is a hint, not a promise the semantics rest on (a wasm access may be
    # misaligned whatever it says), and V8 compiles the same loads on x64 and arm64 either
    # way; one value in every memory access's immediate instead of four is 0.5 KB smaller
    # gzipped (12-04: 203,715 -> 203,224 bytes at gzip -9; bench-wasm-check.mjs: no change).
    node "$ROOT/web/scripts/order-functions.mjs" "$wasm" "$named"
    "$opt" --optimize-level=2 --shrink-level=1 --reorder-functions-by-name --strip-debug --dealign \
      "${WASM_FEATURES[@]}" "$named" -o "$wasm"
    rm "$named"
  else
    echo "wasm-opt not installed (npm --prefix web ci installs binaryen): skipping" >&2
  fi
}

# The same module with its function names kept, for twiggy (FEATURE: editor, the
# default, or access).
names_wasm() {
  local out="$CARGO_TARGET_DIR/names"
  bindgen wasm-names "$out" "${1:-editor}" keyplan --keep-debug
  "$ROOT/web/node_modules/.bin/wasm-opt" -Oz -g --strip-dwarf --zero-filled-memory \
    "${WASM_FEATURES[@]}" "$out/keyplan_bg.wasm" -o "$CARGO_TARGET_DIR/names.wasm"
  echo "$CARGO_TARGET_DIR/names.wasm (twiggy top -n 40 $CARGO_TARGET_DIR/names.wasm)"
}

test_wasm() {
  ensure_target
  ensure_wasm_bindgen
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p keyplan-wasm --target wasm32-unknown-unknown --manifest-path "$ROOT/Cargo.toml"
}

case "${1:-wasm}" in
  wasm) build_wasm ;;
  size) shift; sizes "$@" ;;
  deps) ensure_target; ensure_wasm_bindgen ;;
  test) test_wasm ;;
  names) names_wasm "${2:-editor}" ;;
  *) echo "usage: $0 [wasm|size [FILES...]|deps|test|names [editor|access]]" >&2; exit 2 ;;
esac
