//! A minimal protocol client for load generation: connect, sign in, and talk frames. The socket
//! is split so that one task writes while another reads.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use protocol::frame::{ClientFrame, Reply, Request, ServerFrame};
use protocol::{DeviceId, UserId};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use usersig::UserSigKey;

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type Writer = SplitSink<Ws, Message>;
pub type Reader = SplitStream<Ws>;
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where the server is and how to sign in to it.
#[derive(Clone)]
pub struct Target {
    pub ws_url: String,
    /// `http://host:port`, for the HTTP endpoints (media).
    pub http_url: String,
    pub sdk_app_id: u64,
    pub key: UserSigKey,
}

impl Target {
    /// `url` is the server's base URL, `http://host:port` or `ws://host:port`.
    pub fn new(url: &str, sdk_app_id: u64, secret: &str) -> Self {
        let base = url.trim_end_matches('/');
        let base = base
            .strip_prefix("http://")
            .map(|r| format!("ws://{r}"))
            .unwrap_or_else(|| {
                base.strip_prefix("https://")
                    .map(|r| format!("wss://{r}"))
                    .unwrap_or_else(|| base.to_owned())
            });
        let http = base
            .strip_prefix("ws://")
            .map(|r| format!("http://{r}"))
            .or_else(|| base.strip_prefix("wss://").map(|r| format!("https://{r}")))
            .unwrap_or_else(|| base.clone());
        Self {
            ws_url: format!("{base}/ws"),
            http_url: http,
            sdk_app_id,
            key: UserSigKey::new(sdk_app_id, secret.as_bytes()),
        }
    }

    /// Connects and signs in as `user`; returns the socket halves.
    pub async fn login(&self, user: &str) -> Result<(Writer, Reader), BoxError> {
        let (ws, _) =
            tokio_tungstenite::connect_async_with_config(self.ws_url.as_str(), None, true).await?;
        let (mut tx, mut rx) = ws.split();
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let login = Request::Login {
            protocol: protocol::PROTOCOL_VERSION,
            sdk_app_id: self.sdk_app_id,
            user_id: UserId::parse(user)?,
            user_sig: self.key.sign(user, 3600, now),
            device: DeviceId::parse("bench")?,
        };
        send(&mut tx, 0, login).await?;
        match next_answer(&mut rx).await? {
            ServerFrame::Reply {
                data: Reply::LoggedIn { .. },
                ..
            } => Ok((tx, rx)),
            other => Err(format!("login as {user} failed: {other:?}").into()),
        }
    }
}

pub async fn send(tx: &mut Writer, id: u64, request: Request) -> Result<(), BoxError> {
    let json = serde_json::to_string(&ClientFrame { id, request })?;
    tx.send(Message::text(json)).await?;
    Ok(())
}

/// The next protocol frame; `Err` when the socket closes.
pub async fn next_frame(rx: &mut Reader) -> Result<ServerFrame, BoxError> {
    loop {
        match rx.next().await {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(t.as_str())?),
            Some(Ok(Message::Close(c))) => {
                return Err(format!("server closed the socket: {c:?}").into());
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => return Err("socket ended".into()),
        }
    }
}

/// The next reply or error, skipping pushes.
pub async fn next_answer(rx: &mut Reader) -> Result<ServerFrame, BoxError> {
    loop {
        match next_frame(rx).await? {
            ServerFrame::Sync { .. } => continue,
            other => return Ok(other),
        }
    }
}

/// Sends one request and waits for its reply's data.
pub async fn call(
    tx: &mut Writer,
    rx: &mut Reader,
    id: u64,
    request: Request,
) -> Result<Reply, BoxError> {
    send(tx, id, request).await?;
    match next_answer(rx).await? {
        ServerFrame::Reply { id: got, data } if got == id => Ok(data),
        other => Err(format!("unexpected answer: {other:?}").into()),
    }
}

/// A unique prefix for this run's user names, so runs against one server do not collide.
pub fn run_prefix() -> String {
    format!("b{:06x}", rand::random::<u32>() & 0xff_ffff)
}

/// The error for a refused send, with a hint when the server's rate limit is the cause.
pub fn refused(code: protocol::ErrorCode, message: &str) -> BoxError {
    let hint = if code == protocol::ErrorCode::RATE_LIMITED {
        " (start the server with DUET_WS_RATE and DUET_WS_BURST raised for load tests)"
    } else {
        ""
    };
    format!("send refused: {code:?} {message}{hint}").into()
}
