//! Presence (Tencent's `getUserStatus`, `subscribeUserStatus`): online or offline and last
//! seen, as [`protocol::presence`] describes it. A viewer sees a user's presence only where it
//! could message that user ([`SendChecks::refusal`]: not on its blacklist, friends when the app
//! is friends-only) and the user has not hidden it; otherwise [`Presence::Unknown`], the same as
//! for no such user. Whether a user is hidden, its custom status (Tencent's `setSelfStatus`)
//! and when it was last seen are kept as profile fields of its own, which no profile read
//! returns. A custom status lasts until it is set again or the user signs out of its last
//! device (`logout`), as Tencent's backend clears it.

use super::{Chat, check_user_count};
use crate::error::ChatError;
use crate::hub::Outbound;
use crate::storage::{CommitListener, Committed, SendChecks};
use protocol::presence::{MAX_CUSTOM_STATUS_BYTES, Presence, UserStatus};
use protocol::{ErrorCode, Relation, Seq, SyncEntry, SyncEvent, UserId};
use std::sync::Arc;

/// The profile field that hides a user's presence (JSON `true`).
const HIDDEN_TAG: &str = "Duet_PresenceHidden";
/// The profile field with the time a user's last device went offline (JSON number, ms).
const LAST_SEEN_TAG: &str = "Duet_LastSeen";
/// The profile field with a user's custom status (JSON string).
const CUSTOM_TAG: &str = "Duet_CustomStatus";

/// What is kept of a user's presence.
#[derive(Default)]
struct Kept {
    exists: bool,
    hidden: bool,
    last_seen_ms: u64,
    custom_status: String,
}

impl Chat {
    /// The presence of `users` as `viewer` may see it, in order.
    pub async fn statuses(
        &self,
        viewer: &UserId,
        users: &[UserId],
    ) -> Result<Vec<UserStatus>, ChatError> {
        check_user_count(users.len())?;
        let kept = self.kept(users).await?;
        let blocks = self
            .storage
            .check_relations(Relation::Blacklist, viewer, users)
            .await?;
        let friends = self
            .storage
            .check_relations(Relation::Friend, viewer, users)
            .await?;
        Ok(users
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let allowed = self.may_see(viewer, user, viewer, blocks[i], friends[i]);
                self.status(user, &kept[i], allowed, user == viewer)
            })
            .collect())
    }

    /// Makes connection `conn` of `viewer` follow `users` (or stop, without `subscribe`);
    /// answers their presence now when following.
    pub async fn subscribe_statuses(
        &self,
        viewer: &UserId,
        conn: u64,
        users: Vec<UserId>,
        subscribe: bool,
    ) -> Result<Vec<UserStatus>, ChatError> {
        check_user_count(users.len())?;
        if !subscribe {
            self.followers.unfollow(conn, &users);
            return Ok(Vec::new());
        }
        let online = |u: &UserId| self.hub.is_online(u);
        self.followers
            .follow(viewer, conn, &users, online)
            .map_err(|max| {
                ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!(
                        "a connection follows at most {max} users' status; unsubscribe some first"
                    ),
                )
            })?;
        self.statuses(viewer, &users).await
    }

    /// Hides `user`'s presence from everyone, or shows it again, and tells its followers.
    pub async fn hide_status(&self, user: &UserId, hidden: bool) -> Result<(), ChatError> {
        let value = serde_json::Value::Bool(hidden).to_string();
        self.change_status(user, HIDDEN_TAG, value).await?;
        Ok(())
    }

    /// Sets `user`'s custom status (empty clears it), tells its followers and its devices, and
    /// answers its own status.
    pub async fn set_custom_status(
        &self,
        user: &UserId,
        custom: String,
    ) -> Result<UserStatus, ChatError> {
        if custom.len() > MAX_CUSTOM_STATUS_BYTES {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!(
                    "customStatus is {} bytes; at most {MAX_CUSTOM_STATUS_BYTES}",
                    custom.len()
                ),
            ));
        }
        let value = serde_json::Value::String(custom).to_string();
        self.change_status(user, CUSTOM_TAG, value).await
    }

    /// Clears the custom status of `user`, who is signing out of its last device, so that the
    /// presence its followers are told next goes without it.
    pub async fn clear_custom_status(&self, user: &UserId) -> Result<(), ChatError> {
        self.storage
            .set_profile_tags(user, vec![(CUSTOM_TAG.to_owned(), "\"\"".to_owned())])
            .await?;
        Ok(())
    }

    /// Keeps profile field `tag` of `user`'s presence, tells everyone who follows it (on every
    /// node) and the user's own devices, and answers its own status.
    async fn change_status(
        &self,
        user: &UserId,
        tag: &str,
        value: String,
    ) -> Result<UserStatus, ChatError> {
        self.storage
            .set_profile_tags(user, vec![(tag.to_owned(), value)])
            .await?;
        self.hub.tell(Outbound::StatusChanged(user.clone()));
        self.tell_presence(user, true).await?;
        let kept = self.kept(std::slice::from_ref(user)).await?;
        let own = self.status(user, &kept[0], true, true);
        let entry = Arc::new(SyncEntry {
            seq: Seq(0),
            event: SyncEvent::Status {
                status: own.clone(),
            },
        });
        self.hub.committed(&[Committed {
            owner: user.clone(),
            entry,
            origin: None,
        }]);
        Ok(own)
    }

    /// Called when a device of `user` signs in or out: when that makes it come online or go
    /// offline, records the time it went offline and tells its followers. `force` tells them
    /// even when it did not (hiding).
    pub async fn tell_presence(&self, user: &UserId, force: bool) -> Result<(), ChatError> {
        let online = self.hub.is_online(user);
        if !online && !force {
            let now = self.clock.now_ms().to_string();
            self.storage
                .set_profile_tags(user, vec![(LAST_SEEN_TAG.to_owned(), now)])
                .await?;
        }
        self.tell_followers(user, online, force).await
    }

    /// Tells this node's followers of `user` that it is now `online` or not (or, with `force`,
    /// its status whatever it was). Another node's sign-in or sign-out comes here directly: the
    /// node where it happened keeps the last-seen time.
    pub async fn tell_followers(
        &self,
        user: &UserId,
        online: bool,
        force: bool,
    ) -> Result<(), ChatError> {
        let followers = self.followers.to_tell(user, online, force);
        if followers.is_empty() {
            return Ok(());
        }
        let kept = self.kept(std::slice::from_ref(user)).await?;
        let viewers: Vec<UserId> = followers.iter().map(|(v, _)| v.clone()).collect();
        let blocks = self
            .storage
            .check_relations(Relation::Blacklist, user, &viewers)
            .await?;
        let friends = self
            .storage
            .check_relations(Relation::Friend, user, &viewers)
            .await?;
        for (i, (viewer, conn)) in followers.iter().enumerate() {
            let allowed = self.may_see(viewer, user, user, blocks[i], friends[i]);
            let status = self.status(user, &kept[0], allowed, viewer == user);
            self.push_status(viewer, *conn, status);
        }
        Ok(())
    }

    fn push_status(&self, viewer: &UserId, conn: u64, status: UserStatus) {
        let entry = Arc::new(SyncEntry {
            seq: Seq(0),
            event: SyncEvent::Status { status },
        });
        self.hub.push_to(viewer, conn, entry);
    }

    /// Whether `viewer` may see `user`'s presence: where a message from the viewer would be
    /// allowed. `blocks` and `friends` are the blacklist and friend lists as
    /// `check_relations` reads them from `owner`'s side (the viewer's or the user's): (owner
    /// lists the other, the other lists owner).
    fn may_see(
        &self,
        viewer: &UserId,
        user: &UserId,
        owner: &UserId,
        blocks: (bool, bool),
        friends: (bool, bool),
    ) -> bool {
        if viewer == user || self.is_admin(viewer) {
            return true;
        }
        let checks = SendChecks {
            blacklist: true,
            friends: self.friends_only(),
        };
        let listed = |relation, listing: &UserId, _: &UserId| {
            let pair = if relation == Relation::Blacklist {
                blocks
            } else {
                friends
            };
            Ok::<_, ()>(if listing == owner { pair.0 } else { pair.1 })
        };
        matches!(checks.refusal(viewer, user, listed), Ok(None))
    }

    /// `user`'s status as a viewer sees it: `allowed` by the relationship rules, or `own`
    /// (the user itself, who sees its presence and whether it hid it).
    fn status(&self, user: &UserId, kept: &Kept, allowed: bool, own: bool) -> UserStatus {
        if !allowed || !kept.exists || (kept.hidden && !own) {
            return UserStatus::unknown(user.clone());
        }
        let online = self.hub.is_online(user);
        UserStatus {
            user_id: user.clone(),
            presence: if online {
                Presence::Online
            } else {
                Presence::Offline
            },
            last_seen_ms: if online { 0 } else { kept.last_seen_ms },
            custom_status: kept.custom_status.clone(),
            hidden: own && kept.hidden,
        }
    }

    /// What is kept of the presence of `users`, in order.
    async fn kept(&self, users: &[UserId]) -> Result<Vec<Kept>, ChatError> {
        let existing = self.storage.profiles(users).await?;
        let tags = self.storage.profile_tags(users).await?;
        Ok(users
            .iter()
            .map(|user| {
                let tag = |name: &str| {
                    tags.iter()
                        .find(|(u, t, _)| u == user && t == name)
                        .map(|(_, _, v)| v.as_str())
                };
                Kept {
                    exists: existing.iter().any(|p| &p.user_id == user),
                    hidden: tag(HIDDEN_TAG) == Some("true"),
                    last_seen_ms: tag(LAST_SEEN_TAG).and_then(|v| v.parse().ok()).unwrap_or(0),
                    custom_status: tag(CUSTOM_TAG)
                        .and_then(|v| serde_json::from_str(v).ok())
                        .unwrap_or_default(),
                }
            })
            .collect())
    }
}
