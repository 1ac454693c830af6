#!/usr/bin/env bash
# OGC API – Features under load: /ogc/collections/kayoi_no_ba/items?limit=1000 (1,000 GeoJSON
# features per response) against /health on the same server, wrk -c64 with keep-alive, server
# and wrk pinned to different cores. Then GDAL's own client copying the whole collection.
#
#   bench/ogc_bench.sh [path/to/tsunagi]
#
# The demo town has far fewer than 1k resources of one kind, so the store is the demo town plus
# 1,200 fictional 通いの場 imported from a generated GeoJSON file (through the real importer).
# Environment: SHORT (seconds per wrk run, default 10), THREADS (reactor threads, default 1),
# FEATURES (generated 通いの場, default 1200).
set -euo pipefail

BIN=${1:-${TSUNAGI_BINARY:-build/release/cli/tsunagi}}
SHORT=${SHORT:-10}
THREADS=${THREADS:-1}
FEATURES=${FEATURES:-1200}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup "$BIN"

"$BIN" demo --db "$WORK/town.db" >/dev/null
python3 - "$WORK/kayoi.geojson" "$FEATURES" <<'EOF'
import json, random, sys
random.seed(1)
features = [{"type": "Feature",
             # inside the demo town's boundary (the importer rejects points outside it)
             "geometry": {"type": "Point", "coordinates": [round(133.605 + random.random() * 0.035, 6),
                                                           round(35.085 + random.random() * 0.025, 6)]},
             "properties": {"name": f"ベンチ通いの場 {i}", "address": f"つなぎ町{i}番地（架空）"}}
            for i in range(int(sys.argv[2]))]
json.dump({"type": "FeatureCollection", "features": features}, open(sys.argv[1], "w"),
          ensure_ascii=False)
EOF
"$BIN" import --db "$WORK/town.db" --kind kayoi_no_ba --quiet "$WORK/kayoi.geojson"

start_server "$WORK/town.db"
ITEMS="$URL/ogc/collections/kayoi_no_ba/items?limit=1000"

echo "server: $URL (pid $SERVER), $(nproc) cores, $THREADS reactor thread(s)"
T0=$(date +%s.%N)
RETURNED=$(curl -s "$ITEMS" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["numberReturned"], d["numberMatched"])')
T1=$(date +%s.%N)
echo "items?limit=1000: returned/matched $RETURNED; first request (serializes the page) $(python3 -c "print(f'{($T1-$T0)*1000:.1f} ms')")"
BYTES=$(curl -s "$ITEMS" | wc -c)
echo "items?limit=1000: $BYTES bytes"

echo
echo "== /health vs OGC items (wrk -c64, ${SHORT}s each, keep-alive)"
run "warm-up" "$URL/health" 2 64 >/dev/null
run "/health" "$URL/health" "$SHORT" 64
HEALTH=$(cat "$WORK/last_rps")
CPU0=$(cpu)
run "/ogc/…/kayoi_no_ba/items?limit=1000" "$ITEMS" "$SHORT" 64
ITEMS_RPS=$(cat "$WORK/last_rps")
CPU1=$(cpu)
run "/ogc/…/items?limit=10 (GDAL's page)" "$URL/ogc/collections/kayoi_no_ba/items?limit=10&offset=500" "$SHORT" 64
run "/ogc/…/items bbox + limit=100" "$URL/ogc/collections/kayoi_no_ba/items?bbox=133.61,35.09,133.62,35.10&limit=100" "$SHORT" 64
run "/ogc/collections" "$URL/ogc/collections" "$SHORT" 64
python3 - "$HEALTH" "$ITEMS_RPS" "$CPU0" "$CPU1" "$SHORT" "$(getconf CLK_TCK)" <<'EOF'
import sys
health, items, c0, c1, secs, hz = map(float, sys.argv[1:])
print(f"ratio items(1k)/health: {items/health:.3f}")
cpu_s = (c1 - c0) / hz
print(f"server CPU per 1k-feature response: {cpu_s / (items * secs) * 1000:.3f} ms")
EOF

if command -v ogr2ogr >/dev/null; then
  echo
  echo "== GDAL: ogr2ogr of the whole collection (default 10-feature pages, then PAGE_SIZE=1000)"
  for opts in "" "-oo PAGE_SIZE=1000"; do
    T0=$(date +%s.%N)
    # shellcheck disable=SC2086
    NO_PROXY=127.0.0.1 ogr2ogr -f GeoJSON "$WORK/copy.geojson" "OAPIF:$URL/ogc" kayoi_no_ba $opts
    T1=$(date +%s.%N)
    N=$(python3 -c "import json; print(len(json.load(open('$WORK/copy.geojson'))['features']))")
    printf 'ogr2ogr %-20s %6d features in %s\n' "${opts:-(default)}" "$N" \
      "$(python3 -c "print(f'{$T1-$T0:.2f} s')")"
    rm -f "$WORK/copy.geojson"
  done
fi
