#!/usr/bin/env bash
# Runs every test: unit, storage and HTTP tests on SQLite and on a real
# PostgreSQL (photos also in an S3-compatible server), then the phone-screen
# browser tests in Chromium, a published Open311 client, and API fuzzing.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TEST_BUILD=""
SERVER_PID=""
TILES_PID=""
FUZZ_PID=""
FUZZ_DB=""
E2E_DIR=""
cleanup() {
  [ -n "$TEST_BUILD" ] && kill "$TEST_BUILD" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$TILES_PID" ] && kill "$TILES_PID" 2>/dev/null || true
  [ -n "$FUZZ_PID" ] && kill "$FUZZ_PID" 2>/dev/null || true
  # The fuzz database (on a PostgreSQL given as TEST_DATABASE_URL it would stay).
  [ -n "$FUZZ_DB" ] && psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $FUZZ_DB" >/dev/null 2>&1 || true
  [ -n "$E2E_DIR" ] && rm -rf "$E2E_DIR"
  stop_test_postgres
  stop_test_s3
}
trap cleanup EXIT

ensure_test_tools
prune_stale_builds
# The release site and the debug test binaries live in different profile
# folders of the build directory, so they build side by side: one's
# single-threaded stretches (linking, the bundle's LTO) leave the other a core.
say "formatting (cargo fmt --check), lints (clippy, warnings are errors), no import circles"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
python3 scripts/module_cycles.py
say "building the tests (debug) beside the site (release)"
cargo test --workspace --locked --no-run &
TEST_BUILD=$!
build_site
wait "$TEST_BUILD"
TEST_BUILD=""

start_test_postgres
start_test_s3

say "unit, storage and HTTP tests (SQLite and PostgreSQL)"
# Every library, binary and integration test (the crates have no doc tests;
# rustdoc's test runner hangs under a moved clock).
cargo test --workspace --locked --lib --bins --tests

say "browser tests (Chromium, 390×844)"
E2E_DIR="$(mktemp -d /tmp/zhuomu-e2e.XXXXXX)"
PORT="$(free_port)"
BIN="$CARGO_TARGET_DIR/release/zhuomu"
# SMS codes go to an outbox the browser tests read, as a person reads their phone.
export DATABASE_URL="sqlite://$E2E_DIR/e2e.db" ZHUOMU_DATA_DIR="$E2E_DIR" \
  ZHUOMU_SMS="outbox:$E2E_DIR/sms.jsonl" SMS_OUTBOX="$E2E_DIR/sms.jsonl"
"$BIN" seed --demo-users >/dev/null
# The base map comes from a local stand-in for the city's tile service.
node end2end/tile-server.mjs >"$E2E_DIR/tiles.port" &
TILES_PID=$!
for _ in $(seq 50); do [ -s "$E2E_DIR/tiles.port" ] && break; sleep 0.1; done
export TILES_URL="http://127.0.0.1:$(cat "$E2E_DIR/tiles.port")"
# Each test person is a phone on an address of its own (X-Forwarded-For, as
# behind the city's proxy), so the per-address limits stay on and still count
# people apart.
ZHUOMU_TRUST_PROXY=true ZHUOMU_MAP_TILES="$TILES_URL/{z}/{x}/{y}.svg" ZHUOMU_MAP_ATTRIBUTION="© 测试底图" \
  "$BIN" serve --addr "127.0.0.1:$PORT" --site-root "$ROOT/target/site" >"$E2E_DIR/server.log" 2>&1 &
SERVER_PID=$!
wait_healthy "http://127.0.0.1:$PORT" "$E2E_DIR/server.log"
if ! (cd end2end && BASE_URL="http://127.0.0.1:$PORT" npm test --silent); then
  echo "--- server log ---"; tail -50 "$E2E_DIR/server.log"
  exit 1
fi

say "Open311: a published client (georeport) reads the server in JSON and XML"
KEY="$("$BIN" apikey create --name 开放接口测试)"
"$PY_ENV/bin/python" end2end/open311_client.py "http://127.0.0.1:$PORT" "$KEY" 13900000002 zhuomu-mod-2026

# A fresh server per engine, rate limits off, fuzzed through its OpenAPI document.
fuzz_engine() {
  local url="$1" label="$2" port
  port="$(free_port)"
  DATABASE_URL="$url" "$BIN" seed --demo-users >/dev/null
  DATABASE_URL="$url" ZHUOMU_RATE_LIMITS=off "$BIN" serve --addr "127.0.0.1:$port" \
    --site-root "$ROOT/target/site" >"$E2E_DIR/fuzz-$label.log" 2>&1 &
  FUZZ_PID=$!
  wait_healthy "http://127.0.0.1:$port" "$E2E_DIR/fuzz-$label.log"
  if ! PATH="$PY_ENV/bin:$PATH" end2end/fuzz.sh "http://127.0.0.1:$port" "$label"; then
    echo "--- server log ---"; grep -E "ERROR|panic" "$E2E_DIR/fuzz-$label.log" | tail -20
    exit 1
  fi
  kill "$FUZZ_PID"; wait "$FUZZ_PID" 2>/dev/null || true; FUZZ_PID=""
}
say "API fuzzing (schemathesis) on SQLite"
fuzz_engine "sqlite://$E2E_DIR/fuzz.db" sqlite
say "API fuzzing (schemathesis) on PostgreSQL"
command -v psql >/dev/null 2>&1 || apt_install postgresql-client
FUZZ_DB="zhuomu_fuzz_$$"
psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $FUZZ_DB" >/dev/null
fuzz_engine "$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$TEST_DATABASE_URL" "$FUZZ_DB")" postgres
say "all tests passed"
