#!/usr/bin/env bash
# Overload: what Sesame answers when more database work arrives than it can do. One release
# `sesame serve` on a fresh SQLite database with a small queue of database work
# (db_queue_size), then wrk creating one-time tokens (POST /api/one-time-tokens, the magic
# link's write) at rising concurrency: throughput, share answered 503 (refused at once with
# Retry-After, instead of waiting), latency, and the server's resident memory (VmRSS) after
# each level: it must stay flat however many are turned away. Loopback only, every load bounded in time, the
# server stopped by pid on exit.
#
# usage: benches/overload.sh [-q QUEUE] [-d DURATION] [-c "C1 C2 ..."] [--no-build]
# env (flags win): QUEUE=64 DURATION=5s LEVELS="8 32 128 512" PORT=3950 SKIP_BUILD=0
#                  SESAME_BIN=<target>/release/sesame
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_OUT:-$HERE/out}/overload
QUEUE=${QUEUE:-64}
DURATION=${DURATION:-5s}
LEVELS=${LEVELS:-8 32 128 512}
PORT=${PORT:-3950}
SKIP_BUILD=${SKIP_BUILD:-0}
SESAME_BIN=${SESAME_BIN:-$ROOT/target/release/sesame}

while [[ $# -gt 0 ]]; do
  case $1 in
    -q) QUEUE=$2; shift 2;;
    -d) DURATION=$2; shift 2;;
    -c) LEVELS=$2; shift 2;;
    --no-build) SKIP_BUILD=1; shift;;
    -h|--help) sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done

log() { printf '[overload] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { log "wrk is required (apt-get install wrk)"; exit 2; }
[[ $SKIP_BUILD == 1 ]] || (cd "$ROOT" && cargo build --release --locked --bin sesame)

SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$OUT" && mkdir -p "$OUT"
DB="sqlite://$OUT/sesame.db"
BASE="http://127.0.0.1:$PORT"
APP=$("$SESAME_BIN" --database-url "$DB" app create --name bench --type m2m --management-api)
ID=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$APP")
SECRET=$(sed -E 's/.*"secret":"([^"]+)".*/\1/' <<<"$APP")

SESAME_DB_QUEUE_SIZE=$QUEUE SESAME_WORKERS=1 RUST_LOG=error \
  SESAME_ONE_TIME_TOKENS_PER_EMAIL_PER_HOUR=2000000000 \
  SESAME_ONE_TIME_TOKENS_PER_APPLICATION_PER_HOUR=2000000000 \
  "$SESAME_BIN" --database-url "$DB" serve --bind "127.0.0.1:$PORT" --public-url "$BASE" \
  2>"$OUT/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -fs -u "$ID:$SECRET" -d grant_type=client_credentials -d "resource=$BASE/api" \
  -d scope=all "$BASE/oidc/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

cat >"$OUT/count.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"email":"load@example.com"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("WRK_AUTH")
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() ok = 0; busy = 0; other = 0 end
response = function(status)
  if status == 201 then ok = ok + 1 elseif status == 503 then busy = busy + 1 else other = other + 1 end
end
done = function(summary, latency)
  local o, b, x = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("busy"); x = x + t:get("other") end
  io.write(string.format("RESULT %d %d %d %d %d %d\n", o, b, x,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
EOF

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

printf '\nqueue %s, %s per level, SQLite, 1 HTTP worker; RSS before the load: %s MiB\n\n' \
  "$QUEUE" "$DURATION" "$(rss_mib)"
printf '| connections | created/s | 503/s | other | p50 ms | p99 ms | RSS after, MiB |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for c in $LEVELS; do
  line=$(WRK_AUTH="Bearer $TOKEN" wrk -t1 -c"$c" -d"$DURATION" -s "$OUT/count.lua" \
    "$BASE/api/one-time-tokens" | grep '^RESULT')
  read -r _ ok busy other us p50 p99 <<<"$line"
  awk -v c="$c" -v ok="$ok" -v b="$busy" -v x="$other" -v us="$us" -v p50="$p50" -v p99="$p99" \
    -v rss="$(rss_mib)" 'BEGIN { s = us / 1e6
      printf "| %d | %.0f | %.0f | %d | %.1f | %.1f | %s |\n", c, ok / s, b / s, x, p50 / 1e3, p99 / 1e3, rss }'
done
