//! One signed-in session over one connection: requests and their replies, the device's pushes,
//! and the sync engine that keeps the [`Cache`] equal to the server's view (docs/protocol.md,
//! "Sync").
//!
//! Three tasks run per session: a writer (frames out), a reader (frames in: replies complete
//! their request, pushes are applied in order), and a syncer (catch-up from the cursor at start
//! and whenever a hole appears). Everything is single-threaded (`Rc`), as in the browser.
//!
//! What a session guarantees: every entry of the user's sync log is applied to the cache once
//! and announced once ([`SeqTracker`]); a send stays in the outbox until the server has it, and
//! a retry uses the same random, so it is stored once (R2.3); after the server reports a gap the
//! cached messages are dropped and later pages come from history, so no hole is ever shown.

use crate::cache::{Cache, OutboxItem};
use crate::error::{SdkError, codes};
use crate::event::Event;
use crate::runtime::spawn;
use crate::sequence::SeqTracker;
use futures_channel::{mpsc, oneshot};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use litemap::LiteMap;
use protocol::frame::{
    ClientFrame, ConversationChange, KickCause, Reply, Request, ServerFrame, UserResult,
};
use protocol::presence::UserStatus;
use protocol::push::ReceiveOpt;
use protocol::push::Vendor;
use protocol::search::SearchQuery;
use protocol::{
    Conversation, DeviceId, Element, ErrorCode, Message, MessageKey, Profile, ProfileDetails,
    Relation, RelationEntry, RelationFields, Removal, Seq, SyncEntry, SyncEvent, UserId,
};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Entries read per sync request.
const SYNC_PAGE: u32 = 200;

/// Which sync-log entries a client has applied, carried from one session to the next.
pub type Progress = Rc<RefCell<SeqTracker>>;

/// Text frames to the server.
pub type FrameSink = Pin<Box<dyn Sink<String, Error = SdkError>>>;
/// Text frames from the server; ends when the connection closes.
pub type FrameStream = Pin<Box<dyn Stream<Item = String>>>;

/// What the app hears of a changed message ([`Session::apply`]).
#[derive(Clone, Copy)]
enum Heard {
    Edit,
    Reaction,
    Receipt,
}

/// Who signs in, and as which device.
#[derive(Debug, Clone)]
pub struct Login {
    pub sdk_app_id: u64,
    pub user_id: UserId,
    pub user_sig: String,
    pub device: DeviceId,
}

pub struct Session<C: Cache + 'static> {
    inner: Rc<Inner<C>>,
}

impl<C: Cache + 'static> Clone for Session<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<C> {
    me: UserId,
    profile: RefCell<Profile>,
    cache: Rc<C>,
    /// Shared with later sessions of the same client (see [`Session::resume`]).
    tracker: Progress,
    out: mpsc::UnboundedSender<String>,
    pending: RefCell<LiteMap<u64, oneshot::Sender<Result<Reply, SdkError>>>>,
    next_id: Cell<u64>,
    events: mpsc::UnboundedSender<Event>,
    wake_syncer: mpsc::UnboundedSender<()>,
    connected: Cell<bool>,
    ready: Cell<bool>,
    /// Whether a cache fault was told to the app ([`Session::background_fault`]).
    cache_fault_told: Cell<bool>,
    /// Serializes [`Session::apply`]: the reader and the syncer both apply entries, and a
    /// conversation's update must not interleave with another's.
    applying: futures_util::lock::Mutex<()>,
    /// The server's clock less this device's, in milliseconds, as of the sign-in.
    clock_offset_ms: Cell<i64>,
}

impl<C: Cache + 'static> Session<C> {
    /// Signs in over the given connection, then syncs from the cache's cursor and sends what
    /// waits in the outbox. Events arrive on the returned receiver, in order; `SdkReady` marks
    /// the end of the first sync.
    pub async fn start(
        sink: FrameSink,
        stream: FrameStream,
        cache: Rc<C>,
        login: Login,
    ) -> Result<(Self, mpsc::UnboundedReceiver<Event>), SdkError> {
        let progress = Rc::new(RefCell::new(SeqTracker::new(cache.cursor().await?)));
        Self::resume(sink, stream, cache, login, progress).await
    }

    /// Like [`Session::start`], continuing from an earlier session's progress. A client does
    /// this on reconnect: the cache's cursor may be ahead, moved by another tab sharing the
    /// cache, and starting from it would hide from this tab what arrived while it was away.
    pub async fn resume(
        sink: FrameSink,
        stream: FrameStream,
        cache: Rc<C>,
        login: Login,
        progress: Progress,
    ) -> Result<(Self, mpsc::UnboundedReceiver<Event>), SdkError> {
        let (out, out_rx) = mpsc::unbounded();
        let (events, events_rx) = mpsc::unbounded();
        let (wake_syncer, wake_rx) = mpsc::unbounded();
        let inner = Rc::new(Inner {
            me: login.user_id.clone(),
            profile: RefCell::new(Profile::unset(login.user_id.clone())),
            cache,
            tracker: progress,
            out,
            pending: RefCell::default(),
            next_id: Cell::new(0),
            events,
            wake_syncer,
            connected: Cell::new(true),
            ready: Cell::new(false),
            cache_fault_told: Cell::new(false),
            applying: futures_util::lock::Mutex::new(()),
            clock_offset_ms: Cell::new(0),
        });
        let session = Session { inner };
        spawn(write_frames(sink, out_rx));
        spawn(session.clone().read_frames(stream));
        let asked_ms = crate::runtime::now_ms() as i64;
        let reply = session
            .request(Request::Login {
                protocol: protocol::PROTOCOL_VERSION,
                sdk_app_id: login.sdk_app_id,
                user_id: login.user_id,
                user_sig: login.user_sig,
                device: login.device,
            })
            .await?;
        let Reply::LoggedIn {
            nick,
            avatar,
            account_created_ms,
            server_time_ms,
            ..
        } = reply
        else {
            return Err(unexpected());
        };
        // The server read its clock about half way through the round trip.
        let answered_ms = crate::runtime::now_ms() as i64;
        let offset = server_time_ms as i64 + (answered_ms - asked_ms) / 2 - answered_ms;
        session.inner.clock_offset_ms.set(offset);
        // The cache holds another account of this name (deleted since) or predates the stamp:
        // none of it may show, and the sync starts over.
        if session.inner.cache.account().await? != account_created_ms {
            session.inner.cache.reset(account_created_ms).await?;
            *session.inner.tracker.borrow_mut() = SeqTracker::new(Seq(0));
        }
        {
            let mut p = session.inner.profile.borrow_mut();
            p.nick = nick;
            p.avatar = avatar;
        }
        spawn(session.clone().sync_loop(wake_rx));
        Ok((session, events_rx))
    }

    /// The server's clock less this device's, in milliseconds, as of the sign-in.
    pub fn clock_offset_ms(&self) -> i64 {
        self.inner.clock_offset_ms.get()
    }

    /// What this session has applied, for a later session of the same client to continue from.
    pub fn progress(&self) -> Progress {
        self.inner.tracker.clone()
    }

    pub fn user(&self) -> &UserId {
        &self.inner.me
    }

    /// True once the first sync has finished and while the connection is up.
    pub fn is_ready(&self) -> bool {
        self.inner.ready.get() && self.inner.connected.get()
    }

    pub fn is_connected(&self) -> bool {
        self.inner.connected.get()
    }

    /// Sends a request and waits for its answer. The request is written out at once; what
    /// is awaited is only its answer, so a caller's state holds that wait, not the request.
    pub fn request(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Reply, SdkError>> + 'static {
        let sent = self.write_request(request);
        let inner = self.inner.clone();
        async move {
            let (id, rx) = sent?;
            let timeout = Box::pin(crate::runtime::sleep_ms(REQUEST_TIMEOUT_MS));
            match futures_util::future::select(rx, timeout).await {
                futures_util::future::Either::Left((answer, _)) => {
                    answer.unwrap_or_else(|_| Err(SdkError::disconnected()))
                }
                futures_util::future::Either::Right(_) => {
                    inner.pending.borrow_mut().remove(&id);
                    Err(SdkError::new(
                        codes::TIMEOUT,
                        format!(
                            "the server did not answer in {} s",
                            REQUEST_TIMEOUT_MS / 1000
                        ),
                    ))
                }
            }
        }
    }

    /// Sends `request`; its answer as `pick` reads it, or [`unexpected`] when it is another.
    fn ask<T: 'static>(
        &self,
        request: Request,
        pick: fn(Reply) -> Option<T>,
    ) -> impl Future<Output = Result<T, SdkError>> + 'static {
        let reply = self.request(request);
        async move { pick(reply.await?).ok_or_else(unexpected) }
    }

    /// Writes a request frame out; gives its id and where its answer will arrive.
    fn write_request(
        &self,
        request: Request,
    ) -> Result<(u64, oneshot::Receiver<Result<Reply, SdkError>>), SdkError> {
        if !self.inner.connected.get() {
            return Err(SdkError::disconnected());
        }
        let id = self.inner.next_id.get() + 1;
        self.inner.next_id.set(id);
        let (tx, rx) = oneshot::channel();
        self.inner.pending.borrow_mut().insert(id, tx);
        let json = crate::json::to_string(&ClientFrame { id, request })
            .map_err(|e| SdkError::new(codes::PROTOCOL, e.to_string()))?;
        if self.inner.out.unbounded_send(json).is_err() {
            self.inner.pending.borrow_mut().remove(&id);
            return Err(SdkError::disconnected());
        }
        Ok((id, rx))
    }

    /// Sends a message. It is kept in the outbox first, so if the connection is lost it goes
    /// out, once, when a later session starts. Resolves with the stored message; a refusal by
    /// the server (blocked, not friends, too large, …) removes it from the outbox.
    pub async fn send(&self, item: OutboxItem) -> Result<Message, SdkError> {
        self.inner.cache.outbox_put(&item).await?;
        self.deliver(item).await
    }

    /// Sends a message to the devices online now, kept nowhere (not in the outbox, the cache
    /// or the server's history): without a connection it fails with [`codes::DISCONNECTED`].
    pub async fn send_online(&self, item: OutboxItem) -> Result<Message, SdkError> {
        let (_, message) = self.submit(item, true).await?;
        Ok(message)
    }

    async fn deliver(&self, item: OutboxItem) -> Result<Message, SdkError> {
        let (to, random) = (item.to.clone(), item.random);
        let (seq, message) = match self.submit(item, false).await {
            Ok(sent) => sent,
            // It may have reached the server: keep it for the retry, which the server
            // recognises by its random.
            Err(e) if e.code == codes::DISCONNECTED || e.code == codes::TIMEOUT => return Err(e),
            Err(refused) => {
                self.inner.cache.outbox_remove(&to, random).await?;
                return Err(refused);
            }
        };
        // The server does not push this entry back to this device: apply it from the reply.
        let entry = SyncEntry {
            seq,
            event: SyncEvent::Message {
                message: message.clone(),
            },
        };
        self.apply(vec![entry], false).await?;
        self.inner.cache.outbox_remove(&to, random).await?;
        Ok(message)
    }

    /// Sends `item` and makes the message the server stored (or delivered, `online_only`)
    /// from the reply; with the sequence of its entry in this user's log.
    async fn submit(
        &self,
        item: OutboxItem,
        online_only: bool,
    ) -> Result<(Seq, Message), SdkError> {
        let request = Request::Send {
            to: item.to.clone(),
            random: item.random,
            elements: item.elements.clone(),
            cloud_custom_data: item.cloud_custom_data.clone(),
            online_only,
            client_time_s: item.created_ms / 1000,
            offline_push_info: item.offline_push_info.map(Box::new),
            need_read_receipt: item.need_read_receipt,
        };
        let reply = self.request(request).await?;
        let Reply::Sent {
            key, time_ms, seq, ..
        } = reply
        else {
            return Err(unexpected());
        };
        let profile = self.inner.profile.borrow().clone();
        let message = Message {
            key,
            from: self.inner.me.clone(),
            to: item.to,
            time_ms,
            client_time_s: item.created_ms / 1000,
            random: item.random,
            elements: item.elements,
            cloud_custom_data: item.cloud_custom_data,
            nick: profile.nick,
            avatar: profile.avatar,
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: item.need_read_receipt,
            receipt_ms: 0,
        };
        Ok((seq, message))
    }

    /// Up to `count` messages with `peer` older than `before`, newest first, and whether
    /// nothing older exists. From the cache when it has them all; otherwise from the server's
    /// history (R5.8), which is then cached.
    pub async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> Result<(Vec<Message>, bool), SdkError> {
        let cached = self.inner.cache.messages(peer, before, count).await?;
        if cached.len() == count as usize {
            return Ok((cached, false));
        }
        let reply = self
            .request(Request::History {
                peer: peer.clone(),
                before,
                limit: count,
            })
            .await?;
        let Reply::History { messages, complete } = reply else {
            return Err(unexpected());
        };
        self.inner
            .cache
            .put_messages(&self.inner.me, &messages)
            .await?;
        // Read the page back from the cache: it leaves out what this device deleted.
        let page = self.inner.cache.messages(peer, before, count).await?;
        Ok((page, complete))
    }

    /// Up to `limit` messages with `peer` next to `time_ms`, from the server's history as
    /// `history_at` reads it (newest first, or oldest first when `newer`), and whether nothing
    /// further is left that way.
    pub async fn history_at(
        &self,
        peer: &UserId,
        time_ms: u64,
        newer: bool,
        from: Option<MessageKey>,
        limit: u32,
    ) -> Result<(Vec<Message>, bool), SdkError> {
        let request = Request::HistoryAt {
            peer: peer.clone(),
            time_ms,
            newer,
            from,
            limit,
        };
        match self.request(request).await? {
            Reply::History { messages, complete } => Ok((messages, complete)),
            _ => Err(unexpected()),
        }
    }

    /// The cached conversation list, most recent first.
    pub async fn conversations(&self) -> Result<Vec<Conversation>, SdkError> {
        Ok(self.inner.cache.conversations().await?)
    }

    /// Marks the conversation with `peer` read, here and on the user's other devices.
    pub async fn mark_read(&self, peer: &UserId) -> Result<(), SdkError> {
        let reply = self
            .request(Request::MarkRead { peer: peer.clone() })
            .await?;
        let Reply::MarkedRead { seq } = reply else {
            return Err(unexpected());
        };
        if seq == Seq(0) {
            // Nothing was unread on the server; only this cache may still count some.
            let cache = &self.inner.cache;
            let mut list = cache.conversations().await?;
            if let Some(c) = list.iter_mut().find(|c| &c.peer == peer && c.unread > 0) {
                mark_read_up_to(c, None);
                cache.put_conversations(std::slice::from_ref(c)).await?;
                self.emit(Event::ConversationListUpdated(cache.conversations().await?));
            }
            return Ok(());
        }
        let event = SyncEvent::Read {
            peer: peer.clone(),
            up_to: None,
        };
        self.apply(vec![SyncEntry { seq, event }], false).await
    }

    fn emit(&self, event: Event) {
        // A dropped receiver means the app stopped listening; nothing to do.
        let _ = self.inner.events.unbounded_send(event);
    }

    /// Reads frames until the connection ends, then fails what is still waiting.
    async fn read_frames(self, mut stream: FrameStream) {
        while let Some(text) = stream.next().await {
            let frame = match read_frame(&text) {
                Ok(f) => f,
                Err(e) => {
                    // An answer that does not parse fails its request; any other frame is a
                    // newer server's kind, not for this SDK.
                    if let Some(id) = unreadable_answer(&text) {
                        let message = format!("the server's answer could not be read: {e}");
                        self.answer(id, Err(SdkError::new(codes::PROTOCOL, message)));
                    }
                    continue;
                }
            };
            match frame {
                ServerFrame::Reply { id, data } => self.answer(id, Ok(data)),
                ServerFrame::Error {
                    id: Some(id),
                    code,
                    message,
                } => self.answer(id, Err(SdkError::new(code, message))),
                ServerFrame::Error { id: None, .. } => {}
                ServerFrame::Sync { entry } => {
                    // Just decoded, the entry has no other owner: taken, not copied.
                    let Some(entry) = std::sync::Arc::into_inner(entry) else {
                        continue;
                    };
                    if let Err(e) = self.on_push(entry).await {
                        self.background_fault(e);
                    }
                }
                ServerFrame::Kicked { cause, .. } => {
                    // A deleted account's data is gone from this device too.
                    if cause == KickCause::AccountDeleted
                        && let Err(e) = self.inner.cache.reset(0).await
                    {
                        crate::log::error(&e.into());
                    }
                    self.emit(Event::KickedOut(cause))
                }
            }
        }
        self.inner.connected.set(false);
        self.inner.ready.set(false);
        for (_, waiting) in std::mem::take(&mut *self.inner.pending.borrow_mut()) {
            let _ = waiting.send(Err(SdkError::disconnected()));
        }
        self.inner.wake_syncer.close_channel();
        self.emit(Event::Disconnected);
    }

    fn answer(&self, id: u64, result: Result<Reply, SdkError>) {
        if let Some(waiting) = self.inner.pending.borrow_mut().remove(&id) {
            let _ = waiting.send(result);
        }
    }

    /// A pushed entry: applied at once (even during the first sync, which then skips it); if
    /// it shows a hole, the syncer fills it. An online-only message is only announced.
    async fn on_push(&self, entry: SyncEntry) -> Result<(), SdkError> {
        // Sequence 0: an online-only message, in no log; shown, never stored.
        if entry.seq == Seq(0) {
            if let SyncEvent::Status { status } = entry.event {
                self.emit(Event::UserStatusUpdated(status));
            } else if let SyncEvent::ReceiveOpt { opt } = entry.event {
                self.emit(Event::ReceiveOptUpdated(opt));
            } else if let SyncEvent::Message { message } = entry.event {
                match crate::typing::status(&message) {
                    // The user's own typing, heard on its other devices: nothing to show.
                    Some(_) if message.from == self.inner.me => {}
                    Some(typing) => self.emit(Event::Typing {
                        peer: message.from,
                        typing,
                    }),
                    None => self.emit(Event::MessageReceived(vec![message])),
                }
            }
            return Ok(());
        }
        self.apply(vec![entry], true).await?;
        if self.inner.tracker.borrow().has_hole() {
            let _ = self.inner.wake_syncer.unbounded_send(());
        }
        Ok(())
    }

    /// Catches up at start, then whenever woken, until the connection ends.
    async fn sync_loop(self, mut wake: mpsc::UnboundedReceiver<()>) {
        let first = self.catch_up(true).await;
        match first {
            Ok(()) => {
                self.inner.ready.set(true);
                self.emit(Event::SdkReady);
                self.flush_outbox().await;
            }
            // Without its first sync the session is of no use: tell the app why. (A lost
            // connection is reported as `Disconnected` and retried by the client.)
            Err(e) if e.code == codes::DISCONNECTED => return,
            Err(e) => {
                crate::log::error(&e);
                return self.emit(Event::Error(e));
            }
        }
        while wake.next().await.is_some() {
            while wake.try_recv().is_ok() {}
            if let Err(e) = self.catch_up(false).await {
                self.background_fault(e);
            }
        }
    }

    /// A fault after the first sync, with no caller to return to: logged. The first of the
    /// cache's in this session (a full disk, another tab's upgrade) is also told to the app as
    /// `Error`: what it shows falls behind until the cache works again, though nothing is lost,
    /// as the stored cursor does not move past what was not stored.
    fn background_fault(&self, e: SdkError) {
        crate::log::error(&e);
        if e.code == codes::CACHE && !self.inner.cache_fault_told.replace(true) {
            self.emit(Event::Error(e));
        }
    }

    /// Reads the sync log from the cursor to its end (R5.5), then the conversation list when
    /// it may have changed (R5.6).
    async fn catch_up(&self, first: bool) -> Result<(), SdkError> {
        let mut gap = false;
        loop {
            let after = self.inner.tracker.borrow().cursor();
            let reply = self
                .request(Request::Sync {
                    after,
                    limit: SYNC_PAGE,
                })
                .await?;
            let Reply::SyncPage(page) = reply else {
                return Err(unexpected());
            };
            if page.gap && !gap {
                // Entries after our cursor left the server's offline cache: what we hold may
                // now have a hole, so drop it; history refills it on demand (R5.8).
                gap = true;
                self.inner.cache.clear_messages().await?;
            }
            self.apply(page.entries, true).await?;
            self.inner.tracker.borrow_mut().covered_to(page.next);
            let cursor = self.inner.tracker.borrow().cursor();
            self.inner.cache.set_cursor(cursor).await?;
            if page.complete {
                break;
            }
        }
        if first || gap {
            let reply = self.request(Request::Conversations).await?;
            let Reply::Conversations { conversations } = reply else {
                return Err(unexpected());
            };
            self.inner.cache.set_conversations(&conversations).await?;
            self.emit(Event::ConversationListUpdated(conversations));
        }
        Ok(())
    }

    /// Sends, in order, what an earlier session left in the outbox.
    async fn flush_outbox(&self) {
        let waiting = match self.inner.cache.outbox().await {
            Ok(w) => w,
            Err(e) => return crate::log::error(&e.into()),
        };
        for item in waiting {
            let (to, random) = (item.to.clone(), item.random);
            match self.deliver(item).await {
                Ok(message) => self.emit(Event::MessageSent(message)),
                Err(e) if e.code == codes::DISCONNECTED || e.code == codes::TIMEOUT => return,
                Err(error) => self.emit(Event::SendFailed { to, random, error }),
            }
        }
    }

    /// Applies entries in order to the cache; announces the new ones when `announce`.
    ///
    /// A page of entries costs a handful of cache transactions, not a few per entry: messages
    /// are stored together, conversation changes are folded in memory and written once, and
    /// the cursor is stored once.
    ///
    /// What the app hears follows the entries new to this session, not what changed in the
    /// cache: another tab of the same user shares the cache and may have stored an entry
    /// first, and this tab's app has still to hear of it.
    async fn apply(&self, entries: Vec<SyncEntry>, announce: bool) -> Result<(), SdkError> {
        let _one_at_a_time = self.inner.applying.lock().await;
        let me = self.inner.me.clone();
        let cache = &self.inner.cache;
        let fresh: Vec<SyncEntry> = {
            let mut tracker = self.inner.tracker.borrow_mut();
            entries
                .into_iter()
                .filter(|e| tracker.record(e.seq))
                .collect()
        };
        if fresh.is_empty() {
            return Ok(());
        }
        let mut messages: Vec<Message> = Vec::new();
        let mut conversations: Option<LiteMap<UserId, Conversation>> = None;
        let mut changed_conversations = false;
        // A conversation left the list: the cached list is replaced, not added to.
        let mut removed_conversation = false;
        let mut later_events = Vec::new();
        // The user's messages whose read receipts came: announced together, as Tencent's
        // `MESSAGE_READ_RECEIPT_RECEIVED` lists them.
        let mut receipts = Vec::new();
        for entry in fresh {
            // A reaction or a read receipt changes a message as an edit does; only what the
            // app hears differs.
            let (event, heard) = match entry.event {
                SyncEvent::Reacted { message } => (SyncEvent::Edited { message }, Heard::Reaction),
                SyncEvent::ReadReceipt { message } => {
                    (SyncEvent::Edited { message }, Heard::Receipt)
                }
                event => (event, Heard::Edit),
            };
            match event {
                SyncEvent::Message { message } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    touch_conversation(convs, &me, &message);
                    changed_conversations = true;
                    messages.push(message);
                }
                SyncEvent::Read { peer, up_to } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    if let Some(c) = convs.get_mut(&peer) {
                        mark_read_up_to(c, up_to);
                        changed_conversations = true;
                    }
                }
                SyncEvent::PeerRead { peer, up_to } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    let read_before = match convs.get_mut(&peer) {
                        // At the mark already: a tab sharing the cache stored it first, and
                        // what was read before is not known here; the user's messages up to
                        // the mark are told read.
                        Some(c) if c.peer_read_up_to <= up_to.id => {
                            let before = match c.peer_read_up_to < up_to.id {
                                true => c.peer_read_up_to,
                                false => 0,
                            };
                            c.peer_read_up_to = up_to.id;
                            changed_conversations = true;
                            Some(before)
                        }
                        _ => None,
                    };
                    let messages = match read_before {
                        Some(after) => self.newly_read(&peer, after, up_to, &messages).await?,
                        None => Vec::new(),
                    };
                    later_events.push(Event::MessageReadByPeer {
                        peer,
                        up_to,
                        messages,
                    });
                }
                SyncEvent::Recalled { peer, key } => {
                    let message = if let Some(m) = messages.iter_mut().find(|m| m.key == key) {
                        m.recall();
                        Some(m.clone())
                    } else {
                        match self.held_message(&peer, key).await? {
                            Some(mut m) => {
                                m.recall();
                                cache.put_messages(&me, std::slice::from_ref(&m)).await?;
                                Some(m)
                            }
                            None => None,
                        }
                    };
                    later_events.push(Event::MessageRevoked { peer, key, message });
                }
                SyncEvent::Edited { message } => {
                    let peer = message.peer_of(&me).clone();
                    if let Some(m) = messages.iter_mut().find(|m| m.key == message.key) {
                        if m.superseded_by(&message) {
                            *m = message.clone();
                        }
                    } else if self
                        .held_message(&peer, message.key)
                        .await?
                        .is_some_and(|held| held.superseded_by(&message))
                    {
                        cache
                            .put_messages(&me, std::slice::from_ref(&message))
                            .await?;
                    }
                    let convs = self.conversations_map(&mut conversations).await?;
                    if let Some(c) = convs.get_mut(&peer)
                        && c.last_message
                            .as_ref()
                            .is_some_and(|m| m.key == message.key)
                    {
                        c.last_message = Some(message.clone());
                        changed_conversations = true;
                    }
                    match heard {
                        Heard::Reaction => {
                            let reactors = self.reactors(&message, convs.get(&peer)).await?;
                            later_events.push(Event::ReactionsUpdated(message, reactors));
                        }
                        Heard::Edit => later_events.push(Event::MessageModified(message)),
                        // Only the sender hears of a receipt; its other devices too.
                        Heard::Receipt if message.from == me => receipts.push(message),
                        Heard::Receipt => {}
                    }
                }
                SyncEvent::Deleted { peer, keys } => {
                    messages.retain(|m| !keys.contains(&m.key));
                    let convs = self.conversations_map(&mut conversations).await?;
                    let mut unread_gone = 0;
                    for key in &keys {
                        let found = cache.messages(&peer, Some(next_key(*key)), 1).await?;
                        let read_up_to = convs.get(&peer).map_or(0, |c| c.read_up_to);
                        unread_gone += found
                            .iter()
                            .filter(|m| m.key == *key && m.from == peer && m.key.id > read_up_to)
                            .count() as u32;
                        cache.delete_message(&peer, *key).await?;
                    }
                    if let Some(c) = convs.get_mut(&peer) {
                        c.unread = c.unread.saturating_sub(unread_gone);
                        if c.last_message
                            .as_ref()
                            .is_some_and(|m| keys.contains(&m.key))
                        {
                            c.last_message = cache.messages(&peer, None, 1).await?.pop();
                        }
                        changed_conversations = true;
                    }
                    later_events.push(Event::MessagesDeleted { peer, keys });
                }
                SyncEvent::ConversationState {
                    peer,
                    pinned,
                    draft,
                    marks,
                    custom_data,
                    conversation_groups,
                } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    if let Some(c) = convs.get_mut(&peer).filter(|c| c.state_seq <= entry.seq) {
                        (c.pinned, c.draft, c.marks) = (pinned, draft, marks);
                        (c.custom_data, c.state_seq) = (custom_data, entry.seq);
                        c.conversation_groups = conversation_groups;
                        changed_conversations = true;
                    }
                }
                SyncEvent::ConversationDeleted { peer, history } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    removed_conversation |= convs.remove(&peer).is_some();
                    changed_conversations = true;
                    if history {
                        (self.forget_history(&peer, &mut messages, &mut later_events)).await?;
                    }
                }
                SyncEvent::HistoryCleared { peer } => {
                    let convs = self.conversations_map(&mut conversations).await?;
                    if let Some(c) = convs.get_mut(&peer) {
                        (c.last_message, c.unread) = (None, 0);
                        changed_conversations = true;
                    }
                    (self.forget_history(&peer, &mut messages, &mut later_events)).await?;
                }
                SyncEvent::Relations {
                    relation,
                    added,
                    removed,
                    fields,
                } => {
                    let list = self
                        .update_relations(relation, added, removed, fields)
                        .await?;
                    announce_list(&mut later_events, relation, list);
                }
                // Every application received before this entry is read.
                SyncEvent::ApplicationsRead => {
                    let relation = Relation::ApplicationReceived;
                    let mut edit = |list: &mut Vec<RelationEntry>| {
                        list.iter_mut().for_each(|e| e.read = true);
                    };
                    let list = self.edit_relations(relation, &mut edit).await?;
                    announce_list(&mut later_events, relation, list);
                }
                // Reactions are read as edits above; a status and quiet hours come with
                // sequence 0 only ([`Self::on_push`]), never in a log.
                SyncEvent::Reacted { .. }
                | SyncEvent::ReadReceipt { .. }
                | SyncEvent::Status { .. }
                | SyncEvent::ReceiveOpt { .. } => {}
                SyncEvent::Profile { nick, avatar } => {
                    let profile = Profile {
                        user_id: me.clone(),
                        nick,
                        avatar,
                        details: self.inner.profile.borrow().details.clone(),
                    };
                    *self.inner.profile.borrow_mut() = profile.clone();
                    cache.put_profiles(std::slice::from_ref(&profile)).await?;
                    later_events.push(Event::ProfileUpdated(profile));
                }
                // A newer server's kind: its sequence is applied, nothing else.
                SyncEvent::Unknown => {}
                // Once for a page however many changes it holds: the groups are read again.
                SyncEvent::FriendGroups => {
                    if !later_events
                        .iter()
                        .any(|e| matches!(e, Event::FriendGroupsChanged))
                    {
                        later_events.push(Event::FriendGroupsChanged);
                    }
                }
            }
        }
        if !receipts.is_empty() {
            later_events.push(Event::ReadReceiptsReceived(receipts));
        }
        if !messages.is_empty() {
            cache.put_messages(&me, &messages).await?;
        }
        if changed_conversations && let Some(convs) = &conversations {
            let list: Vec<Conversation> = convs.values().cloned().collect();
            match removed_conversation {
                true => cache.set_conversations(&list).await?,
                false => cache.put_conversations(&list).await?,
            }
        }
        // The cursor is stored with what it covers, so a later session resumes right after.
        let cursor = self.inner.tracker.borrow().cursor();
        cache.set_cursor(cursor).await?;
        // Read everything first, then announce with no await in between: when the app hears
        // of new messages, the conversation list and unread counts already include them.
        let list = if changed_conversations {
            Some(cache.conversations().await?)
        } else {
            None
        };
        if announce {
            if !messages.is_empty() {
                self.emit(Event::MessageReceived(messages));
            }
            for e in later_events {
                self.emit(e);
            }
        }
        if let Some(list) = list {
            self.emit(Event::ConversationListUpdated(list));
        }
        Ok(())
    }

    /// Removes this user's messages with `peer` from the cache and from `pending`, a page being
    /// applied whose messages are not stored yet; then `MessagesDeleted` tells of those that
    /// were cached, which a view may show.
    async fn forget_history(
        &self,
        peer: &UserId,
        pending: &mut Vec<Message>,
        later_events: &mut Vec<Event>,
    ) -> Result<(), SdkError> {
        pending.retain(|m| m.peer_of(&self.inner.me) != peer);
        let mut keys = Vec::new();
        loop {
            let page = self.inner.cache.messages(peer, None, 200).await?;
            if page.is_empty() {
                break;
            }
            for m in page {
                self.inner.cache.delete_message(peer, m.key).await?;
                keys.push(m.key);
            }
        }
        if !keys.is_empty() {
            let peer = peer.clone();
            later_events.push(Event::MessagesDeleted { peer, keys });
        }
        Ok(())
    }

    /// This user's messages to `peer` numbered after `after` and up to `up_to`, newest first
    /// (at most [`crate::event::READ_BY_PEER_MAX`]): from the cache, and from `pending`, a
    /// page being applied whose messages are not stored yet.
    async fn newly_read(
        &self,
        peer: &UserId,
        after: u64,
        up_to: MessageKey,
        pending: &[Message],
    ) -> Result<Vec<Message>, SdkError> {
        let me = &self.inner.me;
        let cached = self
            .inner
            .cache
            .messages(peer, Some(next_key(up_to)), crate::event::READ_BY_PEER_MAX)
            .await?;
        let fresh = pending
            .iter()
            .filter(|m| m.peer_of(me) == peer && !cached.iter().any(|c| c.key == m.key));
        let mut read: Vec<Message> = fresh
            .chain(cached.iter())
            .filter(|m| &m.from == me && m.key.id > after && m.key.id <= up_to.id)
            .cloned()
            .collect();
        read.sort_unstable_by_key(|m| std::cmp::Reverse(m.key.id));
        read.truncate(crate::event::READ_BY_PEER_MAX as usize);
        Ok(read)
    }

    /// The cached conversations by peer, read once per [`Session::apply`].
    async fn conversations_map<'a>(
        &self,
        slot: &'a mut Option<LiteMap<UserId, Conversation>>,
    ) -> Result<&'a mut LiteMap<UserId, Conversation>, SdkError> {
        if slot.is_none() {
            let list = self.inner.cache.conversations().await?;
            *slot = Some(crate::keyed::map_of(
                list.into_iter().map(|c| (c.peer.clone(), c)),
            ));
        }
        Ok(slot.as_mut().expect("filled above"))
    }

    /// Recalls this user's message `key` to `peer`. The server's `recalled` entry then updates
    /// the cache and announces it on every device of both users.
    pub fn recall(
        &self,
        peer: &UserId,
        key: MessageKey,
    ) -> impl Future<Output = Result<(), SdkError>> + 'static {
        let request = Request::Recall {
            peer: peer.clone(),
            key,
        };
        self.ask(request, |reply| {
            matches!(reply, Reply::Recalled { .. }).then_some(())
        })
    }

    /// The message `key` with `peer`, when this device holds it.
    pub async fn held_message(
        &self,
        peer: &UserId,
        key: MessageKey,
    ) -> Result<Option<Message>, SdkError> {
        let found = self
            .inner
            .cache
            .messages(peer, Some(next_key(key)), 1)
            .await?;
        Ok(found.into_iter().find(|m| m.key == key))
    }

    /// Replaces the cached copy of the message `key` with `peer`, when this device holds one,
    /// by the server's.
    async fn refresh_message(&self, peer: &UserId, key: MessageKey) -> Result<(), SdkError> {
        if self.held_message(peer, key).await?.is_none() {
            return Ok(());
        }
        let request = Request::History {
            peer: peer.clone(),
            before: Some(next_key(key)),
            limit: 1,
        };
        if let Reply::History { messages, .. } = self.request(request).await? {
            let stored: Vec<Message> = messages.into_iter().filter(|m| m.key == key).collect();
            self.inner
                .cache
                .put_messages(&self.inner.me, &stored)
                .await?;
        }
        Ok(())
    }

    /// Edits the message `key` with `peer`, made from its `version`: new `elements`, new
    /// custom data (empty clears it), or both. The server's `edited` entry then updates every
    /// device of both users; this one's cache is updated at once, so the answer and the cache
    /// agree.
    pub async fn edit(
        &self,
        peer: &UserId,
        key: MessageKey,
        version: u32,
        elements: Option<Vec<Element>>,
        cloud_custom_data: Option<String>,
    ) -> Result<Message, SdkError> {
        let request = Request::Edit {
            peer: peer.clone(),
            key,
            version,
            elements,
            cloud_custom_data,
        };
        let message = match self.request(request).await {
            Ok(Reply::Edited { message }) => *message,
            Ok(_) => return Err(unexpected()),
            Err(e) if e.code == ErrorCode::EDIT_CONFLICT => {
                // Keep the newest version at hand for the app, as Tencent's SDK gives it.
                self.refresh_message(peer, key).await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if self
            .held_message(peer, key)
            .await?
            .is_some_and(|held| held.superseded_by(&message))
        {
            let me = &self.inner.me;
            self.inner
                .cache
                .put_messages(me, std::slice::from_ref(&message))
                .await?;
        }
        Ok(message)
    }

    /// Adds (`add`) or removes this user's reaction `id` on the message `key` with `peer`.
    /// Resolves with the message as the server has it then; the cache and the app learn of it
    /// from the `reacted` entry every device of both users gets, in log order, so an answer
    /// that arrives after a newer reaction never undoes it.
    pub fn react(
        &self,
        peer: &UserId,
        key: MessageKey,
        id: String,
        add: bool,
    ) -> impl Future<Output = Result<Message, SdkError>> + 'static {
        let request = Request::React {
            peer: peer.clone(),
            key,
            reaction: id,
            add,
        };
        self.ask(request, |reply| match reply {
            Reply::Reacted { message } => Some(*message),
            _ => None,
        })
    }

    /// Tells `peer` this user read its messages `keys` (at most
    /// [`protocol::frame::MAX_READ_RECEIPTS`]), each of which asked for a read receipt.
    pub fn read_receipt(
        &self,
        peer: &UserId,
        keys: Vec<MessageKey>,
    ) -> impl Future<Output = Result<(), SdkError>> + 'static {
        let request = Request::ReadReceipt {
            peer: peer.clone(),
            keys,
        };
        self.ask(request, |reply| {
            matches!(reply, Reply::ReceiptsSent).then_some(())
        })
    }

    /// One page of the server's search of this user's history: the messages found, newest
    /// first, and the `before` of the next page (0: none).
    pub fn search(
        &self,
        query: SearchQuery,
        before: u64,
        limit: u32,
    ) -> impl Future<Output = Result<(Vec<Message>, u64), SdkError>> + 'static {
        let request = Request::Search {
            query,
            before,
            limit,
        };
        self.ask(request, |reply| match reply {
            Reply::SearchResults { messages, next } => Some((messages, next)),
            _ => None,
        })
    }

    /// Presence as this user may see it, the answer to `request`: `status_get`,
    /// `status_subscribe` (this connection then follows those users, or stops) or `status_set`
    /// (the user's own status).
    pub fn statuses(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Vec<UserStatus>, SdkError>> + 'static {
        self.ask(request, |reply| match reply {
            Reply::Statuses { statuses } => Some(statuses),
            _ => None,
        })
    }

    /// This user's quiet hours for offline push: set to `set` first, when given.
    pub fn receive_opt(
        &self,
        set: Option<ReceiveOpt>,
    ) -> impl Future<Output = Result<ReceiveOpt, SdkError>> + 'static {
        let request = match set {
            Some(opt) => Request::ReceiveOptSet { opt },
            None => Request::ReceiveOptGet,
        };
        self.ask(request, |reply| match reply {
            Reply::ReceiveOpt { opt } => Some(opt),
            _ => None,
        })
    }

    /// Hides this user's presence from everyone, or shows it again.
    pub fn hide_status(
        &self,
        hidden: bool,
    ) -> impl Future<Output = Result<(), SdkError>> + 'static {
        let request = Request::StatusHide { hidden };
        self.ask(request, |reply| {
            matches!(reply, Reply::StatusHidden { .. }).then_some(())
        })
    }

    /// Deletes messages with `peer` from this user's history on the server and on all of its
    /// devices (at most [`protocol::frame::MAX_DELETE_PER_REQUEST`]).
    pub async fn delete_messages(
        &self,
        peer: &UserId,
        keys: Vec<MessageKey>,
    ) -> Result<(), SdkError> {
        let request = Request::DeleteMessages {
            peer: peer.clone(),
            keys: keys.clone(),
        };
        let reply = self.request(request).await?;
        let Reply::Deleted { seq } = reply else {
            return Err(unexpected());
        };
        let event = SyncEvent::Deleted {
            peer: peer.clone(),
            keys,
        };
        // Announced here too (`MessagesDeleted`), as on the user's other devices.
        self.apply(vec![SyncEntry { seq, event }], true).await
    }

    /// Changes this user's state of the conversation with `peer` (pinned, draft, marks, custom
    /// data) for every device of this user; `ConversationListUpdated` follows here as there.
    pub async fn set_conversation(
        &self,
        peer: &UserId,
        change: ConversationChange,
    ) -> Result<(), SdkError> {
        let request = Request::ConversationSet {
            peer: peer.clone(),
            change,
        };
        let Reply::ConversationState {
            seq,
            pinned,
            draft,
            marks,
            custom_data,
            conversation_groups,
        } = self.request(request).await?
        else {
            return Err(unexpected());
        };
        let event = SyncEvent::ConversationState {
            peer: peer.clone(),
            pinned,
            draft,
            marks,
            custom_data,
            conversation_groups,
        };
        self.apply(vec![SyncEntry { seq, event }], true).await
    }

    /// Takes `removal` out of this user's conversation with `peer`, on every device (here and
    /// on the server): the conversation leaves the list until a newer message comes, or its
    /// messages leave the history, or both. The peer keeps its copy.
    pub async fn delete_conversation(
        &self,
        peer: &UserId,
        removal: Removal,
    ) -> Result<(), SdkError> {
        let request = Request::removal(peer.clone(), removal);
        let Reply::Deleted { seq } = self.request(request).await? else {
            return Err(unexpected());
        };
        let event = removal.event(peer.clone());
        self.apply(vec![SyncEntry { seq, event }], true).await
    }

    /// Registers this device's push token with `vendor` (`Some`), or removes its registration
    /// there (`None`); whether the device is registered after.
    pub async fn push_registration(
        &self,
        vendor: Vendor,
        token: Option<String>,
    ) -> Result<bool, SdkError> {
        let request = match token {
            Some(token) => Request::PushRegister { vendor, token },
            None => Request::PushUnregister { vendor },
        };
        match self.request(request).await? {
            Reply::PushRegistration { registered } => Ok(registered),
            _ => Err(unexpected()),
        }
    }

    /// Who reacted to `m`, each with the nickname and avatar this device knows without asking
    /// the server: this user's own, a profile read before (`getUserProfile`), the peer's as
    /// the conversation list has it, or the sender's as the message carries it; empty when
    /// none of these knows. `conversation` is the conversation `m` is in, when at hand.
    pub async fn reactors(
        &self,
        m: &Message,
        conversation: Option<&Conversation>,
    ) -> Result<Vec<Profile>, SdkError> {
        let mut users: Vec<&UserId> = m.reactions.iter().flat_map(|r| &r.users).collect();
        users.sort_unstable();
        users.dedup();
        let own = self.inner.profile.borrow().clone();
        let mut reactors = Vec::with_capacity(users.len());
        for user in users {
            let known = match user == &own.user_id {
                true => Some(own.clone()),
                false => self.inner.cache.profile(user).await?,
            };
            let (nick, avatar) = match known {
                Some(p) => (p.nick, p.avatar),
                None => match conversation.filter(|c| &c.peer == user && !c.peer_nick.is_empty()) {
                    Some(c) => (c.peer_nick.clone(), c.peer_avatar.clone()),
                    None if user == &m.from => (m.nick.clone(), m.avatar.clone()),
                    None => Default::default(),
                },
            };
            reactors.push(Profile {
                user_id: user.clone(),
                nick,
                avatar,
                details: Default::default(),
            });
        }
        Ok(reactors)
    }

    /// The profiles of `users` (unknown users are left out), cached for offline display.
    pub async fn profiles(&self, users: Vec<UserId>) -> Result<Vec<Profile>, SdkError> {
        let reply = self.request(Request::ProfileGet { users }).await?;
        let Reply::Profiles { profiles } = reply else {
            return Err(unexpected());
        };
        self.inner.cache.put_profiles(&profiles).await?;
        Ok(profiles)
    }

    /// Changes this user's nickname, avatar and the other profile fields given; resolves with
    /// the profile after the change. The user's other devices hear of a new nickname or
    /// avatar as `ProfileUpdated`.
    pub async fn set_profile(
        &self,
        nick: Option<String>,
        avatar: Option<String>,
        details: ProfileDetails,
    ) -> Result<Profile, SdkError> {
        let request = Request::ProfileSet {
            nick,
            avatar,
            details,
        };
        let reply = self.request(request).await?;
        let Reply::Profiles { profiles } = reply else {
            return Err(unexpected());
        };
        let profile = profiles
            .into_iter()
            .next()
            .ok_or_else(|| SdkError::new(codes::PROTOCOL, "the profile answer is empty"))?;
        *self.inner.profile.borrow_mut() = profile.clone();
        self.inner
            .cache
            .put_profiles(std::slice::from_ref(&profile))
            .await?;
        Ok(profile)
    }

    /// Marks every friend application to this user read, here (`RelationsUpdated` when that
    /// changed any) and on its other devices.
    pub async fn mark_applications_read(&self) -> Result<(), SdkError> {
        let Reply::MarkedRead { seq } = self.request(Request::ApplicationsRead).await? else {
            return Err(unexpected());
        };
        let event = SyncEvent::ApplicationsRead;
        self.apply(vec![SyncEntry { seq, event }], true).await
    }

    /// Announces the conversation list as the cache holds it (`ConversationListUpdated`), in
    /// turn with the sync's changes to it.
    pub async fn announce_conversations(&self) -> Result<(), SdkError> {
        let _one_at_a_time = self.inner.applying.lock().await;
        let list = self.inner.cache.conversations().await?;
        self.emit(Event::ConversationListUpdated(list));
        Ok(())
    }

    /// This user's friend list or blacklist as the server holds it; the cache follows.
    pub async fn relations(&self, relation: Relation) -> Result<Vec<RelationEntry>, SdkError> {
        let reply = self.request(Request::RelationList { relation }).await?;
        let Reply::Relations { entries, .. } = reply else {
            return Err(unexpected());
        };
        self.inner.cache.set_relations(relation, &entries).await?;
        Ok(entries)
    }

    /// Adds (`add`, with `fields`) or removes users on one of this user's lists: one result per
    /// user, in order, `code` 0 being success (a friend request that became an application
    /// answers 30539; the server's `relations` entry brings it), and the list after the change
    /// when it changed any. The cache follows at once; `RelationsUpdated` reports the list
    /// when the server's entry for the change arrives, here as on the user's other devices.
    pub async fn change_relations(
        &self,
        relation: Relation,
        users: Vec<UserId>,
        add: bool,
        fields: RelationFields,
    ) -> Result<(Vec<UserResult>, Option<Vec<RelationEntry>>), SdkError> {
        let request = if add {
            Request::RelationAdd {
                relation,
                users,
                fields: fields.clone(),
            }
        } else {
            Request::RelationRemove { relation, users }
        };
        let reply = self.request(request).await?;
        let Reply::RelationResults { results } = reply else {
            return Err(unexpected());
        };
        let changed: Vec<UserId> = results
            .iter()
            .filter(|r| r.code.0 == 0)
            .map(|r| r.user_id.clone())
            .collect();
        if changed.is_empty() {
            return Ok((results, None));
        }
        let _one_at_a_time = self.inner.applying.lock().await;
        let (added, removed) = if add {
            (changed, Vec::new())
        } else {
            (Vec::new(), changed)
        };
        let list = self
            .update_relations(relation, added, removed, fields)
            .await?;
        Ok((results, Some(list)))
    }

    /// A request about one user of this user's lists (`relation_update`,
    /// `application_accept`); a refusal fails it. The server's `relations` entries bring the
    /// change to this device and the others.
    pub async fn relation_request(&self, request: Request) -> Result<(), SdkError> {
        let Reply::RelationResults { results } = self.request(request).await? else {
            return Err(unexpected());
        };
        match results.into_iter().next() {
            Some(r) if r.code.0 == 0 => Ok(()),
            Some(r) => Err(SdkError::new(r.code, r.message)),
            None => Err(unexpected()),
        }
    }

    /// Applies a change to one of the cached lists: the added users carry `fields` (those
    /// already listed keep the rest of theirs; a new one is not read). Returns the list after
    /// it, the same when it was applied already: this device applies its own changes when the
    /// server answers, and another tab sharing the cache may have applied the server's entry.
    async fn update_relations(
        &self,
        relation: Relation,
        added: Vec<UserId>,
        removed: Vec<UserId>,
        fields: RelationFields,
    ) -> Result<Vec<RelationEntry>, SdkError> {
        let mut edit = |list: &mut Vec<RelationEntry>| {
            list.retain(|e| !removed.contains(&e.user_id));
            // Each added entry with its fields as they now are, a cleared remark included.
            for user_id in &added {
                match list.iter_mut().find(|e| &e.user_id == user_id) {
                    Some(e) => e.fields.clone_from(&fields),
                    None => list.push(RelationEntry {
                        user_id: user_id.clone(),
                        since_ms: crate::runtime::now_ms(),
                        fields: fields.clone(),
                        read: false,
                    }),
                }
            }
        };
        self.edit_relations(relation, &mut edit).await
    }

    /// Applies `edit` to one of the cached lists, stored when it changed it; the list after it.
    async fn edit_relations(
        &self,
        relation: Relation,
        edit: &mut dyn FnMut(&mut Vec<RelationEntry>),
    ) -> Result<Vec<RelationEntry>, SdkError> {
        let cache = &self.inner.cache;
        let before = cache.relations(relation).await?;
        let mut list = before.clone();
        edit(&mut list);
        if list != before {
            cache.set_relations(relation, &list).await?;
        }
        Ok(list)
    }
}

/// Announces a list that a page's entries changed (here, or first in another tab sharing the
/// cache), once a page, as the page left it.
fn announce_list(events: &mut Vec<Event>, relation: Relation, list: Vec<RelationEntry>) {
    events.retain(|e| !matches!(e, Event::RelationsUpdated(r, _) if *r == relation));
    events.push(Event::RelationsUpdated(relation, list));
}

/// Puts a message at the head of its conversation, counting it unread when it came from the
/// peer. Only a message newer than the conversation's last one changes it: another tab sharing
/// the cache may have applied this one already, and must not count it unread twice. (Older
/// ones arrive only during a sync, which ends with the server's list.)
fn touch_conversation(convs: &mut LiteMap<UserId, Conversation>, me: &UserId, m: &Message) {
    let peer = m.peer_of(me).clone();
    let c = (convs.entry(peer.clone()))
        .or_insert_with(|| Conversation::new(peer.clone(), String::new(), String::new()));
    if c.last_message
        .as_ref()
        .is_some_and(|last| last.key.id >= m.key.id)
    {
        return;
    }
    c.last_message = Some(m.clone());
    c.updated_ms = m.time_ms;
    if m.from == peer {
        c.unread += 1;
        c.peer_nick = m.nick.clone();
        c.peer_avatar = m.avatar.clone();
    }
}

/// How long a request waits for its answer.
const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// The id of an answer (`reply` or `error` with an `id`) in a frame that does not parse whole.
fn unreadable_answer(text: &str) -> Option<u64> {
    struct Envelope {
        id: Option<u64>,
        kind: Option<String>,
    }
    protocol::read_fields!(Envelope {
        id: "id" default,
        kind: "type" default,
    });
    let env: Envelope = crate::json::from_str(text).ok()?;
    matches!(env.kind.as_deref(), Some("reply" | "error"))
        .then_some(env.id)
        .flatten()
}

/// Marks a conversation read up to `up_to`, or up to its last message when the mark names none
/// (this device's own mark, applied before the server's entry arrives).
fn mark_read_up_to(c: &mut Conversation, up_to: Option<MessageKey>) {
    c.unread = 0;
    let last = c.last_message.as_ref().map(|m| m.key);
    if let Some(key) = up_to.or(last) {
        c.read_up_to = c.read_up_to.max(key.id);
    }
}

/// The key just after `key` in server order, as an exclusive upper bound that includes `key`.
fn next_key(key: MessageKey) -> MessageKey {
    MessageKey {
        id: key.id + 1,
        ..key
    }
}

/// A frame from the server, read outside [`Session::read_frames`]'s state machine (measured:
/// the module alone 71 bytes smaller gzipped, the package 323 with the function order).
#[inline(never)]
fn read_frame(text: &str) -> Result<ServerFrame, crate::json::Error> {
    crate::json::from_str(text)
}

async fn write_frames(mut sink: FrameSink, mut frames: mpsc::UnboundedReceiver<String>) {
    while let Some(frame) = frames.next().await {
        if sink.send(frame).await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

/// A reply of the wrong kind for its request. (Not printed: formatting every reply type
/// would cost the package more than the message is worth.)
fn unexpected() -> SdkError {
    SdkError::new(
        codes::PROTOCOL,
        "the server's answer does not fit the request",
    )
}

/// The cursor a session has applied up to (for tests and diagnostics).
impl<C: Cache + 'static> Session<C> {
    pub fn cursor(&self) -> Seq {
        self.inner.tracker.borrow().cursor()
    }
}

#[cfg(test)]
mod tests {
    use super::unreadable_answer;

    #[test]
    fn only_answers_with_an_id_are_failed_when_unreadable() {
        assert_eq!(
            unreadable_answer(r#"{"type":"reply","id":7,"data":{"kind":"??"}}"#),
            Some(7)
        );
        assert_eq!(
            unreadable_answer(r#"{"type":"error","id":3,"code":"x"}"#),
            Some(3)
        );
        assert_eq!(unreadable_answer(r#"{"type":"typing","id":9}"#), None);
        assert_eq!(unreadable_answer(r#"{"type":"reply"}"#), None);
        assert_eq!(unreadable_answer("not json"), None);
    }
}
