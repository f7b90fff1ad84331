//! The chat service: what a signed-in user may do, independent of transport. The WebSocket
//! connection (and later the REST API) call these; every send passes [`Chat::send`], the one
//! place where bodies are validated and permissions checked.

use crate::clock::Clock;
use crate::config::Config;
use crate::error::ChatError;
use crate::hub::Hub;
use crate::identity::AppIdentity;
use crate::storage::{Account, HistoryPage, NewMessage, Origin, Pending, Sent, Storage};
use protocol::frame::{MAX_PAGE, SyncPage};
use protocol::{Conversation, Element, ErrorCode, MessageKey, Seq, UserId};
use std::sync::Arc;
use usersig::UserSigKey;

pub struct Chat {
    pub storage: Arc<dyn Storage>,
    pub hub: Arc<Hub>,
    pub clock: Arc<dyn Clock>,
    pub config: Config,
    pub identity: AppIdentity,
    signer: UserSigKey,
}

/// A send as a user asks for it.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub to: UserId,
    pub random: u32,
    pub elements: Vec<Element>,
    pub cloud_custom_data: Option<String>,
}

impl Chat {
    pub fn new(
        storage: Arc<dyn Storage>,
        hub: Arc<Hub>,
        clock: Arc<dyn Clock>,
        config: Config,
        identity: AppIdentity,
    ) -> Self {
        let signer = identity.signer();
        Self { storage, hub, clock, config, identity, signer }
    }

    /// Checks a sign-in and returns the account, creating it on first sign-in as Tencent IM
    /// does.
    pub async fn login(&self, sdk_app_id: u64, user: &UserId, user_sig: &str) -> Result<Account, ChatError> {
        if sdk_app_id != self.identity.sdk_app_id {
            return Err(ChatError::new(
                ErrorCode::USERSIG_WRONG_APP,
                format!("this server serves SDKAppID {}, not {sdk_app_id}", self.identity.sdk_app_id),
            ));
        }
        self.signer.verify(user_sig, user.as_str(), self.clock.now_s())?;
        Ok(self.storage.ensure_user(user, self.clock.now_ms()).await?)
    }

    /// Validates and permits a send, then queues it. The returned future resolves once the
    /// message is durable and published.
    pub fn send(&self, from: &UserId, req: SendRequest, origin: Option<Origin>) -> Result<Pending<Sent>, ChatError> {
        self.config.limits.check_body(&req.elements)?;
        if let Some(data) = &req.cloud_custom_data
            && data.len() > self.config.limits.body_max_bytes
        {
            return Err(ChatError::new(
                ErrorCode::BODY_TOO_LARGE,
                format!("cloud_custom_data is {} bytes; the limit is {}", data.len(), self.config.limits.body_max_bytes),
            ));
        }
        self.permit(from, &req)?;
        Ok(self.storage.send(NewMessage {
            from: from.clone(),
            to: req.to,
            random: req.random,
            elements: req.elements,
            cloud_custom_data: req.cloud_custom_data,
            now_ms: self.clock.now_ms(),
            origin,
        }))
    }

    /// The permission check every send passes (R3). Today: anyone may message anyone (R3.1),
    /// nobody messages themselves, and only the administrator sends system notifications.
    fn permit(&self, from: &UserId, req: &SendRequest) -> Result<(), ChatError> {
        if from == &req.to {
            return Err(ChatError::new(ErrorCode::INVALID_ARGUMENT, "cannot send a message to yourself"));
        }
        let is_admin = from == &self.identity.admin;
        if !is_admin && req.elements.iter().any(|e| matches!(e, Element::System(_))) {
            return Err(ChatError::new(
                ErrorCode::ADMIN_REQUIRED,
                "only the administrator sends system notifications",
            ));
        }
        Ok(())
    }

    pub fn mark_read(&self, owner: &UserId, peer: &UserId, origin: Option<Origin>) -> Pending<Seq> {
        self.storage.mark_read(owner, peer, self.clock.now_ms(), origin)
    }

    pub async fn sync(&self, user: &UserId, after: Seq, limit: u32) -> Result<SyncPage, ChatError> {
        check_page(limit)?;
        Ok(self.storage.sync(user, after, limit, self.clock.now_ms()).await?)
    }

    pub async fn conversations(&self, user: &UserId) -> Result<Vec<Conversation>, ChatError> {
        Ok(self.storage.conversations(user, self.clock.now_ms()).await?)
    }

    pub async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        before: Option<MessageKey>,
        limit: u32,
    ) -> Result<HistoryPage, ChatError> {
        check_page(limit)?;
        Ok(self.storage.history(owner, peer, before, limit, self.clock.now_ms()).await?)
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
