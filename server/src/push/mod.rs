//! Offline push (R4.3). A message stored while no device of its recipient is online queues a
//! push in the same transaction ([`crate::storage::NewMessage::push`]), so an acknowledged
//! message's push survives a crash. The worker here takes the queued pushes that are due,
//! collapses a burst to one user into one notification about the newest message, and sends it
//! to every registration the user has, unless the user muted the sender (the `muted` relation,
//! synced across the user's devices like its other lists); a token the push service reports
//! gone is dropped, a failure that may pass is retried with backoff.
//!
//! Vendors with an adapter: Web Push ([`webpush`]). Registrations with another vendor are kept
//! and skipped until theirs is added.

mod notification;
pub mod webpush;

use crate::chat::Chat;
use crate::storage::{PushJob, StorageResult};
use futures_util::StreamExt;
use notification::Notification;
use protocol::push::Vendor;
use protocol::{Relation, UserId};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Queued pushes read per pass.
const BATCH: u32 = 100;
/// How often the queue is looked at when no send wakes the worker (retries come due this way).
const POLL: Duration = Duration::from_secs(1);
/// Attempts before a push is given up.
const MAX_ATTEMPTS: u32 = 8;
/// How long one request to a push service may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Users whose pushes are sent at once.
const PARALLEL: usize = 16;

/// What became of a push to one registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// The token is no longer valid: drop the registration.
    Gone,
    /// The service refused this push for good (a malformed request); not retried.
    Refused,
    /// It may pass (network, rate limit, server error): try again later.
    Retry,
}

/// The delay before retry `attempt` (0-based): 2 s doubling to 10 minutes.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((2u64 << attempt.min(16)).min(600))
}

struct Worker {
    chat: Arc<Chat>,
    http: reqwest::Client,
}

/// Runs the push worker until `shutdown`.
pub async fn run(chat: Arc<Chat>, shutdown: CancellationToken) {
    let http = match reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT / 2)
        .build()
    {
        Ok(http) => http,
        Err(e) => return tracing::error!(error = %e, "no HTTP client for offline push"),
    };
    let worker = Worker { chat, http };
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = worker.chat.push_wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        if let Err(e) = worker.drain().await {
            tracing::warn!(error = %e, "offline push pass failed");
        }
    }
}

impl Worker {
    /// Sends every push that is due.
    async fn drain(&self) -> StorageResult<()> {
        let storage = &self.chat.storage;
        loop {
            let now_ms = self.chat.clock.now_ms();
            let jobs = storage.push_due(now_ms, BATCH).await?;
            let full = jobs.len() == BATCH as usize;
            let mut by_user: BTreeMap<UserId, Vec<PushJob>> = BTreeMap::new();
            for job in jobs {
                by_user.entry(job.user.clone()).or_default().push(job);
            }
            // Users are served side by side, so one slow push service delays only its own.
            let outcomes: Vec<(Vec<PushJob>, StorageResult<Delivery>)> =
                futures_util::stream::iter(by_user)
                    .map(|(user, jobs)| async move {
                        let outcome = self.deliver(&user, &jobs).await;
                        (jobs, outcome)
                    })
                    .buffer_unordered(PARALLEL)
                    .collect()
                    .await;
            let (mut done, mut retry) = (Vec::new(), Vec::new());
            for (jobs, outcome) in outcomes {
                let user = &jobs[0].user;
                let ids = jobs.iter().map(|j| j.id);
                match outcome? {
                    Delivery::Retry => {
                        let attempts = jobs.iter().map(|j| j.attempts).max().unwrap_or(0);
                        if attempts + 1 >= MAX_ATTEMPTS {
                            tracing::warn!(%user, attempts, "giving up an offline push");
                            done.extend(ids);
                        } else {
                            let due = now_ms + backoff(attempts).as_millis() as u64;
                            retry.extend(ids.map(|id| (id, due)));
                        }
                    }
                    _ => done.extend(ids),
                }
            }
            storage.push_settle(done, retry).await?;
            if !full {
                return Ok(());
            }
        }
    }

    /// One notification to every registration of `user`, about the newest of `jobs`' messages.
    /// `Retry` only when no registration took it and one may later.
    async fn deliver(&self, user: &UserId, jobs: &[PushJob]) -> StorageResult<Delivery> {
        let storage = &self.chat.storage;
        // Nothing is pushed to a user who came online meanwhile: the devices have it.
        if self.chat.hub.is_online(user) {
            return Ok(Delivery::Sent);
        }
        let newest = jobs
            .iter()
            .filter_map(|j| j.message.as_ref().map(|m| (m, &j.settings)))
            .filter(|(m, _)| !m.recalled)
            .max_by_key(|(m, _)| m.key.id);
        let Some((message, settings)) = newest else {
            return Ok(Delivery::Sent); // expired or recalled since: nothing to say
        };
        // A muted conversation gets its messages without a notification.
        let muted = storage
            .check_relations(Relation::Muted, user, std::slice::from_ref(&message.from))
            .await?;
        if muted.first().is_some_and(|(mutes, _)| *mutes) {
            return Ok(Delivery::Sent);
        }
        let registrations = storage.push_registrations(user).await?;
        if registrations.is_empty() {
            return Ok(Delivery::Sent);
        }
        let now_ms = self.chat.clock.now_ms();
        let badge = storage
            .conversations(user, now_ms)
            .await?
            .iter()
            .map(|c| c.unread)
            .sum();
        let note = Notification::new(message, settings.info.as_ref(), jobs.len(), badge);
        let payload = serde_json::to_vec(&note).expect("a notification serializes");
        let (mut sent, mut retry) = (false, false);
        for r in registrations {
            let outcome = match r.vendor {
                Vendor::Webpush => {
                    let vapid = &self.chat.vapid;
                    vapid
                        .send(&self.http, &r.token, &payload, now_ms / 1000)
                        .await
                }
                other => {
                    tracing::debug!(
                        vendor = other.as_str(),
                        "no adapter for this push vendor yet"
                    );
                    continue;
                }
            };
            match outcome {
                Delivery::Sent => sent = true,
                Delivery::Retry => retry = true,
                Delivery::Refused => {}
                Delivery::Gone => {
                    storage
                        .push_unregister(user, &r.device, Some(r.vendor))
                        .await?;
                }
            }
        }
        Ok(if retry && !sent {
            Delivery::Retry
        } else {
            Delivery::Sent
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_ten_minutes() {
        assert_eq!(super::backoff(0).as_secs(), 2);
        assert_eq!(super::backoff(3).as_secs(), 16);
        assert_eq!(super::backoff(20).as_secs(), 600);
    }
}
