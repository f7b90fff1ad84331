//! The rules every storage backend applies the same way, kept here once so that a backend
//! differs from another only in how it stores: which sends are refused, which sync entries a
//! message and a recall make, when a recall applies, and how a conversation's state changes.
//! (Edits: [`super::MessageEdit`].)

use super::{
    ChangeKind, Committed, ConversationChange, Origin, SendChecks, StorageError, StorageResult,
};
use protocol::frame::MAX_CONVERSATION_GROUPS;
use protocol::{Message, MessageKey, Relation, Seq, SyncEntry, SyncEvent, UserId};
use std::sync::Arc;

/// A list entry a send's checks look up: whether `owner`'s list of `relation` holds `peer`.
pub(crate) type Lookup = (Relation, UserId, UserId);

impl SendChecks {
    /// The list entries [`SendChecks::refusal`] reads for a send from `from` to `to`, for a
    /// caller that must fetch them first.
    pub(crate) fn lookups(&self, from: &UserId, to: &UserId) -> Vec<Lookup> {
        let mut needed = Vec::new();
        if self.blacklist {
            needed.push((Relation::Blacklist, to.clone(), from.clone()));
        }
        if self.friends {
            needed.push((Relation::Friend, from.clone(), to.clone()));
            needed.push((Relation::Friend, to.clone(), from.clone()));
        }
        needed
    }

    /// Why a send from `from` to `to` is refused, if it is: the recipient's blacklist holds
    /// the sender (`Blocked`), or the app is friends-only and the two do not each list the
    /// other (`NotFriends`). `listed` answers the lookups [`SendChecks::lookups`] names.
    pub(crate) fn refusal<E>(
        &self,
        from: &UserId,
        to: &UserId,
        mut listed: impl FnMut(Relation, &UserId, &UserId) -> Result<bool, E>,
    ) -> Result<Option<StorageError>, E> {
        if self.blacklist && listed(Relation::Blacklist, to, from)? {
            return Ok(Some(StorageError::Blocked));
        }
        if self.friends
            && !(listed(Relation::Friend, from, to)? && listed(Relation::Friend, to, from)?)
        {
            return Ok(Some(StorageError::NotFriends));
        }
        Ok(None)
    }
}

/// Whether setting these fields of a friendship changes the owner's friend groups, so that
/// its devices must read them again.
pub(crate) fn regroups(fields: &[(String, String)]) -> bool {
    fields
        .iter()
        .any(|(tag, _)| tag == crate::chat::friend_fields::GROUP)
}

/// Whether a friendship with these fields is in any friend group: when it ends, the groups
/// it was in change too.
pub(crate) fn in_groups(fields: &std::collections::BTreeMap<String, String>) -> bool {
    fields
        .get(crate::chat::friend_fields::GROUP)
        .is_some_and(|names| !matches!(names.trim(), "" | "[]"))
}

/// Whether a change of the friend groups themselves changes anything.
pub(crate) fn groups_change(add: &[String], remove: &[String]) -> bool {
    !(add.is_empty() && remove.is_empty())
}

/// The change feed's entries for a new message: in the recipient's log at `recipient_seq`, and
/// in the sender's at `sender_seq` when its other devices get it, marked with the connection
/// that sent it.
pub(crate) fn message_entries(
    message: &Message,
    recipient_seq: Seq,
    sender_seq: Option<Seq>,
    origin: Option<Origin>,
) -> Vec<Committed> {
    let event = SyncEvent::Message {
        message: message.clone(),
    };
    let mut entries = vec![Committed {
        owner: message.to.clone(),
        entry: Arc::new(SyncEntry {
            seq: recipient_seq,
            event: event.clone(),
        }),
        origin: None,
    }];
    if let Some(seq) = sender_seq {
        entries.push(Committed {
            owner: message.from.clone(),
            entry: Arc::new(SyncEntry { seq, event }),
            origin,
        });
    }
    entries
}

/// What a user keeps about one of its conversations for all of its devices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationState {
    /// First in the list.
    pub pinned: bool,
    /// The text being written there (empty: none).
    pub draft: String,
    /// The user's marks, one bit each (Tencent's mark types).
    pub marks: u64,
    /// The app's own data about the conversation (empty: none).
    pub custom_data: String,
    /// The user's conversation groups it is in, in the order it joined them.
    pub groups: Vec<String>,
}

impl ConversationState {
    /// Refuses `change` when it puts the conversation in a group the user does not have yet
    /// and the user's conversations are in [`MAX_CONVERSATION_GROUPS`] groups already, once
    /// the group it leaves is counted out; `others` are the groups of the user's other
    /// conversations.
    pub(crate) fn check_groups<'a>(
        &'a self,
        change: &ConversationChange,
        others: impl Iterator<Item = &'a String> + Clone,
    ) -> StorageResult<()> {
        let Some(joined) = &change.join_group else {
            return Ok(());
        };
        if self.groups.contains(joined) || others.clone().any(|g| g == joined) {
            return Ok(());
        }
        let kept = (self.groups.iter()).filter(|g| Some(*g) != change.leave_group.as_ref());
        let mut names: Vec<&String> = others.chain(kept).collect();
        names.sort_unstable();
        names.dedup();
        match names.len() < MAX_CONVERSATION_GROUPS {
            true => Ok(()),
            false => Err(StorageError::ConversationGroupsFull),
        }
    }

    /// Applies `change` to the stored state and returns the entry that records the whole
    /// state, for the owner's log.
    pub(crate) fn change(&mut self, peer: &UserId, change: &ConversationChange) -> SyncEvent {
        if let Some(p) = change.pinned {
            self.pinned = p;
        }
        if let Some(d) = &change.draft {
            d.clone_into(&mut self.draft);
        }
        self.marks = (self.marks | change.mark) & !change.unmark;
        if let Some(d) = &change.custom_data {
            d.clone_into(&mut self.custom_data);
        }
        if let Some(left) = &change.leave_group {
            self.groups.retain(|g| g != left);
        }
        if let Some(joined) = &change.join_group
            && !self.groups.contains(joined)
        {
            self.groups.push(joined.clone());
        }
        SyncEvent::ConversationState {
            peer: peer.clone(),
            pinned: self.pinned,
            draft: self.draft.clone(),
            marks: self.marks,
            custom_data: self.custom_data.clone(),
            conversation_groups: self.groups.clone(),
        }
    }
}

/// The change feed's entry for an edit of or a reaction to `message`, at `seq` in `owner`'s
/// log (sent to every device of both users, the changing one too).
pub(crate) fn changed_entry(
    owner: &UserId,
    seq: Seq,
    kind: ChangeKind,
    message: &Message,
) -> Committed {
    Committed {
        owner: owner.clone(),
        entry: Arc::new(SyncEntry {
            seq,
            event: kind.event(message.clone()),
        }),
        origin: None,
    }
}

/// Recalls the stored `message` found by its key, when it is the one from `from` to `to` and
/// not recalled yet: its content goes, it keeps its place.
pub(crate) fn recall(message: &mut Message, from: &UserId, to: &UserId) -> StorageResult<()> {
    if &message.from != from || &message.to != to {
        return Err(StorageError::MessageNotFound);
    }
    if message.recalled {
        return Err(StorageError::AlreadyRecalled);
    }
    message.recall();
    Ok(())
}

/// The `Recalled` entries a recall of `message` appends: one in each user's log, naming the
/// other user.
pub(crate) fn recall_events(message: &Message) -> [(UserId, SyncEvent); 2] {
    let event = |peer: &UserId, key: MessageKey| SyncEvent::Recalled {
        peer: peer.clone(),
        key,
    };
    [
        (message.from.clone(), event(&message.to, message.key)),
        (message.to.clone(), event(&message.from, message.key)),
    ]
}
