#!/usr/bin/env bash
# `npm run test:server`: a throwaway duet-server for the SDK's browser tests, so a tester can run
# `wasm-pack test --headless --chrome sdk-wasm` by hand, and a throwaway PostgreSQL for the
# server's PostgreSQL and cluster tests (`cargo test -p server`). Prints what to export, then
# serves until Ctrl-C, when it removes their data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_postgres
setup_nats
cargo build --locked --quiet -p server --bin duet-server
start_test_server
start_test_postgres
trap 'stop_test_server; stop_test_postgres' EXIT
cat <<MSG
A test server is running at ${DUET_TEST_SERVER#ws://}. In another shell, from $(pwd):

  export DUET_TEST_SERVER=$DUET_TEST_SERVER DUET_TEST_SDKAPPID=$DUET_TEST_SDKAPPID DUET_TEST_SECRET_KEY=$DUET_TEST_SECRET_KEY
  CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome sdk-wasm

For the server's PostgreSQL and cluster tests, PostgreSQL is running too:

  export DUET_TEST_POSTGRES_URL=$DUET_TEST_POSTGRES_URL DUET_TEST_NATS_SERVER=$DUET_TEST_NATS_SERVER
  cargo test -p server

Ctrl-C stops it.
MSG
wait "$test_server"
