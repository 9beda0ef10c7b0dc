#!/usr/bin/env bash
# Compile-speed and memory benchmark of the native CLI on a generated program of N
# workloads (default 2,000: about 50,000 lines), every output format. The criterion
# benchmark (`cargo bench -p keyplan`) measures the library alone; this adds process
# start-up, file I/O and peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p keyplan-cli
cargo build --release -q -p keyplan --example gen_program
./target/release/examples/gen_program "$n" > "$work/big.kp"
bytes=$(wc -c < "$work/big.kp")
lines=$(wc -l < "$work/big.kp")
echo "program: $n workloads, $lines lines, $bytes bytes"

# The same program split across 200 files at top-level blocks (as even in block count as
# the blocks allow), compiled as a directory.
mkdir -p "$work/split"
blocks=$(grep -c '^[A-Za-z]' "$work/big.kp")
awk -v blocks="$blocks" -v dir="$work/split" '
  BEGIN { k = -1 }
  /^[A-Za-z]/ { k++ }
  { n = k < 0 ? 0 : int(k * 200 / blocks); print > sprintf("%s/f%03d.kp", dir, n) }
' "$work/big.kp"
files=$(ls "$work/split" | wc -l)

# `build --emit api` against `gzip -6` on the same file, interleaved so that both see the
# same machine load: best of RUNS each (default 15: on a shared VM a run in three or four
# is slowed by a neighbour), wall clock and CPU (user + system) time.
# CPU time: perf's task-clock (sub-millisecond) where perf runs, else user + system time
# of time(1), which counts in 10 ms steps: too coarse for gzip's ~15 ms.
if perf stat -x, -e task-clock -o "$work/perf.txt" true 2>/dev/null; then
  cpu_ms() {
    perf stat -x, -e task-clock -o "$work/perf.txt" "$@" >/dev/null 2>&1
    awk -F, '/task-clock/ { printf "%.1f\n", $1 }' "$work/perf.txt"
  }
else
  cpu_ms() {
    /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$@" >/dev/null 2>&1
    awk '{ printf "%.1f\n", ($1 + $2) * 1000 }' "$work/cpu.txt"
  }
fi
ms_of() { # runs "$@" twice (once timed, once under the CPU counter), each time after
  # removing the directory `$fresh` names (if any); prints "WALL_MS CPU_MS"
  local t0 t1 cpu
  [ -z "${fresh:-}" ] || rm -rf "$fresh"
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  [ -z "${fresh:-}" ] || rm -rf "$fresh"
  cpu=$(cpu_ms "$@")
  echo "$(( (t1 - t0) / 1000000 )) $cpu"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
peak_mb() { # runs "$@" once; prints its peak resident memory in MB and its page faults
  /usr/bin/time -v "$@" 2> "$work/time.txt" >/dev/null
  echo "$(( $(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt") / 1024 )) MB," \
    "$(awk -F: '/Minor .*page faults/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt") page faults"
}
api_vs_gzip() { # LABEL INPUT [OUTPUT]: `build --emit api` of INPUT against `gzip -6` of the
  # one file. OUTPUT: `dir` (default), `-o DIR` into the same directory every run (its
  # calls.json already there from the run before); `fresh`, `-o DIR` into a directory
  # made anew each run (a CI job); `stdout`, printed to /dev/null as gzip -c's output is.
  local label=$1 input=$2 output=${3:-dir} kw="" kc="" gw="" gc="" w c fresh=""
  local -a out
  case $output in
    dir) out=(-o "$work/out-api") ;;
    fresh) out=(-o "$work/out-fresh"); fresh="$work/out-fresh" ;;
    stdout) out=() ;;
  esac
  for _ in $(seq "${RUNS:-15}"); do
    read -r w c < <(ms_of ./target/release/keyplan build "$input" --emit api "${out[@]}")
    kw=$(min "$kw" "$w"); kc=$(min "$kc" "$c")
    read -r w c < <(fresh="" ms_of gzip -6 -k -c "$work/big.kp")
    gw=$(min "$gw" "$w"); gc=$(min "$gc" "$c")
  done
  [ "$output" = dir ] || label="$label ($output)"
  echo "$label build --emit api: best of ${RUNS:-15} = ${kw} ms wall, ${kc} ms CPU; gzip -6: ${gw} ms wall, ${gc} ms CPU"
  echo "$label ratio keyplan/gzip: $(awk -v a="$kw" -v b="$gw" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x wall, $(awk -v a="$kc" -v b="$gc" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x CPU (target: at most 2x)"
  [ -z "$fresh" ] || rm -rf "$fresh"
  echo "$label build --emit api peak resident memory: $(peak_mb ./target/release/keyplan build "$input" --emit api "${out[@]}") (target: under 50 MB)"
}
api_vs_gzip "one file:" "$work/big.kp"
api_vs_gzip "one file:" "$work/big.kp" stdout
api_vs_gzip "one file:" "$work/big.kp" fresh
api_vs_gzip "split across $files files:" "$work/split"

# Instructions executed, exact from run to run where wall and CPU time move with the
# machine's load (valgrind, when installed): the figure to compare across changes.
if command -v valgrind >/dev/null 2>&1; then
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$@" 2>&1 >/dev/null |
      awk '/Collected :/ { print $NF }'
  }
  ki=$(instructions ./target/release/keyplan build "$work/big.kp" --emit api -o "$work/out-api")
  si=$(instructions ./target/release/keyplan build "$work/split" --emit api -o "$work/out-api")
  gi=$(instructions gzip -6 -k -c "$work/big.kp")
  awk -v k="$ki" -v s="$si" -v g="$gi" -v files="$files" 'BEGIN {
    printf "instructions (callgrind): build --emit api %.1f M, split across %d files %.1f M; gzip -6 %.1f M: ratio %.2fx one file, %.2fx split\n",
      k / 1e6, files, s / 1e6, g / 1e6, k / g, s / g
  }'
fi

best=""
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  ./target/release/keyplan build "$work/big.kp" --emit all -o "$work/out" 2>/dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "compile to all outputs: best of 5 = ${best} ms, $(awk -v b="$bytes" -v ms="$best" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000) }') MB/s"

/usr/bin/time -v ./target/release/keyplan build "$work/big.kp" --emit all -o "$work/out" 2> "$work/time.txt" >/dev/null
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
echo "peak resident memory: $(( rss / 1024 )) MB"
du -sh "$work/out" | awk '{ print "outputs: " $1 }'

# The split program, every output.
best=""
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  ./target/release/keyplan build "$work/split" --emit all -o "$work/out-split" 2>/dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "split across $files files: best of 5 = ${best} ms, $(awk -v b="$bytes" -v ms="$best" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000) }') MB/s"
/usr/bin/time -v ./target/release/keyplan build "$work/split" --emit all -o "$work/out-split" 2> "$work/time.txt" >/dev/null
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
echo "split across $files files: peak resident memory: $(( rss / 1024 )) MB"
