//! The browser's connection: a WebSocket to the server's `/ws`, as the frame sink and stream a
//! [`Session`](crate::session::Session) runs on. The socket itself is driven by two functions
//! in `js/socket.js`.

use crate::client::{Connecting, Connector};
use crate::error::{SdkError, browser_reason, codes};
use crate::session::{FrameSink, FrameStream};
use futures_util::{StreamExt, sink, stream};
use js_sys::Promise;
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
        on_frame: &Closure<dyn FnMut(Option<String>)>,
    ) -> Result<Socket, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn opened(this: &Socket) -> Promise;
    #[wasm_bindgen(method, catch)]
    fn send(this: &Socket, text: &str) -> Result<(), JsValue>;
    fn close(socket: &Socket);
}

/// How long a socket may take to open.
const OPEN_TIMEOUT_MS: u32 = 15_000;

/// Connects to `{server}/ws`, where `server` is the base URL the app configured
/// (`ws://host:port` or `wss://host`; `http(s)://` is accepted and converted).
pub struct WebSocketConnector {
    url: String,
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
        }
    }
}

/// A socket with the callback it delivers frames to; dropping the last handle (the sink's or
/// the stream's) closes the socket before the callback goes.
struct Connection {
    socket: Socket,
    _on_frame: Closure<dyn FnMut(Option<String>)>,
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
        let url = self.url.clone();
        Box::pin(async move {
            let (frames, received) = futures_channel::mpsc::unbounded();
            // The stream ends when the socket closes: the session then reconnects.
            let on_frame = Closure::new(move |frame: Option<String>| match frame {
                Some(text) => drop(frames.unbounded_send(text)),
                None => frames.close_channel(),
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
                |(mut received, connection)| async move {
                    let text = received.next().await?;
                    Some((text, (received, connection)))
                },
            ));
            Ok((sink, stream))
        })
    }
}
