#!/usr/bin/env bash
# HTTP load benchmark of `tsunagi serve` on the demo town (see bench/HTTP.md for how to read it).
#
#   bench/http_bench.sh [path/to/tsunagi]
#
# 1. /health vs /api/resources?limit=1000 (every public resource of the demo town, as GeoJSON),
#    wrk -c64 with keep-alive, server and wrk pinned to different cores; the ratio of the two.
# 2. A long run (DURATION s, default 60) on /api/resources?limit=1000: zero errors expected,
#    RSS before and after.
# 3. 1,000 idle keep-alive connections held open while wrk -c8 measures /health latency; compared
#    with the same wrk run without them.
# Environment: DURATION (default 60), SHORT (default 10), IDLE (default 1000), THREADS (reactor
# threads, default 1).
set -euo pipefail

BIN=${1:-${TSUNAGI_BINARY:-build/release/cli/tsunagi}}
DURATION=${DURATION:-60}
SHORT=${SHORT:-10}
IDLE=${IDLE:-1000}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup "$BIN"

"$BIN" demo --db "$WORK/demo.db" >/dev/null
start_server "$WORK/demo.db"
ITEMS="$URL/api/resources?limit=1000"

echo "server: $URL (pid $SERVER), $(nproc) cores, $THREADS reactor thread(s)"
FEATURES=$(curl -s "$ITEMS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberReturned"])')
BYTES=$(curl -s "$ITEMS" | wc -c)
echo "/api/resources?limit=1000 returns $FEATURES features, $BYTES bytes"

echo
echo "== 1. /health vs items (wrk -c64, ${SHORT}s each, keep-alive)"
run "warm-up" "$URL/health" 2 64 >/dev/null
run "/health" "$URL/health" "$SHORT" 64
HEALTH=$(cat "$WORK/last_rps")
CPU0=$(cpu)
run "/api/resources?limit=1000" "$ITEMS" "$SHORT" 64
ITEMS_RPS=$(cat "$WORK/last_rps")
CPU1=$(cpu)
python3 - "$HEALTH" "$ITEMS_RPS" "$FEATURES" "$CPU0" "$CPU1" "$SHORT" "$(getconf CLK_TCK)" <<'EOF'
import sys
health, items, n, c0, c1, secs, hz = map(float, sys.argv[1:])
print(f"ratio items/health: {items/health:.3f}")
cpu_s = (c1 - c0) / hz
per_req_ms = cpu_s / (items * secs) * 1000
print(f"server CPU per items response: {per_req_ms:.3f} ms for {int(n)} features"
      f" = {per_req_ms / n * 1000:.3f} ms per 1k features")
EOF

echo
echo "== 2. ${DURATION}s on items: errors and memory"
RSS0=$(rss)
run "/api/resources?limit=1000" "$ITEMS" "$DURATION" 64
RSS1=$(rss)
echo "RSS before ${RSS0} kB, after ${RSS1} kB"

echo
echo "== 3. ${IDLE} idle keep-alive connections held open"
run "/health -c8 (baseline)" "$URL/health" "$SHORT" 8
python3 - "$URL" "$IDLE" "$((SHORT + 10))" <<'EOF' &
import socket, sys, time
url, n, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
host, port = url[len("http://"):].split(":")
socks = []
for _ in range(n):
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
ok = sum(1 for s in socks if s.recv(4096).startswith(b"HTTP/1.1 200"))
print(f"idle clients: {ok}/{n} answered, now holding them open", flush=True)
time.sleep(hold)
alive = 0
for s in socks:
    s.setblocking(False)
    try:
        alive += 0 if s.recv(1) == b"" else 1
    except BlockingIOError:
        alive += 1
print(f"idle clients: {alive}/{n} still open after {hold:.0f}s", flush=True)
EOF
IDLER=$!
sleep 3
run "/health -c8 (+${IDLE} idle)" "$URL/health" "$SHORT" 8
wait "$IDLER"
echo "RSS with idle connections: $(rss) kB"
