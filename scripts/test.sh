#!/usr/bin/env bash
# `npm test`: every test of the workspace natively; the browser SDK's tests in headless
# Chromium (real IndexedDB); and the Node tests that drive the built server as a backend would.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
setup_browser
setup_npm
cargo test --workspace --locked
cargo build --locked --quiet -p server --bin duet-server
node --test tests/node/
(
  cd sdk-wasm
  CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --locked --target wasm32-unknown-unknown --tests
)
