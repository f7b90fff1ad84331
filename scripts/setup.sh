#!/usr/bin/env bash
# Checks (and, where it can, installs) what the build needs. Quiet when everything is there.
# Sourced by the other scripts.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "duet: cargo not found. Install Rust from https://rustup.rs, then run this again." >&2
  exit 1
fi

# The shared crates (and later the browser SDK) build for the browser.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "duet: installing the Rust wasm32-unknown-unknown target" >&2
  rustup target add wasm32-unknown-unknown >/dev/null
fi

# npm packages the tests use, installed from the lock file; skipped when already in place.
if ! cmp -s package-lock.json node_modules/.duet-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --silent
  cp package-lock.json node_modules/.duet-installed-lock
fi
