#!/usr/bin/env bash
# `npm start`: builds the server and the demo web client (into www/app), and runs duet-server
# on 127.0.0.1:8080 with its data in ./data and the development UserSig endpoint on.
# Flags after `--` go to the server, e.g. `npm start -- --listen 0.0.0.0:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
bash scripts/build-demo.sh >/dev/null
cargo build --release --quiet -p server --bin duet-server
# --dev-usersig lets the page sign anyone in without a backend: for local development only.
exec target/release/duet-server --dev-usersig "$@"
