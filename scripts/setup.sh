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

# Browser tests run in Debian's Chromium through its ChromeDriver.
setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "duet: installing Chromium and ChromeDriver from Debian" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

# npm packages the tests use, installed from the lock file; skipped when already in place.
setup_npm() {
  if ! cmp -s package-lock.json node_modules/.duet-installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --silent
    cp package-lock.json node_modules/.duet-installed-lock
  fi
}
