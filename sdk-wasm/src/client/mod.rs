//! The long-lived client an app holds, and the SDK's one complete API: sign-in, messages
//! (drafts, send with its outbox, media, history, read, recall, delete), conversations,
//! friends, blacklist, profiles and the event stream. The JavaScript layer and Rust apps both
//! call this and nothing below it.
//!
//! It keeps one [`Session`] alive: when the connection drops it reconnects with exponential
//! backoff and jitter and resumes from what it applied, so nothing is lost or announced twice.
//! It stops on logout, or when the server ends the session for good (`KickedOut`).

mod groups;
mod messages;
mod people;
mod search;

pub use messages::ReadMarks;

use crate::cache::Cache;
use crate::error::{SdkError, codes};
use crate::event::Event;
use crate::session::{FrameSink, FrameStream, Login, Session};
use futures_channel::oneshot;
use futures_util::StreamExt;
use litemap::LiteMap;
use protocol::frame::KickCause;
use protocol::{Message, Relation, RelationEntry, UserId};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// A connection being opened: the frame sink and stream once it is up.
pub type Connecting = Pin<Box<dyn Future<Output = Result<(FrameSink, FrameStream), SdkError>>>>;

/// Opens a connection to the server (a WebSocket in the browser).
pub trait Connector {
    fn connect(&self) -> Connecting;
}

/// Settles a send whose message waits in the outbox.
type Settle = oneshot::Sender<Result<Message, SdkError>>;

/// Receives every event, in order.
pub type Listener = Rc<dyn Fn(Event)>;

/// Reconnect delays: 0.5 s doubling to 30 s, each with up to 50 % random jitter so that many
/// clients dropped together do not return together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first_ms: u32,
    pub max_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first_ms: 500,
            max_ms: 30_000,
        }
    }
}

impl Backoff {
    /// The delay before attempt `n` (0-based), given a random number in 0..1.
    pub fn delay_ms(&self, attempt: u32, unit_random: f64) -> u32 {
        let base = (self.first_ms as u64) << attempt.min(16);
        let base = base.min(self.max_ms as u64) as f64;
        (base * (0.5 + unit_random.clamp(0.0, 1.0) * 0.5)) as u32
    }
}

pub struct Client<C: Cache + 'static> {
    inner: Rc<ClientInner<C>>,
}

struct ClientInner<C: Cache + 'static> {
    connector: Box<dyn Connector>,
    cache: Rc<C>,
    listener: Listener,
    backoff: Backoff,
    session: RefCell<Option<Session<C>>>,
    /// What this client has applied; kept across reconnects, dropped at logout.
    progress: RefCell<Option<crate::session::Progress>>,
    /// Bumped by logout: a reconnect loop from an older sign-in stops when it sees a change.
    generation: Cell<u64>,
    /// Who is signed in: set when the sign-in starts, cleared at logout.
    login: RefCell<Option<Login>>,
    /// Sends whose message went to the outbox, resolved when it goes out, by (peer, random).
    waiting: RefCell<LiteMap<(UserId, u32), Settle>>,
    /// Unread counts and read marks as of the last conversation list.
    read: RefCell<Option<messages::ReadState>>,
    /// The conversation groups as of the last conversation list.
    groups: RefCell<groups::Memberships>,
    /// The peers this user muted, as of the last list heard of (from the server at each
    /// `SdkReady`, then from changes on any device).
    muted: RefCell<LiteMap<UserId, ()>>,
    /// The remark of each friend that has one, as of the last friend list heard of: a
    /// conversation's `remark`.
    remarks: RefCell<LiteMap<UserId, String>>,
    /// The friend groups changed during a sync that came before `SdkReady`, when they cannot
    /// be read yet: they are read, and announced, at `SdkReady`.
    groups_changed: Cell<bool>,
    /// The users whose presence this client follows: followed again on each new connection.
    followed: RefCell<Vec<UserId>>,
    /// When this user last told each peer it was typing ([`crate::runtime::now_ms`]).
    typing: RefCell<LiteMap<UserId, u64>>,
    /// The server's clock less this device's, in milliseconds, as of the last sign-in.
    clock_offset_ms: Cell<i64>,
    /// The friend list as last changed, waiting to be read with its groups and profiles, and
    /// whether a task is reading one ([`Client::observe`]).
    friends_changed: RefCell<Option<Vec<RelationEntry>>>,
    reading_friends: Cell<bool>,
    /// The messages last heard of or read, oldest first ([`Client::find_message`]).
    seen: RefCell<Vec<Message>>,
    /// Where the last [`Client::messages_at`] page ended, older and newer.
    hops: RefCell<[Option<messages::Hop>; 2]>,
    /// Media messages not yet uploaded, by random.
    #[cfg(target_arch = "wasm32")]
    media: RefCell<LiteMap<u32, messages::MediaDraft>>,
    /// Where media uploads go (the server's base URL).
    #[cfg(target_arch = "wasm32")]
    upload_server: String,
}

impl<C: Cache + 'static> Clone for Client<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl Client<crate::cache::indexeddb::IndexedDbCache> {
    /// The browser client of `user` in app `sdk_app_id`: its IndexedDB cache, opened here, and
    /// a WebSocket to `server` (`ws(s)://` or `http(s)://` base URL), which also takes uploads.
    pub async fn browser(
        sdk_app_id: u64,
        server: &str,
        user: &UserId,
        listener: Listener,
    ) -> Result<Self, SdkError> {
        let ns = crate::cache::Namespace {
            sdk_app_id,
            user: user.clone(),
        };
        let cache = Rc::new(crate::cache::indexeddb::IndexedDbCache::open(&ns).await?);
        let connector = Box::new(crate::websocket::WebSocketConnector::new(server));
        let mut client = Self::new(connector, cache, listener, Backoff::default());
        Rc::get_mut(&mut client.inner)
            .expect("not shared yet")
            .upload_server = server.to_owned();
        Ok(client)
    }
}

impl<C: Cache + 'static> Client<C> {
    pub fn new(
        connector: Box<dyn Connector>,
        cache: Rc<C>,
        listener: Listener,
        backoff: Backoff,
    ) -> Self {
        Self {
            inner: Rc::new(ClientInner {
                connector,
                cache,
                listener,
                backoff,
                session: RefCell::new(None),
                progress: RefCell::new(None),
                generation: Cell::new(0),
                login: RefCell::new(None),
                waiting: RefCell::default(),
                read: RefCell::new(None),
                groups: RefCell::default(),
                muted: RefCell::default(),
                remarks: RefCell::default(),
                typing: RefCell::default(),
                hops: RefCell::default(),
                seen: RefCell::default(),
                friends_changed: RefCell::default(),
                reading_friends: Cell::default(),
                clock_offset_ms: Cell::default(),
                groups_changed: Cell::default(),
                followed: RefCell::default(),
                #[cfg(target_arch = "wasm32")]
                media: RefCell::default(),
                #[cfg(target_arch = "wasm32")]
                upload_server: String::new(),
            }),
        }
    }

    /// Signs in. Resolves once the server accepted the sign-in; the first sync continues in
    /// the background and ends with `SdkReady`.
    pub async fn login(&self, login: Login) -> Result<(), SdkError> {
        self.begin(&login)?;
        let generation = self.inner.generation.get();
        match self.open(&login).await {
            Ok(events) => {
                self.run(events, login, generation);
                Ok(())
            }
            Err(e) => {
                self.inner.login.borrow_mut().take();
                Err(e)
            }
        }
    }

    /// Signs in like [`Client::login`], but while the server cannot be reached keeps trying
    /// with backoff (announcing `Disconnected` once), so an app can show the cache meanwhile.
    /// A refusal ends it with the server's error; a logout ends it with [`codes::STATE`].
    pub async fn login_when_reachable(&self, login: Login) -> Result<(), SdkError> {
        self.begin(&login)?;
        let generation = self.inner.generation.get();
        let mut attempt = 0;
        loop {
            match self.open(&login).await {
                Ok(events) => {
                    self.run(events, login, generation);
                    return Ok(());
                }
                Err(e) if e.code == codes::DISCONNECTED => {
                    if attempt == 0 {
                        (self.inner.listener)(Event::Disconnected);
                    }
                    let delay = self
                        .inner
                        .backoff
                        .delay_ms(attempt, crate::runtime::unit_random());
                    crate::runtime::sleep_ms(delay).await;
                    if self.inner.generation.get() != generation {
                        return Err(SdkError::new(codes::STATE, "signed out meanwhile"));
                    }
                    attempt += 1;
                }
                Err(e) => {
                    self.inner.login.borrow_mut().take();
                    return Err(e);
                }
            }
        }
    }

    fn begin(&self, login: &Login) -> Result<(), SdkError> {
        if self.inner.login.borrow().is_some() {
            return Err(SdkError::new(
                codes::STATE,
                "already signed in; log out first",
            ));
        }
        *self.inner.login.borrow_mut() = Some(login.clone());
        Ok(())
    }

    fn run(
        &self,
        (session, events): (Session<C>, futures_channel::mpsc::UnboundedReceiver<Event>),
        login: Login,
        generation: u64,
    ) {
        *self.inner.session.borrow_mut() = Some(session);
        crate::runtime::spawn(self.clone().pump(events, login, generation));
    }

    /// Signs out: closes the connection and stops reconnecting. Sends still waiting for the
    /// connection fail with [`codes::DISCONNECTED`]; their messages stay in the outbox, and
    /// the cache stays, for the next sign-in of the same user.
    pub async fn logout(&self) {
        self.inner.generation.set(self.inner.generation.get() + 1);
        self.inner.progress.borrow_mut().take();
        self.inner.login.borrow_mut().take();
        self.inner.waiting.borrow_mut().clear();
        self.inner.read.borrow_mut().take();
        self.inner.groups.take();
        self.inner.muted.borrow_mut().clear();
        self.inner.followed.borrow_mut().clear();
        self.inner.groups_changed.set(false);
        self.inner.seen.borrow_mut().clear();
        *self.inner.hops.borrow_mut() = Default::default();
        self.inner.friends_changed.borrow_mut().take();
        #[cfg(target_arch = "wasm32")]
        for (_, draft) in std::mem::take(&mut *self.inner.media.borrow_mut()) {
            draft.cancel.cancel();
        }
        let session = self.inner.session.borrow_mut().take();
        if let Some(s) = session {
            let _ = s.request(protocol::frame::Request::Logout).await;
        }
    }

    /// The signed-in user (from the start of the sign-in until logout).
    pub fn me(&self) -> Option<UserId> {
        self.inner
            .login
            .borrow()
            .as_ref()
            .map(|l| l.user_id.clone())
    }

    /// The current session, if signed in and connected.
    pub fn session(&self) -> Option<Session<C>> {
        self.inner
            .session
            .borrow()
            .clone()
            .filter(|s| s.is_connected())
    }

    /// The current session, or [`codes::DISCONNECTED`].
    fn connected(&self) -> Result<Session<C>, SdkError> {
        self.session().ok_or_else(SdkError::disconnected)
    }

    pub fn cache(&self) -> &Rc<C> {
        &self.inner.cache
    }

    /// The server's time now, milliseconds since the Unix epoch: this device's clock set by
    /// the server's, as of the last sign-in (this device's alone before any).
    pub fn server_time_ms(&self) -> u64 {
        let now = crate::runtime::now_ms() as i64;
        now.saturating_add(self.inner.clock_offset_ms.get()).max(0) as u64
    }

    pub fn is_ready(&self) -> bool {
        self.session().is_some_and(|s| s.is_ready())
    }

    async fn open(
        &self,
        login: &Login,
    ) -> Result<(Session<C>, futures_channel::mpsc::UnboundedReceiver<Event>), SdkError> {
        let (sink, stream) = self.inner.connector.connect().await?;
        let cache = self.inner.cache.clone();
        // A reconnect continues from what this client applied, not from the shared cache.
        let progress = self.inner.progress.borrow().clone();
        let (session, events) = match progress {
            Some(p) => Session::resume(sink, stream, cache, login.clone(), p).await?,
            None => Session::start(sink, stream, cache, login.clone()).await?,
        };
        *self.inner.progress.borrow_mut() = Some(session.progress());
        self.inner.clock_offset_ms.set(session.clock_offset_ms());
        Ok((session, events))
    }

    /// Forwards a session's events to the app; on a dropped connection, reconnects.
    async fn pump(
        self,
        mut events: futures_channel::mpsc::UnboundedReceiver<Event>,
        login: Login,
        generation: u64,
    ) {
        loop {
            let mut kicked = false;
            while let Some(event) = events.next().await {
                kicked |= matches!(event, Event::KickedOut(_));
                let ended = matches!(event, Event::Disconnected);
                if let Some(event) = self.observe(event) {
                    (self.inner.listener)(event);
                }
                if ended {
                    break;
                }
            }
            if kicked || self.inner.generation.get() != generation {
                self.inner.session.borrow_mut().take();
                if kicked {
                    self.end_sign_in();
                }
                return;
            }
            let mut attempt = 0;
            events = loop {
                crate::runtime::sleep_ms(
                    self.inner
                        .backoff
                        .delay_ms(attempt, crate::runtime::unit_random()),
                )
                .await;
                if self.inner.generation.get() != generation {
                    return;
                }
                (self.inner.listener)(Event::Reconnecting);
                match self.open(&login).await {
                    Ok((session, events)) => {
                        *self.inner.session.borrow_mut() = Some(session.clone());
                        crate::runtime::spawn(self.clone().follow_again(session));
                        break events;
                    }
                    // A refused sign-in will not pass by retrying. An expired or revoked
                    // UserSig ends the sign-in as the server's kick would have, had the
                    // connection lasted; another refusal is told as it is.
                    Err(e) if e.code != codes::DISCONNECTED => {
                        self.inner.session.borrow_mut().take();
                        let cause = match e.code {
                            protocol::ErrorCode::USERSIG_EXPIRED => KickCause::UserSigExpired,
                            protocol::ErrorCode::USERSIG_REVOKED => KickCause::KickedByBackend,
                            _ => return (self.inner.listener)(Event::Error(e)),
                        };
                        (self.inner.listener)(Event::KickedOut(cause));
                        return self.end_sign_in();
                    }
                    Err(_) => attempt += 1,
                }
            };
        }
    }

    /// Reads the friend groups as the server holds them (nothing caches them) and announces
    /// them. Should the read fail, the app has heard nothing and reads them when it next asks.
    fn announce_friend_groups(&self) {
        let client = self.clone();
        crate::runtime::spawn(async move {
            if let Ok(groups) = client.friend_groups().await {
                (client.inner.listener)(Event::FriendGroupsUpdated(groups));
            }
        });
    }

    /// Keeps the client's own state current with an event before the app hears it: unread
    /// counts and read marks follow the conversation list, and an outbox message that went
    /// out (or was refused) settles the send awaiting it instead of being announced.
    fn observe(&self, event: Event) -> Option<Event> {
        match &event {
            Event::MessageReceived(list) => self.remember(list),
            Event::MessageSent(m) | Event::MessageModified(m) | Event::ReactionsUpdated(m, _) => {
                self.remember(std::slice::from_ref(m))
            }
            Event::MessageRevoked {
                message: Some(m), ..
            } => self.remember(std::slice::from_ref(m)),
            Event::ReadReceiptsReceived(list) => self.remember(list),
            // Deleted, they are found no more.
            Event::MessagesDeleted { keys, .. } => {
                (self.inner.seen.borrow_mut()).retain(|m| !keys.contains(&m.key))
            }
            _ => {}
        }
        match event {
            Event::ConversationListUpdated(list) => {
                let state = messages::ReadState::of(&list, &self.inner.muted.borrow());
                *self.inner.read.borrow_mut() = Some(state);
                self.observe_groups(&list);
                Some(Event::ConversationListUpdated(list))
            }
            Event::RelationsUpdated(Relation::Muted, list) => {
                self.note_peers(Relation::Muted, &list);
                Some(Event::RelationsUpdated(Relation::Muted, list))
            }
            Event::FriendGroupsChanged => {
                match self.is_ready() {
                    true => self.announce_friend_groups(),
                    false => self.inner.groups_changed.set(true),
                }
                None
            }
            // The friends with their groups and profiles, read by one task at a time: changes
            // that come while it reads are read once after, as the list is then.
            Event::RelationsUpdated(Relation::Friend, list) => {
                self.note_peers(Relation::Friend, &list);
                let start = self
                    .inner
                    .friends_changed
                    .borrow_mut()
                    .replace(list)
                    .is_none()
                    && !self.inner.reading_friends.replace(true);
                if start {
                    let client = self.clone();
                    crate::runtime::spawn(async move {
                        loop {
                            let Some(list) = client.inner.friends_changed.borrow_mut().take()
                            else {
                                break;
                            };
                            if let Ok(friends) = client.friends_of(list).await {
                                (client.inner.listener)(Event::FriendListUpdated(friends));
                            }
                        }
                        client.inner.reading_friends.set(false);
                    });
                }
                None
            }
            // Either application list: the app hears of both, as they are cached now.
            Event::RelationsUpdated(relation, _) if relation.is_application() => {
                let client = self.clone();
                crate::runtime::spawn(async move {
                    let cache = &client.inner.cache;
                    if let (Ok(received), Ok(sent)) = (
                        cache.relations(Relation::ApplicationReceived).await,
                        cache.relations(Relation::ApplicationSent).await,
                    ) {
                        let all = crate::event::Applications { received, sent };
                        (client.inner.listener)(Event::FriendApplicationsUpdated(all));
                    }
                });
                None
            }
            // Synced: the muted and friend lists as the server has them, for conversations'
            // remind types and remarks.
            Event::SdkReady => {
                let client = self.clone();
                crate::runtime::spawn(async move {
                    for relation in [Relation::Muted, Relation::Friend] {
                        if let Ok(list) = client.relations(relation).await {
                            client.note_peers(relation, &list);
                        }
                    }
                });
                if self.inner.groups_changed.take() {
                    self.announce_friend_groups();
                }
                Some(Event::SdkReady)
            }
            Event::MessageSent(m) => match self.settle(&m.to, m.random, Ok(m.clone())) {
                true => None,
                false => Some(Event::MessageSent(m)),
            },
            Event::SendFailed { to, random, error } => {
                match self.settle(&to, random, Err(error.clone())) {
                    true => None,
                    false => Some(Event::SendFailed { to, random, error }),
                }
            }
            // Another tab of this user may send what this one waits for, from the shared
            // outbox: it arrives here as the user's own message from another device.
            Event::MessageReceived(list) => {
                let me = self.me();
                let list: Vec<Message> = list
                    .into_iter()
                    .filter(|m| {
                        Some(&m.from) != me.as_ref() || !self.settle(&m.to, m.random, Ok(m.clone()))
                    })
                    .collect();
                (!list.is_empty()).then_some(Event::MessageReceived(list))
            }
            other => Some(other),
        }
    }

    /// The server ended the sign-in for good: no user, and no send waits any more.
    fn end_sign_in(&self) {
        self.inner.login.borrow_mut().take();
        self.inner.waiting.borrow_mut().clear();
    }

    /// Keeps what the muted or friend list `list` says of conversations' peers (muted; a
    /// friend's remark). When that changed, the conversation list is announced again, as
    /// Tencent's SDK does, for the conversations' `messageRemindType` and `remark`.
    pub(super) fn note_peers(&self, relation: Relation, list: &[RelationEntry]) {
        let changed = match relation {
            Relation::Muted => {
                let muted = crate::keyed::map_of(list.iter().map(|e| (e.user_id.clone(), ())));
                self.inner.muted.replace(muted) != *self.inner.muted.borrow()
            }
            _ => {
                let remarks = list.iter().filter(|e| !e.fields.remark.is_empty());
                let remarks = crate::keyed::map_of(
                    remarks.map(|e| (e.user_id.clone(), e.fields.remark.clone())),
                );
                self.inner.remarks.replace(remarks) != *self.inner.remarks.borrow()
            }
        };
        if changed && let Some(session) = self.session() {
            crate::runtime::spawn(async move {
                if let Err(e) = session.announce_conversations().await {
                    crate::log::error(&e);
                }
            });
        }
    }

    /// Whether this user muted `peer` (its messages come without a push notification).
    pub fn is_muted(&self, peer: &UserId) -> bool {
        self.inner.muted.borrow().contains_key(peer)
    }

    /// This user's remark for `peer`, a friend (`''` for none).
    pub fn remark_of(&self, peer: &UserId) -> String {
        let remarks = self.inner.remarks.borrow();
        remarks.get(peer).cloned().unwrap_or_default()
    }

    /// Settles the send awaiting the message `random` to `to`, if one is; returns whether one was.
    fn settle(&self, to: &UserId, random: u32, result: Result<Message, SdkError>) -> bool {
        let waiting = self
            .inner
            .waiting
            .borrow_mut()
            .remove(&(to.clone(), random));
        match waiting {
            Some(tx) => {
                let _ = tx.send(result);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;

    #[test]
    fn backoff_doubles_to_its_cap_with_jitter() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(0, 1.0), 500);
        assert_eq!(b.delay_ms(0, 0.0), 250);
        assert_eq!(b.delay_ms(3, 1.0), 4000);
        assert_eq!(b.delay_ms(10, 1.0), 30_000);
        assert_eq!(b.delay_ms(40, 0.0), 15_000);
    }
}
