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
# 4. The walking network's streets (a store with a network and no extract: the demo town), in
#    ROUNDS rounds: cold — every z12-14 tile of the town once from a fresh server (each built from
#    the network on its first request; the round's first also builds the network's grid), time to
#    first byte, median and max per round; then warm — /health vs the largest z14 tile, wrk as in 2.
# Environment: ROUNDS (default 5), SHORT (default 5), THREADS (reactor threads, default 1),
# PARTS (default "extract network": 1-3 need tilemaker, 4 does not).
set -euo pipefail

BIN=${1:-${TSUNAGI_BINARY:-build/release/cli/tsunagi}}
ROUNDS=${ROUNDS:-5}
SHORT=${SHORT:-5}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
PARTS=${PARTS:-extract network}
bench_setup "$BIN"

network_part() {
  echo
  echo "== 4. the walking network's streets (demo town, no extract), $ROUNDS rounds"
  echo "load before: $(cat /proc/loadavg)"
  "$BIN" demo --db "$WORK/n.db" >/dev/null
  local medians=() ratios=() vs_areas=() r h t a big=""
  for r in $(seq "$ROUNDS"); do
    start_server "$WORK/n.db"
    # Every tile of the town at z12-14, from the TileJSON's bounds.
    curl -s "$URL/tiles/basemap.json" | python3 -c '
import json, math, sys
j = json.load(sys.stdin); w, s, e, n = j["bounds"]; url = sys.argv[1]
def tile(lon, lat, z):
    k = 2 ** z; r = math.radians(lat)
    return int((lon + 180) / 360 * k), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * k)
for z in range(j["minzoom"], j["maxzoom"] + 1):
    x0, y0 = tile(w, n, z); x1, y1 = tile(e, s, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            print(f"url = \"{url}/tiles/basemap/{z}/{x}/{y}.mvt\"\noutput = \"/dev/null\"")
' "$URL" >"$WORK/nurls.txt"
    taskset -c 1 curl -s -K "$WORK/nurls.txt" -H 'Accept-Encoding: gzip' \
      -w '%{time_starttransfer} %{size_download} %{url_effective}\n' >"$WORK/ncold.txt"
    sort -n "$WORK/ncold.txt" | awk -v r="$r" '{a[NR]=$1*1000} END {printf "round %d cold: %d tiles, median %.3f ms, max %.3f ms\n", r, NR, a[int((NR+1)/2)], a[NR]}'
    medians+=("$(sort -n "$WORK/ncold.txt" | awk '{a[NR]=$1*1000} END {print a[int((NR+1)/2)]}')")
    [[ -z $big ]] && big=$(grep '/14/' "$WORK/ncold.txt" | sort -k2 -n | tail -1 | awk '{print $3}' | sed 's|^http://[^/]*||')
    if [[ $r == 1 ]]; then
      curl -s -o /dev/null -w "warm tile: $big, %{size_download} bytes (gzip)\n" -H 'Accept-Encoding: gzip' "$URL$big"
      curl -s -o /dev/null -w "areas tile: ${big/basemap/areas}, %{size_download} bytes (gzip)\n" -H 'Accept-Encoding: gzip' "$URL${big/basemap/areas}"
    fi
    run "round $r /health" "$URL/health" "$SHORT" 64
    h=$(cat "$WORK/last_rps")
    t=$(taskset -c 1 wrk -t1 -c64 -d"$SHORT"s -H 'Connection: keep-alive' -H 'Accept-Encoding: gzip' "$URL$big" |
      awk '/Requests\/sec/ {print $2}')
    printf '%-34s %10s req/s\n' "round $r network tile" "$t"
    ratios+=("$(echo "scale=4; $t / $h" | bc)")
    # Another cached tile of the same place: the areas layer's.
    a=$(taskset -c 1 wrk -t1 -c64 -d"$SHORT"s -H 'Connection: keep-alive' -H 'Accept-Encoding: gzip' \
      "$URL${big/basemap/areas}" | awk '/Requests\/sec/ {print $2}')
    printf '%-34s %10s req/s\n' "round $r areas tile (cached)" "$a"
    vs_areas+=("$(echo "scale=4; $t / $a" | bc)")
    echo "RSS $(rss) kB"
    kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  done
  printf '%s\n' "${medians[@]}" | sort -n | awk '{a[NR]=$1} END {printf "cold, median of the round medians: %.3f ms (range %.3f-%.3f)\n", a[int((NR+1)/2)], a[1], a[NR]}'
  printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "warm tile/health: median %.3f (range %.3f-%.3f)\n", a[int((NR+1)/2)], a[1], a[NR]}'
  printf '%s\n' "${vs_areas[@]}" | sort -n | awk '{a[NR]=$1} END {printf "warm tile/areas tile: median %.3f (range %.3f-%.3f)\n", a[int((NR+1)/2)], a[1], a[NR]}'
  echo "load after: $(cat /proc/loadavg)"
}

if [[ $PARTS != *extract* ]]; then
  network_part
  exit 0
fi
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
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
[[ $PARTS == *network* ]] && network_part
exit 0
