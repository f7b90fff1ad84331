//! Rate budgets that the nodes of a cluster share: the app's REST budget and each user's upload
//! budget (count and bytes). Each node keeps its own buckets and meters what it serves; what it
//! spent, it tells the others every [`TELL_EVERY`] over NATS ([`crate::cluster`]), and each
//! charges its own buckets with what the others spent. So the budgets hold across the cluster
//! within what the nodes spend in one interval, with no round trip per request.
//!
//! A client address's REST budget stays per node: behind a load balancer the nodes see its
//! address, not the clients'. A WebSocket connection's budget is its own, on its one node.

use crate::media::UploadLimits;
use crate::rest::RestLimits;
use protocol::UserId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a node tells the others what it spent.
pub const TELL_EVERY: Duration = Duration::from_millis(100);

/// Users whose spending one message carries, per kind: a node whose users spend faster than
/// that tells the first this many and keeps the rest to itself (bounded message, bounded map).
const MAX_USERS_PER_TELL: usize = 1_000;

/// What one node spent since it last told the others.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spent {
    /// Authenticated REST requests.
    pub rest: u64,
    /// Uploads started, by user.
    pub uploads: Vec<(UserId, u64)>,
    /// Bytes uploaded, by user.
    pub upload_bytes: Vec<(UserId, u64)>,
}

/// Spending this node has not told yet; kept only once the node is in a cluster.
#[derive(Default)]
pub struct Unsent {
    shared: AtomicBool,
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    rest: u64,
    uploads: HashMap<UserId, u64>,
    upload_bytes: HashMap<UserId, u64>,
}

impl Unsent {
    /// From now on, spending is kept to be told.
    pub fn share(&self) {
        self.shared.store(true, Ordering::Relaxed);
    }

    pub fn rest(&self, n: u64) {
        self.record(|p| p.rest += n);
    }

    pub fn upload(&self, user: &UserId) {
        self.record(|p| add(&mut p.uploads, user, 1));
    }

    pub fn upload_bytes(&self, user: &UserId, n: u64) {
        self.record(|p| add(&mut p.upload_bytes, user, n));
    }

    fn record(&self, f: impl FnOnce(&mut Pending)) {
        if self.shared.load(Ordering::Relaxed)
            && let Ok(mut pending) = self.pending.lock()
        {
            f(&mut pending);
        }
    }

    /// What was spent since the last call, if anything.
    fn take(&self) -> Option<Spent> {
        let pending = std::mem::take(&mut *self.pending.lock().ok()?);
        let spent = Spent {
            rest: pending.rest,
            uploads: pending.uploads.into_iter().collect(),
            upload_bytes: pending.upload_bytes.into_iter().collect(),
        };
        (spent != Spent::default()).then_some(spent)
    }
}

fn add(spent: &mut HashMap<UserId, u64>, user: &UserId, n: u64) {
    if let Some(total) = spent.get_mut(user) {
        *total += n;
    } else if spent.len() < MAX_USERS_PER_TELL {
        spent.insert(user.clone(), n);
    }
}

/// The budgets a cluster shares, as [`crate::cluster`] reaches them.
#[derive(Clone)]
pub struct SharedBudgets {
    pub unsent: Arc<Unsent>,
    pub rest: Arc<RestLimits>,
    pub uploads: Arc<UploadLimits>,
}

impl SharedBudgets {
    /// What this node spent since it last told, if anything.
    pub fn take_unsent(&self) -> Option<Spent> {
        self.unsent.take()
    }

    /// Charges this node's buckets with what another node spent.
    pub fn charge(&self, spent: &Spent) {
        let now = Instant::now();
        self.rest.charge(spent.rest, now);
        for (user, n) in spent.uploads.iter().take(MAX_USERS_PER_TELL) {
            self.uploads.charge_count(user, *n, now);
        }
        for (user, n) in spent.upload_bytes.iter().take(MAX_USERS_PER_TELL) {
            self.uploads.charge_bytes(user, *n, now);
        }
    }
}
