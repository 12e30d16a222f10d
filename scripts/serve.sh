#!/usr/bin/env bash
# Builds the app (release) and serves it on http://127.0.0.1:3000 with SQLite
# (data/zhuomu.db, created, migrated and seeded with the demo city).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_build_tools
build_site
BIN="$CARGO_TARGET_DIR/release/zhuomu"
if [ -z "${DATABASE_URL:-}" ]; then
  # The local demo database only: demo accounts have published passwords.
  export DATABASE_URL="sqlite://data/zhuomu.db"
  "$BIN" seed --demo-users
  say "demo accounts: admin 13900000001 / zhuomu-admin-2026 · moderator 13900000002 / zhuomu-mod-2026 · unit staff 13900000003 / zhuomu-unit-2026 · citizen 13900000004 / zhuomu-demo-2026"
  # No SMS gateway in a demo: codes are written to a file you can read.
  export ZHUOMU_SMS="${ZHUOMU_SMS:-outbox:$ROOT/data/sms-outbox.jsonl}"
  say "SMS codes (注册、验证码登录、忘记密码) are written to ${ZHUOMU_SMS#outbox:} — read them there (tail -f)"
else
  "$BIN" seed
fi
exec "$BIN" serve --addr "${ZHUOMU_ADDR:-127.0.0.1:3000}" --site-root "$ROOT/target/site"
