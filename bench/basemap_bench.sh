#!/usr/bin/env bash
# The offline basemap: import time and serving speed (see bench/BASEMAP.md).
#
#   bench/basemap_bench.sh [path/to/tsunagi]
#
# 1. `tsunagi import --basemap` of the Liechtenstein extract (../shared/data/osm-liechtenstein;
#    the demo town's generated OSM when it is absent), ROUNDS runs, wall time median and range.
# 2. Warm: /health vs one basemap tile over Vaduz (z14, gzip as stored, from the server's memory
#    after its first read), wrk -c64 keep-alive,
#    ROUNDS interleaved rounds of SHORT s each; the median of the per-round ratios and their range.
# 3. Cold: every z14 tile of the basemap requested once from a fresh server (the first request of
#    each tile, read from SQLite; the file is in the OS page cache), time to first byte on one
#    keep-alive connection, median and max.
# Environment: ROUNDS (default 5), SHORT (default 5), THREADS (reactor threads, default 1).
set -euo pipefail

BIN=${1:-${TSUNAGI_BINARY:-build/release/cli/tsunagi}}
ROUNDS=${ROUNDS:-5}
SHORT=${SHORT:-5}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup "$BIN"
command -v tilemaker >/dev/null || { echo "tilemaker is not installed (scripts/setup)" >&2; exit 2; }

EXTRACT="$(dirname "$0")/../../shared/data/osm-liechtenstein/liechtenstein-2013-08-03.osm.pbf"
TILE=14/8625/5753  # Vaduz
if [[ ! -f $EXTRACT ]]; then
  echo "(no Liechtenstein extract: using the demo town's map)"
  EXTRACT="$WORK/demo.osm.pbf"
  "$BIN" demo --osm "$EXTRACT" >/dev/null
  TILE=""
fi
echo "load before: $(cat /proc/loadavg)"

echo "== 1. import --basemap $(basename "$EXTRACT"), $ROUNDS runs"
times=()
for _ in $(seq "$ROUNDS"); do
  rm -f "$WORK/b.db.basemap.mbtiles"
  t0=$(date +%s.%N)
  "$BIN" import --db "$WORK/b.db" --basemap "$EXTRACT" >"$WORK/import.log"
  t1=$(date +%s.%N)
  times+=("$(echo "$t1 - $t0" | bc)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "wall time: median %.2f s (range %.2f-%.2f s)\n", a[int((NR+1)/2)], a[1], a[NR]}'
grep -E "written|layers" "$WORK/import.log"
echo "load: $(cat /proc/loadavg)"

"$BIN" demo --db "$WORK/s.db" >/dev/null  # any store; the basemap is beside it
cp "$WORK/b.db.basemap.mbtiles" "$WORK/s.db.basemap.mbtiles"
if [[ -z $TILE ]]; then
  TILE=$(sqlite3 -separator / "$WORK/s.db.basemap.mbtiles" \
    "SELECT zoom_level, tile_column, (1 << zoom_level) - 1 - tile_row FROM tiles
     WHERE zoom_level = 14 ORDER BY length(tile_data) DESC LIMIT 1")
fi

echo
echo "== 3. cold: every z14 tile once, fresh server"
start_server "$WORK/s.db"
sqlite3 -separator / "$WORK/s.db.basemap.mbtiles" \
  "SELECT zoom_level, tile_column, (1 << zoom_level) - 1 - tile_row FROM tiles WHERE zoom_level = 14" |
  sed "s|^\(.*\)\$|url = \"$URL/tiles/basemap/\1.mvt\"\noutput = \"/dev/null\"|" >"$WORK/urls.txt"
taskset -c 1 curl -s -K "$WORK/urls.txt" -H 'Accept-Encoding: gzip' \
  -w '%{time_starttransfer}\n' >"$WORK/cold.txt"
sort -n "$WORK/cold.txt" | awk '{a[NR]=$1*1000} END {printf "%d tiles: median %.3f ms, max %.3f ms per request\n", NR, a[int((NR+1)/2)], a[NR]}'

echo
echo "== 2. warm: /health vs /tiles/basemap/$TILE.mvt (wrk -c64, ${SHORT}s, $ROUNDS rounds)"
TILE_URL="$URL/tiles/basemap/$TILE.mvt"
curl -s -o /dev/null -w "tile: %{http_code}, %{size_download} bytes (gzip)\n" -H 'Accept-Encoding: gzip' "$TILE_URL"
run "warm-up" "$URL/health" 2 64 >/dev/null
ratios=()
for r in $(seq "$ROUNDS"); do
  run "round $r /health" "$URL/health" "$SHORT" 64
  h=$(cat "$WORK/last_rps")
  out=$(taskset -c 1 wrk -t1 -c64 -d"$SHORT"s --latency -H 'Connection: keep-alive' \
    -H 'Accept-Encoding: gzip' "$TILE_URL")
  t=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  printf '%-34s %10s req/s  p50 %8s\n' "round $r basemap tile" "$t" "$(awk '$1=="50%" {print $2}' <<<"$out")"
  ratios+=("$(echo "scale=4; $t / $h" | bc)")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "tile/health: median %.3f (range %.3f-%.3f)\n", a[int((NR+1)/2)], a[1], a[NR]}'
echo "RSS $(rss) kB; load after: $(cat /proc/loadavg)"
