//! The browser's connection: a WebSocket (gloo-net) to the server's `/ws`, as the frame sink and
//! stream a [`Session`](crate::session::Session) runs on.

use crate::client::{Connecting, Connector};
use crate::error::{SdkError, codes};
use crate::session::{FrameSink, FrameStream};
use futures_util::{SinkExt, StreamExt, future};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;

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

fn down(e: impl std::fmt::Display) -> SdkError {
    SdkError::new(codes::DISCONNECTED, e.to_string())
}

impl Connector for WebSocketConnector {
    fn connect(&self) -> Connecting {
        let url = self.url.clone();
        Box::pin(async move {
            let ws = WebSocket::open(&url).map_err(down)?;
            let (sink, stream) = ws.split();
            let sink: FrameSink = Box::pin(
                sink.sink_map_err(down)
                    .with(|s: String| future::ok::<_, SdkError>(Message::Text(s))),
            );
            // The stream ends at the first error (a close): the session then reconnects.
            let stream: FrameStream = Box::pin(
                stream
                    .take_while(|m| future::ready(m.is_ok()))
                    .filter_map(|m| {
                        future::ready(match m {
                            Ok(Message::Text(t)) => Some(t),
                            _ => None,
                        })
                    }),
            );
            Ok((sink, stream))
        })
    }
}
