#!/usr/bin/env bash
# `npm test`: every test of the workspace; a check that the crates the browser shares with the
# server build for wasm32; and the Node tests that drive the built server as a backend would.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --locked --quiet -p protocol -p usersig --target wasm32-unknown-unknown
cargo test --workspace --locked
cargo build --locked --quiet -p server --bin duet-server
node --test tests/node/
