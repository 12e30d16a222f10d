#!/usr/bin/env bash
# Lighthouse on a cheap phone (issue 20): the mobile preset (simulated slow 4G,
# 4× CPU slowdown) on home, 随手拍, the report list, one report, 志愿, 积分 and a
# campaign, against the release build on a fresh SQLite demo city. Installs the
# Lighthouse CLI (npm, pinned) under ~/.cache/zhuomu/lighthouse if missing and
# prints a Markdown table (median of LIGHTHOUSE_RUNS runs, default 3) for
# docs/PERFORMANCE.md. Targets: performance ≥ 95, accessibility 100, best
# practices ≥ 95, LCP ≤ 1.5 s.
#   ./scripts/bench-lighthouse.sh
#   SKIP_BUILD=1 LIGHTHOUSE_RUNS=1 ./scripts/bench-lighthouse.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
LIGHTHOUSE_VERSION=12.8.2
lh="$HOME/.cache/zhuomu/lighthouse"
if [ ! -x "$lh/node_modules/.bin/lighthouse" ]; then
  say "installing lighthouse $LIGHTHOUSE_VERSION"
  mkdir -p "$lh"
  npm install --prefix "$lh" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION"
fi
if [ -z "${SKIP_BUILD:-}" ]; then
  ensure_build_tools
  ensure_node_packages
  build_site
fi
dir="$(mktemp -d /tmp/zhuomu-lighthouse.XXXXXX)"
port="$(free_port)"
export DATABASE_URL="sqlite://$dir/lh.db" ZHUOMU_DATA_DIR="$dir" ZHUOMU_SMS="outbox:$dir/sms.jsonl"
bin="$CARGO_TARGET_DIR/release/zhuomu"
"$bin" seed --demo-users >/dev/null
"$bin" serve --addr "127.0.0.1:$port" --site-root "$ROOT/target/site" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_healthy "http://127.0.0.1:$port" "$dir/server.log"
say "lighthouse, mobile preset"
(cd end2end && BASE_URL="http://127.0.0.1:$port" LIGHTHOUSE="$lh/node_modules/.bin/lighthouse" node bench/lighthouse.mjs)
