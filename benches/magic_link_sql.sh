#!/usr/bin/env bash
# PostgreSQL alone running the SQL of the magic-link flow, statement for statement as Sesame
# sends it (benches/magic_link_sql.pgbench: 9 prepared statements, each its own transaction),
# driven by pgbench. This is the database's own ceiling on this machine, before Sesame and the
# load driver take any CPU; benches/magic_link.sh measures the whole thing.
# A fresh database migrated by `sesame migrate`, 256 users, then pgbench over loopback TCP and
# over the Unix socket (when there is one); prints flows/s and where the CPU went, and drops the
# database on exit, whatever happens.
#
# usage: benches/magic_link_sql.sh [-c CLIENTS] [-d SECONDS]
# env (flags win): CLIENTS=16 DURATION=10 (seconds) PG_PORT=5432 PG_USER=postgres PG_SOCKET_DIR=/var/run/postgresql
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CLIENTS=${CLIENTS:-16}
DURATION=${DURATION:-10}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
PG_SOCKET_DIR=${PG_SOCKET_DIR:-/var/run/postgresql}
while [[ $# -gt 0 ]]; do
  case $1 in
    -c) CLIENTS=$2; shift 2;;
    -d) DURATION=$2; shift 2;;
    -h|--help) sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
  esac
done
[[ $CLIENTS =~ ^[0-9]+$ && $DURATION =~ ^[0-9]+$ ]] || { echo "clients and seconds must be integers" >&2; exit 2; }
for tool in pgbench psql python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Debian: postgresql-client, python3)" >&2; exit 2; }
done
TIME_BIN=$(command -v time || true)
[[ -x /usr/bin/time ]] && TIME_BIN=/usr/bin/time
[[ -x $TIME_BIN && $TIME_BIN == /* ]] || { echo "/usr/bin/time is required (Debian: time)" >&2; exit 2; }

DB=sesame_sqlfloor_$$
admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }
cleanup() { admin "drop database if exists $DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

SESAME_BIN=$ROOT/target/release/sesame
[[ -x $SESAME_BIN ]] || (cd "$ROOT" && cargo build --release --locked)
admin "create database $DB"
"$SESAME_BIN" --database-url "postgres://$PG_USER@127.0.0.1:$PG_PORT/$DB" migrate >/dev/null 2>&1
psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$DB" -v ON_ERROR_STOP=1 -qc \
  "insert into users (id, email, email_lower, email_verified, created_at, updated_at, suspended)
   select 'user' || i, 'user' || i || '@bench.example', 'user' || i || '@bench.example', true, 0, 0, false
   from generate_series(0, 255) i"

busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
echo "| PostgreSQL over | clients | flows/s | machine busy | PostgreSQL + kernel ms CPU/flow | pgbench ms CPU/flow |"
echo "|---|---|---|---|---|---|"
hosts=(127.0.0.1)
[[ -S $PG_SOCKET_DIR/.s.PGSQL.$PG_PORT ]] && hosts+=("$PG_SOCKET_DIR")
for host in "${hosts[@]}"; do
  out=$(mktemp)
  read -r b0 t0 < <(busy)
  "$TIME_BIN" -f "cpu %U %S" pgbench -h "$host" -p "$PG_PORT" -U "$PG_USER" -n -M prepared \
    -c "$CLIENTS" -j 2 -T "$DURATION" -f "$HERE/magic_link_sql.pgbench" "$DB" >"$out" 2>&1 || {
    cat "$out" >&2; exit 2; }
  read -r b1 t1 < <(busy)
  grep -q "number of failed transactions: 0 " "$out" || { cat "$out" >&2; echo "pgbench had failures" >&2; exit 2; }
  python3 - "$host" "$CLIENTS" "$(nproc)" "$(getconf CLK_TCK)" "$b0" "$t0" "$b1" "$t1" "$out" <<'PY'
import re, sys
host, clients, ncpu, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
b0, t0, b1, t1 = map(float, sys.argv[5:9])
text = open(sys.argv[9]).read()
tps = float(re.search(r"tps = ([0-9.]+) \(without", text).group(1))
n = int(re.search(r"number of transactions actually processed: (\d+)", text).group(1))
u, s = map(float, re.search(r"cpu ([0-9.]+) ([0-9.]+)", text).groups())
busy_s, wall_s = (b1 - b0) / hz, (t1 - t0) / hz / ncpu
pgbench_s = u + s
label = f"Unix socket ({host})" if host.startswith("/") else f"TCP ({host})"
print(f"| {label} | {clients} | {tps:.0f} | {100 * busy_s / (wall_s * ncpu):.0f}% | "
      f"{1000 * (busy_s - pgbench_s) / n:.3f} | {1000 * pgbench_s / n:.3f} |")
PY
  rm -f "$out"
done
