#!/usr/bin/env bash
# Clean builds of the ci preset (what `scripts/test` builds) of two commits side by side, in
# interleaved rounds (OLD first in odd rounds, NEW first in even ones): each round checks both commits
# out into fresh folders, configures with `cmake --preset ci` and builds with `-j$(nproc)`, ccache
# disabled, under /usr/bin/time. Prints per build: wall, CPU (user + sys) and the 1-minute load
# average before it; then the medians over the rounds with their ranges and the median NEW/OLD ratio.
#
#   bench/clean_builds.sh OLD_COMMIT NEW_COMMIT      ROUNDS=2
#
# Each build takes 10–20 min on two cores; run nothing else meanwhile.
set -euo pipefail

OLD=$1
NEW=$2
ROUNDS=${ROUNDS:-2}
repo="$(cd "$(dirname "$0")/.." && pwd)"
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 2; }
git -C "$repo" rev-parse --verify -q "$OLD^{commit}" >/dev/null || { echo "no commit $OLD" >&2; exit 2; }
git -C "$repo" rev-parse --verify -q "$NEW^{commit}" >/dev/null || { echo "no commit $NEW" >&2; exit 2; }
WORK=$(mktemp -d /tmp/clean-builds.XXXXXX)
cleanup() {
  for side in old new; do git -C "$repo" worktree remove --force "$WORK/$side" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export CCACHE_DISABLE=1

# build SIDE COMMIT: prints "wall cpu load"
build() {
  local dir="$WORK/$1"
  git -C "$repo" worktree remove --force "$dir" 2>/dev/null || true
  git -C "$repo" worktree add --detach -q "$dir" "$2"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  (cd "$dir" && cmake --preset ci >/dev/null)
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" cmake --build "$dir/build/ci" -j"$(nproc)" >"$WORK/$1.log" 2>&1 ||
    { tail -20 "$WORK/$1.log" >&2; exit 1; }
  awk -v load="$load" '{printf "%.0f %.0f %s\n", $1, $2 + $3, load}' "$WORK/time"
  git -C "$repo" worktree remove --force "$dir"
}

echo "$(nproc) cores; OLD $(git -C "$repo" rev-parse --short "$OLD"), NEW $(git -C "$repo" rev-parse --short "$NEW")"
: >"$WORK/results"
for round in $(seq "$ROUNDS"); do
  if ((round % 2)); then order="old new"; else order="new old"; fi
  for side in $order; do
    if [[ $side == old ]]; then commit=$OLD; else commit=$NEW; fi
    read -r wall cpu load < <(build "$side" "$commit")
    echo "round $round $side: wall $wall s, CPU $cpu s, load before $load"
    echo "$round $side $wall $cpu" >>"$WORK/results"
  done
done

python3 - "$WORK/results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {}
for r, side, wall, cpu in rows:
    by.setdefault(side, {})[int(r)] = (float(wall), float(cpu))
for i, name in ((0, "wall"), (1, "CPU")):
    for side in ("old", "new"):
        v = [x[i] for x in by[side].values()]
        print(f"{name} {side}: median {statistics.median(v):.0f} s (range {min(v):.0f}-{max(v):.0f})")
    ratios = [by["new"][r][i] / by["old"][r][i] for r in by["new"] if r in by["old"]]
    print(f"{name} NEW/OLD: median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")
EOF
