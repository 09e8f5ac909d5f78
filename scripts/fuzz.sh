#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60): `make fuzz` and, with
# FUZZ_FRESH=1 and 20 s, the CI step `make fuzz-ci`. Installs what is missing (the nightly
# toolchain, cargo-fuzz at a pinned version into $HOME/.cache/sockpit/cargo-fuzz), builds the
# targets once, then runs each from the checked-in seeds (fuzz/corpus/<target>/, read only) plus a
# scratch corpus outside the repository. Prints per target: runs, coverage (edges) and the outcome;
# any crash, leak or timeout fails the script, with the input saved under the work directory.
#
# Targets run side by side, FUZZ_JOBS at a time (default: one per core).
#
# Environment: FUZZ_TARGETS (default: all), FUZZ_JOBS, FUZZ_WORK (scratch corpus and artifacts, default
# /tmp/sockpit-fuzz), FUZZ_FRESH=1 (start from the seeds alone), FUZZ_TARGET_DIR (build output,
# default $CARGO_TARGET_DIR/fuzz).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
seconds="${1:-${FUZZ_SECONDS:-60}}"
cargo_fuzz_version=0.13.2
tools="${SOCKPIT_TOOLS:-$HOME/.cache/sockpit}/cargo-fuzz"
work="${FUZZ_WORK:-${TMPDIR:-/tmp}/sockpit-fuzz}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/fuzz}"
# The nightly build must not share intermediate files with the stable workspace build.
unset CARGO_BUILD_BUILD_DIR

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "installing the nightly toolchain (cargo-fuzz needs -Z flags)"
  rustup toolchain install nightly --profile minimal
fi
if [ "$("$tools/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  echo "installing cargo-fuzz $cargo_fuzz_version into $tools"
  CARGO_TARGET_DIR="$tools/build" cargo install cargo-fuzz --version "$cargo_fuzz_version" \
    --locked --root "$tools" >/dev/null
  rm -rf "$tools/build"
fi
export PATH="$tools/bin:$PATH"

# Release with debug assertions (overflow checks on); no sanitizer: the targets run safe Rust, and
# libFuzzer's coverage is what finds inputs. About twice the executions of an ASan build.
build_flags=(--release --debug-assertions --sanitizer none)
start=$(date +%s)
cargo +nightly fuzz build "${build_flags[@]}"
echo "fuzz build: $(( $(date +%s) - start )) s"

targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list | tr '\n' ' ')}"
bin_dir="$CARGO_TARGET_DIR/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
if [ -n "${FUZZ_FRESH:-}" ]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/sockpit-fuzz-ci.XXXXXX")"
fi
mkdir -p "$work"
summary="$work/summary.tsv"
printf 'target\truns\tcov\tresult\n' > "$summary"
# One libFuzzer process per core: the targets are independent, and each is single-threaded.
jobs="${FUZZ_JOBS:-$(nproc)}"
run_target() {
  local t=$1
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  # The scratch corpus first: libFuzzer adds new inputs to it, never to the checked-in seeds.
  set +e
  "$bin_dir/$t" "$work/corpus/$t" "corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$work/$t.log" 2>&1
  echo $? > "$work/$t.rc"
}
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$t" &
done
wait
failed=()
for t in $targets; do
  log="$work/$t.log"
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed+=("$t")
    echo "--- $t failed; the end of its log ($log):"
    tail -n 40 "$log"
    ls -1 "$work/artifacts/$t/" | sed "s|^|    input: $work/artifacts/$t/|"
  fi
  printf '%s\t%s\t%s\t%s\n' "$t" "${runs:-?}" "${cov:-?}" "$result" >> "$summary"
done
column -t -s $'\t' "$summary"
echo "fuzzing: ${#failed[@]} failed, $(( $(date +%s) - start )) s in all (work: $work)"
if [ -n "${FUZZ_FRESH:-}" ] && [ ${#failed[@]} -eq 0 ]; then
  rm -rf "$work"
fi
[ ${#failed[@]} -eq 0 ]
