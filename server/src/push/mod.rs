//! Offline push (R4.3). A message stored while no device of its recipient is online queues a
//! push in the same transaction ([`crate::storage::NewMessage::push`]), so an acknowledged
//! message's push survives a crash. The worker here takes the queued pushes that are due,
//! collapses a burst to one user into one notification about the newest message, and sends it
//! to every registration the user has, unless the user muted the sender (the `muted` relation,
//! synced across the user's devices like its other lists); a token the push service reports
//! gone is dropped, a failure that may pass is retried with backoff.
//!
//! A notice (a notification the app's backend wrote, with no message) is queued the same way
//! and sent whether or not a device is online ([`Notification::notice`]).
//!
//! Each vendor has an adapter that makes that vendor's request: Web Push ([`webpush`]), APNs,
//! FCM, Huawei, Xiaomi, OPPO, vivo and Meizu. A vendor without credentials is skipped; its
//! registrations are kept for when it is configured.

mod apns;
pub mod config;
mod fcm;
mod http;
mod huawei;
mod meizu;
mod notification;
mod oppo;
mod vivo;
pub mod webpush;
mod xiaomi;

use crate::chat::Chat;
use crate::storage::{PushJob, PushRegistration, StorageResult};
use async_trait::async_trait;
use config::{PushConfig, all_or_none, base_url};
use futures_util::StreamExt;
use notification::Notification;
use protocol::push::{OfflinePushInfo, Vendor};
use protocol::{Relation, UserId};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use webpush::WebPush;

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

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Gone => "gone",
            Delivery::Refused => "refused",
            Delivery::Retry => "retry",
        }
    }
}

/// One push to one registration.
pub struct Outgoing<'a> {
    /// The registration's token: a device token, or a Web Push subscription.
    pub token: &'a str,
    pub note: &'a Notification,
    /// The sender's settings, vendor fields included (default when it gave none).
    pub info: &'a OfflinePushInfo,
    pub now_ms: u64,
}

/// A push service: makes its vendor's request and says what became of it.
#[async_trait]
pub trait Adapter: Send + Sync {
    async fn send(&self, push: &Outgoing<'_>) -> Delivery;
}

/// The configured push services, by vendor.
pub struct Services {
    vapid_public_key: String,
    adapters: BTreeMap<Vendor, Box<dyn Adapter>>,
}

impl Services {
    /// The services `config` has credentials for, and always Web Push (its VAPID key is made
    /// in `data_dir` at first start). Logs one line per vendor left out.
    pub fn new(config: &PushConfig, data_dir: &Path) -> Result<Self, String> {
        let client = || {
            reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .connect_timeout(REQUEST_TIMEOUT / 2)
        };
        let http = client()
            .build()
            .map_err(|e| format!("no HTTP client for offline push: {e}"))?;
        let webpush = WebPush::load_or_create(http.clone(), data_dir, config.vapid_subject())
            .map_err(|e| format!("cannot keep the VAPID key in {}: {e}", data_dir.display()))?;
        let mut adapters: BTreeMap<Vendor, Box<dyn Adapter>> = BTreeMap::new();
        let vapid_public_key = webpush.public_key().to_owned();
        adapters.insert(Vendor::Webpush, Box::new(webpush));
        let c = config;
        let apns = all_or_none(
            "APNs",
            [
                (
                    "DUET_PUSH_APNS_KEY_FILE",
                    c.push_apns_key_file.as_ref().and_then(|p| p.to_str()),
                ),
                ("DUET_PUSH_APNS_KEY_ID", c.push_apns_key_id.as_deref()),
                ("DUET_PUSH_APNS_TEAM_ID", c.push_apns_team_id.as_deref()),
                ("DUET_PUSH_APNS_TOPIC", c.push_apns_topic.as_deref()),
            ],
        )?;
        if let Some([file, key_id, team_id, topic]) = apns {
            let pem = std::fs::read(&file)
                .map_err(|e| format!("cannot read the APNs key {file}: {e}"))?;
            // Apple's service speaks HTTP/2 only.
            let http = client()
                .http2_prior_knowledge()
                .build()
                .map_err(|e| format!("no HTTP/2 client for APNs: {e}"))?;
            let url = base_url(c.push_apns_url.as_ref(), apns::DEFAULT_URL);
            let apns = apns::Apns::new(http, url, &pem, key_id, team_id, topic)?;
            adapters.insert(Vendor::Apns, Box::new(apns));
        }
        if let Some(file) = &c.push_fcm_service_account_file {
            let json = std::fs::read(file).map_err(|e| {
                format!(
                    "cannot read the FCM service account {}: {e}",
                    file.display()
                )
            })?;
            let url = base_url(c.push_fcm_url.as_ref(), fcm::DEFAULT_URL);
            adapters.insert(
                Vendor::Fcm,
                Box::new(fcm::Fcm::new(http.clone(), url, &json)?),
            );
        }
        let huawei = all_or_none(
            "Huawei",
            [
                ("DUET_PUSH_HUAWEI_APP_ID", c.push_huawei_app_id.as_deref()),
                (
                    "DUET_PUSH_HUAWEI_APP_SECRET",
                    c.push_huawei_app_secret.as_deref(),
                ),
            ],
        )?;
        if let Some([app_id, secret]) = huawei {
            let url = base_url(c.push_huawei_url.as_ref(), huawei::DEFAULT_URL);
            let auth = base_url(c.push_huawei_auth_url.as_ref(), huawei::DEFAULT_AUTH_URL);
            let huawei = huawei::Huawei::new(http.clone(), url, auth, app_id, secret);
            adapters.insert(Vendor::Huawei, Box::new(huawei));
        }
        let xiaomi = all_or_none(
            "Xiaomi",
            [
                (
                    "DUET_PUSH_XIAOMI_APP_SECRET",
                    c.push_xiaomi_app_secret.as_deref(),
                ),
                ("DUET_PUSH_XIAOMI_PACKAGE", c.push_xiaomi_package.as_deref()),
            ],
        )?;
        if let Some([secret, package]) = xiaomi {
            let url = base_url(c.push_xiaomi_url.as_ref(), xiaomi::DEFAULT_URL);
            let xiaomi = xiaomi::Xiaomi::new(http.clone(), url, secret, package);
            adapters.insert(Vendor::Xiaomi, Box::new(xiaomi));
        }
        let oppo = all_or_none(
            "OPPO",
            [
                ("DUET_PUSH_OPPO_APP_KEY", c.push_oppo_app_key.as_deref()),
                (
                    "DUET_PUSH_OPPO_MASTER_SECRET",
                    c.push_oppo_master_secret.as_deref(),
                ),
            ],
        )?;
        if let Some([key, secret]) = oppo {
            let url = base_url(c.push_oppo_url.as_ref(), oppo::DEFAULT_URL);
            adapters.insert(
                Vendor::Oppo,
                Box::new(oppo::Oppo::new(http.clone(), url, key, secret)),
            );
        }
        let vivo = all_or_none(
            "vivo",
            [
                ("DUET_PUSH_VIVO_APP_ID", c.push_vivo_app_id.as_deref()),
                ("DUET_PUSH_VIVO_APP_KEY", c.push_vivo_app_key.as_deref()),
                (
                    "DUET_PUSH_VIVO_APP_SECRET",
                    c.push_vivo_app_secret.as_deref(),
                ),
            ],
        )?;
        if let Some([id, key, secret]) = vivo {
            let url = base_url(c.push_vivo_url.as_ref(), vivo::DEFAULT_URL);
            let vivo = vivo::Vivo::new(http.clone(), url, id, key, secret);
            adapters.insert(Vendor::Vivo, Box::new(vivo));
        }
        let meizu = all_or_none(
            "Meizu",
            [
                ("DUET_PUSH_MEIZU_APP_ID", c.push_meizu_app_id.as_deref()),
                (
                    "DUET_PUSH_MEIZU_APP_SECRET",
                    c.push_meizu_app_secret.as_deref(),
                ),
            ],
        )?;
        if let Some([id, secret]) = meizu {
            let url = base_url(c.push_meizu_url.as_ref(), meizu::DEFAULT_URL);
            adapters.insert(
                Vendor::Meizu,
                Box::new(meizu::Meizu::new(http, url, id, secret)),
            );
        }
        for vendor in Vendor::ALL.iter().filter(|v| !adapters.contains_key(v)) {
            tracing::info!(
                vendor = vendor.as_str(),
                "push vendor not configured: its registrations are kept, nothing is sent to it \
                 (see DUET_PUSH_{}_* in the README)",
                vendor.as_str().to_uppercase()
            );
        }
        Ok(Self {
            vapid_public_key,
            adapters,
        })
    }

    /// The VAPID public key browsers subscribe with.
    pub fn vapid_public_key(&self) -> &str {
        &self.vapid_public_key
    }
}

/// Checks a registration's token before it is kept: at most [`PUSH_TOKEN_MAX_BYTES`]; for
/// `webpush` a usable `PushSubscription`, for APNs a hex device token, for the others the
/// characters their tokens use.
///
/// [`PUSH_TOKEN_MAX_BYTES`]: protocol::push::PUSH_TOKEN_MAX_BYTES
pub fn check_token(vendor: Vendor, token: &str) -> Result<(), String> {
    use protocol::push::PUSH_TOKEN_MAX_BYTES;
    if token.is_empty() || token.len() > PUSH_TOKEN_MAX_BYTES {
        return Err(format!(
            "a push token is 1 to {PUSH_TOKEN_MAX_BYTES} bytes, got {}",
            token.len()
        ));
    }
    match vendor {
        Vendor::Webpush => webpush::Target::parse(token).map(|_| ()),
        // It goes into the request's path.
        Vendor::Apns if token.len() <= 200 && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(())
        }
        Vendor::Apns => Err("an APNs device token is up to 200 hex digits".to_owned()),
        _ if token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:=+/-".contains(&b)) =>
        {
            Ok(())
        }
        other => Err(format!(
            "a {} token is letters, digits and . _ : = + / - only",
            other.as_str()
        )),
    }
}

/// The delay before retry `attempt` (0-based): 2 s doubling to 10 minutes.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((2u64 << attempt.min(16)).min(600))
}

struct Worker {
    chat: Arc<Chat>,
}

/// Runs the push worker until `shutdown`.
pub async fn run(chat: Arc<Chat>, shutdown: CancellationToken) {
    let worker = Worker { chat };
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = worker.chat.push_wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
        // On a shared database one node at a time sends the queued pushes, so none goes twice.
        match worker.chat.storage.lead(crate::storage::Lease::Push).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this node sends pushes");
                continue;
            }
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
            // A user's pushes about messages collapse to one; its notices to another.
            let mut by_user: BTreeMap<(UserId, bool), Vec<PushJob>> = BTreeMap::new();
            for job in jobs {
                (by_user.entry((job.user.clone(), job.notice)))
                    .or_default()
                    .push(job);
            }
            // Users are served side by side, so one slow push service delays only its own.
            let outcomes: Vec<(Vec<PushJob>, StorageResult<Delivery>)> =
                futures_util::stream::iter(by_user)
                    .map(|((user, notice), jobs)| async move {
                        let outcome = match notice {
                            true => self.deliver_notice(&user, &jobs).await,
                            false => self.deliver(&user, &jobs).await,
                        };
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
        // Nor in the user's quiet hours: held back for good, as Tencent's are.
        let now_ms = self.chat.clock.now_ms();
        let quiet = self.chat.receive_opt(user).await?;
        if quiet.silences(now_ms / 1000) {
            return Ok(Delivery::Sent);
        }
        let badge = self.badge(user, now_ms).await?;
        let note = Notification::new(message, settings.info.as_ref(), jobs.len(), badge);
        let info = settings.info.clone().unwrap_or_default();
        self.send_to_all(user, registrations, &note, &info, now_ms)
            .await
    }

    /// The newest of `jobs`' notices to every registration of `user`, online or not (a notice
    /// is in no message its devices have), unless in the user's quiet hours.
    async fn deliver_notice(&self, user: &UserId, jobs: &[PushJob]) -> StorageResult<Delivery> {
        let newest = jobs.iter().max_by_key(|j| j.id);
        let Some(info) = newest.and_then(|j| j.settings.info.as_ref()) else {
            return Ok(Delivery::Sent);
        };
        let registrations = self.chat.storage.push_registrations(user).await?;
        if registrations.is_empty() {
            return Ok(Delivery::Sent);
        }
        let now_ms = self.chat.clock.now_ms();
        if self.chat.receive_opt(user).await?.silences(now_ms / 1000) {
            return Ok(Delivery::Sent);
        }
        let note = Notification::notice(info, self.badge(user, now_ms).await?);
        self.send_to_all(user, registrations, &note, info, now_ms)
            .await
    }

    /// The user's unread messages, for the app icon.
    async fn badge(&self, user: &UserId, now_ms: u64) -> StorageResult<u32> {
        let conversations = self.chat.storage.conversations(user, now_ms).await?;
        Ok(conversations.iter().map(|c| c.unread).sum())
    }

    /// `note` to each of `registrations`; a registration whose token is gone is dropped.
    /// `Retry` only when none took it and one may later.
    async fn send_to_all(
        &self,
        user: &UserId,
        registrations: Vec<PushRegistration>,
        note: &Notification,
        info: &OfflinePushInfo,
        now_ms: u64,
    ) -> StorageResult<Delivery> {
        let storage = &self.chat.storage;
        let (mut sent, mut retry) = (false, false);
        for r in registrations {
            let Some(adapter) = self.chat.push.adapters.get(&r.vendor) else {
                continue; // not configured: said once at start
            };
            let push = Outgoing {
                token: &r.token,
                note,
                info,
                now_ms,
            };
            let outcome = adapter.send(&push).await;
            crate::metrics::push_attempt(r.vendor.as_str(), outcome.as_str());
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
