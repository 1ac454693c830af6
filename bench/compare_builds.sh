#!/usr/bin/env bash
# Two builds of tsunagi side by side, in one run: OLD and NEW (release binaries), in interleaved
# rounds (OLD first in odd rounds, NEW first in even ones), each on a demo store it made itself.
# Per round and binary: wrk -c64 for SHORT s on /api/resources?limit=1000, on the OGC items
# (kayoi_no_ba?limit=1000) and on the resources tiles of the town at z15 (warm cache), all with
# the server on core 0 and wrk on core 1; and the wall time of `import` of gen_synth's CSV
# (IMPORT_SCALE, default city = 20k rows) into a new store. Prints each figure's median over the
# rounds with its range, the median of the per-round NEW/OLD ratios with their range, and the load
# average before and after.
#
#   bench/compare_builds.sh OLD_TSUNAGI NEW_TSUNAGI      ROUNDS=5 SHORT=5 IMPORT_SCALE=city
set -euo pipefail

OLD=$1
NEW=$2
ROUNDS=${ROUNDS:-5}
SHORT=${SHORT:-5}
IMPORT_SCALE=${IMPORT_SCALE:-city}
THREADS=${THREADS:-1}
here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$here/bench/lib.sh"
bench_setup "$OLD"
[ -x "$NEW" ] || { echo "no tsunagi binary at $NEW" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 2; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
mkdir -p "$WORK/synth"
/usr/bin/python3 "$here/../shared/tools/gen_synth.py" --scale "$IMPORT_SCALE" --out "$WORK/synth" 2>/dev/null
CSV="$WORK/synth/resources.csv"
echo "import input: $(( $(wc -l < "$CSV") - 1 )) rows ($IMPORT_SCALE scale of gen_synth.py)"
"$OLD" demo --db "$WORK/old.db" >/dev/null
"$NEW" demo --db "$WORK/new.db" >/dev/null

# The z15 tiles that hold the demo town's resources (from the NEW server's public list).
BIN=$NEW
start_server "$WORK/new.db"
curl -sf "$URL/api/resources?limit=1000" | /usr/bin/python3 -c '
import json, math, sys
tiles = set()
for f in json.load(sys.stdin)["features"]:
    lon, lat = f["geometry"]["coordinates"][:2]
    n = 2 ** 15
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    tiles.add((x, y))
for x, y in sorted(tiles):
    print(f"/tiles/resources/15/{x}/{y}.mvt")' > "$WORK/paths.txt"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
echo "tiles: $(wc -l < "$WORK/paths.txt") z15 tiles of the town"
tiles_script "$WORK/paths.txt" "$WORK/tiles.lua"

rps() {  # URL [script]: req/s of one wrk run
  local extra=()
  [ -n "${2:-}" ] && extra=(-s "$2")
  taskset -c 1 wrk -t1 -c64 -d"${SHORT}"s "${extra[@]}" -H 'Connection: keep-alive' "$1" |
    awk '/Requests\/sec/ {print $2}'
}

one() {  # NAME BIN DB: one round of one binary; appends "name measure value" to $WORK/results
  local name=$1 db=$3
  BIN=$2
  start_server "$db"
  rps "$URL/health" >/dev/null  # warm-up
  rps "$URL/tiles/resources/15/0/0.mvt" "$WORK/tiles.lua" >/dev/null  # fills the tile cache
  echo "$name resources $(rps "$URL/api/resources?limit=1000")" >> "$WORK/results"
  echo "$name ogc_items $(rps "$URL/ogc/collections/kayoi_no_ba/items?limit=1000")" >> "$WORK/results"
  echo "$name tiles $(rps "$URL/tiles/resources/15/0/0.mvt" "$WORK/tiles.lua")" >> "$WORK/results"
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  rm -f "$WORK/imp.db" "$WORK/imp.db-wal" "$WORK/imp.db-shm"
  /usr/bin/time -f %e -o "$WORK/time" "$BIN" import --db "$WORK/imp.db" --layout generic \
    --kind public_facility --quiet "$CSV" >/dev/null 2>&1
  echo "$name import_s $(cat "$WORK/time")" >> "$WORK/results"
}

: > "$WORK/results"
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then
    one old "$OLD" "$WORK/old.db"; one new "$NEW" "$WORK/new.db"
  else
    one new "$NEW" "$WORK/new.db"; one old "$OLD" "$WORK/old.db"
  fi
  echo "round $r done (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
data = {}
for name, measure, value in rows:
    data.setdefault(measure, {}).setdefault(name, []).append(float(value))
print(f"{'measure':<12} {'old median [range]':>28} {'new median [range]':>28} {'new/old median [range]':>26}")
for measure, by in data.items():
    old, new = by["old"], by["new"]
    ratios = [n / o for o, n in zip(old, new)]
    fmt = lambda v: f"{statistics.median(v):.1f} [{min(v):.1f}–{max(v):.1f}]"
    print(f"{measure:<12} {fmt(old):>28} {fmt(new):>28} "
          f"{statistics.median(ratios):>9.3f} [{min(ratios):.3f}–{max(ratios):.3f}]")
print("(req/s for the HTTP measures, higher is better; seconds for import_s, lower is better)")
PY
