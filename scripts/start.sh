#!/usr/bin/env bash
# `npm start`: builds and runs duet-server on 127.0.0.1:8080 with its data in ./data.
# Flags after `--` go to the server, e.g. `npm start -- --listen 0.0.0.0:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
cargo build --release --quiet -p server --bin duet-server
exec target/release/duet-server "$@"
