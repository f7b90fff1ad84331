#!/usr/bin/env bash
# Builds the browser SDK into sdk-wasm/pkg, the npm package `duet-chat`: the size-optimised
# wasm (wasm-opt -Oz), wasm-bindgen's ES module glue, and the hand-written entry, types and
# README. Prints the package's gzipped size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
setup_wasm_nightly
setup_npm
build_wasm_release sdk-wasm
build_web_module target/wasm32-unknown-unknown/wasm-release/duet_chat.wasm sdk-wasm/pkg duet_chat
cp sdk-wasm/js/index.js sdk-wasm/js/index.d.ts sdk-wasm/js/package.json sdk-wasm/README.md sdk-wasm/pkg/
printf 'duet-chat: wasm %s bytes gzipped, JS %s bytes gzipped\n' \
  "$(gzip -9c sdk-wasm/pkg/duet_chat_bg.wasm | wc -c)" \
  "$(cat sdk-wasm/pkg/duet_chat.js sdk-wasm/pkg/index.js | gzip -9c | wc -c)"
