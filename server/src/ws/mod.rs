//! The WebSocket endpoint at `/ws` (protocol in `docs/protocol.md`). The upgrade handler sets
//! socket limits and hands the socket to [`connection::serve`], one task per connection.

mod connection;

use crate::AppState;
use crate::serve::ConnectionSlot;
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// WebSocket connections accepted since start, which numbers them in the logs.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// Frames above the configured limit but below this many times it are read and answered with
/// `FRAME_TOO_LARGE`; larger ones break the WebSocket protocol limit and close the connection.
const HARD_LIMIT_FACTOR: usize = 16;

/// Bytes read from the socket at a time. Small, because idle connections are the common case
/// and this buffer is held for the connection's life.
const READ_BUFFER: usize = 4 * 1024;

/// Outgoing bytes gathered before a socket write, so a burst of pushes costs few system calls.
const WRITE_BUFFER: usize = 4 * 1024;

/// Upgrades to a WebSocket, which keeps its connection's slot under the cap while it lives.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(app): State<AppState>,
    slot: Option<Extension<ConnectionSlot>>,
) -> Response {
    let hard = app
        .chat
        .config
        .ws
        .frame_max_bytes
        .saturating_mul(HARD_LIMIT_FACTOR);
    let AppState {
        chat,
        shutdown,
        tracker,
        ..
    } = app;
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(hard)
        .max_frame_size(hard)
        .on_upgrade(move |socket| {
            // Every line this connection logs names it.
            let conn = CONNECTIONS.fetch_add(1, Ordering::Relaxed) + 1;
            let span = tracing::info_span!("ws", conn);
            tracker.track_future(
                async move {
                    connection::serve(socket, chat, shutdown).await;
                    drop(slot);
                }
                .instrument(span),
            )
        })
}
