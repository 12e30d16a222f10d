#!/usr/bin/env bash
# Runs the whole test command with the clock of every process it starts
# moved, 400 days ahead by default: the servers, PostgreSQL, the test
# binaries, Node and Chromium all see the same shifted time (libfaketime,
# from Debian). No test may depend on the calendar day; this proves it.
#
#   scripts/test-shifted.sh          # +400 days
#   scripts/test-shifted.sh -45d     # any libfaketime offset: +2y, -10d, +36h …
#
# Everything is built first at the real time, so nothing is built under the
# shifted clock. Should anything still be written then with a date ahead of
# today (a cargo stamp would make a build look up to date for a year), it is
# set back to now at the end.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
OFFSET="${1:-+400d}"
apt_install faketime
LIB="$(dpkg -L libfaketime | grep -m1 'libfaketime.so.1$')"

restore_times() {
  local dir soon
  soon="$(date -d '+1 hour' '+%F %T')"
  for dir in "$CARGO_TARGET_DIR" "$ROOT/target" "$ROOT/end2end"; do
    [ -d "$dir" ] && find "$dir" -newermt "$soon" -exec touch -h {} + 2>/dev/null || true
  done
}
trap restore_times EXIT

say "building at the real time"
ensure_test_tools
cargo test --workspace --locked --no-run
build_site

say "the test command with every clock moved $OFFSET"
# Timers and timeouts keep the real monotonic clock; only wall time moves.
LD_PRELOAD="$LIB" FAKETIME="$OFFSET" FAKETIME_DONT_FAKE_MONOTONIC=1 \
  bash -c 'date; exec ./scripts/test.sh'
