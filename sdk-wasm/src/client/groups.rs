//! The user's conversation groups (Tencent's): named sets of its conversations, kept as each
//! conversation's [`Conversation::conversation_groups`]. A group is there while a conversation
//! is in it; the events that tell of them are worked out from the conversation list.

use super::Client;
use crate::cache::Cache;
use crate::error::SdkError;
use crate::event::Event;
use protocol::{Conversation, UserId};

/// Each group's name and the peers of the conversations in it, by name.
#[derive(Default, PartialEq)]
pub(super) struct Memberships(Vec<(String, Vec<UserId>)>);

impl Memberships {
    pub(super) fn of(list: &[Conversation]) -> Self {
        let mut groups: Vec<(String, Vec<UserId>)> = Vec::new();
        for c in list {
            for name in &c.conversation_groups {
                match groups.iter_mut().find(|(n, _)| n == name) {
                    Some((_, peers)) => peers.push(c.peer.clone()),
                    None => groups.push((name.clone(), vec![c.peer.clone()])),
                }
            }
        }
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self(groups)
    }

    pub(super) fn names(&self) -> Vec<String> {
        self.0.iter().map(|(name, _)| name.clone()).collect()
    }

    fn members(&self, name: &str) -> Option<&Vec<UserId>> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, peers)| peers)
    }
}

impl<C: Cache + 'static> Client<C> {
    /// The user's conversation groups as the cache holds them now (a change made here is
    /// there once it resolves; the events follow later): each name, by name, with the peers of
    /// the conversations in it.
    pub async fn conversation_groups(&self) -> Result<Vec<(String, Vec<UserId>)>, SdkError> {
        Ok(Memberships::of(&self.conversations().await?).0)
    }

    /// Follows the groups with a new conversation list: when they changed since the last one,
    /// announces the names ([`Event::ConversationGroupsUpdated`]) and each group whose
    /// conversations changed ([`Event::ConversationGroupUpdated`]), after the list itself.
    pub(super) fn observe_groups(&self, list: &[Conversation]) {
        let now = Memberships::of(list);
        let before = self.inner.groups.replace(Memberships::default());
        if now == before {
            *self.inner.groups.borrow_mut() = now;
            return;
        }
        let mut events = Vec::new();
        if now.names() != before.names() {
            events.push(Event::ConversationGroupsUpdated(now.names()));
        }
        let mut names = now.names();
        names.extend(before.names());
        names.sort_unstable();
        names.dedup();
        for name in names {
            let members = now.members(&name);
            if members != before.members(&name) {
                let conversations = list
                    .iter()
                    .filter(|c| members.is_some_and(|m| m.contains(&c.peer)))
                    .cloned()
                    .collect();
                events.push(Event::ConversationGroupUpdated {
                    group: name,
                    conversations,
                });
            }
        }
        *self.inner.groups.borrow_mut() = now;
        let client = self.clone();
        crate::runtime::spawn(async move {
            for event in events {
                (client.inner.listener)(event);
            }
        });
    }
}
