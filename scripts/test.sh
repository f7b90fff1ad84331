#!/usr/bin/env bash
# `npm test`: every test of the workspace natively; the Node tests that drive the built server
# as a backend would and load the built npm package in a page in headless Chromium; and the
# browser SDK's own tests in headless Chromium (real IndexedDB, real WebSockets to a real
# server started here).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
setup_wasm_pack
setup_browser
setup_npm
setup_postgres
setup_nats
start_test_postgres
trap stop_test_postgres EXIT
cargo test --workspace --locked
cargo build --locked --quiet -p server --bin duet-server
bash scripts/build-sdk.sh
bash scripts/build-demo.sh
node --test tests/node/ tests/browser/

# The SDK's own browser tests, the way the README tells testers to run them, against a server
# started here.
start_test_server
trap 'stop_test_server; stop_test_postgres' EXIT
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  wasm-pack test --headless --chrome --mode no-install sdk-wasm
