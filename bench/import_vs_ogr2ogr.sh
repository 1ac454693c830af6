#!/usr/bin/env bash
# Side-by-side: `tsunagi import` (validating every row, one transaction, SpatiaLite store) against
# `ogr2ogr` into a SpatiaLite file, on the `japan` scale of ../shared/tools/gen_synth.py (200k
# points), in the same run on the same machine. Reports rows/s, peak RSS and the ratio.
#
# usage: bench/import_vs_ogr2ogr.sh [WORK_DIR]
#   TSUNAGI=path/to/tsunagi   (default: build/release/cli/tsunagi, then build/h-importer-release)
#   RUNS=3                    (each tool runs RUNS times; the best wall time is reported)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/tsunagi-bench-import}"
runs="${RUNS:-3}"
gen="$here/../shared/tools/gen_synth.py"

tsunagi="${TSUNAGI:-}"
if [[ -z "$tsunagi" ]]; then
  for candidate in "$here/build/release/cli/tsunagi" "$here/build/h-importer-release/cli/tsunagi"; do
    if [[ -x "$candidate" ]]; then tsunagi="$candidate"; break; fi
  done
fi
[[ -x "$tsunagi" ]] || { echo "no tsunagi binary: build the release preset or set TSUNAGI=" >&2; exit 2; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install --no-install-recommends gdal-bin" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install --no-install-recommends time" >&2; exit 2; }
if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "gen_synth.py needs numpy: apt-get install -y --no-install-recommends python3-numpy" >&2
  exit 2
fi

mkdir -p "$work"
csv="$work/resources.csv"
if [[ ! -s "$csv" ]]; then
  echo "generating the japan scale into $work (a few minutes)…" >&2
  /usr/bin/python3 "$gen" --scale japan --out "$work"
fi
rows=$(( $(wc -l < "$csv") - 1 ))

# measure NAME CMD...: runs CMD $runs times on a fresh output, keeps the best wall time and the
# peak RSS of that run. Sets $best_s and $best_kb.
measure() {
  local name="$1"; shift
  best_s=""; best_kb=""
  for ((i = 1; i <= runs; i++)); do
    rm -f "$work"/out.* "$work"/out.*-wal "$work"/out.*-shm
    /usr/bin/time -v -o "$work/time.$name" "$@" > "$work/log.$name" 2>&1 || {
      echo "$name failed:" >&2; cat "$work/log.$name" >&2; exit 1; }
    local s kb
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); t=0; for(k=1;k<=n;k++) t=t*60+p[k]; print t}' "$work/time.$name")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.$name")
    if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then
      best_s=$s; best_kb=$kb
    fi
  done
}

measure tsunagi "$tsunagi" import --db "$work/out.tsunagi" --layout generic --kind public_facility \
  --quiet "$csv"
t_s=$best_s; t_kb=$best_kb
imported=$(sqlite3 "$work/out.tsunagi" "SELECT count(*) FROM resource" 2>/dev/null || echo "?")

measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/out.sqlite" "$csv" \
  -oo GEOM_POSSIBLE_NAMES=wkt -gt 65536
o_s=$best_s; o_kb=$best_kb

awk -v rows="$rows" -v imported="$imported" -v ts="$t_s" -v tkb="$t_kb" -v os="$o_s" -v okb="$o_kb" \
    -v runs="$runs" 'BEGIN {
  printf "rows: %d (japan scale), best of %d runs each\n", rows, runs
  printf "%-34s %8s %12s %12s\n", "tool", "wall s", "rows/s", "peak RSS MB"
  printf "%-34s %8.2f %12.0f %12.1f\n", "tsunagi import (validating)", ts, rows/ts, tkb/1024
  printf "%-34s %8.2f %12.0f %12.1f\n", "ogr2ogr -f SQLite SPATIALITE=YES", os, rows/os, okb/1024
  printf "speed ratio tsunagi/ogr2ogr (rows/s): %.2f\n", (rows/ts)/(rows/os)
  printf "resources in the tsunagi store: %s\n", imported
}'
