#!/usr/bin/env bash
# Runs Sesame's fuzz targets (cargo-fuzz, libFuzzer, AddressSanitizer) one after another, on
# demand (never in CI), and prints for each how long it ran, how many inputs it tried and how
# it ended.
#
# usage: fuzz/run.sh [-t SECONDS] [--build-only] [--install-only] [--list] [TARGET...]
#   TARGET           authorize_request, hosted_forms, basic_auth, management_bodies
#                    (default: all four, one at a time)
#   -t, --time S     how long each target runs, in seconds (default 600)
#   --build-only     build the targets and stop
#   --install-only   install cargo-fuzz when missing and stop
#   --list           print the targets and stop
# env: FUZZ_TIME=600  FUZZ_NICE=19 (the runs are niced; the machine may be shared)
#      CARGO_BUILD_JOBS=1 (unless set)  FUZZ_ARGS="..." (more libFuzzer flags)
#
# cargo-fuzz is installed with `cargo install cargo-fuzz --locked` when it is missing. It passes
# flags only nightly accepts (-Zsanitizer=address, ...): RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them. Each target runs as one libFuzzer job in one worker process
# (-jobs=1 -workers=1, so its log is fuzz/logs/<target>/fuzz-0.log), on the corpus
# fuzz/corpus/<target> (grown by the runs, not committed) seeded from fuzz/seeds/<target>, with
# the dictionary fuzz/dicts/<target>.dict when there is one. A crash leaves its input in
# fuzz/artifacts/<target>/; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz <target> fuzz/artifacts/<target>/<file>
# exit: 0 every target ran its time without a crash, 1 a target crashed, 2 setup failed.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_TARGETS=(authorize_request hosted_forms basic_auth management_bodies)
# The longest input tried (-max_len), about the bound the server puts on it: an authorization
# request's query string or form body (8 KiB), a hosted form (8 KiB, after the byte that picks
# the form), a header line, a JSON body (256 KiB accepted; 16 KiB is ample for its structure).
declare -A MAX_LEN=([authorize_request]=8192 [hosted_forms]=8193 [basic_auth]=8192 [management_bodies]=16384)
TIME=${FUZZ_TIME:-600}
NICE=${FUZZ_NICE:-19}
BUILD_ONLY=0
INSTALL_ONLY=0
TARGETS=()

usage() { sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    -t|--time) TIME=$2; shift 2;;
    --build-only) BUILD_ONLY=1; shift;;
    --install-only) INSTALL_ONLY=1; shift;;
    --list) printf '%s\n' "${ALL_TARGETS[@]}"; exit 0;;
    -h|--help) usage; exit 0;;
    -*) echo "unknown option: $1 (see --help)" >&2; exit 2;;
    *) TARGETS+=("$1"); shift;;
  esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
[[ $TIME =~ ^[0-9]+$ && $TIME -gt 0 ]] || { echo "--time must be a positive number of seconds" >&2; exit 2; }
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "unknown target '$t' (see --list)" >&2; exit 2; }
done

log() { printf '[fuzz] %s\n' "$*" >&2; }

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "cargo-fuzz is missing: cargo install cargo-fuzz --locked"
  nice -n "$NICE" cargo install cargo-fuzz --locked || { log "could not install cargo-fuzz"; exit 2; }
fi
log "$(cargo fuzz --version)"
[[ $INSTALL_ONLY == 1 ]] && exit 0

# cargo fuzz SUBCOMMAND --fuzz-dir fuzz/ ARGS... (the option before any `--`).
fuzz() { nice -n "$NICE" cargo fuzz "$1" --fuzz-dir "$HERE" "${@:2}"; }

for t in "${TARGETS[@]}"; do
  log "building $t"
  (cd "$HERE" && fuzz build "$t") || { log "building $t failed"; exit 2; }
done
[[ $BUILD_ONLY == 1 ]] && exit 0

declare -A SUMMARY
status=0
for t in "${TARGETS[@]}"; do
  corpus=$HERE/corpus/$t
  logs=$HERE/logs/$t
  mkdir -p "$corpus" "$logs" "$HERE/artifacts/$t"
  rm -f "$logs"/fuzz-*.log
  args=(-max_total_time="$TIME" -max_len="${MAX_LEN[$t]}" -jobs=1 -workers=1 -print_final_stats=1)
  [[ -f $HERE/dicts/$t.dict ]] && args+=(-dict="$HERE/dicts/$t.dict")
  seeds=()
  [[ -d $HERE/seeds/$t ]] && seeds=("$HERE/seeds/$t")
  log "running $t for ${TIME}s (log: $logs/fuzz-0.log)"
  started=$(date +%s)
  # libFuzzer writes fuzz-0.log into its working directory.
  set +e
  (cd "$logs" && fuzz run "$t" "$corpus" "${seeds[@]}" -- "${args[@]}" ${FUZZ_ARGS:-}) \
    >"$logs/driver.log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - started ))
  flog=$logs/fuzz-0.log
  [[ -f $flog ]] || flog=$logs/driver.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$flog" | tail -1)
  [[ -n $execs ]] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$flog" | tail -1)
  if [[ $rc -eq 0 ]] && ! grep -qE '^==[0-9]+==ERROR|panicked at|deadly signal' "$flog"; then
    result="no crash"
  else
    result="CRASH (exit $rc): see $flog and $HERE/artifacts/$t/"
    status=1
  fi
  SUMMARY[$t]="$(date -u -d "@$started" '+%Y-%m-%d %H:%M UTC')  ${elapsed}s  ${execs:-?} executions  corpus $(find "$corpus" -type f | wc -l) inputs  $result"
  log "$t: ${SUMMARY[$t]}"
done

printf '\n%-20s %s\n' target "started  duration  executions  corpus  result"
for t in "${TARGETS[@]}"; do printf '%-20s %s\n' "$t" "${SUMMARY[$t]}"; done
exit $status
