#!/usr/bin/env bash
# Fuzzes the parser (`parse`), the whole compiler (`compile`: both targets, every
# emitter, the JSON API) and an editor's re-check after edits (`recheck`: equal to a
# check from scratch) with libFuzzer through cargo-fuzz, SECONDS per target (default
# 60), one after the other. Exits non-zero when a target crashes, hangs (10 s on one
# input) or leaks memory; reproducers land in fuzz/artifacts/TARGET/.
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 unlocks the sanitizer-coverage
# flag cargo-fuzz passes. The sanitizer is off: the crates forbid `unsafe`, so a panic,
# an overflow (debug assertions are on) or a hang is what there is to find.
# Replay one input: scripts/fuzz.sh --replay TARGET FILE
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}"
fuzz_flags=(-O -a -s none --target-dir "$CARGO_TARGET_DIR")
targets=(parse compile recheck)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || exit 2
fi

if [ "${1:-}" = "--replay" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --replay TARGET FILE" >&2; exit 2; }
  exec cargo fuzz run "${fuzz_flags[@]}" "$2" "$3"
fi

seconds=${1:-60}
case $seconds in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] | --replay TARGET FILE" >&2; exit 2 ;;
esac

cargo fuzz build "${fuzz_flags[@]}" || exit 2

# Seeds: every program the repository holds, good and bad. Regenerated each run and kept
# out of git (fuzz/.gitignore), like the corpora the fuzzer grows from them.
seeds=fuzz/corpus/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
i=0
for f in examples/*.kp tests/*.kp tests/*/*.kp crates/syntax/tests/fixtures/*/*.kp; do
  [ -f "$f" ] || continue
  i=$((i + 1))
  cp "$f" "$seeds/$i-$(basename "$f")"
done
# The doc's examples, one file per ```kp fence.
for doc in docs/*.md; do
  awk -v dir="$seeds" -v base="$(basename "$doc" .md)" '
    /^```kp *$/ { n++; out = sprintf("%s/doc-%s-%d.kp", dir, base, n); inside = 1; next }
    /^```/ && inside { inside = 0; close(out); next }
    inside { print > out }
  ' "$doc"
done

status=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log="fuzz/corpus/$target.log"
  echo "== fuzzing $target for ${seconds}s (log: $log)"
  cargo fuzz run "${fuzz_flags[@]}" "$target" "fuzz/corpus/$target" "$seeds" -- \
    -max_total_time="$seconds" -timeout=10 -max_len=16384 -dict=fuzz/keyplan.dict \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" 2>&1 | tee "$log" |
    grep -E '^(#[0-9]+ +(INITED|DONE|pulse)|==[0-9]+==|SUMMARY|.*panicked at|.*Test unit written)'
  rc=${PIPESTATUS[0]}
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  if [ "$rc" -ne 0 ]; then
    status=1
    summary+=("$target: FAILED (exit $rc) after ${execs:-?} executions; see fuzz/artifacts/$target/")
  else
    summary+=("$target: ok, ${execs:-?} executions, ${rate:-?}/s, ${cov:-cov: ?} edges")
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
