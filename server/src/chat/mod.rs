//! The chat service: what a user (through the WebSocket) or the app's backend (through the REST
//! API) may do, independent of transport. Every send passes [`Chat::send`], where bodies are
//! validated and the permission check (R3) decides which relationship rules apply; the store
//! then enforces those rules atomically with the write.

mod conversation_groups;
mod edits;
pub use edits::EditContent;
pub mod friend_fields;
mod friend_groups;
pub mod keywords;
pub mod mutes;
mod presence;
pub mod profile_fields;
mod profiles;
pub mod push_all;
pub mod push_marks;
mod reactions;
mod receipts;
mod receive_opt;
mod relations;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::ChatError;
use crate::hub::{Eviction, Hub};
use crate::identity::AppIdentity;
use crate::media::store::MediaStore;
use crate::storage::rules::{Lookup, message_entries};
use crate::storage::{
    Account, CommitListener, ConversationChange, Expired, HistoryPage, HistoryQuery, NewMessage,
    Origin, Pending, ProfileUpdate, PushRegistration, PushSettings, Revocation, SendChecks, Sent,
    StateAfter, Storage, StorageError, StorageResult,
};
use crate::webhooks::{Hook, Platform, Verdict, Webhooks};
use protocol::DeviceId;
use protocol::frame::{
    MAX_CONVERSATION_DATA_BYTES, MAX_CONVERSATION_GROUP_NAME_BYTES, MAX_DELETE_PER_REQUEST,
    MAX_DRAFT_BYTES, MAX_PAGE, MAX_USERS_PER_REQUEST, SyncPage,
};
use protocol::push::OfflinePushInfo;
use protocol::push::Vendor;
use protocol::{
    Conversation, Element, ErrorCode, Message, MessageKey, Profile, Removal, Seq, UserId,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use usersig::UserSigKey;

/// What one expiry pass removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryPass {
    pub store: Expired,
    pub media_files: u64,
}

/// A send under way: resolves once the message is durable and published, or refused.
pub type Sending = futures_util::future::BoxFuture<'static, Result<Sent, ChatError>>;

/// Longest nickname and avatar URL, in bytes.
pub const NICK_MAX_BYTES: usize = 100;
pub const AVATAR_MAX_BYTES: usize = 500;

/// The settings key under which the friends-only switch survives restarts.
const FRIENDS_ONLY_KEY: &str = "friends_only";

pub struct Chat {
    pub storage: Arc<dyn Storage>,
    /// Uploaded media files.
    pub media: Arc<dyn MediaStore>,
    pub hub: Arc<Hub>,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
    pub identity: AppIdentity,
    signer: UserSigKey,
    friends_only: AtomicBool,
    /// Who may not send for now (`openconfigsvr/setnospeaking`).
    mutes: mutes::Mutes,
    /// The words users' messages may not contain (`im_msg_audit_mgr`).
    pub keywords: keywords::Keywords,
    /// Fingerprints of the UserSigs users signed in with lately, for [`Revocation::sigs`].
    recent_sigs: Mutex<HashMap<UserId, Vec<u64>>>,
    /// The configured push services (Web Push's VAPID key among them).
    pub push: crate::push::Services,
    /// Woken when a stored message queued a push, so it goes out at once.
    pub push_wake: Arc<Notify>,
    /// The app backend's webhooks.
    pub webhooks: Webhooks,
    /// The connections following users' presence.
    followers: crate::followers::Followers,
    /// The hourly history files of `open_msg_svc/get_history`.
    pub history_files: crate::history_files::HistoryFiles,
}

/// UserSigs remembered per user, and users remembered, for [`Revocation::sigs`]. Past the
/// second cap the memory starts over: a UserSig issued a second or more before a deletion is
/// refused by its time anyway.
const SIGS_KEPT_PER_USER: usize = 8;
const SIGS_USERS_KEPT: usize = 100_000;

/// A UserSig's fingerprint: the first 8 bytes of its SHA-256.
fn fingerprint(user_sig: &str) -> u64 {
    let digest = Sha256::digest(user_sig.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// A send as a user asks for it.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub to: UserId,
    pub random: u32,
    pub elements: Vec<Element>,
    pub cloud_custom_data: Option<String>,
    /// When the sender composed it (seconds); 0 when it does not say (REST).
    pub client_time_s: u64,
    /// Checked here; the offline push service reads it.
    pub offline_push_info: Option<OfflinePushInfo>,
    /// The sender asks for a read receipt ([`Message::need_read_receipt`]).
    pub need_read_receipt: bool,
}

/// How a send is carried out; the defaults are those of a user's own send.
#[derive(Debug, Clone, Copy)]
pub struct SendOptions {
    pub origin: Option<Origin>,
    /// Also into the sender's own sync log (Tencent's `SyncOtherMachine` 1).
    pub sync_sender: bool,
    pub no_unread: bool,
    pub no_last_msg: bool,
    /// The app's backend asked to skip friend and blacklist checks.
    pub skip_relation_check: bool,
    /// Delivered to the devices online now, and neither stored nor counted unread.
    pub online_only: bool,
    /// Imported from an earlier system (`importmsg`) with its own time, milliseconds since the
    /// Unix epoch: stored at exactly that time, never pushed.
    pub imported_ms: Option<u64>,
    /// The backend's `sendmsg` asked not to be asked before (`ForbidBeforeSendMsgCallback`)
    /// or told after (`ForbidAfterSendMsgCallback`) about this message.
    pub forbid_before_webhook: bool,
    pub forbid_after_webhook: bool,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            origin: None,
            sync_sender: true,
            no_unread: false,
            no_last_msg: false,
            skip_relation_check: false,
            online_only: false,
            imported_ms: None,
            forbid_before_webhook: false,
            forbid_after_webhook: false,
        }
    }
}

impl Chat {
    #[allow(clippy::too_many_arguments)] // the parts, each built where it can fail
    pub fn new(
        storage: Arc<dyn Storage>,
        media: Arc<dyn MediaStore>,
        hub: Arc<Hub>,
        clock: Arc<dyn Clock>,
        config: Config,
        identity: AppIdentity,
        push: crate::push::Services,
        webhooks: Webhooks,
    ) -> Self {
        let signer = identity.signer();
        let friends_only = AtomicBool::new(config.friends_only);
        let history_files = crate::history_files::HistoryFiles::new(config.history_files_dir());
        Self {
            storage,
            media,
            hub,
            clock,
            config,
            identity,
            signer,
            friends_only,
            mutes: mutes::Mutes::default(),
            keywords: keywords::Keywords::default(),
            recent_sigs: Mutex::new(HashMap::new()),
            push,
            push_wake: Arc::new(Notify::new()),
            webhooks,
            followers: Default::default(),
            history_files,
        }
    }

    /// Creates the administrator's account and loads settings changed at run time.
    pub async fn prepare(&self) -> StorageResult<()> {
        self.storage
            .ensure_user(&self.identity.admin, self.clock.now_ms())
            .await?;
        self.load_settings().await
    }

    /// Reads the settings changed at run time (here, or on another node of a cluster).
    pub async fn load_settings(&self) -> StorageResult<()> {
        if let Some(v) = self.storage.setting(FRIENDS_ONLY_KEY).await? {
            self.friends_only.store(v == "1", Ordering::SeqCst);
        }
        self.mutes
            .load(self.storage.as_ref())
            .await
            .map_err(|e| StorageError::Corrupt(e.message))?;
        self.keywords
            .load(self.storage.as_ref())
            .await
            .map_err(|e| StorageError::Corrupt(e.message))
    }

    pub fn is_admin(&self, user: &UserId) -> bool {
        user == &self.identity.admin
    }

    /// Checks a UserSig for `user` against this app.
    pub fn verify_user_sig(
        &self,
        sdk_app_id: u64,
        user: &UserId,
        user_sig: &str,
    ) -> Result<usersig::Ticket, ChatError> {
        if sdk_app_id != self.identity.sdk_app_id {
            return Err(ChatError::new(
                ErrorCode::USERSIG_WRONG_APP,
                format!(
                    "this server serves SDKAppID {}, not {sdk_app_id}",
                    self.identity.sdk_app_id
                ),
            ));
        }
        Ok(self
            .signer
            .verify(user_sig, user.as_str(), self.clock.now_s())?)
    }

    /// Checks a user's UserSig: valid for this app, and not issued before the account was last
    /// deleted. A ticket's time has whole seconds, so one issued in the second of the deletion
    /// is refused only if the account had signed in with it.
    pub async fn authenticate(
        &self,
        sdk_app_id: u64,
        user: &UserId,
        user_sig: &str,
    ) -> Result<usersig::Ticket, ChatError> {
        let ticket = self.verify_user_sig(sdk_app_id, user, user_sig)?;
        let fingerprint = fingerprint(user_sig);
        let revoked = |r: &Option<Revocation>| {
            r.as_ref()
                .is_some_and(|r| ticket.time < r.at_ms / 1000 || r.sigs.contains(&fingerprint))
        };
        if revoked(&self.storage.deletion(user).await?) {
            return Err(ChatError::new(
                ErrorCode::USERSIG_REVOKED,
                "this UserSig was issued before the account was deleted; sign a new one",
            ));
        }
        if revoked(&self.storage.kick(user).await?) {
            return Err(ChatError::new(
                ErrorCode::USERSIG_REVOKED,
                "this UserSig was issued before the app's backend kicked the user out; sign a new one",
            ));
        }
        if let Ok(mut recent) = self.recent_sigs.lock() {
            if recent.len() >= SIGS_USERS_KEPT && !recent.contains_key(user) {
                recent.clear();
            }
            let sigs = recent.entry(user.clone()).or_default();
            if !sigs.contains(&fingerprint) {
                if sigs.len() >= SIGS_KEPT_PER_USER {
                    sigs.remove(0);
                }
                sigs.push(fingerprint);
            }
        }
        Ok(ticket)
    }

    /// Checks a sign-in and returns the account, creating it on first sign-in as Tencent IM
    /// does, and how many seconds from now the UserSig stays valid.
    pub async fn login(
        &self,
        sdk_app_id: u64,
        user: &UserId,
        user_sig: &str,
    ) -> Result<(Account, u64), ChatError> {
        let ticket = self.authenticate(sdk_app_id, user, user_sig).await?;
        let account = self.storage.ensure_user(user, self.clock.now_ms()).await?;
        Ok((
            account,
            ticket.expires_at().saturating_sub(self.clock.now_s()),
        ))
    }

    /// Validates and permits a send, then queues it. The returned future resolves once the
    /// message is durable and published. Either way the outcome is counted in the metrics.
    pub fn send(
        &self,
        from: &UserId,
        req: SendRequest,
        opts: SendOptions,
    ) -> Result<Sending, ChatError> {
        let pending = self.send_checked(from, req, opts).inspect_err(|e| {
            crate::metrics::message_refused(e.code);
        })?;
        let accepted = std::time::Instant::now();
        Ok(Box::pin(async move {
            match pending.await {
                Ok(sent) => {
                    crate::metrics::message_accepted(accepted.elapsed());
                    Ok(sent)
                }
                Err(e) => {
                    let e = ChatError::from(e);
                    crate::metrics::message_refused(e.code);
                    Err(e)
                }
            }
        }))
    }

    /// A send from a user's device or from the backend's `sendmsg`, between the app backend's
    /// webhooks when it has them ([`crate::webhooks`]): the backend is asked before (once the
    /// content is checked) and told after. A message the backend drops is answered as sent
    /// and kept nowhere, like an online-only one with no device to reach.
    pub async fn send_with_webhooks(
        &self,
        from: &UserId,
        mut req: SendRequest,
        opts: SendOptions,
    ) -> Result<Sending, ChatError> {
        let platform = Platform::of(opts.origin);
        if self.webhooks.wants(Hook::BeforeSendMsg) && !opts.forbid_before_webhook {
            self.check_content(&req)?;
            let now_ms = self.clock.now_ms();
            let asked = self
                .webhooks
                .before_send(from, &req, opts.online_only, platform, now_ms);
            match asked.await {
                Verdict::Send {
                    elements,
                    cloud_custom_data,
                } => {
                    req.elements = elements.unwrap_or(req.elements);
                    if let Some(data) = cloud_custom_data {
                        req.cloud_custom_data = Some(data).filter(|d| !d.is_empty());
                    }
                }
                Verdict::Refuse(e) => {
                    crate::metrics::message_refused(e.code);
                    return Err(e);
                }
                Verdict::Drop => {
                    let client_time_s = composed_at(req.client_time_s, now_ms)?;
                    let message = unlogged(from.clone(), req, now_ms, client_time_s, None);
                    return Ok(Box::pin(std::future::ready(Ok(Sent {
                        message,
                        sender_seq: Seq(0),
                        duplicate: false,
                    }))));
                }
            }
        }
        if !self.webhooks.wants(Hook::AfterSendMsg) || opts.forbid_after_webhook {
            return self.send(from, req, opts);
        }
        let told = req.clone();
        let sending = self.send(from, req, opts);
        let (webhooks, clock, from) = (self.webhooks.clone(), self.clock.clone(), from.clone());
        let tell = move |outcome: Result<&Message, &ChatError>| {
            let now_ms = clock.now_ms();
            webhooks.after_send(&from, &told, opts.online_only, outcome, platform, now_ms);
        };
        match sending {
            Err(e) => {
                tell(Err(&e));
                Err(e)
            }
            Ok(pending) => Ok(Box::pin(async move {
                let sent = pending.await;
                match &sent {
                    // A retry of a message stored before was told of then.
                    Ok(s) if s.duplicate => {}
                    Ok(s) => tell(Ok(&s.message)),
                    Err(e) => tell(Err(e)),
                }
                sent
            })),
        }
    }

    /// Checks what a send carries, whoever it goes to: the body, the custom data and the
    /// offline push settings.
    fn check_content(&self, req: &SendRequest) -> Result<(), ChatError> {
        self.config.limits.check_body(&req.elements)?;
        self.check_custom_data(req.cloud_custom_data.as_deref())?;
        if let Some(info) = &req.offline_push_info {
            info.check()
                .map_err(|e| ChatError::new(ErrorCode::INVALID_ARGUMENT, e))?;
        }
        Ok(())
    }

    fn send_checked(
        &self,
        from: &UserId,
        req: SendRequest,
        opts: SendOptions,
    ) -> Result<Pending<Sent>, ChatError> {
        self.check_content(&req)?;
        let now_ms = opts.imported_ms.unwrap_or_else(|| self.clock.now_ms());
        let client_time_s = composed_at(req.client_time_s, now_ms)?;
        let checks = self.permit(from, &req, &opts)?;
        if opts.online_only {
            return Ok(self.send_online(from, req, checks, opts.origin, client_time_s));
        }
        // Queued with the message when no device of the recipient is online; the worker looks
        // again before sending.
        let push = (opts.imported_ms.is_none()
            && !self.hub.is_online(&req.to)
            && !req.offline_push_info.as_ref().is_some_and(|i| i.disabled()))
        .then(|| PushSettings {
            info: req.offline_push_info.clone(),
        });
        let wake = push.is_some().then(|| self.push_wake.clone());
        let pending = self.storage.send(NewMessage {
            from: from.clone(),
            to: req.to,
            random: req.random,
            elements: req.elements,
            cloud_custom_data: req.cloud_custom_data,
            need_read_receipt: req.need_read_receipt,
            client_time_s,
            now_ms,
            origin: opts.origin,
            sync_sender: opts.sync_sender,
            no_unread: opts.no_unread,
            no_last_msg: opts.no_last_msg,
            checks,
            push,
            exact_time: opts.imported_ms.is_some(),
        });
        Ok(match wake {
            Some(wake) => Box::pin(async move {
                let sent = pending.await;
                wake.notify_one();
                sent
            }),
            None => pending,
        })
    }

    /// A message's custom data is bounded like its body.
    fn check_custom_data(&self, data: Option<&str>) -> Result<(), ChatError> {
        let max = self.config.limits.body_max_bytes;
        match data {
            Some(data) if data.len() > max => Err(ChatError::new(
                ErrorCode::BODY_TOO_LARGE,
                format!(
                    "cloud_custom_data is {} bytes; the limit is {max}",
                    data.len()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Delivers an online-only message to the devices of both users online now (the sender's
    /// others), after the same permission checks as a stored one. It is in no log: it reaches
    /// them as a sync entry with sequence 0, and its key has number 0.
    fn send_online(
        &self,
        from: &UserId,
        req: SendRequest,
        checks: SendChecks,
        origin: Option<Origin>,
        client_time_s: u64,
    ) -> Pending<Sent> {
        let (storage, hub) = (self.storage.clone(), self.hub.clone());
        let (from, now_ms) = (from.clone(), self.clock.now_ms());
        Box::pin(async move {
            let mut profiles = storage.profiles(&[from.clone(), req.to.clone()]).await?;
            if !profiles.iter().any(|p| p.user_id == req.to) {
                return Err(StorageError::UnknownUser(req.to));
            }
            let mut found = Vec::new();
            for lookup in checks.lookups(&from, &req.to) {
                let list = storage.relations(lookup.0, &lookup.1).await?;
                if list.iter().any(|e| e.user_id == lookup.2) {
                    found.push(lookup);
                }
            }
            let listed = |relation, owner: &UserId, peer: &UserId| {
                let hit = |(r, o, p): &Lookup| *r == relation && o == owner && p == peer;
                StorageResult::Ok(found.iter().any(hit))
            };
            if let Some(refused) = checks.refusal(&from, &req.to, listed)? {
                return Err(refused);
            }
            profiles.retain(|p| p.user_id == from);
            let message = unlogged(from, req, now_ms, client_time_s, profiles.pop());
            // In no log: sequence 0 on both sides.
            hub.committed(&message_entries(&message, Seq(0), Some(Seq(0)), origin));
            Ok(Sent {
                message,
                sender_seq: Seq(0),
                duplicate: false,
            })
        })
    }

    /// The permission check every send passes (R3): nobody messages themselves; only the
    /// administrator sends system notifications; the administrator is never blocked (R3.2);
    /// a muted user sends nothing but imported history; what a user sends from a device holds
    /// no word of the keyword libraries; everyone else is subject to the
    /// recipient's blacklist (R3.4) and, when the app is friends-only, to friendship (R3.3),
    /// unless the app's backend skips those on purpose.
    fn permit(
        &self,
        from: &UserId,
        req: &SendRequest,
        opts: &SendOptions,
    ) -> Result<SendChecks, ChatError> {
        if from == &req.to {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "cannot send a message to yourself",
            ));
        }
        if self.is_admin(from) {
            return Ok(SendChecks::default());
        }
        if req.elements.iter().any(|e| matches!(e, Element::System(_))) {
            return Err(ChatError::new(
                ErrorCode::ADMIN_REQUIRED,
                "only the administrator sends system notifications",
            ));
        }
        if opts.imported_ms.is_none() {
            self.mutes.check_send(from, self.clock.now_ms())?;
        }
        if opts.origin.is_some() {
            self.keywords.check(&req.elements)?;
        }
        if opts.skip_relation_check {
            return Ok(SendChecks::default());
        }
        Ok(SendChecks {
            blacklist: true,
            friends: self.friends_only(),
        })
    }

    /// Forgets what a connection that ended followed.
    pub fn forget_connection(&self, conn: u64) {
        self.followers.forget(conn);
    }

    /// Up to `limit` of `user`'s messages that `query` finds, numbered below `before` (0:
    /// from the newest), newest first, and the `before` of the next page (0: none).
    pub async fn search(
        &self,
        user: &UserId,
        query: &protocol::search::SearchQuery,
        before: u64,
        limit: u32,
    ) -> Result<(Vec<Message>, u64), ChatError> {
        query
            .check()
            .map_err(|why| ChatError::new(ErrorCode::INVALID_ARGUMENT, why))?;
        let max = protocol::search::MAX_SEARCH_PAGE;
        if limit == 0 || limit > max {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("a search page holds 1 to {max} messages"),
            ));
        }
        let now = self.clock.now_ms();
        Ok(self.storage.search(user, query, before, limit, now).await?)
    }

    pub fn friends_only(&self) -> bool {
        self.friends_only.load(Ordering::SeqCst)
    }

    /// Switches friends-only on or off; kept across restarts.
    pub async fn set_friends_only(&self, on: bool) -> Result<(), ChatError> {
        self.storage
            .set_setting(FRIENDS_ONLY_KEY, if on { "1" } else { "0" })
            .await?;
        self.friends_only.store(on, Ordering::SeqCst);
        self.hub.tell(crate::hub::Outbound::Settings);
        Ok(())
    }

    pub fn mark_read(&self, owner: &UserId, peer: &UserId, origin: Option<Origin>) -> Pending<Seq> {
        let pending = self
            .storage
            .mark_read(owner, peer, self.clock.now_ms(), origin);
        if !self.webhooks.wants(Hook::AfterMsgReport) {
            return pending;
        }
        let (webhooks, clock) = (self.webhooks.clone(), self.clock.clone());
        let (owner, peer) = (owner.clone(), peer.clone());
        Box::pin(async move {
            let seq = pending.await?;
            // Told when something was read, not for a conversation read already.
            if seq != Seq(0) {
                let now_ms = clock.now_ms();
                webhooks.read((&owner, &peer), Platform::of(origin), now_ms);
            }
            Ok(seq)
        })
    }

    /// Deletes messages of `owner`'s conversation with `peer` from `owner`'s history on all
    /// its devices (1 to [`MAX_DELETE_PER_REQUEST`] of them; the peer keeps its copy).
    pub fn delete_messages(
        &self,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        origin: Option<Origin>,
    ) -> Result<Pending<Seq>, ChatError> {
        check_message_count(keys.len(), MAX_DELETE_PER_REQUEST, "a deletion")?;
        Ok(self
            .storage
            .delete_messages(owner, peer, keys, self.clock.now_ms(), origin))
    }

    /// Deletes the conversation with `peer` from `owner`'s list, or its history, or both, as
    /// `removal` says; [`Storage::delete_conversation`].
    pub fn delete_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        origin: Option<Origin>,
    ) -> Result<Pending<Seq>, ChatError> {
        if owner == peer {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "a user has no conversation with itself",
            ));
        }
        let now_ms = self.clock.now_ms();
        Ok(self
            .storage
            .delete_conversation(owner, peer, removal, now_ms, origin))
    }

    /// Changes `owner`'s state of its conversation with `peer`: pinned, the draft (at most
    /// [`MAX_DRAFT_BYTES`]), marks, the custom data (at most [`MAX_CONVERSATION_DATA_BYTES`]),
    /// its conversation groups (names checked; the count by the storage, atomically);
    /// [`Storage::set_conversation`].
    pub fn set_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        change: ConversationChange,
        origin: Option<Origin>,
    ) -> Result<Pending<StateAfter>, ChatError> {
        if change.is_empty() {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "a conversation change sets pinned, the draft, marks or the custom data; it named none",
            ));
        }
        if change.mark & change.unmark != 0 {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "a conversation change sets and clears the same mark",
            ));
        }
        // A draft is text being written, and custom data the app's own: line breaks and tabs
        // are theirs; only their sizes are bounded.
        let custom_data = change.custom_data.as_deref();
        check_size("the custom data", custom_data, MAX_CONVERSATION_DATA_BYTES)?;
        check_size("the draft", change.draft.as_deref(), MAX_DRAFT_BYTES)?;
        for name in [&change.join_group, &change.leave_group]
            .into_iter()
            .flatten()
        {
            check_group_name(name)?;
        }
        if change.join_group.is_some() && change.join_group == change.leave_group {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "a conversation change joins and leaves the same group",
            ));
        }
        let now_ms = self.clock.now_ms();
        Ok(self
            .storage
            .set_conversation(owner, peer, change, now_ms, origin))
    }

    /// Registers `user`'s `device` with a push service, its token checked
    /// ([`crate::push::check_token`]).
    pub async fn push_register(
        &self,
        user: &UserId,
        device: DeviceId,
        vendor: Vendor,
        token: String,
    ) -> Result<(), ChatError> {
        crate::push::check_token(vendor, &token)
            .map_err(|m| ChatError::new(ErrorCode::INVALID_ARGUMENT, m))?;
        let registration = PushRegistration {
            device,
            vendor,
            token,
        };
        Ok(self
            .storage
            .push_register(user, registration, self.clock.now_ms())
            .await?)
    }

    /// Removes `device`'s registration with `vendor` (all of the device's when `None`);
    /// whether there was one.
    pub async fn push_unregister(
        &self,
        user: &UserId,
        device: &DeviceId,
        vendor: Option<Vendor>,
    ) -> Result<bool, ChatError> {
        Ok(self.storage.push_unregister(user, device, vendor).await?)
    }

    /// One expiry pass: the store, then media, then the history files whose links expired.
    /// Each runs whatever the others did; the first failure of the first two is the answer.
    /// The server runs one every `expiry_interval`; the administrator may ask for one at any
    /// time.
    pub async fn expire_now(&self) -> Result<ExpiryPass, ChatError> {
        let store = self.storage.expire(self.clock.now_ms()).await;
        match &store {
            Ok(n) => {
                crate::metrics::expiry_pass(n.messages, n.sync_entries);
                if *n != Expired::default() {
                    tracing::info!(
                        messages = n.messages,
                        sync_entries = n.sync_entries,
                        "expired old data"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "expiry pass failed"),
        }
        let before = self
            .clock
            .now_ms()
            .saturating_sub(self.config.media_ttl_ms());
        let media = self.media.expire(before).await.map(|n| n as u64);
        match &media {
            Ok(n) => {
                crate::metrics::media_expired(*n);
                if *n > 0 {
                    tracing::info!(files = n, "expired old media");
                }
            }
            Err(e) => tracing::warn!(error = %e, "media expiry pass failed"),
        }
        match self.history_files.sweep(self.clock.now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "removed expired history files"),
            Err(e) => tracing::warn!(error = %e, "could not remove expired history files"),
        }
        Ok(ExpiryPass {
            store: store?,
            media_files: media.map_err(|e| ChatError::new(ErrorCode::INTERNAL, e.to_string()))?,
        })
    }

    pub async fn sync(&self, user: &UserId, after: Seq, limit: u32) -> Result<SyncPage, ChatError> {
        check_page(limit)?;
        let page = self
            .storage
            .sync(user, after, limit, self.clock.now_ms())
            .await?;
        crate::metrics::sync_served(page.entries.len());
        Ok(page)
    }

    pub async fn conversations(&self, user: &UserId) -> Result<Vec<Conversation>, ChatError> {
        Ok(self
            .storage
            .conversations(user, self.clock.now_ms())
            .await?)
    }

    pub async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        query: HistoryQuery,
    ) -> Result<HistoryPage, ChatError> {
        check_page(query.limit)?;
        Ok(self
            .storage
            .history(owner, peer, query, self.clock.now_ms())
            .await?)
    }

    /// Recalls a message from `from` to `to` (R6.2 withdraw); both users' devices are told.
    pub async fn recall(
        &self,
        key: MessageKey,
        from: &UserId,
        to: &UserId,
        platform: Platform,
    ) -> Result<Message, ChatError> {
        let now_ms = self.clock.now_ms();
        let recalled = self.storage.recall(key, from, to, now_ms).await?;
        self.webhooks.recalled((from, to), key, platform, now_ms);
        Ok(recalled)
    }

    /// A user recalls a message it sent to `peer`, within the recall window.
    pub async fn recall_own(
        &self,
        me: &UserId,
        peer: &UserId,
        key: MessageKey,
    ) -> Result<Message, ChatError> {
        let age_ms = self
            .clock
            .now_ms()
            .saturating_sub(key.time_s.saturating_mul(1000));
        let window = self.config.recall_window;
        if age_ms > window.as_millis() as u64 + 999 {
            return Err(ChatError::new(
                ErrorCode::RECALL_TIME_LIMIT,
                format!(
                    "messages can be recalled for {} seconds after sending",
                    window.as_secs()
                ),
            ));
        }
        let recalled = self.recall(key, me, peer, Platform::Web).await;
        recalled.map_err(|e| match e.code {
            // Most often the peer's message: say so, not just that there is none.
            ErrorCode::MESSAGE_NOT_FOUND => ChatError::new(
                e.code,
                format!(
                    "you sent {peer} no message {key} that is still kept; only its sender can \
                     recall a message"
                ),
            ),
            _ => e,
        })
    }

    /// Sets a profile (R6.3); `create` makes the account if needed (the REST import does). The
    /// `profile` entry reaches every device of the user, the asking one too: the answer
    /// carries no sequence.
    pub async fn set_profile(
        &self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
    ) -> Result<Account, ChatError> {
        check_text("nickname", update.nick.as_deref(), NICK_MAX_BYTES)?;
        check_text("avatar URL", update.avatar.as_deref(), AVATAR_MAX_BYTES)?;
        if let Some(url) = update.avatar.as_deref() {
            check_avatar_url(url)?;
        }
        Ok(self
            .storage
            .upsert_profile(user, update, create, self.clock.now_ms(), None)
            .await?)
    }

    pub async fn profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, ChatError> {
        check_user_count(users.len())?;
        Ok(self.storage.profiles(users).await?)
    }

    /// Deletes an account and disconnects its devices. Returns whether it existed.
    pub async fn delete_account(&self, user: &UserId) -> Result<bool, ChatError> {
        if self.is_admin(user) {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "the administrator account cannot be deleted",
            ));
        }
        let existed = self
            .storage
            .delete_user(user, self.revocation(user))
            .await?;
        self.hub.disconnect(user, Eviction::AccountDeleted);
        // A new account of the same ID starts unmuted.
        let (storage, now) = (self.storage.as_ref(), self.clock.now_ms());
        self.mutes.set(storage, user, None, now).await?;
        self.hub.tell(crate::hub::Outbound::Settings);
        Ok(existed)
    }

    /// Mutes `user` for these many seconds from now (`mutes::FOREVER_S`: for good; 0 lifts
    /// it; `None` leaves that mute as it is).
    pub async fn set_mute(
        &self,
        user: &UserId,
        c2c_s: Option<u32>,
        group_s: Option<u32>,
    ) -> Result<(), ChatError> {
        if self.is_admin(user) {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "the administrator cannot be muted",
            ));
        }
        self.require_account(user).await?;
        let (storage, now) = (self.storage.as_ref(), self.clock.now_ms());
        self.mutes
            .set(storage, user, Some((c2c_s, group_s)), now)
            .await?;
        self.hub.tell(crate::hub::Outbound::Settings);
        Ok(())
    }

    /// The seconds left of `user`'s one-to-one and group mutes.
    pub async fn mute_left(&self, user: &UserId) -> Result<(u64, u64), ChatError> {
        self.require_account(user).await?;
        let (mute, now) = (self.mutes.get(user), self.clock.now_ms());
        Ok((
            mutes::seconds_left(mute.c2c_until_ms, now),
            mutes::seconds_left(mute.group_until_ms, now),
        ))
    }

    /// Fails with 20003 unless `user` has an account.
    pub async fn require_account(&self, user: &UserId) -> Result<(), ChatError> {
        if self.profiles(std::slice::from_ref(user)).await?.is_empty() {
            return Err(ChatError::new(
                ErrorCode::ACCOUNT_NOT_FOUND,
                format!("account {user} does not exist"),
            ));
        }
        Ok(())
    }

    /// Kicks `user` out (Tencent's `kick`): every device is disconnected (close 4005) and the
    /// UserSigs issued so far no longer sign in. The account and its data stay.
    pub async fn kick(&self, user: &UserId) -> Result<(), ChatError> {
        if self
            .storage
            .profiles(std::slice::from_ref(user))
            .await?
            .is_empty()
        {
            return Err(ChatError::new(
                ErrorCode::ACCOUNT_NOT_FOUND,
                format!("account {user} does not exist"),
            ));
        }
        self.storage
            .revoke_sigs(user, self.revocation(user))
            .await?;
        self.hub.disconnect(user, Eviction::Kicked);
        Ok(())
    }

    /// Refuses `user`'s UserSigs from now on: those issued before now, and those it signed in
    /// with lately (a UserSig's time has whole seconds).
    fn revocation(&self, user: &UserId) -> Revocation {
        let sigs = self
            .recent_sigs
            .lock()
            .ok()
            .and_then(|mut recent| recent.remove(user))
            .unwrap_or_default();
        Revocation {
            at_ms: self.clock.now_ms(),
            sigs,
        }
    }
}

/// A message that goes in no log (online-only, or dropped by the app's backend): its key has
/// number 0; `sender` gives its nickname and avatar, when known.
fn unlogged(
    from: UserId,
    req: SendRequest,
    now_ms: u64,
    client_time_s: u64,
    sender: Option<Profile>,
) -> Message {
    let (nick, avatar) = sender.map(|p| (p.nick, p.avatar)).unwrap_or_default();
    Message {
        key: MessageKey {
            id: 0,
            random: req.random,
            time_s: now_ms / 1000,
        },
        from,
        to: req.to,
        time_ms: now_ms,
        client_time_s,
        random: req.random,
        elements: req.elements,
        cloud_custom_data: req.cloud_custom_data,
        nick,
        avatar,
        recalled: false,
        version: 0,
        edited_ms: 0,
        reactions: Vec::new(),
        // Stored nowhere, it could keep no receipt.
        need_read_receipt: false,
        receipt_ms: 0,
    }
}

/// The composing time a message keeps: the sender's as given, even by a wrong clock, since the
/// sender has already named the message with it; the server's when it gave none. It must be a
/// whole number JavaScript holds exactly.
fn composed_at(claimed_s: u64, now_ms: u64) -> Result<u64, ChatError> {
    const JS_SAFE_MAX: u64 = (1 << 53) - 1;
    match claimed_s {
        0 => Ok(now_ms / 1000),
        t if t > JS_SAFE_MAX => Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("client_time_s must be at most {JS_SAFE_MAX}, got {t}"),
        )),
        t => Ok(t),
    }
}

fn check_page(limit: u32) -> Result<(), ChatError> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("limit must be 1 to {MAX_PAGE}, got {limit}"),
        ));
    }
    Ok(())
}

/// A value the server stored as JSON (`what` names it in the error), or its default when
/// nothing is stored.
pub(crate) fn read_stored<T: Default + serde::de::DeserializeOwned>(
    json: Option<&str>,
    what: &str,
) -> Result<T, ChatError> {
    json.map_or(Ok(T::default()), |json| {
        serde_json::from_str(json).map_err(|e| {
            ChatError::new(
                ErrorCode::INTERNAL,
                format!("stored {what} are corrupt: {e}"),
            )
        })
    })
}

/// Refuses a request naming more than [`MAX_USERS_PER_REQUEST`] accounts.
pub(crate) fn check_user_count(n: usize) -> Result<(), ChatError> {
    check_count(n, MAX_USERS_PER_REQUEST)
}

/// Refuses a request (`what`) naming other than 1 to `max` messages: 60006.
pub(crate) fn check_message_count(n: usize, max: usize, what: &str) -> Result<(), ChatError> {
    if n == 0 || n > max {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("{what} names 1 to {max} messages, not {n}"),
        ));
    }
    Ok(())
}

/// Refuses a request naming more than `max` accounts.
pub(crate) fn check_count(n: usize, max: usize) -> Result<(), ChatError> {
    if n > max {
        return Err(ChatError::new(
            ErrorCode::TOO_MANY_ACCOUNTS,
            format!("at most {max} accounts per request, got {n}"),
        ));
    }
    Ok(())
}

/// An avatar is shown by every client of the app, so it must be a picture and nothing else:
/// empty (none), an `http(s)://` URL with a host, or a path on this server (`/…`, but not
/// `//…` or anything with `\`: browsers read `//` and `/\` as another host).
fn check_avatar_url(url: &str) -> Result<(), ChatError> {
    let lower = url.to_ascii_lowercase();
    let with_host = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .is_some_and(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '[')
        });
    let server_path = url.starts_with('/') && !url.starts_with("//");
    if url.is_empty()
        || ((with_host || server_path) && !url.contains('\\') && !url.contains(char::is_whitespace))
    {
        return Ok(());
    }
    Err(ChatError::new(
        ErrorCode::INVALID_ARGUMENT,
        "the avatar URL must be an http(s) URL or a path on this server",
    ))
}

/// Refuses a value longer than `max` bytes.
fn check_size(what: &str, value: Option<&str>, max: usize) -> Result<(), ChatError> {
    match value {
        Some(v) if v.len() > max => Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("{what} is {} bytes; the limit is {max}", v.len()),
        )),
        _ => Ok(()),
    }
}

/// A conversation group's name: 1 to [`MAX_CONVERSATION_GROUP_NAME_BYTES`] bytes, no control
/// characters (the stores keep names one a line).
fn check_group_name(name: &str) -> Result<(), ChatError> {
    if name.is_empty() {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            "a conversation group's name is empty",
        ));
    }
    let what = "a conversation group's name";
    check_text(what, Some(name), MAX_CONVERSATION_GROUP_NAME_BYTES)
}

fn check_text(what: &str, value: Option<&str>, max: usize) -> Result<(), ChatError> {
    check_size(what, value, max)?;
    match value {
        Some(v) if v.chars().any(char::is_control) => Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("{what} contains control characters"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::check_avatar_url;

    #[test]
    fn avatars_are_web_pictures_only() {
        for ok in [
            "",
            "https://cdn.example.com/a.png",
            "HTTP://x.org/a",
            "/media/abc/a.png",
        ] {
            assert!(check_avatar_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example/a.png",
            "/\\evil.example/a.png",
            "data:image/svg+xml,<svg/>",
            "https:///path",
            "https://a.example/a b.png",
            "https://a.example\\@evil/",
        ] {
            assert!(check_avatar_url(bad).is_err(), "{bad}");
        }
    }
}
