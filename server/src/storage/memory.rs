//! An in-memory [`Storage`]: the reference behaviour the SQLite backend is checked against, and
//! a store for tests and throwaway runs. Everything sits behind one mutex; commits publish to
//! the listener while it is held, so the change feed is in commit order.

use super::*;
use protocol::SyncEvent;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

pub struct MemoryStorage {
    state: Mutex<State>,
    retention: Retention,
    listener: Arc<dyn CommitListener>,
}

#[derive(Default)]
struct State {
    users: HashMap<UserId, User>,
    messages: BTreeMap<u64, Stored>,
    by_conv: HashMap<String, BTreeSet<u64>>,
    by_random: HashMap<(UserId, UserId, u32), Vec<u64>>,
    next_id: u64,
    last_time_ms: u64,
    closed: bool,
}

struct Stored {
    message: Message,
    body_json: String,
    sender_seq: Seq,
}

#[derive(Default)]
struct User {
    nick: String,
    avatar: String,
    latest: u64,
    log: VecDeque<LogEntry>,
    log_bytes: u64,
    contacts: HashMap<UserId, Contact>,
}

struct LogEntry {
    seq: Seq,
    time_ms: u64,
    size: u64,
    item: LogItem,
}

enum LogItem {
    Message(u64),
    Read { peer: UserId, up_to: Option<MessageKey> },
}

struct Contact {
    /// Messages with ids up to this one count as read.
    read_up_to: u64,
    created_ms: u64,
}

impl MemoryStorage {
    pub fn new(retention: Retention, listener: Arc<dyn CommitListener>) -> Self {
        Self { state: Mutex::new(State::default()), retention, listener }
    }

    fn lock(&self) -> StorageResult<std::sync::MutexGuard<'_, State>> {
        let state = self.state.lock().map_err(|_| StorageError::Corrupt("lock poisoned".into()))?;
        if state.closed {
            return Err(StorageError::Closed);
        }
        Ok(state)
    }

    fn send_now(&self, msg: NewMessage) -> StorageResult<Sent> {
        let mut st = self.lock()?;
        for u in [&msg.to, &msg.from] {
            if !st.users.contains_key(u) {
                return Err(StorageError::UnknownUser(u.clone()));
            }
        }
        let body_json = serde_json::to_string(&msg.elements)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let dedupe = (msg.from.clone(), msg.to.clone(), msg.random);
        if let Some(ids) = st.by_random.get(&dedupe) {
            for id in ids {
                let s = &st.messages[id];
                if s.body_json == body_json && s.message.cloud_custom_data == msg.cloud_custom_data {
                    return Ok(Sent { message: s.message.clone(), sender_seq: s.sender_seq, duplicate: true });
                }
            }
        }
        st.next_id += 1;
        let id = st.next_id;
        let time_ms = msg.now_ms.max(st.last_time_ms);
        st.last_time_ms = time_ms;
        let sender = &st.users[&msg.from];
        let message = Message {
            key: message_key(id, msg.random, time_ms),
            from: msg.from.clone(),
            to: msg.to.clone(),
            time_ms,
            random: msg.random,
            elements: msg.elements,
            cloud_custom_data: msg.cloud_custom_data,
            nick: sender.nick.clone(),
            avatar: sender.avatar.clone(),
        };
        let size = message_bytes(&body_json, message.cloud_custom_data.as_deref());
        let offline_bytes = self.retention.offline_bytes;
        let recipient_seq = st.users.get_mut(&msg.to).expect("checked above").append(time_ms, size, LogItem::Message(id), offline_bytes);
        let sender_seq = st.users.get_mut(&msg.from).expect("checked above").append(time_ms, size, LogItem::Message(id), offline_bytes);
        st.by_conv.entry(conv_key(&msg.from, &msg.to)).or_default().insert(id);
        st.by_random.entry(dedupe).or_default().push(id);
        st.messages.insert(id, Stored { message: message.clone(), body_json, sender_seq });
        // A new conversation starts read up to just before its first message for the recipient.
        let cap = self.retention.contacts_cap;
        st.ensure_contact(&msg.to, &msg.from, id - 1, time_ms, cap);
        st.ensure_contact(&msg.from, &msg.to, id, time_ms, cap);
        let event = SyncEvent::Message { message: message.clone() };
        self.listener.committed(&[
            Committed {
                owner: msg.to,
                entry: Arc::new(SyncEntry { seq: recipient_seq, event: event.clone() }),
                origin: None,
            },
            Committed { owner: msg.from, entry: Arc::new(SyncEntry { seq: sender_seq, event }), origin: msg.origin },
        ]);
        Ok(Sent { message, sender_seq, duplicate: false })
    }

    fn mark_read_now(&self, owner: &UserId, peer: &UserId, now_ms: u64, origin: Option<Origin>) -> StorageResult<Seq> {
        let mut st = self.lock()?;
        if !st.users.contains_key(owner) {
            return Err(StorageError::UnknownUser(owner.clone()));
        }
        let last_id = st.last_id(&conv_key(owner, peer));
        let up_to = last_id.and_then(|id| st.messages.get(&id)).map(|s| s.message.key);
        let offline_bytes = self.retention.offline_bytes;
        let last_time_ms = st.last_time_ms;
        let user = st.users.get_mut(owner).expect("checked above");
        if let (Some(c), Some(id)) = (user.contacts.get_mut(peer), last_id) {
            c.read_up_to = c.read_up_to.max(id);
        }
        let item = LogItem::Read { peer: peer.clone(), up_to };
        let seq = user.append(now_ms.max(last_time_ms), READ_ENTRY_BYTES, item, offline_bytes);
        let event = SyncEvent::Read { peer: peer.clone(), up_to };
        self.listener.committed(&[Committed { owner: owner.clone(), entry: Arc::new(SyncEntry { seq, event }), origin }]);
        Ok(seq)
    }
}

impl State {
    /// The newest message id of a conversation, expired or not.
    fn last_id(&self, conv: &str) -> Option<u64> {
        self.by_conv.get(conv).and_then(|ids| ids.last().copied())
    }

    /// Adds `owner`'s conversation with `peer` if new, evicting the least recently active one
    /// past the cap.
    fn ensure_contact(&mut self, owner: &UserId, peer: &UserId, read_up_to: u64, now_ms: u64, cap: usize) {
        let user = self.users.get_mut(owner).expect("caller checked the account");
        if user.contacts.contains_key(peer) {
            return;
        }
        user.contacts.insert(peer.clone(), Contact { read_up_to, created_ms: now_ms });
        if user.contacts.len() <= cap {
            return;
        }
        let user = &self.users[owner];
        let oldest = user
            .contacts
            .iter()
            .min_by_key(|(p, c)| (self.last_id(&conv_key(owner, p)).unwrap_or(0), c.created_ms))
            .map(|(p, _)| p.clone())
            .expect("over the cap, so not empty");
        self.users.get_mut(owner).expect("present").contacts.remove(&oldest);
    }
}

impl User {
    fn append(&mut self, time_ms: u64, size: u64, item: LogItem, cap_bytes: u64) -> Seq {
        self.latest += 1;
        let seq = Seq(self.latest);
        self.log.push_back(LogEntry { seq, time_ms, size, item });
        self.log_bytes += size;
        // The newest entry always stays, as in the SQLite store.
        while self.log_bytes > cap_bytes && self.log.len() > 1 {
            let old = self.log.pop_front().expect("more than one entry");
            self.log_bytes -= old.size;
        }
        seq
    }
}

#[async_trait]
impl Storage for MemoryStorage {
    async fn ensure_user(&self, user: &UserId, _now_ms: u64) -> StorageResult<Account> {
        let mut st = self.lock()?;
        let u = st.users.entry(user.clone()).or_default();
        Ok(Account {
            id: user.clone(),
            nick: u.nick.clone(),
            avatar: u.avatar.clone(),
            latest_seq: Seq(u.latest),
        })
    }

    fn send(&self, msg: NewMessage) -> Pending<Sent> {
        let result = self.send_now(msg);
        Box::pin(async move { result })
    }

    fn mark_read(&self, owner: &UserId, peer: &UserId, now_ms: u64, origin: Option<Origin>) -> Pending<Seq> {
        let result = self.mark_read_now(owner, peer, now_ms, origin);
        Box::pin(async move { result })
    }

    async fn sync(&self, user: &UserId, after: Seq, limit: u32, now_ms: u64) -> StorageResult<SyncPage> {
        let st = self.lock()?;
        let u = st.users.get(user).ok_or_else(|| StorageError::UnknownUser(user.clone()))?;
        let log_cutoff = self.retention.offline_cutoff(now_ms);
        let msg_cutoff = self.retention.roaming_cutoff(now_ms);
        let latest = Seq(u.latest);
        let retained = || u.log.iter().filter(|e| e.time_ms >= log_cutoff);
        let first_retained = retained().next().map_or(Seq(u.latest + 1), |e| e.seq);
        let scanned: Vec<&LogEntry> =
            retained().filter(|e| e.seq > after).take(limit.max(1) as usize).collect();
        let mut entries = Vec::with_capacity(scanned.len());
        for e in &scanned {
            let event = match &e.item {
                LogItem::Message(id) => match st.messages.get(id) {
                    Some(s) if s.message.time_ms >= msg_cutoff => {
                        SyncEvent::Message { message: s.message.clone() }
                    }
                    _ => continue,
                },
                LogItem::Read { peer, up_to } => SyncEvent::Read { peer: peer.clone(), up_to: *up_to },
            };
            entries.push(SyncEntry { seq: e.seq, event });
        }
        let (next, complete, gap) =
            sync_bounds(after, latest, first_retained, scanned.len(), limit.max(1), scanned.last().map(|e| e.seq));
        Ok(SyncPage { entries, next, complete, gap })
    }

    async fn conversations(&self, owner: &UserId, now_ms: u64) -> StorageResult<Vec<Conversation>> {
        let st = self.lock()?;
        let u = st.users.get(owner).ok_or_else(|| StorageError::UnknownUser(owner.clone()))?;
        let cutoff = self.retention.roaming_cutoff(now_ms);
        let mut list: Vec<(&UserId, &Contact, u64)> = u
            .contacts
            .iter()
            .map(|(peer, c)| (peer, c, st.last_id(&conv_key(owner, peer)).unwrap_or(0)))
            .collect();
        list.sort_by_key(|&(_, c, last_id)| std::cmp::Reverse((last_id, c.created_ms)));
        Ok(list
            .into_iter()
            .map(|(peer, c, last_id)| {
                let profile = st.users.get(peer);
                let live = |id: &u64| st.messages.get(id).filter(|s| s.message.time_ms >= cutoff);
                let last_message = live(&last_id).map(|s| s.message.clone());
                let unread = st
                    .by_conv
                    .get(&conv_key(owner, peer))
                    .into_iter()
                    .flat_map(|ids| ids.range(c.read_up_to + 1..))
                    .filter_map(live)
                    .filter(|s| &s.message.from == peer)
                    .count() as u32;
                Conversation {
                    peer: peer.clone(),
                    peer_nick: profile.map(|p| p.nick.clone()).unwrap_or_default(),
                    peer_avatar: profile.map(|p| p.avatar.clone()).unwrap_or_default(),
                    updated_ms: last_message.as_ref().map_or(c.created_ms, |m| m.time_ms),
                    last_message,
                    unread,
                }
            })
            .collect())
    }

    async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        before: Option<MessageKey>,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<HistoryPage> {
        let st = self.lock()?;
        let cutoff = self.retention.roaming_cutoff(now_ms);
        let Some(ids) = st.by_conv.get(&conv_key(owner, peer)) else {
            return Ok(HistoryPage { messages: Vec::new(), complete: true });
        };
        let upper = before.map_or(u64::MAX, |k| k.id);
        let mut older = ids
            .range(..upper)
            .rev()
            .map(|id| &st.messages[id].message)
            .take_while(|m| m.time_ms >= cutoff);
        let messages: Vec<Message> = older.by_ref().take(limit.max(1) as usize).cloned().collect();
        let complete = older.next().is_none();
        Ok(HistoryPage { messages, complete })
    }

    async fn expire(&self, now_ms: u64) -> StorageResult<Expired> {
        let mut st = self.lock()?;
        let msg_cutoff = self.retention.roaming_cutoff(now_ms);
        let log_cutoff = self.retention.offline_cutoff(now_ms);
        let mut expired = Expired::default();
        let old: Vec<u64> =
            st.messages.iter().take_while(|(_, s)| s.message.time_ms < msg_cutoff).map(|(id, _)| *id).collect();
        for id in old {
            let s = st.messages.remove(&id).expect("listed above");
            let m = s.message;
            if let Some(set) = st.by_conv.get_mut(&conv_key(&m.from, &m.to)) {
                set.remove(&id);
            }
            if let Some(v) = st.by_random.get_mut(&(m.from, m.to, m.random)) {
                v.retain(|x| *x != id);
            }
            expired.messages += 1;
        }
        for u in st.users.values_mut() {
            while u.log.front().is_some_and(|e| e.time_ms < log_cutoff) {
                let e = u.log.pop_front().expect("checked");
                u.log_bytes -= e.size;
                expired.sync_entries += 1;
            }
        }
        Ok(expired)
    }

    async fn close(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.closed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryStorage;
    crate::storage::conformance::storage_conformance!(|retention, listener| {
        (Arc::new(MemoryStorage::new(retention, listener)) as Arc<dyn Storage>, Box::new(()) as Box<dyn std::any::Any>)
    });
}
