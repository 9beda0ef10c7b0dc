#!/usr/bin/env bash
# The access commands of the CLI end to end on a generated program of N workloads
# (default 2,000), as a reviewer runs them: `explain --as` one workload on 1,000 paths,
# `explain` of every identity on 10 paths, `diff` of two versions, `access`, and
# `check` (with the identity lints). Best of 5 wall-clock runs, and the CPU time
# (user + sys) of that run, which is what matters on a loaded machine. The criterion
# benchmarks (`cargo bench -p keyplan --bench explain --bench access`) measure the
# library alone, compile excluded.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p keyplan-cli
cargo build --release -q -p keyplan --example gen_program
bin=./target/release/keyplan
./target/release/examples/gen_program "$n" > "$work/old.kp"
# One workload gains a grant, one is renamed (an identity removed and one added).
sed -e '0,/^workload job-7 {/s//workload job-7 {\n  delete "secret\/data\/x\/*"/' \
    -e 's/^workload job-1999 {/workload job-1999-renamed {/' "$work/old.kp" > "$work/new.kp"
echo "program: $n workloads, $(wc -l < "$work/old.kp") lines"

paths=()
for i in $(seq 0 999); do
  w=$(( (i * 7) % n )); t=$(( w / 20 ))
  case $(( i % 4 )) in
    0) paths+=("secret/data/team-$t/job-$w/key") ;;
    1) paths+=("secret/metadata/team-$t/job-$w/") ;;
    2) paths+=("ssh/sign/team-$t") ;;
    3) paths+=("database/creds/team-$t-ro") ;;
  esac
done
as=job-$(( n / 2 ))

measure() {
  local label=$1; shift
  local best="" cpu=""
  for _ in 1 2 3 4 5; do
    local start end ms
    start=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$work/time" "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then
      best=$ms
      cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/time")
    fi
  done
  printf '%-44s best of 5: %5d ms wall, %5d ms CPU\n' "$label" "$best" "$cpu"
}

measure "explain --as $as, 1,000 paths" "$bin" explain "$work/old.kp" --as "$as" "${paths[@]}"
measure "explain, every identity, 10 paths" "$bin" explain "$work/old.kp" "${paths[@]:0:10}"
measure "diff of two $n-workload programs" "$bin" diff "$work/old.kp" "$work/new.kp"
measure "access (matrix)" "$bin" access "$work/old.kp"
measure "check (identity lints included)" "$bin" check "$work/old.kp"
