#!/usr/bin/env bash
# Builds the demo web client (demo-app, Yew) into www/app, where duet-server serves it with the
# rest of www/: the module and its glue also as Brotli and gzip files, which the server sends to
# browsers that accept them. Prints their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
setup_wasm_nightly
setup_npm
build_wasm_release demo-app
build_web_module target/wasm32-unknown-unknown/wasm-release/demo-app.wasm www/app app
node scripts/precompress.mjs www/app/app_bg.wasm www/app/app.js
