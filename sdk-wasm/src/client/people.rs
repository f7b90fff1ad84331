//! Friends, blacklist and profiles.

use super::Client;
use crate::cache::Cache;
use crate::error::SdkError;
use protocol::frame::UserResult;
use protocol::push::Vendor;
use protocol::{Profile, Relation, RelationEntry, UserId};

impl<C: Cache + 'static> Client<C> {
    /// This user's friend list or blacklist, from the server (the cache follows); offline,
    /// from the cache.
    pub async fn relations(&self, relation: Relation) -> Result<Vec<RelationEntry>, SdkError> {
        match self.session() {
            Some(session) => session.relations(relation).await,
            None => Ok(self.inner.cache.relations(relation).await?),
        }
    }

    /// Adds (`add`) or removes users on this user's friend list or blacklist; one result per
    /// user, in order, `code` 0 being success. `RelationsUpdated` then reports the new list.
    pub async fn change_relations(
        &self,
        relation: Relation,
        users: Vec<UserId>,
        add: bool,
    ) -> Result<Vec<UserResult>, SdkError> {
        self.connected()?
            .change_relations(relation, users, add)
            .await
    }

    /// The profiles of `users`; unknown users are left out.
    pub async fn profiles(&self, users: Vec<UserId>) -> Result<Vec<Profile>, SdkError> {
        self.connected()?.profiles(users).await
    }

    /// Registers this device's push token with `vendor`, for messages that arrive while none
    /// of the user's devices is online (a Web Push subscription as JSON for `webpush`). A
    /// logout ends the device's registrations.
    pub async fn register_push(&self, vendor: Vendor, token: String) -> Result<(), SdkError> {
        self.connected()?
            .push_registration(vendor, Some(token))
            .await
            .map(drop)
    }

    /// Turns on Web Push for this browser: asks for permission to notify, registers the
    /// service worker at `worker_path` (which shows the notifications), subscribes with the
    /// server's VAPID key, and registers the subscription.
    #[cfg(target_arch = "wasm32")]
    pub async fn enable_web_push(&self, worker_path: &str) -> Result<(), SdkError> {
        self.connected()?;
        let token = crate::webpush::subscribe(&self.inner.upload_server, worker_path).await?;
        self.register_push(Vendor::Webpush, token).await
    }

    /// Removes this device's push registration with `vendor`; whether there was one.
    pub async fn unregister_push(&self, vendor: Vendor) -> Result<bool, SdkError> {
        let registered = self.connected()?.push_registration(vendor, None).await?;
        Ok(registered)
    }

    /// Changes this user's nickname and/or avatar; resolves with the new profile.
    pub async fn set_profile(
        &self,
        nick: Option<String>,
        avatar: Option<String>,
    ) -> Result<Profile, SdkError> {
        self.connected()?.set_profile(nick, avatar).await
    }
}
