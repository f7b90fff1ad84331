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
setup_browser
setup_npm
cargo test --workspace --locked
cargo build --locked --quiet -p server --bin duet-server
bash scripts/build-sdk.sh
bash scripts/build-demo.sh
node --test tests/node/ tests/browser/

# A server for the browser tests, on a free port with a throwaway data dir.
data=$(mktemp -d)
export DUET_TEST_SDKAPPID=1400054321 DUET_TEST_SECRET_KEY="browser-$RANDOM$RANDOM"
DUET_SDKAPPID=$DUET_TEST_SDKAPPID DUET_SECRET_KEY=$DUET_TEST_SECRET_KEY RUST_LOG=warn \
  target/debug/duet-server --listen 127.0.0.1:0 --data-dir "$data" >"$data/out.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  addr=$(sed -n 's|^Duet server on http://\([^ ]*\).*|\1|p' "$data/out.log")
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "duet-server did not start:" >&2; cat "$data/out.log" >&2; exit 1; }
export DUET_TEST_SERVER="ws://$addr"
(
  cd sdk-wasm
  CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --locked --target wasm32-unknown-unknown --tests
)
