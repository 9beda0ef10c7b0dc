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

# `build --emit api` against `gzip -6` on the same file, interleaved so that both see the
# same machine load: best of 7 each, wall clock and CPU (user + system) time.
ms_of() { # runs "$@" once; prints "WALL_MS CPU_MS"
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  awk -v w=$(( (t1 - t0) / 1000000 )) '{ printf "%d %d\n", w, ($1 + $2) * 1000 }' "$work/cpu.txt"
}
kw=""; kc=""; gw=""; gc=""
for _ in 1 2 3 4 5 6 7; do
  read -r w c < <(ms_of ./target/release/keyplan build "$work/big.kp" --emit api -o "$work/out-api")
  if [ -z "$kw" ] || [ "$w" -lt "$kw" ]; then kw=$w; fi
  if [ -z "$kc" ] || [ "$c" -lt "$kc" ]; then kc=$c; fi
  read -r w c < <(ms_of gzip -6 -k -c "$work/big.kp")
  if [ -z "$gw" ] || [ "$w" -lt "$gw" ]; then gw=$w; fi
  if [ -z "$gc" ] || [ "$c" -lt "$gc" ]; then gc=$c; fi
done
echo "build --emit api: best of 7 = ${kw} ms wall, ${kc} ms CPU; gzip -6: ${gw} ms wall, ${gc} ms CPU"
echo "ratio keyplan/gzip: $(awk -v a="$kw" -v b="$gw" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x wall, $(awk -v a="$kc" -v b="$gc" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x CPU (target: at most 2x)"
/usr/bin/time -v ./target/release/keyplan build "$work/big.kp" --emit api -o "$work/out-api" 2> "$work/time.txt" >/dev/null
echo "build --emit api peak resident memory: $(( $(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt") / 1024 )) MB (target: under 50)"

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

# The same program split across 200 files at top-level blocks, compiled as a directory.
mkdir -p "$work/split"
awk -v total="$bytes" -v dir="$work/split" '
  BEGIN { per = int(total / 200) + 1; n = 0; size = 0 }
  /^[A-Za-z]/ { if (size >= per) { n++; size = 0 } }
  { file = sprintf("%s/f%03d.kp", dir, n); print > file; size += length($0) + 1 }
' "$work/big.kp"
files=$(ls "$work/split" | wc -l)
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
