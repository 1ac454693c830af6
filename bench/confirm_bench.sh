#!/usr/bin/env bash
# Issue 23's speed: letters for 1,000 listings (under 10 s) and the review queue of 1,000
# proposals (under 50 ms), on a store of gen_synth's town scale (1,000 listings, imported with the
# generic layout).
#  - letters: ROUNDS runs of `tsunagi confirm request --older-than-days 0 --out letters.pdf --csv
#    letters.csv` (each revokes the last run's requests and makes 1,000 new ones: tokens, the A4
#    PDF with a QR code per page, the mail-merge CSV); wall time of each.
#  - review: the 1,000 hosts of the last run answer 「変更があります」 through POST /api/confirm/TOKEN,
#    then a coordinator reads GET /api/review?limit=1000 (every proposal with its diff) ROUNDS×10
#    times; curl's total time of each.
# Prints the median with its range and the load average before and after.
#
#   bench/confirm_bench.sh TSUNAGI      ROUNDS=5
set -euo pipefail

ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}
here="$(cd "$(dirname "$0")/.." && pwd)"
BIN=$1
[ -x "$BIN" ] || { echo "no tsunagi binary at $BIN (build the release preset first)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 2; }
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
mkdir -p "$WORK/synth"
/usr/bin/python3 "$here/../shared/tools/gen_synth.py" --scale town --out "$WORK/synth" >/dev/null 2>&1
DB="$WORK/town.db"
"$BIN" import --db "$DB" --layout generic --kind kayoi_no_ba --quiet "$WORK/synth/resources.csv" \
  >/dev/null

: > "$WORK/letters"
for ((r = 1; r <= ROUNDS; r++)); do
  /usr/bin/time -f %e -o "$WORK/time" "$BIN" confirm request --db "$DB" \
    --base-url https://map.example.lg.jp --older-than-days 0 --out "$WORK/letters.pdf" \
    --csv "$WORK/letters.csv" >/dev/null
  cat "$WORK/time" >> "$WORK/letters"
done
pages=$(pdfinfo "$WORK/letters.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
echo "letters: $(($(wc -l < "$WORK/letters.csv") - 1)) CSV rows, ${pages:-?} PDF pages"

TSUNAGI_PASSWORD=bench-password-0123 TSUNAGI_PWHASH=minimum "$BIN" user add --db "$DB" --name bench \
  --role coordinator >/dev/null
TOKEN=$("$BIN" user token --db "$DB" --name bench --label bench 2>/dev/null | tr -d '\r\n')
"$BIN" serve --db "$DB" --port 0 --threads "$THREADS" --access-log false 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/serve.log" | head -1)
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
# Every host answers: their fee changed (the link's token is the last part of the URL column).
/usr/bin/python3 - "$WORK/letters.csv" "$URL" <<'PY'
import csv, json, sys, urllib.request
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
bad = 0
for row in rows:
    token = row["url"].rsplit("/", 1)[1]
    body = json.dumps({"answer": "changed", "changes": {"fee_note": "300円（お茶代）"}}).encode()
    req = urllib.request.Request(f"{sys.argv[2]}/api/confirm/{token}", body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req).read()
    except Exception as e:  # noqa: BLE001 - counted and reported
        bad += 1
print(f"answers: {len(rows) - bad} sent, {bad} refused")
PY
queued=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/review?limit=1000" |
  /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(len(j.get("proposals", [])))')
echo "review queue: $queued proposals in one page"
: > "$WORK/review"
for ((i = 1; i <= ROUNDS * 10; i++)); do
  curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
    "$URL/api/review?limit=1000" >> "$WORK/review"
done
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$WORK/letters" "$WORK/review" <<'PY'
import statistics, sys
letters = [float(l) for l in open(sys.argv[1])]
review = [float(l) * 1000 for l in open(sys.argv[2])]
print(f"letters for the listings, s: median {statistics.median(letters):.2f} "
      f"[{min(letters):.2f}–{max(letters):.2f}] over {len(letters)} runs (target < 10 s)")
print(f"GET /api/review?limit=1000, ms: median {statistics.median(review):.1f} "
      f"[{min(review):.1f}–{max(review):.1f}] over {len(review)} reads (target < 50 ms)")
PY
