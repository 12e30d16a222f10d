#!/usr/bin/env bash
# Runs the whole test command with the clock of every process it starts
# moved, 400 days ahead by default: the servers, PostgreSQL, the test
# binaries, Node and Chromium all see the same shifted time (libfaketime,
# from Debian). No test may depend on the calendar day; this proves it.
#
#   scripts/test-shifted.sh          # +400 days
#   scripts/test-shifted.sh -45d     # any libfaketime offset: +2y, -10d, +36h …
#
# Cargo stamps what it builds with the (shifted) build time, which would make
# a build directory look up to date for a year; so the run builds in a copy
# of the build directory that is thrown away afterwards.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
OFFSET="${1:-+400d}"
apt_install faketime
LIB="$(dpkg -L libfaketime | grep -m1 'libfaketime.so.1$')"

SHIFTED_TARGET="$(mktemp -d /tmp/zhuomu-shifted-target.XXXXXX)"
trap 'rm -rf "$SHIFTED_TARGET"' EXIT
if [ -d "$CARGO_TARGET_DIR" ]; then
  say "copying the build directory (the shifted run builds in the copy)"
  cp -a "$CARGO_TARGET_DIR/." "$SHIFTED_TARGET/"
fi

say "the test command with every clock moved $OFFSET"
# Timers and timeouts keep the real monotonic clock; only wall time moves.
CARGO_TARGET_DIR="$SHIFTED_TARGET" LD_PRELOAD="$LIB" FAKETIME="$OFFSET" \
  FAKETIME_DONT_FAKE_MONOTONIC=1 \
  bash -c 'date; exec ./scripts/test.sh'
