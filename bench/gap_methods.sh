#!/usr/bin/env bash
# Analysis-method benchmark of geo/analysis (see bench/GAP.md, section "Methods").
#
#   bench/gap_methods.sh
#
# 1. MCLP siting, exact (GLPK branch and cut inside tsunagi) and greedy + swap: spopt's San
#    Francisco example (205 tracts, 16 stores, k = 4, 5 km) and a generated one (2,000 demand
#    points, 200 candidate sites, uniform in a 20 km square, Euclidean costs, k = 10, radii
#    2-3 km): time, objective, bound, gap (build/release/bench/tsunagi_gap_timing).
# 2. p-median: exact at 20,000 pairs and on the 2,000 x 200 case with a 60 s limit.
# 3. GLPK against CBC on the same textbook MCLP (no reductions), written as an LP file and solved
#    by their own programs, glpsol and cbc.
# 4. 2SFCA and E2SFCA: `tsunagi gap access` against numpy with pysal's formula
#    (bench/gap_2sfca_numpy.py) on 10,000 demand points x 1,000 sites; same answers, times.
# Needs: the release build (targets tsunagi, tsunagi_gap_timing), python3-numpy, and for 3.
# glpk-utils and coinor-cbc (skipped when missing). Pinned to core 0 when taskset exists.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
BIN=${TSUNAGI_BINARY:-$here/build/release/cli/tsunagi}
TIMING=${TSUNAGI_GAP_TIMING:-$here/build/release/bench/tsunagi_gap_timing}
SPOPT=${TSUNAGI_SHARED_DATA:-$here/../shared/data}/spopt-sf
[ -x "$TIMING" ] || { echo "no $TIMING: build the release preset (target tsunagi_gap_timing)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no $BIN: build the release preset" >&2; exit 2; }
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "needs python3-numpy" >&2; exit 2; }
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

echo "== MCLP: exact (GLPK in tsunagi) and greedy + swap"
if [ -d "$SPOPT" ]; then
  "${pin[@]}" "$TIMING" --spopt "$SPOPT" --time-limit 60 --radius 2500 | grep '^spopt-sf'
else
  echo "(spopt-sf data missing at $SPOPT: skipped)"
fi
for r in 2000 2500 3000; do
  "${pin[@]}" "$TIMING" --radius "$r" --k 10 --time-limit 60
done

echo
echo "== p-median: exact (GLPK) and greedy + swap (Teitz-Bart)"
"${pin[@]}" "$TIMING" --demand 500 --sites 40 --radius 15000 --k 5 --pmedian --time-limit 60 |
  grep pmedian
"${pin[@]}" "$TIMING" --radius 2500 --k 10 --pmedian --time-limit 60 | grep pmedian
# the same with GLPK allowed on it (the default limit, 20,000 pairs, sends it to greedy + swap)
"${pin[@]}" "$TIMING" --radius 2500 --k 10 --pmedian --time-limit 60 \
  --pmedian-exact-max-pairs 1000000 >"$WORK/pmedian_glpk.txt"
grep pmedian "$WORK/pmedian_glpk.txt" | sed -n 1p

echo
echo "== GLPK (glpsol) vs CBC (cbc) on the same textbook MCLP LP file, 2,000 x 200, k = 10"
if command -v glpsol >/dev/null && command -v cbc >/dev/null; then
  for r in 2000 2500 3000; do
    "$TIMING" --radius "$r" --k 10 --write-lp "$WORK/mclp$r.lp"
    s=$(now)
    "${pin[@]}" glpsol --lp "$WORK/mclp$r.lp" --tmlim 300 -o "$WORK/glpk$r.txt" >/dev/null
    e=$(now)
    g_obj=$(awk '/^Objective:/ {print $4}' "$WORK/glpk$r.txt")
    s2=$(now)
    "${pin[@]}" cbc "$WORK/mclp$r.lp" sec 300 solve >"$WORK/cbc$r.txt"
    e2=$(now)
    c_obj=$(awk '/^Objective value:/ {print $3}' "$WORK/cbc$r.txt")
    printf 'radius %s m: glpsol %8s s (objective %s)   cbc %8s s (objective %s)\n' \
      "$r" "$(secs "$s" "$e")" "$g_obj" "$(secs "$s2" "$e2")" "$c_obj"
  done
else
  echo "(glpsol or cbc missing: apt-get install glpk-utils coinor-cbc)"
fi

echo
echo "== 2SFCA / E2SFCA: tsunagi gap access vs numpy (pysal's formula), 10,000 x 1,000"
/usr/bin/python3 - "$WORK" <<'PY'
import sys
import numpy as np
work = sys.argv[1]
rng = np.random.default_rng(7)
demand = rng.uniform(0, 20000, (10000, 2))
sites = rng.uniform(0, 20000, (1000, 2))
pop = rng.integers(0, 800, 10000)
cap = rng.integers(1, 20, 1000)
with open(f"{work}/demand.csv", "w") as f:
    f.write("id,value\n" + "".join(f"d{i},{p}\n" for i, p in enumerate(pop)))
with open(f"{work}/supply.csv", "w") as f:
    f.write("id,value\n" + "".join(f"s{j},{c}\n" for j, c in enumerate(cap)))
with open(f"{work}/costs.csv", "w") as f:
    f.write("origin,dest,cost\n")
    for i in range(len(demand)):
        d = np.hypot(*(sites - demand[i]).T) / 80.0  # walking minutes at 80 m/min
        for j in np.nonzero(d <= 37.5)[0]:
            f.write(f"d{i},s{j},{d[j]:.4f}\n")
PY
echo "$(($(wc -l <"$WORK/costs.csv") - 1)) cost rows"
for method in 2sfca e2sfca; do
  best=""
  for _ in 1 2 3; do
    s=$(now)
    "${pin[@]}" "$BIN" gap access --method "$method" --max-cost 30 --costs "$WORK/costs.csv" \
      --demand "$WORK/demand.csv" --supply "$WORK/supply.csv" >"$WORK/ours.csv"
    e=$(now)
    t=$(secs "$s" "$e")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  s=$(now)
  "${pin[@]}" /usr/bin/python3 "$here/bench/gap_2sfca_numpy.py" "$WORK/costs.csv" \
    "$WORK/demand.csv" "$WORK/supply.csv" 30 "$method" >"$WORK/numpy.csv" 2>"$WORK/numpy.err"
  e=$(now)
  diff=$(/usr/bin/python3 - "$WORK/ours.csv" "$WORK/numpy.csv" <<'PY'
import csv, sys
a = {r["id"]: float(r["access"]) for r in csv.DictReader(open(sys.argv[1]))}
b = {r["id"]: float(r["access"]) for r in csv.DictReader(open(sys.argv[2]))}
assert a.keys() == b.keys()
print(max(abs(a[k] - b[k]) / max(abs(b[k]), 1e-300) for k in a if b[k] != 0 or a[k] != 0))
PY
)
  printf '%-7s tsunagi gap access %s s (best of 3, read + compute + write)   python+numpy %s s (%s)   max relative difference %s\n' \
    "$method" "$best" "$(secs "$s" "$e")" "$(cat "$WORK/numpy.err")" "$diff"
done
