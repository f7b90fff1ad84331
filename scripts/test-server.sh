#!/usr/bin/env bash
# `npm run test:server`: a throwaway duet-server for the SDK's browser tests, so a tester can run
# `wasm-pack test --headless --chrome sdk-wasm` by hand. Prints what to export, then serves
# until Ctrl-C, when it removes its data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
cargo build --locked --quiet -p server --bin duet-server
start_test_server
trap stop_test_server EXIT
cat <<MSG
A test server is running at ${DUET_TEST_SERVER#ws://}. In another shell, from $(pwd):

  export DUET_TEST_SERVER=$DUET_TEST_SERVER DUET_TEST_SDKAPPID=$DUET_TEST_SDKAPPID DUET_TEST_SECRET_KEY=$DUET_TEST_SECRET_KEY
  CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome sdk-wasm

Ctrl-C stops it.
MSG
wait "$test_server"
