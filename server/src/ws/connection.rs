//! One WebSocket connection: a single task that reads requests, runs them, writes their replies
//! and the device's pushes, and closes the socket when the client, the hub or the server ends
//! it. Generic over the socket so tests can drive it with an in-memory stream.
//!
//! Sends are queued to storage in frame order and awaited concurrently (up to
//! `max_in_flight`), so one connection can pipeline many sends while keeping their order. When
//! the app's backend screens sends (`C2C.CallbackBeforeSendMsg`), each waits for its answer
//! before the next frame is read.

use crate::chat::{Chat, EditContent, SendOptions, SendRequest};
use crate::error::ChatError;
use crate::hub::{Eviction, Queued, Registration};
use crate::rate::TokenBucket;
use crate::storage::{HistoryQuery, Origin, ProfileUpdate};
use crate::webhooks::{Changer, Platform, StateChange};
use axum::extract::ws::{CloseFrame, Message};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use protocol::frame::{
    ClientFrame, KickCause, MAX_ANSWER_BYTES, REQUEST_TYPES, Reply, Request, ServerFrame,
};
use protocol::{DeviceId, ErrorCode, PROTOCOL_VERSION, Relation, Removal, SyncEvent, UserId};
use serde::Deserialize;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Close codes; `docs/protocol.md` tells clients which ones to reconnect after.
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    /// Not signed in within the login deadline.
    pub const POLICY: u16 = 1008;
    /// A frame over the hard size limit (16 × the frame limit).
    pub const TOO_BIG: u16 = 1009;
    /// Replaced by a newer login of the same device: do not reconnect on your own.
    pub const REPLACED: u16 = 4001;
    /// Fell too far behind on pushes: reconnect and sync from your cursor.
    pub const TOO_SLOW: u16 = 4002;
    /// The account was deleted by the app's backend: do not reconnect.
    pub const ACCOUNT_DELETED: u16 = 4003;
    /// The UserSig the session signed in with expired: sign in again with a new one.
    pub const USERSIG_EXPIRED: u16 = 4004;
    /// The app's backend kicked the user out: sign in again only with a new UserSig.
    pub const KICKED: u16 = 4005;
}

struct Session {
    user: UserId,
    /// The device it signed in as (push registrations are per device).
    device: DeviceId,
    reg: Registration,
    /// When the UserSig it signed in with expires: the session ends then (4004). `None` for
    /// one valid beyond what a clock can count.
    expires: Option<tokio::time::Instant>,
}

struct Connection {
    chat: Arc<Chat>,
    session: Option<Session>,
    bucket: TokenBucket,
    /// Searches cost the store more than other requests: they have a budget of their own.
    searches: TokenBucket,
    /// A status change (hiding, a custom status) is told to every follower of the user, and
    /// quiet hours to all of its devices: a budget of its own, [`STATUS_CHANGES_PER_SEC`] on
    /// average.
    status_changes: TokenBucket,
}

/// The close reasons the state webhook tells apart from the others.
const LOGGED_OUT: &str = "logged out";
const IDLE_TIMEOUT: &str = "idle timeout";

/// Status changes a connection may make per second on average, and in a burst.
const STATUS_CHANGES_PER_SEC: u32 = 2;
const STATUS_CHANGES_BURST: u32 = 10;

/// What to do with a request once read.
enum Step {
    Answer(ServerFrame),
    Later(BoxFuture<'static, ServerFrame>),
    /// Answer, then close normally (logout).
    AnswerAndClose(ServerFrame),
}

pub async fn serve<S>(mut socket: S, chat: Arc<Chat>, shutdown: CancellationToken)
where
    S: Stream<Item = Result<Message, axum::Error>>
        + Sink<Message, Error = axum::Error>
        + Unpin
        + Send,
{
    let ws = chat.config.ws.clone();
    let mut conn = Connection {
        bucket: TokenBucket::new(ws.rate_per_sec, ws.rate_burst),
        searches: TokenBucket::new(ws.search_per_sec, ws.search_burst),
        status_changes: TokenBucket::new(STATUS_CHANGES_PER_SEC, STATUS_CHANGES_BURST),
        session: None,
        chat,
    };
    let mut in_flight: FuturesUnordered<BoxFuture<'static, ServerFrame>> = FuturesUnordered::new();
    let mut deadline = tokio::time::Instant::now() + ws.idle_timeout;
    let login_deadline = tokio::time::Instant::now() + ws.login_timeout;
    // Set once signed in, and registered with the timer once, not on every turn of the loop.
    let mut expiry: Option<Pin<Box<tokio::time::Sleep>>> = None;
    // Every write is bounded: a client that stops reading loses its connection, not our memory.
    let write = ws.write_timeout;
    let (code, reason) = loop {
        let evicted = conn.session.as_ref().map(|s| s.reg.evicted.clone());
        let signed_in = conn.session.is_some();
        let pushes = conn.session.as_mut().map(|s| &mut s.reg.pushes);
        tokio::select! {
            _ = shutdown.cancelled() => break (close_code::GOING_AWAY, "server shutting down"),
            _ = cancelled(evicted) => break eviction_close(&conn),
            entry = recv(pushes) => {
                let Some(entry) = entry else { break eviction_close(&conn) };
                if timed(write, write_pushes(&mut socket, entry, &mut conn)).await.is_err() {
                    break (close_code::GOING_AWAY, "write failed");
                }
            }
            Some(frame) = in_flight.next(), if !in_flight.is_empty() => {
                if timed(write, write_answers(&mut socket, frame, &mut in_flight)).await.is_err() {
                    break (close_code::GOING_AWAY, "write failed");
                }
            }
            incoming = socket.next(), if in_flight.len() < ws.max_in_flight => {
                deadline = tokio::time::Instant::now() + ws.idle_timeout;
                let message = match incoming {
                    Some(Ok(m)) => m,
                    None => break (close_code::NORMAL, "bye"),
                    Some(Err(e)) => break read_failure(e),
                };
                if matches!(message, Message::Close(_)) {
                    break (close_code::NORMAL, "bye");
                }
                // Every frame costs a token, whatever its kind or size.
                let allowed = conn.bucket.try_take(Instant::now());
                let step = match message {
                    Message::Text(text) => {
                        let step = conn.on_text(text.as_str(), allowed).await;
                        if expiry.is_none() {
                            let expires = conn.session.as_ref().and_then(|s| s.expires);
                            expiry = expires.map(|at| Box::pin(tokio::time::sleep_until(at)));
                        }
                        step
                    }
                    Message::Binary(_) if allowed => Step::Answer(error_frame(None, ChatError::new(ErrorCode::BAD_JSON, "binary frames are not part of the protocol; send JSON text"))),
                    _ => continue,
                };
                let sent = match step {
                    Step::Answer(frame) => timed(write, socket.send(encode(&frame))).await,
                    Step::Later(fut) => { in_flight.push(fut); Ok(()) }
                    Step::AnswerAndClose(frame) => {
                        let answered = timed(write, async {
                            while let Some(done) = in_flight.next().await {
                                socket.feed(encode(&done)).await?;
                            }
                            socket.send(encode(&frame)).await
                        });
                        if answered.await.is_err() {
                            break (close_code::GOING_AWAY, "write failed");
                        }
                        break (close_code::NORMAL, LOGGED_OUT);
                    }
                };
                if sent.is_err() { break (close_code::GOING_AWAY, "write failed") }
            }
            _ = tokio::time::sleep_until(login_deadline), if !signed_in => {
                break (close_code::POLICY, "not signed in in time");
            }
            _ = until(expiry.as_mut()) => break (close_code::USERSIG_EXPIRED, "the UserSig expired"),
            _ = tokio::time::sleep_until(deadline) => break (close_code::GOING_AWAY, IDLE_TIMEOUT),
        }
    };
    if let Some(s) = &conn.session {
        // A device replaced by a sign-in elsewhere is not told of: that sign-in is, as Tencent's.
        let change = match (code, reason) {
            (close_code::REPLACED, _) => None,
            (close_code::NORMAL, LOGGED_OUT) => Some(StateChange::Logout),
            (_, IDLE_TIMEOUT) => Some(StateChange::TimedOut),
            _ => Some(StateChange::Disconnect),
        };
        if let Some(change) = change {
            let now_ms = conn.chat.clock.now_ms();
            conn.chat.webhooks.state_change(&s.user, change, now_ms);
        }
        conn.chat.hub.unregister(&s.user, s.reg.conn_id);
        conn.chat.forget_connection(s.reg.conn_id);
        announce(conn.chat.clone(), s.user.clone());
    }
    crate::metrics::ws_closed(code);
    // Requests already queued complete (their writes are durable either way); tell the client,
    // as far as it reads within the write timeout.
    let _ = timed(write, async {
        while let Some(done) = in_flight.next().await {
            socket.feed(encode(&done)).await?;
        }
        let cause = match code {
            close_code::REPLACED => Some(KickCause::SignedInElsewhere),
            close_code::ACCOUNT_DELETED => Some(KickCause::AccountDeleted),
            close_code::USERSIG_EXPIRED => Some(KickCause::UserSigExpired),
            close_code::KICKED => Some(KickCause::KickedByBackend),
            _ => None,
        };
        if let Some(cause) = cause {
            let reason = reason.to_owned();
            socket
                .feed(encode(&ServerFrame::Kicked { reason, cause }))
                .await?;
        }
        let close = CloseFrame {
            code,
            reason: reason.into(),
        };
        socket.send(Message::Close(Some(close))).await
    })
    .await;
}

/// Tells `user`'s presence followers that a device of it came or went, off the connection's
/// path.
fn announce(chat: Arc<Chat>, user: UserId) {
    tokio::spawn(async move {
        if let Err(e) = chat.tell_presence(&user, false).await {
            tracing::warn!(%user, error = %e.message, "presence not told");
        }
    });
}

/// Runs a socket write, failing it when the client has not taken it within `limit`.
async fn timed(
    limit: std::time::Duration,
    write: impl std::future::Future<Output = Result<(), axum::Error>>,
) -> Result<(), axum::Error> {
    tokio::time::timeout(limit, write)
        .await
        .unwrap_or_else(|_| Err(axum::Error::new("the client did not read in time")))
}

/// The close for a socket that could not be read: 1009 for a frame over the hard size limit.
fn read_failure(e: axum::Error) -> (u16, &'static str) {
    let inner = e.into_inner();
    if let Some(tungstenite::Error::Capacity(_)) = inner.downcast_ref::<tungstenite::Error>() {
        return (close_code::TOO_BIG, "frame too large");
    }
    tracing::debug!(error = %inner, "websocket read failed");
    (close_code::GOING_AWAY, "protocol error")
}

async fn recv(
    pushes: Option<&mut tokio::sync::mpsc::Receiver<Arc<Queued>>>,
) -> Option<Arc<Queued>> {
    match pushes {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Waits for `sleep`, or forever when there is none.
async fn until(sleep: Option<&mut Pin<Box<tokio::time::Sleep>>>) {
    match sleep {
        Some(sleep) => sleep.await,
        None => std::future::pending().await,
    }
}

async fn cancelled(token: Option<CancellationToken>) {
    match token {
        Some(t) => t.cancelled_owned().await,
        None => std::future::pending().await,
    }
}

fn eviction_close(conn: &Connection) -> (u16, &'static str) {
    match conn.session.as_ref().and_then(|s| s.reg.eviction()) {
        Some(Eviction::Replaced) => (
            close_code::REPLACED,
            "replaced by a newer sign-in (the same device, or one device too many)",
        ),
        Some(Eviction::AccountDeleted) => (close_code::ACCOUNT_DELETED, "the account was deleted"),
        Some(Eviction::Kicked) => (close_code::KICKED, "kicked out by the app's backend"),
        Some(Eviction::TooSlow) | None => {
            (close_code::TOO_SLOW, "too far behind; reconnect and sync")
        }
    }
}

/// Writes a push and any others already queued, with one flush.
async fn write_pushes<S>(
    socket: &mut S,
    first: Arc<Queued>,
    conn: &mut Connection,
) -> Result<(), axum::Error>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    write_push(socket, first).await?;
    if let Some(s) = conn.session.as_mut() {
        for _ in 0..64 {
            let Ok(queued) = s.reg.pushes.try_recv() else {
                break;
            };
            write_push(socket, queued).await?;
        }
    }
    socket.flush().await
}

async fn write_push<S>(socket: &mut S, queued: Arc<Queued>) -> Result<(), axum::Error>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    let is_message = matches!(queued.entry.event, SyncEvent::Message { .. });
    let entry = queued.entry.clone();
    socket.feed(encode(&ServerFrame::Sync { entry })).await?;
    crate::metrics::pushed(is_message, queued.at);
    Ok(())
}

/// Writes an answer and any others already finished, with one flush.
async fn write_answers<S>(
    socket: &mut S,
    first: ServerFrame,
    in_flight: &mut FuturesUnordered<BoxFuture<'static, ServerFrame>>,
) -> Result<(), axum::Error>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    socket.feed(encode(&first)).await?;
    while let Some(Some(frame)) = in_flight.next().now_or_never() {
        socket.feed(encode(&frame)).await?;
    }
    socket.flush().await
}

/// A user changes only its own lists: a friend add is one-way, and friends-only counts a
/// friendship only once each user has added the other (a request and its acceptance).
/// A user's change of its own lists. Its entries go to every device of the user, the asking
/// one too: the answer carries no sequence, so a device skipped here would have a hole in its
/// log, and could apply a later change before the skipped one.
fn change_relations(
    chat: Arc<Chat>,
    me: UserId,
    relation: Relation,
    users: Vec<UserId>,
    add: bool,
) -> BoxFuture<'static, Result<Reply, ChatError>> {
    Box::pin(async move {
        let results = chat
            .change_relations(&me, (relation, add), users, true, Changer::User)
            .await?;
        Ok(Reply::RelationResults { results })
    })
}

/// The refusal of a list change that the list's kind does not take from its owner.
fn not_here(relation: Relation) -> ChatError {
    ChatError::new(
        ErrorCode::INVALID_ARGUMENT,
        format!("{relation:?} lists do not take this change"),
    )
}

/// A frame as sent; a reply over [`MAX_ANSWER_BYTES`] becomes an `ANSWER_TOO_LARGE` error.
fn encode(frame: &ServerFrame) -> Message {
    let text = serde_json::to_string(frame).expect("server frames serialize");
    if text.len() > MAX_ANSWER_BYTES
        && let ServerFrame::Reply { id, .. } = frame
    {
        let e = ChatError::new(
            ErrorCode::ANSWER_TOO_LARGE,
            format!("the answer would be over {MAX_ANSWER_BYTES} bytes; ask for less"),
        );
        return encode(&error_frame(Some(*id), e));
    }
    Message::Text(text.into())
}

fn error_frame(id: Option<u64>, e: ChatError) -> ServerFrame {
    ServerFrame::Error {
        id,
        code: e.code,
        message: e.message,
    }
}

fn reply(id: u64, data: Reply) -> ServerFrame {
    ServerFrame::Reply { id, data }
}

/// The parts of a frame readable even when the whole does not parse.
#[derive(Deserialize)]
struct Envelope {
    id: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Says why a frame that failed to parse was refused, with its id when it has one.
fn parse_failure(text: &str, err: serde_json::Error) -> ServerFrame {
    let Ok(env) = serde_json::from_str::<Envelope>(text) else {
        return error_frame(
            None,
            ChatError::new(ErrorCode::BAD_JSON, format!("not a JSON object: {err}")),
        );
    };
    let e = match env.kind.as_deref() {
        None => ChatError::new(ErrorCode::BAD_JSON, "frame has no \"type\""),
        Some(k) if !REQUEST_TYPES.contains(&k) => ChatError::new(
            ErrorCode::UNKNOWN_REQUEST,
            format!("unknown request type {k:?}"),
        ),
        Some(_) if env.id.is_none() => {
            ChatError::new(ErrorCode::BAD_JSON, "frame has no numeric \"id\"")
        }
        Some(k) => ChatError::new(ErrorCode::BAD_JSON, format!("invalid {k:?} request: {err}")),
    };
    error_frame(env.id, e)
}

impl Connection {
    /// Handles a text frame; `allowed` says whether the rate limit let it through.
    async fn on_text(&mut self, text: &str, allowed: bool) -> Step {
        if !allowed {
            let id = serde_json::from_str::<Envelope>(text)
                .ok()
                .and_then(|e| e.id);
            let e = ChatError::new(
                ErrorCode::RATE_LIMITED,
                "too many frames; slow down and retry",
            );
            return Step::Answer(error_frame(id, e));
        }
        let limit = self.chat.config.ws.frame_max_bytes;
        if text.len() > limit {
            let id = serde_json::from_str::<Envelope>(text)
                .ok()
                .and_then(|e| e.id);
            let msg = format!("frame is {} bytes; the limit is {limit}", text.len());
            return Step::Answer(error_frame(
                id,
                ChatError::new(ErrorCode::FRAME_TOO_LARGE, msg),
            ));
        }
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => return Step::Answer(parse_failure(text, e)),
        };
        let id = frame.id;
        match self.dispatch(id, frame.request).await {
            Ok(step) => step,
            Err(e) => Step::Answer(error_frame(Some(id), e)),
        }
    }

    async fn dispatch(&mut self, id: u64, request: Request) -> Result<Step, ChatError> {
        if let Request::Login {
            protocol,
            sdk_app_id,
            user_id,
            user_sig,
            device,
        } = request
        {
            if self.session.is_some() {
                return Err(ChatError::new(
                    ErrorCode::ALREADY_LOGGED_IN,
                    "this connection is already signed in",
                ));
            }
            if protocol != PROTOCOL_VERSION {
                return Err(ChatError::new(
                    ErrorCode::UNSUPPORTED_VERSION,
                    format!(
                        "protocol {protocol} is not supported; this server speaks {PROTOCOL_VERSION}"
                    ),
                ));
            }
            let (account, valid_s) = self.chat.login(sdk_app_id, &user_id, &user_sig).await?;
            let ws = &self.chat.config.ws;
            let device_id = device.clone();
            let reg = self
                .chat
                .hub
                .register(&user_id, device, ws.outbound_queue, ws.max_devices);
            let expires = tokio::time::Instant::now().checked_add(Duration::from_secs(valid_s));
            self.session = Some(Session {
                device: device_id,
                user: user_id.clone(),
                reg,
                expires,
            });
            announce(self.chat.clone(), user_id.clone());
            let now_ms = self.chat.clock.now_ms();
            self.chat
                .webhooks
                .state_change(&user_id, StateChange::Login, now_ms);
            return Ok(Step::Answer(reply(
                id,
                Reply::LoggedIn {
                    user_id,
                    server_time_ms: self.chat.clock.now_ms(),
                    latest_seq: account.latest_seq,
                    nick: account.nick,
                    avatar: account.avatar,
                    account_created_ms: account.created_ms,
                },
            )));
        }
        if let Request::Ping = request {
            return Ok(Step::Answer(reply(
                id,
                Reply::Pong {
                    server_time_ms: self.chat.clock.now_ms(),
                },
            )));
        }
        let Some(session) = &self.session else {
            return Err(ChatError::new(ErrorCode::NOT_LOGGED_IN, "log in first"));
        };
        let me = session.user.clone();
        let origin = Some(Origin(session.reg.conn_id));
        let chat = self.chat.clone();
        let later = |fut: BoxFuture<'static, Result<Reply, ChatError>>| {
            Step::Later(Box::pin(async move {
                match fut.await {
                    Ok(data) => reply(id, data),
                    Err(e) => error_frame(Some(id), e),
                }
            }))
        };
        Ok(match request {
            Request::Login { .. } | Request::Ping => unreachable!("handled above"),
            Request::Send {
                to,
                random,
                elements,
                cloud_custom_data,
                client_time_s,
                online_only,
                offline_push_info,
                need_read_receipt,
            } => {
                let opts = SendOptions {
                    origin,
                    online_only,
                    ..SendOptions::default()
                };
                // Awaited here, before the next frame is read: the app's backend is asked
                // first when it wants to be, and sends keep their order.
                let request = SendRequest {
                    to,
                    random,
                    elements,
                    cloud_custom_data,
                    client_time_s,
                    offline_push_info: offline_push_info.map(|info| *info),
                    need_read_receipt,
                };
                // Boxed: the connection's task holds its largest future for as long as it
                // lives, and this one, with the webhook's HTTP exchange in it, would cost
                // every idle connection more than a kilobyte.
                let screened = Box::pin(chat.send_with_webhooks(&me, request, opts));
                let pending = screened.await?;
                later(Box::pin(async move {
                    let sent = pending.await?;
                    Ok(Reply::Sent {
                        key: sent.message.key,
                        time_ms: sent.message.time_ms,
                        seq: sent.sender_seq,
                        duplicate: sent.duplicate,
                    })
                }))
            }
            Request::Recall { peer, key } => later(Box::pin(async move {
                chat.recall_own(&me, &peer, key).await?;
                Ok(Reply::Recalled { key })
            })),
            Request::Edit {
                peer,
                key,
                version,
                elements,
                cloud_custom_data,
            } => later(Box::pin(async move {
                let content = EditContent {
                    elements,
                    cloud_custom_data,
                };
                let message = chat.edit(&me, &peer, key, version, content).await?;
                Ok(Reply::Edited {
                    message: Box::new(message),
                })
            })),
            Request::React {
                peer,
                key,
                reaction,
                add,
            } => later(Box::pin(async move {
                let message = chat.react(&me, &peer, key, reaction, add).await?;
                Ok(Reply::Reacted {
                    message: Box::new(message),
                })
            })),
            Request::ReadReceipt { peer, keys } => later(Box::pin(async move {
                chat.read_receipt(&me, &peer, &keys).await?;
                Ok(Reply::ReceiptsSent)
            })),
            Request::Search {
                query,
                before,
                limit,
            } => {
                if !self.searches.try_take(Instant::now()) {
                    return Err(ChatError::new(
                        ErrorCode::RATE_LIMITED,
                        format!(
                            "at most {} searches a second; retry shortly",
                            self.chat.config.ws.search_per_sec
                        ),
                    ));
                }
                later(Box::pin(async move {
                    let (messages, next) = chat.search(&me, &query, before, limit).await?;
                    Ok(Reply::SearchResults { messages, next })
                }))
            }
            Request::StatusGet { users } => later(Box::pin(async move {
                Ok(Reply::Statuses {
                    statuses: chat.statuses(&me, &users).await?,
                })
            })),
            Request::StatusSubscribe { users, subscribe } => {
                let conn = session.reg.conn_id;
                later(Box::pin(async move {
                    let statuses = chat.subscribe_statuses(&me, conn, users, subscribe).await?;
                    Ok(Reply::Statuses { statuses })
                }))
            }
            Request::StatusHide { .. }
            | Request::StatusSet { .. }
            | Request::ReceiveOptSet { .. }
                if !self.status_changes.try_take(Instant::now()) =>
            {
                return Err(ChatError::new(
                    ErrorCode::RATE_LIMITED,
                    format!(
                        "at most {STATUS_CHANGES_PER_SEC} status changes a second; retry shortly"
                    ),
                ));
            }
            Request::StatusHide { hidden } => later(Box::pin(async move {
                chat.hide_status(&me, hidden).await?;
                Ok(Reply::StatusHidden { hidden })
            })),
            Request::ReceiveOptGet => later(Box::pin(async move {
                let opt = chat.receive_opt(&me).await?;
                Ok(Reply::ReceiveOpt { opt })
            })),
            Request::ReceiveOptSet { opt } => later(Box::pin(async move {
                let opt = chat.set_receive_opt(&me, opt).await?;
                Ok(Reply::ReceiveOpt { opt })
            })),
            Request::StatusSet { custom_status } => later(Box::pin(async move {
                let own = chat.set_custom_status(&me, custom_status).await?;
                Ok(Reply::Statuses {
                    statuses: vec![own],
                })
            })),
            Request::DeleteMessages { peer, keys } => {
                let pending = chat.delete_messages(&me, &peer, keys, origin)?;
                later(Box::pin(async move {
                    Ok(Reply::Deleted {
                        seq: pending.await?,
                    })
                }))
            }
            Request::ConversationDelete { peer, history } => {
                let removal = Removal::Conversation { history };
                let pending = chat.delete_conversation(&me, &peer, removal, origin)?;
                later(Box::pin(async move {
                    Ok(Reply::Deleted {
                        seq: pending.await?,
                    })
                }))
            }
            Request::HistoryClear { peer } => {
                let pending = chat.delete_conversation(&me, &peer, Removal::History, origin)?;
                later(Box::pin(async move {
                    Ok(Reply::Deleted {
                        seq: pending.await?,
                    })
                }))
            }
            Request::ConversationSet { peer, change } => {
                let pending = chat.set_conversation(&me, &peer, change, origin)?;
                later(Box::pin(async move {
                    let (seq, state) = pending.await?;
                    Ok(Reply::ConversationState {
                        seq,
                        pinned: state.pinned,
                        draft: state.draft,
                        marks: state.marks,
                        custom_data: state.custom_data,
                        conversation_groups: state.groups,
                    })
                }))
            }
            Request::MarkRead { peer } => {
                let pending = chat.mark_read(&me, &peer, origin);
                later(Box::pin(async move {
                    Ok(Reply::MarkedRead {
                        seq: pending.await?,
                    })
                }))
            }
            Request::Sync { after, limit } => later(Box::pin(async move {
                Ok(Reply::SyncPage(chat.sync(&me, after, limit).await?))
            })),
            Request::Conversations => later(Box::pin(async move {
                Ok(Reply::Conversations {
                    conversations: chat.conversations(&me).await?,
                })
            })),
            Request::History {
                peer,
                before,
                limit,
            } => later(Box::pin(async move {
                let page = chat
                    .history(&me, &peer, HistoryQuery::page(before, limit))
                    .await?;
                Ok(Reply::History {
                    messages: page.messages,
                    complete: page.complete,
                })
            })),
            Request::HistoryAt {
                peer,
                time_ms,
                newer,
                from,
                limit,
            } => later(Box::pin(async move {
                let query = HistoryQuery::at(time_ms, newer, from, limit);
                let page = chat.history(&me, &peer, query).await?;
                Ok(Reply::History {
                    messages: page.messages,
                    complete: page.complete,
                })
            })),
            Request::RelationAdd {
                relation: Relation::Friend,
                users,
                fields,
            } => later(Box::pin(async move {
                let results = chat
                    .request_friends(&me, users, &fields, Changer::User)
                    .await?;
                Ok(Reply::RelationResults { results })
            })),
            // An application is made by asking for a friend, and only the peer accepts it.
            Request::RelationAdd { relation, .. } if relation.is_application() => {
                Step::Answer(error_frame(Some(id), not_here(relation)))
            }
            Request::RelationAdd {
                relation, users, ..
            } => later(change_relations(chat, me, relation, users, true)),
            Request::RelationUpdate { relation, .. } if relation != Relation::Friend => {
                Step::Answer(error_frame(Some(id), not_here(relation)))
            }
            Request::RelationUpdate {
                relation,
                user,
                fields,
            } => later(Box::pin(async move {
                let result = chat.update_relation(&me, relation, user, &fields).await?;
                Ok(Reply::RelationResults {
                    results: vec![result],
                })
            })),
            Request::FriendGroupList => later(Box::pin(async move {
                Ok(Reply::FriendGroups {
                    groups: chat.friend_groups(&me).await?,
                })
            })),
            Request::FriendGroupChange { name, add, users } => later(Box::pin(async move {
                let results = chat.change_friend_group(&me, name, add, users).await?;
                Ok(Reply::RelationResults { results })
            })),
            Request::FriendGroupRename { name, new_name } => later(Box::pin(async move {
                let group = chat.rename_friend_group(&me, &name, &new_name).await?;
                Ok(Reply::FriendGroups {
                    groups: vec![group],
                })
            })),
            Request::ApplicationAccept { user, both, fields } => later(Box::pin(async move {
                let result = chat.accept_application(&me, user, both, &fields).await?;
                Ok(Reply::RelationResults {
                    results: vec![result],
                })
            })),
            Request::RelationRemove {
                relation: Relation::ApplicationReceived,
                users,
            } => later(Box::pin(async move {
                let results = chat.refuse_applications(&me, users).await?;
                Ok(Reply::RelationResults { results })
            })),
            Request::RelationRemove { relation, users } => {
                later(change_relations(chat, me, relation, users, false))
            }
            Request::RelationList { relation } => later(Box::pin(async move {
                Ok(Reply::Relations {
                    relation,
                    entries: chat.relations(&me, relation).await?,
                })
            })),
            Request::ApplicationsRead => later(Box::pin(async move {
                Ok(Reply::MarkedRead {
                    seq: chat.mark_applications_read(&me, origin).await?,
                })
            })),
            Request::FriendCheck { users } => later(Box::pin(async move {
                let both_ways = chat.check_relations(&me, Relation::Friend, &users).await?;
                let (mut mine, mut theirs) = (Vec::new(), Vec::new());
                for (user, (on_mine, on_theirs)) in users.into_iter().zip(both_ways) {
                    if on_mine {
                        mine.push(user.clone());
                    }
                    if on_theirs {
                        theirs.push(user);
                    }
                }
                Ok(Reply::FriendChecks { mine, theirs })
            })),
            Request::ProfileSet {
                nick,
                avatar,
                details,
            } => later(Box::pin(async move {
                // Everything is checked before anything is kept.
                let tags = chat.checked_own_profile(nick.as_deref(), details)?;
                let update = ProfileUpdate { nick, avatar };
                if update.nick.is_some() || update.avatar.is_some() {
                    chat.set_profile(&me, update.clone(), false).await?;
                }
                chat.keep_profile_tags(&me, tags.clone()).await?;
                chat.tell_profile_set(&me, &update, &tags, Platform::Web);
                Ok(Reply::Profiles {
                    profiles: chat.full_profiles(std::slice::from_ref(&me)).await?,
                })
            })),
            Request::ProfileGet { users } => later(Box::pin(async move {
                Ok(Reply::Profiles {
                    profiles: chat.full_profiles(&users).await?,
                })
            })),
            // Signed out, the device wants no pushes for this user.
            Request::Logout => {
                chat.push_unregister(&me, &session.device, None).await?;
                if chat.hub.devices(&me).iter().all(|d| d == &session.device) {
                    chat.clear_custom_status(&me).await?;
                }
                Step::AnswerAndClose(reply(id, Reply::LoggedOut))
            }
            Request::PushRegister { vendor, token } => {
                let device = session.device.clone();
                later(Box::pin(async move {
                    chat.push_register(&me, device, vendor, token).await?;
                    Ok(Reply::PushRegistration { registered: true })
                }))
            }
            Request::PushUnregister { vendor } => {
                let device = session.device.clone();
                later(Box::pin(async move {
                    let registered = chat.push_unregister(&me, &device, Some(vendor)).await?;
                    Ok(Reply::PushRegistration { registered })
                }))
            }
        })
    }
}
