#!/usr/bin/env bash
# `npm run bench`: starts a release duet-server on a free port with a fresh data dir and runs
# every duet-bench mode against it, printing one JSON line per mode (the figures in
# BENCHMARKS.md). The rate limits (frames and searches) are raised because the load generator is
# far faster than a person; everything else runs with its defaults, and metrics are recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup_rust
cargo build --release --quiet -p server -p bench
export DUET_SDKAPPID=1400000000 DUET_SECRET_KEY="bench-$RANDOM$RANDOM" RUST_LOG=warn
export DUET_WS_RATE=1000000 DUET_WS_BURST=1000000 DUET_SEARCH_RATE=1000000 DUET_SEARCH_BURST=1000000
# Metrics on, as in production: the figures include what recording them costs.
export DUET_METRICS_LISTEN=127.0.0.1:0
port=${DUET_BENCH_PORT:-18080}
url="http://127.0.0.1:$port"
data=$(mktemp -d)
cluster_pids=()
cleanup() {
  kill "$server" "${cluster_pids[@]}" 2>/dev/null || true
  wait "$server" "${cluster_pids[@]}" 2>/dev/null || true
  rm -rf "$data"
  stop_test_postgres
}
trap cleanup EXIT
run_server() {
  target/release/duet-server --listen "127.0.0.1:$port" --data-dir "$data" >/dev/null &
  server=$!
  for _ in $(seq 50); do curl -sf "$url/healthz" >/dev/null && return; sleep 0.1; done
  echo "duet-server did not start" >&2; exit 1
}
run_server
target/release/duet-bench idle --url "$url" --connections 10000 --server-pid "$server" --json | sed 's/^/idle 10000: /'
target/release/duet-bench online --url "$url" --pairs 100 --messages 1000 --rate 10000 --json | sed 's/^/online at 10000\/s: /'
target/release/duet-bench online --url "$url" --pairs 100 --messages 1000 --json | sed 's/^/online 100x1000: /'
target/release/duet-bench offline --url "$url" --messages 10000 --json | sed 's/^/offline 10000: /'
target/release/duet-bench history --url "$url" --messages 1000 --json | sed 's/^/history 1000: /'
target/release/duet-bench search --url "$url" --messages 100000 --json | sed 's/^/search 100000: /'
target/release/duet-bench media --url "$url" --megabytes 100 --server-pid "$server" --json | sed 's/^/media 100 MB: /'

# Webhooks on: every send asks a local backend first and tells it after
# (scripts/webhook-backend.mjs answers at once); what became of the notifications is read from
# the metrics.
kill "$server"; wait "$server" 2>/dev/null || true
hooks_port=$(free_port)
node scripts/webhook-backend.mjs "$hooks_port" &
cluster_pids+=($!)
metrics_port=$(free_port)
DUET_WEBHOOK_URL="http://127.0.0.1:$hooks_port/im" DUET_WEBHOOK_TOKEN=bench \
  DUET_WEBHOOKS=C2C.CallbackBeforeSendMsg,C2C.CallbackAfterSendMsg \
  DUET_METRICS_LISTEN="127.0.0.1:$metrics_port" run_server
target/release/duet-bench online --url "$url" --pairs 100 --messages 1000 --rate 2000 --json | sed 's/^/webhooks online at 2000\/s: /'
sleep 3
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^duet_webhooks_total' | sed 's/^/webhooks at 2000\/s: /'
target/release/duet-bench online --url "$url" --pairs 100 --messages 1000 --json | sed 's/^/webhooks online 100x1000: /'
sleep 3
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^duet_webhooks_total' | sed 's/^/webhooks after both runs: /'

# Tencent's hourly history files on a fresh server: imports keep message times in order, so a
# past hour can only be filled before any other message (scripts/bench-history-file.mjs).
kill "$server"; wait "$server" 2>/dev/null || true
rm -rf "$data"; data=$(mktemp -d)
DUET_REST_RATE=1000000 DUET_REST_BURST=1000000 run_server
admin_sig=$(target/release/duet-server --data-dir "$data" usersig --user administrator)
node scripts/bench-history-file.mjs "$url" "$DUET_SDKAPPID" "$admin_sig" 100000 | sed 's/^/history file 100000: /'

# Two nodes on one PostgreSQL (durable: fsync on) and one NATS, on this same machine; the
# online and offline runs put every message's sender and receiver on different nodes.
kill "$server"; wait "$server" 2>/dev/null || true
setup_postgres
setup_nats
start_test_postgres durable
nats_port=$(free_port)
"$DUET_TEST_NATS_SERVER" -a 127.0.0.1 -p "$nats_port" >/dev/null 2>&1 &
cluster_pids+=($!)
nodes=()
for i in 1 2; do
  node_port=$((port + i))
  mkdir -p "$data/node$i"
  DUET_STORAGE=postgres DUET_DATABASE_URL="$DUET_TEST_POSTGRES_URL" \
    DUET_NATS_URL="nats://127.0.0.1:$nats_port" DUET_METRICS_LISTEN=127.0.0.1:0 \
    target/release/duet-server --listen "127.0.0.1:$node_port" --data-dir "$data/node$i" >/dev/null &
  cluster_pids+=($!)
  nodes+=("http://127.0.0.1:$node_port")
done
for node in "${nodes[@]}"; do
  for _ in $(seq 100); do curl -sf "$node/healthz" >/dev/null && break; sleep 0.1; done
done
both="${nodes[0]},${nodes[1]}"
target/release/duet-bench online --url "$both" --pairs 100 --messages 1000 --json | sed 's/^/cluster online 100x1000: /'
target/release/duet-bench online --url "$both" --pairs 100 --messages 1000 --rate 1500 --json | sed 's/^/cluster online at 1500\/s: /'
target/release/duet-bench offline --url "$both" --messages 10000 --json | sed 's/^/cluster offline 10000: /'
