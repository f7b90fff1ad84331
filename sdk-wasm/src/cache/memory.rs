//! An in-memory [`Cache`]: for native tests and for pages that must not persist anything.

use super::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct MemoryCache {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    cursor: Seq,
    account: u64,
    /// peer → key number → message.
    messages: HashMap<UserId, BTreeMap<u64, Message>>,
    conversations: HashMap<UserId, Conversation>,
    /// Key numbers of messages deleted on this device.
    deleted: std::collections::HashSet<u64>,
    /// (created, to, random) keeps the outbox in composition order.
    outbox: BTreeMap<(u64, UserId, u32), OutboxItem>,
    profiles: HashMap<UserId, Profile>,
    relations: HashMap<&'static str, Vec<RelationEntry>>,
}

#[async_trait(?Send)]
impl Cache for MemoryCache {
    async fn cursor(&self) -> CacheResult<Seq> {
        Ok(self.state.borrow().cursor)
    }

    async fn set_cursor(&self, seq: Seq) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        st.cursor = st.cursor.max(seq);
        Ok(())
    }

    async fn account(&self) -> CacheResult<u64> {
        Ok(self.state.borrow().account)
    }

    async fn reset(&self, account: u64) -> CacheResult<()> {
        *self.state.borrow_mut() = State {
            account,
            ..State::default()
        };
        Ok(())
    }

    async fn put_messages(&self, me: &UserId, messages: &[Message]) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        for m in messages
            .iter()
            .filter(|m| !st.deleted.contains(&m.key.id))
            .collect::<Vec<_>>()
        {
            st.messages
                .entry(m.peer_of(me).clone())
                .or_default()
                .insert(m.key.id, m.clone());
        }
        Ok(())
    }

    async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> CacheResult<Vec<Message>> {
        let st = self.state.borrow();
        let upper = before.map_or(u64::MAX, |k| k.id);
        Ok(st
            .messages
            .get(peer)
            .into_iter()
            .flat_map(|m| m.range(..upper).rev())
            .take(count as usize)
            .map(|(_, m)| m.clone())
            .collect())
    }

    async fn scan_messages(
        &self,
        _me: &UserId,
        peer: Option<&UserId>,
        _needles: Option<&(Vec<String>, bool)>,
        visit: &mut dyn FnMut(Message),
    ) -> CacheResult<()> {
        let st = self.state.borrow();
        let conversations = st
            .messages
            .iter()
            .filter(|(p, _)| peer.is_none_or(|want| want == *p));
        for (_, messages) in conversations {
            messages.values().cloned().for_each(&mut *visit);
        }
        Ok(())
    }

    async fn delete_message(&self, peer: &UserId, key: MessageKey) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        st.deleted.insert(key.id);
        if let Some(m) = st.messages.get_mut(peer) {
            m.remove(&key.id);
        }
        Ok(())
    }

    async fn clear_messages(&self) -> CacheResult<()> {
        self.state.borrow_mut().messages.clear();
        Ok(())
    }

    async fn set_conversations(&self, list: &[Conversation]) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        st.conversations = list.iter().map(|c| (c.peer.clone(), c.clone())).collect();
        Ok(())
    }

    async fn put_conversations(&self, list: &[Conversation]) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        for c in list {
            st.conversations.insert(c.peer.clone(), c.clone());
        }
        Ok(())
    }

    async fn conversations(&self) -> CacheResult<Vec<Conversation>> {
        let mut list: Vec<Conversation> = self
            .state
            .borrow()
            .conversations
            .values()
            .cloned()
            .collect();
        sort_conversations(&mut list);
        Ok(list)
    }

    async fn outbox_put(&self, item: &OutboxItem) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        st.outbox
            .retain(|(_, to, random), _| !(to == &item.to && *random == item.random));
        st.outbox.insert(
            (item.created_ms, item.to.clone(), item.random),
            item.clone(),
        );
        Ok(())
    }

    async fn outbox_remove(&self, to: &UserId, random: u32) -> CacheResult<()> {
        self.state
            .borrow_mut()
            .outbox
            .retain(|(_, t, r), _| !(t == to && *r == random));
        Ok(())
    }

    async fn outbox(&self) -> CacheResult<Vec<OutboxItem>> {
        Ok(self.state.borrow().outbox.values().cloned().collect())
    }

    async fn put_profiles(&self, profiles: &[Profile]) -> CacheResult<()> {
        let mut st = self.state.borrow_mut();
        for p in profiles {
            st.profiles.insert(p.user_id.clone(), p.clone());
        }
        Ok(())
    }

    async fn profile(&self, user: &UserId) -> CacheResult<Option<Profile>> {
        Ok(self.state.borrow().profiles.get(user).cloned())
    }

    async fn set_relations(
        &self,
        relation: Relation,
        entries: &[RelationEntry],
    ) -> CacheResult<()> {
        self.state
            .borrow_mut()
            .relations
            .insert(relation_name(relation), entries.to_vec());
        Ok(())
    }

    async fn relations(&self, relation: Relation) -> CacheResult<Vec<RelationEntry>> {
        Ok(self
            .state
            .borrow()
            .relations
            .get(relation_name(relation))
            .cloned()
            .unwrap_or_default())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    async fn open(_name: &str) -> super::MemoryCache {
        super::MemoryCache::default()
    }

    crate::cache::conformance::cache_conformance!(tokio::test, open);
}
