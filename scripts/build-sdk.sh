#!/usr/bin/env bash
# Builds the browser SDK into sdk-wasm/pkg, the npm package `duet-chat`: the size-optimised
# wasm, wasm-bindgen's ES module glue, and the hand-written entry, types and README.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
cargo build --locked --quiet --profile wasm-release --target wasm32-unknown-unknown -p sdk-wasm
rm -rf sdk-wasm/pkg
wasm-bindgen --target web --out-dir sdk-wasm/pkg --out-name duet_chat \
  target/wasm32-unknown-unknown/wasm-release/duet_chat.wasm
cp sdk-wasm/js/index.js sdk-wasm/js/index.d.ts sdk-wasm/js/package.json sdk-wasm/README.md sdk-wasm/pkg/
