#!/usr/bin/env bash
# /api/resources?limit=1000 of two tsunagi binaries, interleaved (A B A B …), on each one's own
# demo town: did a change make the route slower? Prints every run and the median req/s of each.
#
#   bench/fields_bench.sh OLD_BINARY NEW_BINARY
#
# Environment: ROUNDS (default 5), SHORT (seconds per run, default 5), THREADS (default 1).
set -euo pipefail

OLD=$1
NEW=$2
ROUNDS=${ROUNDS:-5}
SHORT=${SHORT:-5}
THREADS=${THREADS:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup "$NEW"
[ -x "$OLD" ] || { echo "no tsunagi binary at $OLD" >&2; exit 2; }

# Each binary makes its own demo town: an older binary cannot open a newer schema.
"$OLD" demo --db "$WORK/old.db" >/dev/null
"$NEW" demo --db "$WORK/new.db" >/dev/null

declare -A RPS=([old]="" [new]="")
for round in $(seq "$ROUNDS"); do
  for which in old new; do
    if [ "$which" = old ]; then BIN=$OLD; else BIN=$NEW; fi
    start_server "$WORK/$which.db"
    run "warm-up" "$URL/api/resources?limit=1000" 1 64 >/dev/null
    run "$which round $round" "$URL/api/resources?limit=1000" "$SHORT" 64
    RPS[$which]+="$(cat "$WORK/last_rps") "
    kill -TERM "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
  done
done
python3 - "${RPS[old]}" "${RPS[new]}" <<'PY'
import statistics, sys
old = [float(x) for x in sys.argv[1].split()]
new = [float(x) for x in sys.argv[2].split()]
mo, mn = statistics.median(old), statistics.median(new)
print(f"median req/s: old {mo:.0f}, new {mn:.0f} (new/old {mn / mo:.3f})")
PY
