# Shared by bench/http_bench.sh and bench/ogc_bench.sh (source it, do not run it): the checks,
# a work folder removed on exit, the server pinned to core 0 and wrk to core 1, and one wrk run.
#
# After `bench_setup BIN`: $BIN, $WORK. After `start_server DB`: $SERVER (pid), $URL.

bench_setup() {
  BIN=$1
  command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
  [ -x "$BIN" ] || { echo "no tsunagi binary at $BIN (build the release preset first)" >&2; exit 2; }
  WORK=$(mktemp -d)
  SERVER=""
  trap 'bench_cleanup' EXIT
  ulimit -n 8192
}

bench_cleanup() {
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}

# start_server DB: the server on core 0 with $THREADS reactor threads (wrk gets core 1: the load
# generator must not steal the server's core). Access log off: at 100k req/s it would measure
# stderr, not the server.
start_server() {
  taskset -c 0 "$BIN" serve --db "$1" --port 0 --threads "$THREADS" \
    --access-log false --keepalive-timeout-s 300 2>"$WORK/serve.log" &
  SERVER=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
  URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
}

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }  # utime+stime in clock ticks

# run NAME URL SECONDS CONNECTIONS: prints req/s, p50, p99 and errors; req/s also goes to
# $WORK/last_rps.
run() {
  local out
  out=$(taskset -c 1 wrk -t1 -c"$4" -d"$3"s --latency -H 'Connection: keep-alive' "$2")
  local rps p50 p99 non2xx sock
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  sock=$(grep -o 'Socket errors:.*' <<<"$out" || true)
  printf '%-34s %10s req/s  p50 %8s  p99 %8s  non-2xx %s  %s\n' "$1" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "${sock:-socket errors: none}"
  echo "$rps" >"$WORK/last_rps"
}

# tiles_script PATHS LUA: a wrk script that requests the paths of PATHS (one per line) in turn,
# gzip accepted, keep-alive.
tiles_script() {
  cat >"$2" <<LUA
local paths = {}
for line in io.lines("$1") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip", ["Connection"] = "keep-alive"})
end
LUA
}
