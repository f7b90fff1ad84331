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

# Makes a browser module of a crate built for wasm32 with the wasm-release profile:
# wasm-bindgen's ES module glue, then npm binaryen's wasm-opt -Oz (Debian's is too old and
# breaks the module), with the features the Rust target emits.
#   build_web_module <built wasm file> <out dir> <out name>
build_web_module() {
  local wasm=$1 out=$2 name=$3
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" "$wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
}
