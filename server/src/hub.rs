//! Who is online: every signed-in device of every user, each with its own bounded push queue.
//! The hub is the storage's [`CommitListener`]: each committed sync entry is queued to every
//! device of its owner (R4.2: including the sender's other devices), except the connection it
//! came from, which has the entry's sequence in its reply already. Queuing never blocks; a
//! device whose queue is full is disconnected and resumes from its cursor when it reconnects,
//! so a slow client costs only itself.
//!
//! In a cluster ([`crate::cluster`]) the hub also tells the other nodes what they must know
//! (entries committed here, who signed in or out here, whom to disconnect), and keeps what they
//! told it of their own signed-in devices, so that "is this user online?" has one answer.

use crate::storage::{CommitListener, Committed};
use dashmap::DashMap;
use protocol::{DeviceId, SyncEntry, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Why the hub ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    /// A newer login with the same device id, or one past the device cap, replaced it.
    Replaced,
    /// Its push queue overflowed.
    TooSlow,
    /// The account was deleted.
    AccountDeleted,
    /// The app's backend kicked the user out.
    Kicked,
}

/// A sync entry queued to devices, with the moment it was committed (or, for an entry in no
/// log, queued), which the commit-to-push latency is measured from. One is shared by every
/// device it goes to, and queues hold a pointer to it, so an idle device's queue costs no
/// more for the timestamp.
pub struct Queued {
    pub entry: Arc<SyncEntry>,
    pub at: Instant,
}

/// The connection's side of a registration.
pub struct Registration {
    pub conn_id: u64,
    /// Sync entries to push, in commit order.
    pub pushes: mpsc::Receiver<Arc<Queued>>,
    /// Cancelled when the hub ends the connection; read [`Registration::eviction`] for why.
    pub evicted: CancellationToken,
    reason: Arc<std::sync::OnceLock<Eviction>>,
}

impl Registration {
    pub fn eviction(&self) -> Option<Eviction> {
        self.reason.get().copied()
    }
}

struct Device {
    conn_id: u64,
    device: DeviceId,
    pushes: mpsc::Sender<Arc<Queued>>,
    evicted: CancellationToken,
    reason: Arc<std::sync::OnceLock<Eviction>>,
}

impl Device {
    fn evict(&self, why: Eviction) {
        let _ = self.reason.set(why);
        self.evicted.cancel();
    }
}

/// What the hub tells the other nodes of a cluster.
#[derive(Debug)]
pub enum Outbound {
    /// Entries committed (or, at sequence 0, queued) on this node.
    Entries(Vec<Committed>),
    /// The user's devices signed in here changed: read them and say which they are now.
    Presence(UserId),
    /// A device signed in here: the same device signed in elsewhere is replaced.
    SignedIn(UserId, DeviceId),
    /// Every device of the user is to be disconnected.
    Disconnect(UserId, Eviction),
    /// An app setting changed; the others read the settings again.
    Settings,
    /// The user hid or showed its presence or set its custom status: the others tell their
    /// connections that follow it.
    StatusChanged(UserId),
}

/// Most messages waiting for the cluster's publisher; past this they are dropped (a device
/// fills the hole from its cursor at the next entry) and counted.
pub const MAX_OUTBOUND: usize = 65_536;

/// How long another node's word that a user is signed in there holds without being repeated
/// ([`crate::cluster`] repeats it well within this), so a node that died stops counting.
pub const REMOTE_PRESENCE_TTL: Duration = Duration::from_secs(30);

/// The devices of a user that another node said are signed in there, and when it said so.
struct Remote {
    devices: Vec<DeviceId>,
    at: Instant,
}

#[derive(Default)]
pub struct Hub {
    online: DashMap<UserId, Vec<Device>>,
    /// Signed-in connections per user, for [`Hub::is_online`]: every send asks, so it has a
    /// map of its own that only sign-in and sign-out write, apart from the pushes that lock
    /// `online` for each committed entry.
    present: DashMap<UserId, usize>,
    next_conn: AtomicU64,
    connections: AtomicU64,
    /// The cluster's publisher, when this node is one of several.
    cluster: OnceLock<mpsc::Sender<Outbound>>,
    /// Users signed in on other nodes: user → node → its devices there.
    remote: DashMap<UserId, HashMap<u64, Remote>>,
}

impl Hub {
    /// Registers a signed-in device. An existing connection of the same user and device id is
    /// evicted with [`Eviction::Replaced`], and so is the user's oldest connection when the user
    /// already has `max_devices`.
    pub fn register(
        &self,
        user: &UserId,
        device: DeviceId,
        queue: usize,
        max_devices: usize,
    ) -> Registration {
        let conn_id = self.next_conn.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::channel(queue.max(1));
        let evicted = CancellationToken::new();
        let reason = Arc::new(std::sync::OnceLock::new());
        let device_for_cluster = device.clone();
        let mut devices = self.online.entry(user.clone()).or_default();
        devices.retain(|d| {
            let same = d.device == device;
            if same {
                d.evict(Eviction::Replaced);
            }
            !same
        });
        while devices.len() >= max_devices.max(1) {
            devices.remove(0).evict(Eviction::Replaced);
        }
        devices.push(Device {
            conn_id,
            device,
            pushes: tx,
            evicted: evicted.clone(),
            reason: reason.clone(),
        });
        self.connections.fetch_add(1, Ordering::Relaxed);
        *self.present.entry(user.clone()).or_default() += 1;
        drop(devices);
        self.tell(Outbound::SignedIn(user.clone(), device_for_cluster));
        self.tell(Outbound::Presence(user.clone()));
        Registration {
            conn_id,
            pushes: rx,
            evicted,
            reason,
        }
    }

    /// Removes a connection when it ends. Unknown ids (already replaced) are ignored.
    pub fn unregister(&self, user: &UserId, conn_id: u64) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
        self.present.remove_if_mut(user, |_, n| {
            *n -= 1;
            *n == 0
        });
        self.online.remove_if_mut(user, |_, devices| {
            devices.retain(|d| d.conn_id != conn_id);
            devices.is_empty()
        });
        self.tell(Outbound::Presence(user.clone()));
    }

    /// Ends every connection of `user`, on every node.
    pub fn disconnect(&self, user: &UserId, why: Eviction) {
        self.disconnect_here(user, why);
        self.tell(Outbound::Disconnect(user.clone(), why));
    }

    /// Ends every connection of `user` on this node.
    pub fn disconnect_here(&self, user: &UserId, why: Eviction) {
        if let Some(devices) = self.online.get(user) {
            for d in devices.iter() {
                d.evict(why);
            }
        }
    }

    /// Ends this node's connection of `user`'s `device`, which signed in on another node.
    pub fn replace_here(&self, user: &UserId, device: &DeviceId) {
        if let Some(devices) = self.online.get(user) {
            for d in devices.iter().filter(|d| &d.device == device) {
                d.evict(Eviction::Replaced);
            }
        }
    }

    /// Has the hub tell the other nodes through `publisher` from now on.
    pub fn join_cluster(&self, publisher: mpsc::Sender<Outbound>) {
        let _ = self.cluster.set(publisher);
    }

    /// Hands news to the cluster's publisher, if there is one. Never blocks: when the
    /// publisher is this far behind, the news is dropped.
    pub fn tell(&self, news: Outbound) {
        let Some(publisher) = self.cluster.get() else {
            return;
        };
        if let Err(mpsc::error::TrySendError::Full(news)) = publisher.try_send(news) {
            tracing::warn!(
                ?news,
                "cluster publisher is behind; dropping news for the other nodes"
            );
            crate::metrics::cluster_dropped();
        }
    }

    /// The devices of `user` signed in on this node.
    pub fn devices_here(&self, user: &UserId) -> Vec<DeviceId> {
        self.online
            .get(user)
            .map(|devices| devices.iter().map(|d| d.device.clone()).collect())
            .unwrap_or_default()
    }

    /// Every user signed in on this node, with its devices.
    pub fn users_here(&self) -> Vec<(UserId, Vec<DeviceId>)> {
        self.online
            .iter()
            .map(|e| {
                (
                    e.key().clone(),
                    e.value().iter().map(|d| d.device.clone()).collect(),
                )
            })
            .collect()
    }

    /// Records that node `node` has these devices of `user` signed in (none: it has none).
    /// Returns whether that changed whether the user is online anywhere else.
    pub fn set_remote(&self, node: u64, user: &UserId, devices: Vec<DeviceId>) -> bool {
        let before = self.online_elsewhere(user);
        if devices.is_empty() {
            self.remote.remove_if_mut(user, |_, nodes| {
                nodes.remove(&node);
                nodes.is_empty()
            });
        } else {
            let at = Instant::now();
            self.remote
                .entry(user.clone())
                .or_default()
                .insert(node, Remote { devices, at });
        }
        before != self.online_elsewhere(user)
    }

    /// Forgets every user node `node` said it had (it is stopping); returns those who are no
    /// longer online anywhere else.
    pub fn forget_node(&self, node: u64) -> Vec<UserId> {
        let mut gone = Vec::new();
        self.remote.retain(|user, nodes| {
            if nodes.remove(&node).is_some() && nodes.is_empty() {
                gone.push(user.clone());
            }
            !nodes.is_empty()
        });
        gone
    }

    /// Forgets what other nodes said longer ago than [`REMOTE_PRESENCE_TTL`] and did not
    /// repeat; returns the users who are no longer online anywhere else.
    pub fn expire_remote(&self) -> Vec<UserId> {
        let mut gone = Vec::new();
        self.remote.retain(|user, nodes| {
            nodes.retain(|_, r| r.at.elapsed() < REMOTE_PRESENCE_TTL);
            if nodes.is_empty() {
                gone.push(user.clone());
            }
            !nodes.is_empty()
        });
        gone
    }

    fn online_elsewhere(&self, user: &UserId) -> bool {
        self.remote
            .get(user)
            .is_some_and(|nodes| nodes.values().any(|r| r.at.elapsed() < REMOTE_PRESENCE_TTL))
    }

    /// Signed-in connections right now.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Users with a device signed in right now.
    pub fn users(&self) -> u64 {
        self.present.len() as u64
    }

    /// The devices `user` has signed in right now, on any node.
    pub fn devices(&self, user: &UserId) -> Vec<DeviceId> {
        let mut devices = self.devices_here(user);
        if let Some(nodes) = self.remote.get(user) {
            let live = nodes
                .values()
                .filter(|r| r.at.elapsed() < REMOTE_PRESENCE_TTL);
            devices.extend(live.flat_map(|r| r.devices.iter().cloned()));
        }
        devices
    }

    /// Queues an entry that is in no log (sequence 0) to one connection of `user`, if it is
    /// still signed in; a full queue evicts it, as for logged entries.
    pub fn push_to(&self, user: &UserId, conn_id: u64, entry: Arc<SyncEntry>) {
        let Some(devices) = self.online.get(user) else {
            return;
        };
        if let Some(d) = devices.iter().find(|d| d.conn_id == conn_id)
            && let Err(mpsc::error::TrySendError::Full(_)) = d.pushes.try_send(Arc::new(Queued {
                entry,
                at: Instant::now(),
            }))
        {
            tracing::warn!(%user, conn = conn_id, "push queue full; disconnecting the device");
            crate::metrics::queue_eviction();
            d.evict(Eviction::TooSlow);
        }
    }

    /// Whether `user` has any device signed in, on any node.
    pub fn is_online(&self, user: &UserId) -> bool {
        self.present.contains_key(user) || self.online_elsewhere(user)
    }

    /// Queues entries committed on another node to this node's devices of their owners.
    /// A device whose queue is full is evicted and forgotten at once, so it is neither queued
    /// to nor warned about again while its connection winds down.
    pub fn deliver(&self, entries: &[Committed]) {
        let at = Instant::now();
        for c in entries {
            let Some(mut devices) = self.online.get_mut(&c.owner) else {
                continue;
            };
            let queued = Arc::new(Queued {
                entry: c.entry.clone(),
                at,
            });
            devices.retain(|d| {
                if c.origin.is_some_and(|o| o.0 == d.conn_id) {
                    return true;
                }
                match d.pushes.try_send(queued.clone()) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!(user = %c.owner, conn = d.conn_id, "push queue full; disconnecting the device");
                        crate::metrics::queue_eviction();
                        d.evict(Eviction::TooSlow);
                        false
                    }
                    // Its connection is gone without signing out (its task ended abnormally):
                    // it no longer counts as online either.
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        self.present.remove_if_mut(&c.owner, |_, n| {
                            *n -= 1;
                            *n == 0
                        });
                        false
                    }
                }
            });
        }
    }
}

impl CommitListener for Hub {
    /// Queues the entries to this node's devices of their owners, and hands them to the other
    /// nodes for theirs.
    fn committed(&self, entries: &[Committed]) {
        self.deliver(entries);
        if self.cluster.get().is_some() && !entries.is_empty() {
            self.tell(Outbound::Entries(entries.to_vec()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Origin;
    use protocol::{Seq, SyncEvent};

    fn entry(owner: &UserId, seq: u64, origin: Option<Origin>) -> Committed {
        let event = SyncEvent::Read {
            peer: UserId::parse("x").unwrap(),
            up_to: None,
        };
        Committed {
            owner: owner.clone(),
            entry: Arc::new(SyncEntry {
                seq: Seq(seq),
                event,
            }),
            origin,
        }
    }

    #[test]
    fn a_full_queue_evicts_only_that_device() {
        let hub = Hub::default();
        let bob = UserId::parse("bob").unwrap();
        let slow = hub.register(&bob, DeviceId::parse("slow").unwrap(), 1, 8);
        let mut fast = hub.register(&bob, DeviceId::parse("fast").unwrap(), 8, 8);
        hub.committed(&[entry(&bob, 1, None), entry(&bob, 2, None)]);
        assert!(slow.evicted.is_cancelled());
        assert_eq!(slow.eviction(), Some(Eviction::TooSlow));
        hub.committed(&[entry(&bob, 3, None)]);
        assert_eq!(
            hub.online.get(&bob).unwrap().len(),
            1,
            "the evicted device is forgotten"
        );
        assert!(!fast.evicted.is_cancelled());
        assert_eq!(fast.pushes.try_recv().unwrap().entry.seq, Seq(1));
        assert_eq!(fast.pushes.try_recv().unwrap().entry.seq, Seq(2));
    }

    #[test]
    fn the_origin_connection_is_skipped_and_others_of_the_user_are_not() {
        let hub = Hub::default();
        let bob = UserId::parse("bob").unwrap();
        let mut phone = hub.register(&bob, DeviceId::parse("phone").unwrap(), 8, 8);
        let mut laptop = hub.register(&bob, DeviceId::parse("laptop").unwrap(), 8, 8);
        hub.committed(&[entry(&bob, 1, Some(Origin(phone.conn_id)))]);
        assert!(phone.pushes.try_recv().is_err());
        assert_eq!(laptop.pushes.try_recv().unwrap().entry.seq, Seq(1));
    }

    #[test]
    fn a_device_past_the_cap_replaces_the_oldest() {
        let hub = Hub::default();
        let bob = UserId::parse("bob").unwrap();
        let regs: Vec<_> = (0..3)
            .map(|i| hub.register(&bob, DeviceId::parse(format!("d{i}")).unwrap(), 1, 2))
            .collect();
        assert_eq!(regs[0].eviction(), Some(Eviction::Replaced));
        assert_eq!(regs[1].eviction(), None);
        assert_eq!(regs[2].eviction(), None);
        assert_eq!(hub.online.get(&bob).unwrap().len(), 2);
    }

    #[test]
    fn a_connection_gone_without_signing_out_stops_counting_as_online() {
        let hub = Hub::default();
        let bob = UserId::parse("bob").unwrap();
        let reg = hub.register(&bob, DeviceId::parse("a").unwrap(), 4, 8);
        assert!(hub.is_online(&bob));
        drop(reg); // its task ended without unregistering
        hub.committed(&[entry(&bob, 1, None)]);
        assert!(!hub.is_online(&bob));
    }

    #[test]
    fn unregister_forgets_the_user_when_no_device_is_left() {
        let hub = Hub::default();
        let bob = UserId::parse("bob").unwrap();
        let a = hub.register(&bob, DeviceId::parse("a").unwrap(), 1, 8);
        let replaced = hub.register(&bob, DeviceId::parse("a").unwrap(), 1, 8);
        assert_eq!(a.eviction(), Some(Eviction::Replaced));
        hub.unregister(&bob, a.conn_id);
        assert!(hub.is_online(&bob));
        hub.unregister(&bob, replaced.conn_id);
        assert!(!hub.is_online(&bob));
    }
}
