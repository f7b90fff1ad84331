//! The browser's connection: a WebSocket to the server's `/ws`, as the frame sink and stream a
//! [`Session`](crate::session::Session) runs on. The socket itself is driven by two functions
//! in `js/socket.js`.

use crate::client::{Connecting, Connector};
use crate::error::{SdkError, browser_reason, codes};
use crate::session::{FrameSink, FrameStream};
use futures_util::{StreamExt, sink, stream};
use js_sys::Promise;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/socket.js")]
extern "C" {
    /// The browser's `WebSocket`.
    type Socket;
    #[wasm_bindgen(catch)]
    fn open(
        url: &str,
        timeout_ms: u32,
        on_frame: &Closure<dyn FnMut(Option<String>) -> bool>,
    ) -> Result<Socket, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn opened(this: &Socket) -> Promise;
    #[wasm_bindgen(method, catch)]
    fn send(this: &Socket, text: &str) -> Result<(), JsValue>;
    fn close(socket: &Socket);
}

/// How long a socket may take to open.
const OPEN_TIMEOUT_MS: u32 = 15_000;

/// Frames received and not yet read by the session. A session this far behind loses its
/// connection rather than buffering without end; it reconnects and catches up from its cursor.
const MAX_QUEUED_FRAMES: usize = 10_000;

/// Connects to `{server}/ws`, where `server` is the base URL the app configured
/// (`ws://host:port` or `wss://host`; `http(s)://` is accepted and converted).
pub struct WebSocketConnector {
    url: String,
    max_queued: usize,
}

impl WebSocketConnector {
    pub fn new(server: &str) -> Self {
        let base = server.trim_end_matches('/');
        let base = if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else {
            base.to_owned()
        };
        Self {
            url: format!("{base}/ws"),
            max_queued: MAX_QUEUED_FRAMES,
        }
    }
}

/// A socket with the callback it delivers frames to; dropping the last handle (the sink's or
/// the stream's) closes the socket before the callback goes.
struct Connection {
    socket: Socket,
    _on_frame: Closure<dyn FnMut(Option<String>) -> bool>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        close(&self.socket);
    }
}

fn down(e: JsValue) -> SdkError {
    SdkError::new(codes::DISCONNECTED, browser_reason(&e))
}

impl Connector for WebSocketConnector {
    fn connect(&self) -> Connecting {
        let (url, max_queued) = (self.url.clone(), self.max_queued);
        Box::pin(async move {
            let (frames, received) = futures_channel::mpsc::unbounded();
            let queued = Rc::new(Cell::new(0));
            // The stream ends when the socket closes, or when the session falls too far behind
            // (the socket is then closed here): the session then reconnects.
            let on_frame = Closure::new({
                let queued = queued.clone();
                move |frame: Option<String>| match frame {
                    Some(text) if queued.get() < max_queued => {
                        queued.set(queued.get() + 1);
                        frames.unbounded_send(text).is_ok()
                    }
                    _ => {
                        frames.close_channel();
                        false
                    }
                }
            });
            let socket = open(&url, OPEN_TIMEOUT_MS, &on_frame).map_err(down)?;
            let connection = Rc::new(Connection {
                socket,
                _on_frame: on_frame,
            });
            JsFuture::from(connection.socket.opened())
                .await
                .map_err(down)?;
            let sink: FrameSink = Box::pin(sink::unfold(
                connection.clone(),
                |connection, text: String| async move {
                    connection.socket.send(&text).map_err(down)?;
                    Ok(connection)
                },
            ));
            let stream: FrameStream = Box::pin(stream::unfold(
                (received, connection),
                move |(mut received, connection)| {
                    let queued = queued.clone();
                    async move {
                        let text = received.next().await?;
                        queued.set(queued.get() - 1);
                        Some((text, (received, connection)))
                    }
                },
            ));
            Ok((sink, stream))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::sleep_ms;
    use futures_util::SinkExt;
    use protocol::frame::{ClientFrame, Request};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn a_reader_that_falls_behind_loses_the_connection() {
        #[allow(clippy::option_env_unwrap)]
        let server = option_env!("DUET_TEST_SERVER")
            .expect("start a test server with `npm run test:server` and export what it prints");
        let connector = WebSocketConnector {
            max_queued: 3,
            ..WebSocketConnector::new(server)
        };
        let (mut sink, mut stream) = connector.connect().await.unwrap();
        // Fifty pongs, none read while they arrive: the fourth overflows the queue.
        for id in 1..=50 {
            let ping = crate::json::to_string(&ClientFrame {
                id,
                request: Request::Ping,
            })
            .unwrap();
            sink.send(ping).await.unwrap();
        }
        sleep_ms(1_000).await;
        let mut read = 0;
        while stream.next().await.is_some() {
            read += 1;
        }
        assert_eq!(read, 3, "the frames queued before the cap, then the end");
    }
}
