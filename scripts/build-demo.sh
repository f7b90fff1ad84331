#!/usr/bin/env bash
# Builds the demo web client (demo-app, Yew) into www/app, where duet-server serves it with the
# rest of www/. Prints its gzipped size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
setup_wasm
setup_wasm_nightly
setup_npm
build_wasm_release demo-app
build_web_module target/wasm32-unknown-unknown/wasm-release/demo-app.wasm www/app app
printf 'demo-app: wasm %s bytes gzipped, JS %s bytes gzipped\n' \
  "$(gzip -9c www/app/app_bg.wasm | wc -c)" "$(gzip -9c www/app/app.js | wc -c)"
