# Shared by scripts/serve.sh and scripts/test.sh: installs what is missing,
# idempotently (a second run skips everything that is there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One shared build directory outside the clone, so CI and every checkout reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zhuomu/target}"
# Incremental caches only help an editor's rebuilds; in a shared build
# directory they grow without bound (tens of GB), so they are off here.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

# Each step says how long the command has run (minutes:seconds), so a slow
# step shows in any log.
say() { printf '\033[1;34m==>\033[0m [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# A free TCP port on loopback.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Waits for a server at $1 to answer /healthz; shows its log $2 if it never does.
wait_healthy() {
  for _ in $(seq 1 100); do
    curl -fs "$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not start:"; cat "$2"; return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    # Installed, not merely known (a removed package keeps its config files
    # and still answers `dpkg -s`).
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_rust_components() {
  local c
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# cargo install into a throwaway build directory: it neither waits for nor
# fills the shared one, so it can run beside the project's own builds.
cargo_install() {
  local dir status=0
  dir="$(mktemp -d /tmp/zhuomu-install.XXXXXX)"
  CARGO_TARGET_DIR="$dir" cargo "$@" || status=$?
  rm -rf "$dir"
  return "$status"
}

ensure_cargo_leptos() {
  if ! command -v cargo-leptos >/dev/null 2>&1; then
    say "installing cargo-leptos (nightly, no_downloads, unoptimised: a few minutes once)"
    rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
    # cargo-leptos only drives cargo, wasm-bindgen and wasm-opt, so an
    # unoptimised build of it is as fast where it matters and builds in a
    # fraction of the ~20 minutes its optimised, LTO build takes.
    CARGO_PROFILE_DEV_DEBUG=0 cargo_install +nightly install cargo-leptos --locked --features no_downloads --debug
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
  if ! command -v wasm-bindgen >/dev/null 2>&1 || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want"
    cargo_install install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_node_packages() {
  if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/playwright-core" ] \
    || [ ! -x "$ROOT/end2end/node_modules/.bin/terser" ]; then
    say "installing end2end Node packages (playwright-core, binaryen, terser)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The test command's Python tools (OpenAPI validator, schemathesis, a
# published Open311 client) in a venv outside the clone, reinstalled only
# when end2end/requirements.txt changes.
PY_ENV="${ZHUOMU_PY_ENV:-$HOME/.cache/zhuomu/py}"
ensure_python_tools() {
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
  local want have=""
  want="$(sha256sum "$ROOT/end2end/requirements.txt" | cut -c1-16)"
  [ -f "$PY_ENV/.requirements" ] && have="$(cat "$PY_ENV/.requirements")"
  if [ ! -x "$PY_ENV/bin/schemathesis" ] || [ "$want" != "$have" ]; then
    say "installing the Python test tools (schemathesis, openapi-spec-validator, georeport)"
    python3 -m venv "$PY_ENV"
    "$PY_ENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/end2end/requirements.txt"
    echo "$want" >"$PY_ENV/.requirements"
  fi
}

# libjpeg-turbo (the photo decoder) builds from source with cmake, its SIMD
# code with nasm.
ensure_c_build_tools() {
  command -v cc >/dev/null 2>&1 || apt_install build-essential
  { command -v cmake && command -v nasm; } >/dev/null 2>&1 || apt_install cmake nasm
}

ensure_build_tools() {
  ensure_c_build_tools
  command -v node >/dev/null 2>&1 || apt_install nodejs npm
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_node_packages
  ensure_cargo_leptos
  apt_install brotli
}

# Everything the test command needs. The Rust tools compile on both cores
# while the packages (apt, npm, pip) download beside them.
ensure_test_tools() {
  ensure_c_build_tools
  (
    command -v node >/dev/null 2>&1 || apt_install nodejs npm
    ensure_node_packages
    apt_install brotli chromium fonts-noto-cjk curl postgresql postgresql-client faketime
    ensure_python_tools
    ensure_moto
  ) &
  local packages=$!
  ensure_rust_components
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_cargo_leptos
  wait "$packages"
}

# Release build of the web bundle and the server, then precompress the static
# assets and print the first-load transfer size.
# Every change to the workspace leaves new test binaries of our own crates
# behind (hundreds of MB each); keep the build cache from filling the disk by
# dropping our crates' artefacts that are more than a day old. Dependencies
# are kept, so nothing but our own code is rebuilt.
prune_stale_builds() {
  # Under a moved clock (scripts/test-shifted.sh) every artefact looks old.
  [ -z "${FAKETIME:-}" ] || return 0
  local deps crate
  for deps in "$CARGO_TARGET_DIR/debug/deps"; do
    [ -d "$deps" ] || continue
    for crate in zhuomu zhuomu_server libzhuomu libzhuomu_server app libapp api ledger_rate photo_memory dashboard; do
      find "$deps" -maxdepth 1 -name "$crate-*" -mmin +1440 -delete 2>/dev/null || true
    done
  done
}

build_site() {
  say "building the site (cargo leptos build --release)"
  (cd "$ROOT" && cargo leptos build --release)
  compress_site "$ROOT/target/site"
}

compress_site() {
  local site="$1"
  # The helper and the service worker are kept readable in public/; the
  # site gets them minified (cargo-leptos copies them as they are).
  local terser="$ROOT/end2end/node_modules/.bin/terser"
  if [ -x "$terser" ]; then
    for f in "$site/zhuomu.js" "$site/staff.js" "$site/sw.js"; do
      [ "$(wc -l < "$f")" -le 1 ] && continue  # already minified (one line)
      "$terser" "$f" --compress --mangle --ecma 2017 -o "$f.min" && mv "$f.min" "$f"
    done
  fi
  find "$site" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.svg' \) | while read -r f; do
    # Only what changed: a running server may be serving the others.
    [ "$f.br" -nt "$f" ] && [ "$f.gz" -nt "$f" ] && continue
    brotli -f -q 11 -o "$f.br" "$f"
    gzip -f -9 -k "$f"
  done
  local js helper wasm css
  js=$(stat -c %s "$site/pkg/zhuomu.js.br")
  helper=$(stat -c %s "$site/zhuomu.js.br")
  wasm=$(stat -c %s "$site/pkg/zhuomu.wasm.br" 2>/dev/null || stat -c %s "$site/pkg/zhuomu_bg.wasm.br")
  css=$(stat -c %s "$site/pkg/zhuomu.css.br")
  say "first-load bundle (brotli): JS $js B + zhuomu.js $helper B + WASM $wasm B + CSS $css B = $((js + helper + wasm + css)) B (budget 153600 B)"
}

ensure_moto() {
  if ! command -v moto_server >/dev/null 2>&1; then
    say "installing moto (S3-compatible test server, pip)"
    python3 -m pip install -q --disable-pip-version-check 'moto[server]' >/dev/null
  fi
}

# A throwaway S3-compatible server (moto, from PyPI) for the photo-storage
# tests, unless TEST_S3_ENDPOINT is set.
start_test_s3() {
  if [ -n "${TEST_S3_ENDPOINT:-}" ]; then
    say "using TEST_S3_ENDPOINT"
    return
  fi
  ensure_moto
  local port
  port="$(free_port)"
  moto_server -H 127.0.0.1 -p "$port" >/tmp/zhuomu-moto.log 2>&1 &
  S3_PID=$!
  for i in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs -X PUT "http://127.0.0.1:$port/zhuomu-test" >/dev/null
  export TEST_S3_ENDPOINT="http://127.0.0.1:$port" TEST_S3_BUCKET="zhuomu-test"
  say "S3-compatible test server (moto) on port $port"
}

stop_test_s3() {
  if [ -n "${S3_PID:-}" ]; then kill "$S3_PID" 2>/dev/null || true; fi
}

# A throwaway PostgreSQL cluster for the tests, unless TEST_DATABASE_URL is set.
start_test_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    say "using TEST_DATABASE_URL"
    return
  fi
  apt_install postgresql
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_DIR="$(mktemp -d /tmp/zhuomu-pg.XXXXXX)"
  chmod 755 "$PG_DIR"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U zhuomu --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  PG_PORT="$(free_port)"
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  export TEST_DATABASE_URL="postgres://zhuomu@127.0.0.1:$PG_PORT/postgres"
  say "PostgreSQL test cluster on port $PG_PORT"
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
}

stop_test_postgres() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
