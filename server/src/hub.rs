//! Who is online: every signed-in device of every user, each with its own bounded push queue.
//! The hub is the storage's [`CommitListener`]: each committed sync entry is queued to every
//! device of its owner (R4.2: including the sender's other devices), except the connection it
//! came from, which has the entry's sequence in its reply already. Queuing never blocks; a
//! device whose queue is full is disconnected and resumes from its cursor when it reconnects,
//! so a slow client costs only itself.

use crate::storage::{CommitListener, Committed};
use dashmap::DashMap;
use protocol::{DeviceId, SyncEntry, UserId};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Why the hub ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Default)]
pub struct Hub {
    online: DashMap<UserId, Vec<Device>>,
    /// Signed-in connections per user, for [`Hub::is_online`]: every send asks, so it has a
    /// map of its own that only sign-in and sign-out write, apart from the pushes that lock
    /// `online` for each committed entry.
    present: DashMap<UserId, usize>,
    next_conn: AtomicU64,
    connections: AtomicU64,
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
    }

    /// Ends every connection of `user`.
    pub fn disconnect(&self, user: &UserId, why: Eviction) {
        if let Some(devices) = self.online.get(user) {
            for d in devices.iter() {
                d.evict(why);
            }
        }
    }

    /// Signed-in connections right now.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Users with a device signed in right now.
    pub fn users(&self) -> u64 {
        self.present.len() as u64
    }

    /// The devices `user` has signed in right now.
    pub fn devices(&self, user: &UserId) -> Vec<DeviceId> {
        self.online
            .get(user)
            .map(|devices| devices.iter().map(|d| d.device.clone()).collect())
            .unwrap_or_default()
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

    /// Whether `user` has any device signed in.
    pub fn is_online(&self, user: &UserId) -> bool {
        self.present.contains_key(user)
    }
}

impl CommitListener for Hub {
    /// A device whose queue is full is evicted and forgotten at once, so it is neither queued
    /// to nor warned about again while its connection winds down.
    fn committed(&self, entries: &[Committed]) {
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
