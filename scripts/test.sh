#!/usr/bin/env bash
# Runs every test: unit, storage and HTTP tests on SQLite and on a real
# PostgreSQL (photos also in an S3-compatible server), then the phone-screen
# browser tests in Chromium.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_build_tools
ensure_chromium
prune_stale_builds
build_site

SERVER_PID=""
E2E_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$E2E_DIR" ] && rm -rf "$E2E_DIR"
  stop_test_postgres
  stop_test_s3
}
trap cleanup EXIT
start_test_postgres
start_test_s3

say "unit, storage and HTTP tests (SQLite and PostgreSQL)"
cargo test --workspace --locked

say "browser tests (Chromium, 390×844)"
E2E_DIR="$(mktemp -d /tmp/zhuomu-e2e.XXXXXX)"
PORT="$(free_port)"
BIN="$CARGO_TARGET_DIR/release/zhuomu"
export DATABASE_URL="sqlite://$E2E_DIR/e2e.db" ZHUOMU_DATA_DIR="$E2E_DIR"
"$BIN" seed --demo-users >/dev/null
"$BIN" serve --addr "127.0.0.1:$PORT" --site-root "$ROOT/target/site" >"$E2E_DIR/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  if [ "$i" = 100 ]; then
    echo "the server did not start:"; cat "$E2E_DIR/server.log"; exit 1
  fi
  sleep 0.1
done
if ! (cd end2end && BASE_URL="http://127.0.0.1:$PORT" npm test --silent); then
  echo "--- server log ---"; tail -50 "$E2E_DIR/server.log"
  exit 1
fi
say "all tests passed"
