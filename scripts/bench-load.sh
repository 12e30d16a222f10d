#!/usr/bin/env bash
# The load benchmark of issue 18 on both engines: a million reports, 64 clients
# (server/benches/load.rs). Installs oha if missing, keeps the filled databases
# under ~/.cache/zhuomu/bench-load (SQLite file, PostgreSQL cluster) so a second
# run skips the fill, and prints one Markdown table per engine. The PostgreSQL
# cluster lives in /var/tmp/zhuomu-bench-load-pg (its own user must reach it).
#   ./scripts/bench-load.sh            both engines
#   ENGINES=sqlite ./scripts/bench-load.sh
#   BENCH_ONLY=open311 BENCH_SECONDS=5 ./scripts/bench-load.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zhuomu/target}" CARGO_INCREMENTAL=0
ensure_c_build_tools
command -v oha >/dev/null || cargo_install install oha --locked
keep="$HOME/.cache/zhuomu/bench-load"
mkdir -p "$keep"
say "building the benchmark (release)"
cargo bench -p zhuomu --bench load --no-run
for engine in ${ENGINES:-sqlite postgres}; do
  case "$engine" in
    sqlite)
      say "SQLite"
      BENCH_DATABASE_URL="sqlite://$keep/load.db" cargo bench -p zhuomu --bench load
      ;;
    postgres)
      apt_install postgresql
      bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
      run=()
      if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
      pg="${BENCH_PG_DIR:-/var/tmp/zhuomu-bench-load-pg}"
      if [ ! -d "$pg/data" ]; then
        mkdir -p "$pg"
        if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pg"; fi
        "${run[@]}" "$bin/initdb" -D "$pg/data" -U zhuomu --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      fi
      port="$(free_port)"
      # Stock settings but for the memory a database server of this size gets.
      "${run[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
        -o "-p $port -k $pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c effective_cache_size=8GB -c max_connections=100" \
        start >/dev/null
      trap '"${run[@]}" "$bin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null 2>&1 || true' EXIT
      psql -h 127.0.0.1 -p "$port" -U zhuomu -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'zhuomu_load'" | grep -q 1 \
        || psql -h 127.0.0.1 -p "$port" -U zhuomu -d postgres -c "CREATE DATABASE zhuomu_load" >/dev/null
      say "PostgreSQL (port $port)"
      BENCH_DATABASE_URL="postgres://zhuomu@127.0.0.1:$port/zhuomu_load" cargo bench -p zhuomu --bench load
      "${run[@]}" "$bin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null
      trap - EXIT
      ;;
  esac
done
