//! Several nodes on one PostgreSQL database, joined by NATS (`DUET_NATS_URL`). The database is
//! the one source of truth; NATS carries only what one node's [`Hub`] must tell the others, on
//! one subject ([`SUBJECT`]) that every node subscribes to:
//!
//! - **entries** committed here (and online-only messages, which no log keeps), for the devices
//!   of their owners signed in on other nodes. They travel whole, so a node delivers them
//!   without reading the database. NATS may drop one (a restart, a slow node); a device then
//!   sees the hole at its next entry and syncs from its cursor, so a lost entry costs latency,
//!   never a message. After NATS comes back, every node also re-sends each signed-in user's
//!   newest entry from the database, which shows any hole at once.
//! - **presence**: which of a user's devices are signed in here, when that changes, and all of
//!   them every [`PRESENCE_EVERY`]; what a node stops repeating lapses after
//!   [`crate::hub::REMOTE_PRESENCE_TTL`], so a node that died stops counting as having anyone.
//!   A node that starts, or gets NATS back, asks the others for theirs.
//! - **sign-ins** (the same device signed in elsewhere is replaced), **disconnects** (account
//!   deleted, kicked by the backend) and **settings** changes (friends-only, mutes).
//! - **spending** of the rate budgets the nodes share, every
//!   [`crate::shared_budgets::TELL_EVERY`] while there is any.
//!
//! Each message names the node that sent it; a node ignores its own.

use crate::chat::Chat;
use crate::hub::{Eviction, Hub, MAX_OUTBOUND, Outbound};
use crate::shared_budgets::{SharedBudgets, Spent, TELL_EVERY};
use crate::storage::Committed;
use futures_util::StreamExt;
use protocol::{DeviceId, Seq, SyncEntry, UserId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// The one subject the nodes talk on.
pub const SUBJECT: &str = "duet.cluster";

/// How often a node repeats which users it has signed in.
pub const PRESENCE_EVERY: Duration = Duration::from_secs(10);

/// Most bytes of entries in one NATS message (NATS refuses more than 1 MiB by default).
const MAX_PAYLOAD: usize = 256 * 1024;

/// Most users in one presence message.
const USERS_PER_MESSAGE: usize = 2_000;

/// How long the first connection to NATS may take before the node gives up starting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a message may wait for room in the NATS client's buffer (while NATS is away and
/// the buffer is full) before it is dropped, so that no task waits on NATS for good.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a stopping node waits for NATS to take its goodbye.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// A message between nodes.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The sending node, chosen at random when it starts.
    node: u64,
    news: News,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum News {
    Entries {
        entries: Vec<Entry>,
    },
    /// Users' devices signed in on the sending node (none: it has none of that user's left).
    Presence {
        users: Vec<(UserId, Vec<DeviceId>)>,
    },
    SignedIn {
        user: UserId,
        device: DeviceId,
    },
    Disconnect {
        user: UserId,
        why: Eviction,
    },
    Settings,
    /// A user hid or showed its presence or set its custom status.
    StatusChanged {
        user: UserId,
    },
    /// What the sending node spent of the shared rate budgets.
    Spent(Spent),
    /// A node started or got NATS back: the others send their presence.
    Hello,
    /// A node is stopping: its users are no longer signed in there.
    Bye,
}

/// A committed entry and whose log it is in. (Written through [`EntryRef`].)
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    owner: UserId,
    entry: SyncEntry,
}

/// An [`Entry`] as it is written, without copying the entry.
#[derive(Serialize)]
struct EntryRef<'a> {
    owner: &'a UserId,
    entry: &'a SyncEntry,
}

/// This node's side of the cluster.
struct Node {
    id: u64,
    client: async_nats::Client,
    chat: Arc<Chat>,
    budgets: SharedBudgets,
}

/// Connects to NATS at `url` and runs this node's part of the cluster until `shutdown`: the
/// hub's news goes out, the other nodes' news comes in. Fails when NATS cannot be reached.
pub async fn join(
    url: &str,
    chat: Arc<Chat>,
    budgets: SharedBudgets,
    shutdown: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let reconnected = Arc::new(Notify::new());
    let (on_event, connected_before) = (reconnected.clone(), Arc::new(AtomicBool::new(false)));
    let client = async_nats::ConnectOptions::new()
        .name("duet-server")
        .connection_timeout(CONNECT_TIMEOUT)
        .event_callback(move |event| {
            let (on_event, connected_before) = (on_event.clone(), connected_before.clone());
            async move {
                match event {
                    async_nats::Event::Connected => {
                        if connected_before.swap(true, Ordering::SeqCst) {
                            on_event.notify_one();
                        }
                    }
                    async_nats::Event::Disconnected => {
                        tracing::warn!("lost NATS; reconnecting");
                    }
                    other => tracing::info!(event = %other, "NATS"),
                }
            }
        })
        .connect(url)
        .await
        .map_err(|e| {
            let url = crate::config::redact_password(url);
            format!("cannot connect to NATS at {url}: {e}")
        })?;
    let subscription = client
        .subscribe(SUBJECT)
        .await
        .map_err(|e| format!("cannot subscribe to {SUBJECT}: {e}"))?;
    let (publisher, outbound) = mpsc::channel(MAX_OUTBOUND);
    chat.hub.join_cluster(publisher);
    let node = Arc::new(Node {
        id: rand::random(),
        client,
        chat,
        budgets,
    });
    node.budgets.unsent.share();
    tracing::info!(node = node.id, "joined the cluster");
    node.send(News::Hello).await;
    Ok(tokio::spawn(async move {
        tokio::join!(
            node.clone().publish(outbound, shutdown.clone()),
            node.clone().receive(subscription, shutdown.clone()),
            node.clone().keep_presence(reconnected, shutdown.clone()),
            node.clone().tell_spending(shutdown.clone()),
        );
        // Said if NATS is there to hear it; the others forget this node's users by its
        // silence otherwise. Either way the node stops.
        let bye = async {
            node.send(News::Bye).await;
            let _ = node.client.flush().await;
        };
        if tokio::time::timeout(GOODBYE_TIMEOUT, bye).await.is_err() {
            tracing::warn!("NATS did not take this node's goodbye in time");
        }
    }))
}

impl Node {
    /// Publishes one message; a failure is logged and the message lost (see the module docs for
    /// why that costs no message).
    async fn send(&self, news: News) {
        let envelope = Envelope {
            node: self.id,
            news,
        };
        self.send_bytes(serde_json::to_vec(&envelope).expect("cluster news serialises"))
            .await;
    }

    async fn send_bytes(&self, payload: Vec<u8>) {
        let publish = self.client.publish(SUBJECT, payload.into());
        match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot publish to NATS"),
            Err(_) => {
                tracing::warn!("NATS took no message for a while; dropping one");
                crate::metrics::cluster_dropped();
            }
        }
    }

    /// Publishes entries already written as JSON: the [`News::Entries`] envelope is put
    /// around them here, so each entry is serialised once.
    async fn send_entries(&self, entries: &[Vec<u8>]) {
        let mut payload = format!(
            r#"{{"node":{},"news":{{"kind":"entries","entries":["#,
            self.id
        )
        .into_bytes();
        for (i, entry) in entries.iter().enumerate() {
            if i > 0 {
                payload.push(b',');
            }
            payload.extend_from_slice(entry);
        }
        payload.extend_from_slice(b"]}}");
        self.send_bytes(payload).await;
    }

    /// Sends the hub's news, entries gathered into few messages.
    async fn publish(
        self: Arc<Self>,
        mut outbound: mpsc::Receiver<Outbound>,
        stop: CancellationToken,
    ) {
        loop {
            let first = tokio::select! {
                _ = stop.cancelled() => return,
                next = outbound.recv() => match next {
                    Some(news) => news,
                    None => return,
                },
            };
            let mut pending = vec![first];
            while pending.len() < 1024
                && let Ok(news) = outbound.try_recv()
            {
                pending.push(news);
            }
            // Entries as JSON, gathered until a message would grow past MAX_PAYLOAD.
            let (mut entries, mut bytes): (Vec<Vec<u8>>, usize) = (Vec::new(), 0);
            for news in pending {
                let news = match news {
                    Outbound::Entries(committed) => {
                        for c in committed {
                            let json = serde_json::to_vec(&EntryRef {
                                owner: &c.owner,
                                entry: &c.entry,
                            })
                            .expect("entries serialise");
                            if bytes + json.len() > MAX_PAYLOAD && !entries.is_empty() {
                                self.send_entries(&entries).await;
                                (entries, bytes) = (Vec::new(), 0);
                            }
                            bytes += json.len() + 1;
                            entries.push(json);
                        }
                        continue;
                    }
                    Outbound::Presence(user) => {
                        let devices = self.chat.hub.devices_here(&user);
                        News::Presence {
                            users: vec![(user, devices)],
                        }
                    }
                    Outbound::SignedIn(user, device) => News::SignedIn { user, device },
                    Outbound::Disconnect(user, why) => News::Disconnect { user, why },
                    Outbound::Settings => News::Settings,
                    Outbound::StatusChanged(user) => News::StatusChanged { user },
                };
                // Entries gathered so far go first, so news keeps its order.
                if !entries.is_empty() {
                    self.send_entries(&entries).await;
                    (entries, bytes) = (Vec::new(), 0);
                }
                self.send(news).await;
            }
            if !entries.is_empty() {
                self.send_entries(&entries).await;
            }
        }
    }

    /// Applies the other nodes' news.
    async fn receive(
        self: Arc<Self>,
        mut subscription: async_nats::Subscriber,
        stop: CancellationToken,
    ) {
        loop {
            let message = tokio::select! {
                _ = stop.cancelled() => return,
                next = subscription.next() => match next {
                    Some(message) => message,
                    None => return,
                },
            };
            let envelope: Envelope = match serde_json::from_slice(&message.payload) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable message from another node");
                    continue;
                }
            };
            if envelope.node == self.id {
                continue;
            }
            crate::metrics::cluster_received();
            self.apply(envelope.node, envelope.news).await;
        }
    }

    async fn apply(&self, from: u64, news: News) {
        let hub: &Hub = &self.chat.hub;
        match news {
            News::Entries { entries } => {
                let committed: Vec<Committed> = entries
                    .into_iter()
                    .map(|e| Committed {
                        owner: e.owner,
                        entry: Arc::new(e.entry),
                        origin: None,
                    })
                    .collect();
                hub.deliver(&committed);
            }
            News::Presence { users } => {
                for (user, devices) in users {
                    if hub.set_remote(from, &user, devices) {
                        self.tell_followers(&user, false).await;
                    }
                }
            }
            News::SignedIn { user, device } => hub.replace_here(&user, &device),
            News::Disconnect { user, why } => hub.disconnect_here(&user, why),
            News::Settings => {
                if let Err(e) = self.chat.load_settings().await {
                    tracing::warn!(error = %e, "cannot read the settings another node changed");
                }
            }
            News::StatusChanged { user } => self.tell_followers(&user, true).await,
            News::Spent(spent) => self.budgets.charge(&spent),
            News::Hello => self.send_presence().await,
            News::Bye => {
                for user in hub.forget_node(from) {
                    self.tell_followers(&user, false).await;
                }
            }
        }
    }

    /// Tells this node's followers of `user` of its presence: when it changed, or with `force`
    /// whatever it is (its status changed).
    async fn tell_followers(&self, user: &UserId, force: bool) {
        let online = self.chat.hub.is_online(user);
        if let Err(e) = self.chat.tell_followers(user, online, force).await {
            tracing::warn!(error = %e, %user, "cannot tell followers of a presence change");
        }
    }

    /// Every user signed in here, with its devices, in messages of bounded size.
    async fn send_presence(&self) {
        let users = self.chat.hub.users_here();
        for chunk in users.chunks(USERS_PER_MESSAGE) {
            self.send(News::Presence {
                users: chunk.to_vec(),
            })
            .await;
        }
    }

    /// Tells the other nodes what this one spent of the shared rate budgets.
    async fn tell_spending(self: Arc<Self>, stop: CancellationToken) {
        let mut tick = tokio::time::interval(TELL_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {
                    if let Some(spent) = self.budgets.take_unsent() {
                        self.send(News::Spent(spent)).await;
                    }
                }
            }
        }
    }

    /// Repeats this node's presence, lets the others' lapse, and after NATS comes back asks for
    /// theirs and shows this node's devices any entry they missed meanwhile.
    async fn keep_presence(self: Arc<Self>, reconnected: Arc<Notify>, stop: CancellationToken) {
        let mut tick = tokio::time::interval(PRESENCE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {
                    self.send_presence().await;
                    for user in self.chat.hub.expire_remote() {
                        self.tell_followers(&user, false).await;
                    }
                }
                _ = reconnected.notified() => {
                    tracing::info!("NATS is back");
                    self.send(News::Hello).await;
                    self.send_presence().await;
                    self.resend_newest().await;
                }
            }
        }
    }

    /// Pushes each signed-in user's newest entry, read from the database, to its devices here:
    /// a device that missed entries while NATS was away sees the hole and syncs; one that did
    /// not ignores what it has.
    async fn resend_newest(&self) {
        let (hub, storage) = (&self.chat.hub, &self.chat.storage);
        for (user, _) in hub.users_here() {
            let latest = match storage.accounts(Some(&user), 1).await {
                Ok(accounts) => match accounts.first() {
                    Some(a) if a.id == user => a.latest_seq,
                    _ => continue,
                },
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read a user's newest entry");
                    continue;
                }
            };
            if latest.0 == 0 {
                continue;
            }
            let now = self.chat.clock.now_ms();
            let page = match storage.sync(&user, Seq(latest.0 - 1), 1, now).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read a user's newest entry");
                    continue;
                }
            };
            let committed: Vec<Committed> = page
                .entries
                .into_iter()
                .map(|entry| Committed {
                    owner: user.clone(),
                    entry: Arc::new(entry),
                    origin: None,
                })
                .collect();
            hub.deliver(&committed);
        }
    }
}
