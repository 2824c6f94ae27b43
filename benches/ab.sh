#!/usr/bin/env bash
# A/B: the same benchmarks against Sesame built from BASE_REV ("before") and from this tree
# ("after"), alternated in one run on this machine, with the ratio after/before.
#
# The before binary is built once per revision in a temporary git worktree with its own target
# dir, kept as AB_BASE_DIR/<full sha>/sesame and reused by later runs (the worktree and its
# target dir are removed after the build). The after binary and the load driver come from this
# tree (`cargo build --release --locked`). Both binaries are copied into AB_OUT/bin first, so a
# build during the run cannot swap them. The load driver, the scripts and the settings are
# this tree's for both sides: only the server differs.
#
# Each round runs, for every benchmark, both sides back to back; the order flips every round
# (before/after, then after/before, ...) so a drift of the machine hits both sides alike:
#   magic-link:sqlite, magic-link:postgres  benches/magic_link.sh -b BACKEND (flows/s, p99)
#   discovery, jwks                         benches/oidc.sh --only sesame -s ... (req/s, p99)
# The table gives the median of each side over the rounds (one disturbed run does not decide),
# the ratio of the medians after/before and whether it is within TOLERANCE (5%: after >=
# 0.95 x before), and every run's figure. Runs marked NOISY had a compiler
# (rustc) running on the machine during the measurement; ERROR runs are left out.
#
# usage: benches/ab.sh BASE_REV [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONCURRENCY]
#                      [-b BENCHMARKS] [--no-build]
# env (flags win): ROUNDS=3 DURATION=5s WARMUP=1s CONCURRENCY=16 (magic-link) CONNECTIONS=32 (wrk)
#                  BENCHMARKS=magic-link:sqlite,magic-link:postgres,discovery,jwks
#                  AB_BASE_DIR=/work/bench-base  AB_OUT=<repo>/benches/out/ab  TOLERANCE=5
#                  QUIET_WAIT=30 (seconds each magic-link run waits for other rustc to end)
#                  SKIP_BUILD=0 (--no-build: use this tree's existing release binary and driver)
#                  plus what magic_link.sh / oidc.sh read (PG_HOST, SERVER_CPUS, ...)
# example: benches/ab.sh cd159f4            # about 6 min with the defaults, builds excluded
# exit: 0 every benchmark within tolerance, 1 one is not, 2 a setup failure or errored runs.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
CONCURRENCY=${CONCURRENCY:-16}
CONNECTIONS=${CONNECTIONS:-32}
BENCHMARKS=${BENCHMARKS:-magic-link:sqlite,magic-link:postgres,discovery,jwks}
AB_BASE_DIR=${AB_BASE_DIR:-/work/bench-base}
AB_OUT=${AB_OUT:-$HERE/out/ab}
TOLERANCE=${TOLERANCE:-5}
SKIP_BUILD=${SKIP_BUILD:-0}
export QUIET_WAIT=${QUIET_WAIT:-30}

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
BASE_REV=
while [[ $# -gt 0 ]]; do
  case $1 in
    -r|--rounds)      ROUNDS=$2; shift 2;;
    -d|--duration)    DURATION=$2; shift 2;;
    -w|--warmup)      WARMUP=$2; shift 2;;
    -c|--concurrency) CONCURRENCY=$2; shift 2;;
    -b|--benchmarks)  BENCHMARKS=$2; shift 2;;
    --no-build)       SKIP_BUILD=1; shift;;
    -h|--help)        usage; exit 0;;
    -*) echo "unknown argument: $1 (see --help)" >&2; exit 2;;
    *) [[ -z $BASE_REV ]] || { echo "one BASE_REV only (see --help)" >&2; exit 2; }; BASE_REV=$1; shift;;
  esac
done

log() { printf '[ab] %s\n' "$*" >&2; }
die() { printf '\n[ab] FATAL: %s\n' "$*" >&2; exit 2; }

[[ -n $BASE_REV ]] || { usage >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
for b in ${BENCHMARKS//,/ }; do
  case $b in magic-link:sqlite|magic-link:postgres|discovery|jwks) ;; *) die "unknown benchmark '$b'";; esac
done
command -v python3 >/dev/null || die "python3 is required"
SHA=$(git -C "$ROOT" rev-parse --verify --quiet "$BASE_REV^{commit}") || die "unknown revision '$BASE_REV'"
AFTER_REV=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+uncommitted')

# --------------------------------------------------------------------------- before: BASE_REV
BASE_DIR=$AB_BASE_DIR/$SHA
BEFORE_BUILT=$BASE_DIR/sesame
build_before() {
  local src=$BASE_DIR/src target=$BASE_DIR/target
  mkdir -p "$BASE_DIR"
  log "building BASE_REV ${SHA:0:10} in a temporary worktree $src (target dir $target; log $BASE_DIR/build.log)"
  git -C "$ROOT" worktree remove --force "$src" >/dev/null 2>&1 || rm -rf "$src"
  git -C "$ROOT" worktree prune
  git -C "$ROOT" worktree add --detach "$src" "$SHA" >/dev/null || die "git worktree add failed"
  if ! (cd "$src" && CARGO_TARGET_DIR=$target cargo build --release --locked --bin sesame) >"$BASE_DIR/build.log" 2>&1; then
    git -C "$ROOT" worktree remove --force "$src" >/dev/null 2>&1 || true
    die "the build of ${SHA:0:10} failed; see $BASE_DIR/build.log"
  fi
  install -m 0755 "$target/release/sesame" "$BEFORE_BUILT.tmp" && mv "$BEFORE_BUILT.tmp" "$BEFORE_BUILT"
  git -C "$ROOT" worktree remove --force "$src" >/dev/null 2>&1 || rm -rf "$src"
  git -C "$ROOT" worktree prune
  rm -rf "$target"
  log "before binary: $BEFORE_BUILT"
}
if [[ -x $BEFORE_BUILT ]]; then
  log "reusing the before binary of ${SHA:0:10}: $BEFORE_BUILT"
else
  build_before
fi

# --------------------------------------------------------------------------- after: this tree
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
rm -rf "$AB_OUT/bin" "$AB_OUT/runs"
mkdir -p "$AB_OUT/bin" "$AB_OUT/runs"
if [[ $SKIP_BUILD != 1 ]]; then
  log "building this tree ($AFTER_REV): the server and the load driver (log $AB_OUT/build.log)"
  (cd "$ROOT" && cargo build --release --locked --bin sesame && cargo bench --locked --bench magic_link --no-run) \
    >"$AB_OUT/build.log" 2>&1 || die "the build of this tree failed; see $AB_OUT/build.log"
fi
[[ -x $TARGET/release/sesame ]] || die "no $TARGET/release/sesame (run without --no-build)"
install -m 0755 "$BEFORE_BUILT" "$AB_OUT/bin/before"
install -m 0755 "$TARGET/release/sesame" "$AB_OUT/bin/after"
if cmp -s "$AB_OUT/bin/before" "$AB_OUT/bin/after"; then log "note: the two binaries are identical"; fi

# --------------------------------------------------------------------------- the runs
RESULTS=$AB_OUT/results.tsv   # round bench side value p99_ms status
: >"$RESULTS"
run_one() { # round bench side
  local round=$1 bench=$2 side=$3 out rc value p99 status
  out=$AB_OUT/runs/$round.${bench/:/-}.$side
  mkdir -p "$out"
  log "round $round/$ROUNDS: $bench on $side"
  set +e
  case $bench in
    magic-link:*)
      SESAME_BIN=$AB_OUT/bin/$side BENCH_OUT=$out SKIP_BUILD=1 \
        "$HERE/magic_link.sh" -b "${bench#magic-link:}" -d "$DURATION" -w "$WARMUP" -c "$CONCURRENCY" >"$out/stdout.txt" 2>"$out/stderr.txt"
      rc=$?;;
    *)
      SESAME_BIN=$AB_OUT/bin/$side BENCH_OUT=$out SKIP_BUILD=1 \
        "$HERE/oidc.sh" --only sesame -s "$bench" -d "$DURATION" -w "$WARMUP" -c "$CONNECTIONS" >"$out/stdout.txt" 2>"$out/stderr.txt"
      rc=$?;;
  esac
  set -e
  read -r value p99 status < <(python3 - "$bench" "$out" "$rc" <<'PY'
import json, os, sys
bench, out, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
value, p99, status = 0.0, 0.0, "ERROR"
try:
    if bench.startswith("magic-link:"):
        r = json.load(open(os.path.join(out, f"magic_link.{bench.split(':')[1]}.json")))
        value, p99 = r["flows_per_s"], r["flow"]["p99_ms"]
        ok = r["ok"] > 0 and r["failed"] == 0 and rc in (0, 1)
        noisy = "NOISY" in open(os.path.join(out, "magic_link.results.md")).read()
    else:
        row = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "results.tsv"))][0]
        value, p99 = float(row[2]), float(row[4])
        ok = rc in (0, 1) and row[6] == "0" and row[7] == "0" and row[8] == "-" and value > 0
        noisy = False
    status = ("NOISY" if noisy else "ok") if ok else "ERROR"
except Exception:
    pass
print(f"{value:.3f} {p99:.3f} {status}")
PY
  )
  [[ $status == ERROR ]] && log "  ERROR (exit $rc); see $out"
  log "  $value per s, p99 $p99 ms, $status"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$bench" "$side" "$value" "$p99" "$status" >>"$RESULTS"
}

log "A/B: before ${SHA:0:10} vs after $AFTER_REV; $ROUNDS rounds of $BENCHMARKS; $DURATION after a $WARMUP warm-up each"
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="before after"; else order="after before"; fi
  for bench in ${BENCHMARKS//,/ }; do
    for side in $order; do run_one "$round" "$bench" "$side"; done
  done
done

# --------------------------------------------------------------------------- the table
{
  echo "## A/B, $(date -u +%Y-%m-%dT%H:%MZ): before ${SHA:0:10} ($BASE_REV) vs after $AFTER_REV"
  echo
  echo "$ROUNDS rounds, sides alternated (order flipped every round); $DURATION after a $WARMUP warm-up per run;" \
       "magic-link c=$CONCURRENCY, wrk c=$CONNECTIONS; loopback, $(nproc) CPUs; tolerance ${TOLERANCE}%"
  echo
} >"$AB_OUT/ab.md"
set +e
python3 - "$RESULTS" "$TOLERANCE" "$BENCHMARKS" >>"$AB_OUT/ab.md" <<'PY'
import sys
from collections import defaultdict
path, tol, order = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(",")
runs = defaultdict(list)
for line in open(path):
    rnd, bench, side, value, p99, status = line.rstrip("\n").split("\t")
    runs[(bench, side)].append((int(rnd), float(value), float(p99), status))
unit = lambda b: "flows/s" if b.startswith("magic-link") else "req/s"
def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return 0.0 if not n else xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
rows, worst = [], 0
for bench in order:
    cells, means = {}, {}
    for side in ("before", "after"):
        rs = runs[(bench, side)]
        good = [r for r in rs if r[3] != "ERROR"]
        means[side] = (median([r[1] for r in good]), median([r[2] for r in good]), len(good), len(rs))
        cells[side] = " ".join(f"{r[1]:.0f}" + ("!" if r[3] == "ERROR" else "*" if r[3] == "NOISY" else "") for r in rs)
    (b, bp, bn, bt), (a, ap, an, at) = means["before"], means["after"]
    if bn < bt or an < at or not bn or not an:
        ratio, res, code = None, "ERROR (errored runs)", 2
    else:
        ratio = a / b if b > 0 else 0.0
        ok = ratio >= 1 - tol / 100
        res, code = ("within" if ok else "SLOWER") + f" {tol:g}%", (0 if ok else 1)
    worst = max(worst, code)
    rows.append([bench, unit(bench), f"{b:.0f}", f"{a:.0f}", f"{ratio:.3f}" if ratio is not None else "n/a",
                 f"{bp:.2f} / {ap:.2f}", cells["before"], cells["after"], res])
hdr = ["benchmark", "unit", "before (median)", "after (median)", "after / before", "p99 ms before / after (median)",
       "runs before", "runs after", "result"]
w = [max(len(str(r[j])) for r in [hdr] + rows) for j in range(len(hdr))]
fmt = lambda r: "| " + " | ".join(str(c).ljust(w[j]) for j, c in enumerate(r)) + " |"
print(fmt(hdr)); print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows: print(fmt(r))
print("\n(* = NOISY: rustc ran during that run; ! = ERROR, left out of the median)")
sys.exit(worst)
PY
rc=$?
set -e
echo
cat "$AB_OUT/ab.md"
echo
log "per-run output in $AB_OUT/runs/, table in $AB_OUT/ab.md"
exit "$rc"
