//! The long-lived client an app holds: it signs in, keeps one [`Session`] alive, and when the
//! connection drops it reconnects with exponential backoff and jitter and resumes from the
//! cache's cursor, so nothing is lost or announced twice. It stops on logout, or when another
//! sign-in of the same device replaced it (`KickedOut`).

use crate::cache::{Cache, OutboxItem};
use crate::error::{SdkError, codes};
use crate::event::Event;
use crate::session::{FrameSink, FrameStream, Login, Session};
use futures_util::StreamExt;
use protocol::{Message, MessageKey, UserId};
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
}

impl<C: Cache + 'static> Clone for Client<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
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
            }),
        }
    }

    /// Signs in. Resolves once the server accepted the sign-in; the first sync continues in
    /// the background and ends with `SdkReady`.
    pub async fn login(&self, login: Login) -> Result<(), SdkError> {
        if self.inner.session.borrow().is_some() {
            return Err(SdkError::new(
                codes::STATE,
                "already signed in; log out first",
            ));
        }
        let generation = self.inner.generation.get();
        let (session, events) = self.open(&login).await?;
        *self.inner.session.borrow_mut() = Some(session);
        crate::runtime::spawn(self.clone().pump(events, login, generation));
        Ok(())
    }

    /// Signs out: closes the connection and stops reconnecting. The cache stays for the next
    /// sign-in of the same user.
    pub async fn logout(&self) {
        self.inner.generation.set(self.inner.generation.get() + 1);
        self.inner.progress.borrow_mut().take();
        let session = self.inner.session.borrow_mut().take();
        if let Some(s) = session {
            let _ = s.request(protocol::frame::Request::Logout).await;
        }
    }

    /// The current session, if signed in and connected.
    pub fn session(&self) -> Option<Session<C>> {
        self.inner
            .session
            .borrow()
            .clone()
            .filter(|s| s.is_connected())
    }

    /// Sends a message, or when there is no connection keeps it in the outbox, from which it
    /// goes out once after reconnecting (then `MessageSent` reports it) and fails with
    /// [`codes::DISCONNECTED`]. A refusal by the server has the server's code.
    pub async fn send(&self, item: OutboxItem) -> Result<Message, SdkError> {
        match self.session() {
            Some(session) => session.send(item).await,
            None => {
                self.inner.cache.outbox_put(&item).await?;
                Err(SdkError::disconnected())
            }
        }
    }

    /// Up to `count` messages with `peer` older than `before`, newest first, and whether
    /// nothing older exists: see [`Session::messages`]. Offline, from the cache alone.
    pub async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> Result<(Vec<Message>, bool), SdkError> {
        if let Some(session) = self.session() {
            return session.messages(peer, before, count).await;
        }
        Ok(crate::cache::offline_page(&*self.inner.cache, peer, before, count).await?)
    }

    pub fn cache(&self) -> &Rc<C> {
        &self.inner.cache
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
                let ended = event == Event::Disconnected;
                (self.inner.listener)(event);
                if ended {
                    break;
                }
            }
            if kicked || self.inner.generation.get() != generation {
                self.inner.session.borrow_mut().take();
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
                        *self.inner.session.borrow_mut() = Some(session);
                        break events;
                    }
                    // A refused sign-in (expired UserSig, …) will not pass by retrying.
                    Err(e) if e.code != codes::DISCONNECTED => {
                        (self.inner.listener)(Event::Error(e));
                        self.inner.session.borrow_mut().take();
                        return;
                    }
                    Err(_) => attempt += 1,
                }
            };
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
