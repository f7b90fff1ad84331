#!/usr/bin/env bash
# What the build and the tests need, as functions each script calls for the parts it uses.
# Each checks first and is quiet when everything is there. Versions are pinned because the
# wasm-bindgen CLI must match the crate exactly.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130

setup_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "duet: cargo not found. Install Rust from https://rustup.rs, then run this again." >&2
    exit 1
  fi
}

# The browser SDK (and the crates it shares with the server) build for wasm32.
setup_wasm() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "duet: installing the Rust wasm32-unknown-unknown target" >&2
    rustup target add wasm32-unknown-unknown >/dev/null
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    echo "duet: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)" >&2
    cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# The release wasm (the npm package and the demo) is built with a pinned nightly compiler that
# rebuilds the standard library for size: panics abort on the spot, with no message formatting
# or source locations compiled in (the module installs no panic hook, so none was ever shown).
# That takes a tenth off the package. Tests and `wasm-pack test` use the stable toolchain.
WASM_NIGHTLY=nightly-2026-05-20
setup_wasm_nightly() {
  if ! rustup component list --toolchain "$WASM_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "duet: installing Rust $WASM_NIGHTLY with rust-src, for the size-optimised wasm (once)" >&2
    rustup toolchain install "$WASM_NIGHTLY" --profile minimal --component rust-src >/dev/null
  fi
}

# Builds one crate of the workspace for the browser with the wasm-release profile, into
# target/wasm32-unknown-unknown/wasm-release. Without the reference-types feature, wasm-bindgen
# keeps JavaScript values in its glue's table rather than in the module's: each export then
# takes a table index instead of storing its arguments itself, which makes the package smaller.
# LLVM's minimum-size level inlines a call only when the callee's cost is under 5; a threshold of
# 8 (6 to 10 give the same module) lets more small wrappers go: the package is 1.6 KB smaller
# gzipped (BENCHMARKS.md).
build_wasm_release() {
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types -Cllvm-args=-inline-threshold=8" \
    cargo "+$WASM_NIGHTLY" build --locked --quiet --profile wasm-release --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size -p "$1"
}

# wasm-pack runs the SDK's browser tests (`wasm-pack test`), as testers run them; pinned, and
# told never to download (it uses the wasm-bindgen CLI above).
WASM_PACK_VERSION=0.15.1
setup_wasm_pack() {
  if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
    echo "duet: installing wasm-pack $WASM_PACK_VERSION (a few minutes, once)" >&2
    cargo install --quiet --locked wasm-pack --version "$WASM_PACK_VERSION"
  fi
}

# Starts target/debug/duet-server on a free port with a throwaway data dir and key, for the
# SDK's browser tests, and exports what they read: DUET_TEST_SERVER, DUET_TEST_SDKAPPID and
# DUET_TEST_SECRET_KEY. Sets test_server (its pid) and test_server_data (its dir); the caller
# stops it with stop_test_server.
start_test_server() {
  test_server_data=$(mktemp -d)
  export DUET_TEST_SDKAPPID=1400054321 DUET_TEST_SECRET_KEY="browser-$RANDOM$RANDOM"
  DUET_SDKAPPID=$DUET_TEST_SDKAPPID DUET_SECRET_KEY=$DUET_TEST_SECRET_KEY RUST_LOG=warn \
    target/debug/duet-server --listen 127.0.0.1:0 --data-dir "$test_server_data" >"$test_server_data/out.log" 2>&1 &
  test_server=$!
  local addr=""
  for _ in $(seq 100); do
    addr=$(sed -n 's|^Duet server on http://\([^ ]*\).*|\1|p' "$test_server_data/out.log")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "duet-server did not start:" >&2; cat "$test_server_data/out.log" >&2; exit 1; }
  export DUET_TEST_SERVER="ws://$addr"
}

stop_test_server() {
  kill "$test_server" 2>/dev/null || true
  wait "$test_server" 2>/dev/null || true
  rm -rf "$test_server_data"
}

# PostgreSQL for the tests of the PostgreSQL backend: Debian's server, installed when missing.
# Sets pg_bin to its programs' directory.
setup_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "duet: installing PostgreSQL from Debian" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

# NATS for the cluster tests: Debian's nats-server, installed when missing. The tests start
# their own servers; DUET_TEST_NATS_SERVER tells them where the program is (Debian puts it in
# /usr/sbin, which may not be on the PATH).
setup_nats() {
  if [ ! -x /usr/sbin/nats-server ] && ! command -v nats-server >/dev/null; then
    echo "duet: installing nats-server from Debian" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nats-server >/dev/null
  fi
  DUET_TEST_NATS_SERVER=$(command -v nats-server || echo /usr/sbin/nats-server)
  export DUET_TEST_NATS_SERVER
}

# A port nothing listens on now.
free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

# Starts a throwaway PostgreSQL cluster in a temp dir on a free port (as the `postgres` user
# when run as root, since PostgreSQL refuses to run as root) and exports
# DUET_TEST_POSTGRES_URL. Tests make their own databases in it. For tests it skips fsync;
# `start_test_postgres durable` keeps it, as the benchmark needs. The caller stops it with
# stop_test_postgres.
start_test_postgres() {
  local fsync="-c fsync=off"
  [ "${1:-}" = durable ] && fsync=
  test_pg_dir=$(mktemp -d)
  test_pg_as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$test_pg_dir"
    test_pg_as=(runuser -u postgres --)
  fi
  local port
  port=$(free_port)
  "${test_pg_as[@]}" "$pg_bin/initdb" -D "$test_pg_dir/data" -U duet -A trust -E UTF8 --no-sync \
    >"$test_pg_dir/initdb.log" 2>&1 || { cat "$test_pg_dir/initdb.log" >&2; exit 1; }
  "${test_pg_as[@]}" "$pg_bin/pg_ctl" -D "$test_pg_dir/data" -l "$test_pg_dir/server.log" -w \
    -o "-p $port -k $test_pg_dir -c listen_addresses=127.0.0.1 -c max_connections=400 $fsync" \
    start >/dev/null || { cat "$test_pg_dir/server.log" >&2; exit 1; }
  export DUET_TEST_POSTGRES_URL="postgres://duet@127.0.0.1:$port/postgres"
}

stop_test_postgres() {
  [ -n "${test_pg_dir:-}" ] || return 0
  "${test_pg_as[@]}" "$pg_bin/pg_ctl" -D "$test_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$test_pg_dir"
}

# Browser tests run in Debian's Chromium through its ChromeDriver; the emoji font lets the
# demo's screenshots show faces as people see them.
setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] ||
    [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
    echo "duet: installing Chromium, ChromeDriver and an emoji font from Debian" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null
  fi
}

# npm packages the tests use, installed from the lock file; skipped when already in place.
setup_npm() {
  if ! cmp -s package-lock.json node_modules/.duet-installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --silent
    cp package-lock.json node_modules/.duet-installed-lock
  fi
}

# Makes a browser module of a crate built for wasm32 with the wasm-release profile: wasm-bindgen's
# ES module glue (passing strings by `TextEncoder.encodeInto` alone, without the fallback for
# browsers older than top-level await, which the package needs anyway) and npm binaryen's wasm-opt
# -Oz, repeated while it still shrinks the module (Debian's binaryen is too old and breaks the
# module), with the features the Rust target emits. `--low-memory-unused` lets it fold a pointer's
# constant offset into the load or store: the two differ only when the addition wraps past 4 GiB
# into the first KiB, which no pointer into the module's memory does (the stack starts at 1 MiB
# and grows down, the data lies above it). A second round rebuilds each function's control flow
# from its flattened form (`--flatten --rereloop`) and shrinks it again: 0.6 KB off the package,
# the speed the same. Its functions are then placed next to the ones they resemble, so that gzip
# finds more repeats (scripts/order-wasm-functions.mjs chooses the order, binaryen moves the
# bodies and drops the function names). The imports and exports get
# names of a letter or two, renamed alike in the glue (scripts/minify-wasm-names.mjs), and the
# custom sections naming the compiler and the module's features are dropped (last, as binaryen
# reads the features from them). The glue, with the crate's JavaScript snippets bundled in, is
# minified by esbuild (export names and the `new URL(…, import.meta.url)` that bundlers follow to
# the wasm are kept). wasm-bindgen names a snippet once per function the wasm imports from it
# directly, as keys of one object literal; they are the same module, so esbuild's warning about
# the repeated key is silenced.
#   build_web_module <built wasm file> <out dir> <out name>
build_web_module() {
  local wasm=$1 out=$2 name=$3
  local features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
    --enable-mutable-globals --enable-reference-types)
  rm -rf "$out"
  wasm-bindgen --target web --encode-into always --out-dir "$out" --out-name "$name" "$wasm"
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused "${features[@]}" "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  node_modules/.bin/wasm-opt --flatten --rereloop -Oz -Oz --low-memory-unused "${features[@]}" "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  node scripts/order-wasm-functions.mjs "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
  node_modules/.bin/wasm-opt --reorder-functions-by-name --strip-debug \
    --minify-imports-and-exports-and-modules --strip-producers \
    --strip-target-features "${features[@]}" \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm" >"$out/names.txt"
  node scripts/minify-wasm-names.mjs "$out/names.txt" "$out" "$name"
  rm "$out/names.txt"
  node_modules/.bin/esbuild "$out/$name.js" --bundle --minify --format=esm --log-level=warning \
    --log-override:duplicate-object-key=silent \
    --allow-overwrite --outfile="$out/$name.js"
  rm -rf "$out/snippets"
}
