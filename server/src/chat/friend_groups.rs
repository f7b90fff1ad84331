//! A user's friend groups. A group is the owner's; its members are the friendships whose
//! `Tag_SNS_IM_Group` names it. The REST API's `group_*` commands and the WebSocket's
//! `friend_group_*` requests share these rules.

use super::friend_fields::{self, GROUP};
use super::{Chat, check_user_count};
use crate::error::ChatError;
use protocol::frame::{FriendGroup, UserResult};
use protocol::{ErrorCode, Relation, UserId};
use serde_json::Value;

/// Most friend groups one user has, as in Tencent IM.
const GROUPS_MAX: usize = 32;

impl Chat {
    /// `owner`'s friend groups, by name, each with its members.
    pub async fn friend_groups(&self, owner: &UserId) -> Result<Vec<FriendGroup>, ChatError> {
        let names = self.storage.friend_groups(owner).await?;
        let members = self.memberships(owner).await?;
        Ok(names
            .into_iter()
            .map(|name| FriendGroup {
                users: members
                    .iter()
                    .filter(|(_, groups)| groups.contains(&name))
                    .map(|(peer, _)| peer.clone())
                    .collect(),
                name,
            })
            .collect())
    }

    /// A user's change of one group (the WebSocket's `friend_group_change`): with `add`, makes
    /// it and puts `users` in it; without, takes them out of it, or deletes it when `users` is
    /// empty. One result per user, in order.
    pub async fn change_friend_group(
        &self,
        me: &UserId,
        name: String,
        add: bool,
        users: Vec<UserId>,
    ) -> Result<Vec<UserResult>, ChatError> {
        let outcomes = match (add, users.is_empty()) {
            (true, _) => self.add_to_friend_groups(me, vec![name], &users).await?,
            (false, true) => {
                self.delete_friend_groups(me, vec![name]).await?;
                Vec::new()
            }
            (false, false) => self.remove_from_friend_group(me, &name, &users).await?,
        };
        Ok(users
            .into_iter()
            .zip(outcomes)
            .map(|(user_id, outcome)| {
                let (code, message) = match outcome {
                    Ok(()) => (ErrorCode(0), String::new()),
                    Err(e) => (e.code, e.message),
                };
                UserResult {
                    user_id,
                    code,
                    message,
                }
            })
            .collect())
    }

    /// Makes the groups `names` (unless `owner` would then have more than [`GROUPS_MAX`]) and
    /// puts `users` in them; one result per user, in order (30001 for one who is not a
    /// friend).
    pub async fn add_to_friend_groups(
        &self,
        owner: &UserId,
        names: Vec<String>,
        users: &[UserId],
    ) -> Result<Vec<Result<(), ChatError>>, ChatError> {
        check_user_count(users.len())?;
        friend_fields::check(GROUP, &Value::from(names.clone()), false)?;
        self.make_friend_groups(owner, names.clone()).await?;
        self.regroup(owner, users, |groups| groups.extend(names.iter().cloned()))
            .await
    }

    /// Takes `users` out of the group `name`; one result per user, in order.
    pub async fn remove_from_friend_group(
        &self,
        owner: &UserId,
        name: &str,
        users: &[UserId],
    ) -> Result<Vec<Result<(), ChatError>>, ChatError> {
        check_user_count(users.len())?;
        self.regroup(owner, users, |groups| groups.retain(|g| g != name))
            .await
    }

    /// Changes the groups of `owner`'s friendship with each of `users`; one result per user,
    /// in order (30001 for one who is not a friend).
    async fn regroup(
        &self,
        owner: &UserId,
        users: &[UserId],
        change: impl Fn(&mut Vec<String>),
    ) -> Result<Vec<Result<(), ChatError>>, ChatError> {
        let members = self.memberships(owner).await?;
        let mut results = Vec::with_capacity(users.len());
        for peer in users {
            let result = match members.iter().find(|(p, _)| p == peer) {
                Some((_, groups)) => {
                    let mut groups = groups.clone();
                    change(&mut groups);
                    self.set_groups(owner, peer, groups).await
                }
                None => Err(not_friend(peer)),
            };
            results.push(result);
        }
        Ok(results)
    }

    /// Deletes `owner`'s groups `names`; they leave every friendship. Fails, deleting none,
    /// when one does not exist.
    pub async fn delete_friend_groups(
        &self,
        owner: &UserId,
        names: Vec<String>,
    ) -> Result<(), ChatError> {
        friend_fields::check(GROUP, &Value::from(names.clone()), false)?;
        let known = self.storage.friend_groups(owner).await?;
        if let Some(missing) = names.iter().find(|g| !known.contains(g)) {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("{owner} has no friend group {missing:?}"),
            ));
        }
        Ok(self
            .storage
            .change_friend_groups(owner, Vec::new(), names, self.clock.now_ms())
            .await?)
    }

    /// Renames `owner`'s group `old` to `new`, its friends staying in it; the group as it is
    /// then. Fails when `old` does not exist or `new` does (another name than `old`).
    pub async fn rename_friend_group(
        &self,
        owner: &UserId,
        old: &str,
        new: &str,
    ) -> Result<FriendGroup, ChatError> {
        friend_fields::check(GROUP, &Value::from(vec![old, new]), false)?;
        let known = self.storage.friend_groups(owner).await?;
        let refused = if !known.iter().any(|g| g == old) {
            Some(format!("{owner} has no friend group {old:?}"))
        } else if old != new && known.iter().any(|g| g == new) {
            Some(format!("{owner} has a friend group {new:?} already"))
        } else {
            None
        };
        if let Some(message) = refused {
            return Err(ChatError::new(ErrorCode::INVALID_ARGUMENT, message));
        }
        if old != new {
            let now_ms = self.clock.now_ms();
            (self.storage.rename_friend_group(owner, old, new, now_ms)).await?;
        }
        let groups = self.friend_groups(owner).await?;
        let renamed = groups.into_iter().find(|g| g.name == new);
        renamed.ok_or_else(|| ChatError::new(ErrorCode::INTERNAL, "the renamed group is gone"))
    }

    /// Makes the groups `names`, unless `owner` would then have more than [`GROUPS_MAX`].
    pub async fn make_friend_groups(
        &self,
        owner: &UserId,
        names: Vec<String>,
    ) -> Result<(), ChatError> {
        if names.is_empty() {
            return Ok(());
        }
        let mut all = self.storage.friend_groups(owner).await?;
        let new: Vec<String> = names.into_iter().filter(|n| !all.contains(n)).collect();
        if new.is_empty() {
            return Ok(());
        }
        all.extend(new.iter().cloned());
        all.sort();
        all.dedup();
        if all.len() > GROUPS_MAX {
            return Err(ChatError::new(
                ErrorCode::RELATION_LIST_FULL,
                format!("a user has at most {GROUPS_MAX} friend groups"),
            ));
        }
        Ok(self
            .storage
            .change_friend_groups(owner, new, Vec::new(), self.clock.now_ms())
            .await?)
    }

    /// The groups each friendship of `owner` names, by peer.
    async fn memberships(&self, owner: &UserId) -> Result<Vec<(UserId, Vec<String>)>, ChatError> {
        let friends = self.relations(owner, Relation::Friend).await?;
        let kept = self.storage.friend_fields(owner).await?;
        Ok(friends
            .into_iter()
            .map(|f| {
                let fields = kept.iter().find(|(p, _)| p == &f.user_id).map(|(_, x)| x);
                let groups = friend_fields::read(GROUP, fields, f.since_ms);
                let names = serde_json::from_value(groups).unwrap_or_default();
                (f.user_id, names)
            })
            .collect())
    }

    /// Sets the groups of `owner`'s friendship with `peer`.
    async fn set_groups(
        &self,
        owner: &UserId,
        peer: &UserId,
        mut groups: Vec<String>,
    ) -> Result<(), ChatError> {
        groups.sort();
        groups.dedup();
        let value = friend_fields::check(GROUP, &Value::from(groups), false)?;
        let field = vec![(GROUP.to_owned(), value)];
        let now_ms = self.clock.now_ms();
        match self
            .storage
            .set_friend_fields(owner, peer, field, now_ms)
            .await?
        {
            true => Ok(()),
            false => Err(not_friend(peer)),
        }
    }
}

fn not_friend(peer: &UserId) -> ChatError {
    ChatError::new(
        ErrorCode::RELATION_INVALID,
        format!("{peer} is not on the friend list"),
    )
}
