//! A user's conversation groups, changed a group at a time (the REST API's
//! `create_contact_group`, `update_contact_group` and `del_contact_group`). A group is a name
//! in its conversations' state, there while a conversation is in it; the SDK changes it one
//! conversation at a time through [`Chat::set_conversation`], and so do these, for every
//! conversation the change touches, each told to all of the user's devices.

use super::{Chat, check_group_name};
use crate::error::ChatError;
use protocol::frame::ConversationChange;
use protocol::{ErrorCode, UserId};

/// `owner`'s conversation list as the group commands read it, once per command: the peers
/// listed, and each group's name, by name, with the peers of the conversations in it.
struct Listing {
    peers: Vec<UserId>,
    groups: Vec<(String, Vec<UserId>)>,
}

impl Listing {
    /// The peers of the conversations in group `name`, if there is one.
    fn members(&self, name: &str) -> Option<&[UserId]> {
        (self.groups.iter())
            .find(|(n, _)| n == name)
            .map(|(_, peers)| peers.as_slice())
    }

    fn existing(&self, name: &str) -> Result<&[UserId], ChatError> {
        self.members(name).ok_or_else(|| no_group(name))
    }

    fn refuse_taken(&self, name: &str) -> Result<(), ChatError> {
        match self.members(name) {
            Some(_) => Err(invalid(format!(
                "there is already a conversation group named {name}"
            ))),
            None => Ok(()),
        }
    }
}

/// One outcome per conversation a change names, in order.
pub type Outcomes = Vec<Result<(), ChatError>>;

impl Chat {
    /// Makes group `name` of `owner`'s conversations with `peers`: fails when `owner` has a
    /// group of that name already. A conversation that cannot join fails alone.
    pub async fn create_conversation_group(
        &self,
        owner: &UserId,
        name: &str,
        peers: Vec<UserId>,
    ) -> Result<Outcomes, ChatError> {
        check_group_name(name)?;
        if peers.is_empty() {
            return Err(invalid(
                "a conversation group starts with a conversation: it is there while one is in it"
                    .into(),
            ));
        }
        let listing = self.listing(owner).await?;
        listing.refuse_taken(name)?;
        let changes = peers.into_iter().map(|p| (p, join(name))).collect();
        Ok(self.change_conversations(owner, &listing, changes).await)
    }

    /// Adds (`true`) or removes conversations of `owner`'s group `name`, which must exist.
    /// A conversation that cannot change fails alone; removing the last one ends the group.
    pub async fn change_conversation_group(
        &self,
        owner: &UserId,
        name: &str,
        changes: Vec<(UserId, bool)>,
    ) -> Result<Outcomes, ChatError> {
        let listing = self.listing(owner).await?;
        listing.existing(name)?;
        let changes = changes
            .into_iter()
            .map(|(peer, add)| (peer, if add { join(name) } else { leave(name) }))
            .collect();
        Ok(self.change_conversations(owner, &listing, changes).await)
    }

    /// Renames `owner`'s group `old` to `new`, which no group of its may have.
    pub async fn rename_conversation_group(
        &self,
        owner: &UserId,
        old: &str,
        new: &str,
    ) -> Result<(), ChatError> {
        check_group_name(new)?;
        let listing = self.listing(owner).await?;
        let members = listing.existing(old)?;
        if old == new {
            return Ok(());
        }
        listing.refuse_taken(new)?;
        let change = ConversationChange {
            leave_group: Some(old.to_owned()),
            join_group: Some(new.to_owned()),
            ..ConversationChange::default()
        };
        let changes = members
            .iter()
            .map(|p| (p.clone(), change.clone()))
            .collect();
        (self.change_conversations(owner, &listing, changes).await)
            .into_iter()
            .collect()
    }

    /// Deletes `owner`'s groups `names`; their conversations stay. Fails, deleting none,
    /// when one of them does not exist.
    pub async fn delete_conversation_groups(
        &self,
        owner: &UserId,
        names: &[String],
    ) -> Result<(), ChatError> {
        let listing = self.listing(owner).await?;
        let mut names: Vec<&String> = names.iter().collect();
        names.sort_unstable();
        names.dedup();
        let mut changes = Vec::new();
        for name in names {
            let peers = listing.existing(name)?;
            changes.extend(peers.iter().map(|p| (p.clone(), leave(name))));
        }
        (self.change_conversations(owner, &listing, changes).await)
            .into_iter()
            .collect()
    }

    async fn listing(&self, owner: &UserId) -> Result<Listing, ChatError> {
        let mut listing = Listing {
            peers: Vec::new(),
            groups: Vec::new(),
        };
        for c in self.conversations(owner).await? {
            for name in c.conversation_groups {
                match listing.groups.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, peers)) => peers.push(c.peer.clone()),
                    None => listing.groups.push((name, vec![c.peer.clone()])),
                }
            }
            listing.peers.push(c.peer);
        }
        Ok(listing)
    }

    /// Makes each change, all queued before any is awaited so that they commit together. A
    /// conversation not in `owner`'s list (none yet, or deleted from it until a new message
    /// comes) is not changed: its groups could not be seen.
    async fn change_conversations(
        &self,
        owner: &UserId,
        listing: &Listing,
        changes: Vec<(UserId, ConversationChange)>,
    ) -> Outcomes {
        let queued: Vec<_> = changes
            .into_iter()
            .map(|(peer, change)| match listing.peers.contains(&peer) {
                true => self.set_conversation(owner, &peer, change, None),
                false => Err(ChatError::new(
                    ErrorCode::CONVERSATION_NOT_FOUND,
                    format!("{owner} has no conversation with {peer} in its list"),
                )),
            })
            .collect();
        let mut outcomes = Vec::with_capacity(queued.len());
        for queued in queued {
            outcomes.push(match queued {
                Ok(pending) => pending.await.map(drop).map_err(ChatError::from),
                Err(e) => Err(e),
            });
        }
        outcomes
    }
}

fn join(name: &str) -> ConversationChange {
    ConversationChange {
        join_group: Some(name.to_owned()),
        ..ConversationChange::default()
    }
}

fn leave(name: &str) -> ConversationChange {
    ConversationChange {
        leave_group: Some(name.to_owned()),
        ..ConversationChange::default()
    }
}

fn no_group(name: &str) -> ChatError {
    invalid(format!("there is no conversation group named {name}"))
}

fn invalid(message: String) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}
