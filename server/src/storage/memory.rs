//! An in-memory [`Storage`]: the reference behaviour the SQLite backend is checked against, and
//! a store for tests and throwaway runs. Everything sits behind one mutex; commits publish to
//! the listener while it is held, so the change feed is in commit order.

use super::*;
use protocol::{RelationFields, Removal, SyncEvent};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

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
    /// `(relation, owner)` → peer → since.
    relations: HashMap<(Relation, UserId), BTreeMap<UserId, u64>>,
    settings: HashMap<String, String>,
    /// Deleted accounts, with the sequence their logs had reached.
    deleted: HashMap<UserId, (Revocation, u64)>,
    /// The last kick of each account kicked out.
    kicks: HashMap<UserId, Revocation>,
    /// Profile fields besides nickname and avatar: user → tag → JSON value.
    profile_tags: HashMap<UserId, BTreeMap<String, String>>,
    /// List entries' own fields (a friend's remark, an application's wording): (kind, owner,
    /// peer) → tag → JSON value.
    relation_fields: HashMap<(Relation, UserId, UserId), BTreeMap<String, String>>,
    /// Each user's friend groups.
    friend_groups: HashMap<UserId, BTreeSet<String>>,
    next_id: u64,
    last_time_ms: u64,
    closed: bool,
    /// Queued pushes by id, in queuing order.
    push_jobs: BTreeMap<u64, QueuedPush>,
    next_push_id: u64,
}

struct Stored {
    message: Message,
    body_json: String,
    sender_seq: Seq,
    no_unread: bool,
    no_last_msg: bool,
}

#[derive(Default)]
struct User {
    nick: String,
    avatar: String,
    latest: u64,
    log: VecDeque<LogEntry>,
    log_bytes: u64,
    contacts: HashMap<UserId, Contact>,
    /// Messages with ids up to this one predate the account and are not its history.
    history_from: u64,
    created_ms: u64,
    /// Messages this user deleted from its history.
    hidden: HashSet<u64>,
    /// Push registrations, oldest first.
    pushes: Vec<PushRegistration>,
}

/// A queued push.
struct QueuedPush {
    user: UserId,
    message_id: u64,
    settings: PushSettings,
    attempts: u32,
    due_ms: u64,
}

struct LogEntry {
    seq: Seq,
    time_ms: u64,
    size: u64,
    item: LogItem,
}

enum LogItem {
    Message(u64),
    /// An edit of or a reaction to the message: read as it is now.
    Changed(u64, ChangeKind),
    Event(Box<SyncEvent>),
}

struct Contact {
    /// Messages with ids up to this one count as read.
    read_up_to: u64,
    created_ms: u64,
    /// The user deleted the conversation when this was the newest message id (0: never): it
    /// stays out of the list, and the messages up to it do not count, until a newer one.
    deleted_up_to: u64,
    state: ConversationState,
    /// The sequence of the entry that set `state`.
    state_seq: Seq,
}

impl MemoryStorage {
    pub fn new(retention: Retention, listener: Arc<dyn CommitListener>) -> Self {
        Self {
            state: Mutex::new(State::default()),
            retention,
            listener,
        }
    }

    fn lock(&self) -> StorageResult<MutexGuard<'_, State>> {
        let state = self
            .state
            .lock()
            .map_err(|_| StorageError::Corrupt("lock poisoned".into()))?;
        if state.closed {
            return Err(StorageError::Closed);
        }
        Ok(state)
    }

    /// Runs a write and publishes what it appended, under the lock.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State, &Retention, &mut Vec<Committed>) -> StorageResult<T>,
    ) -> Pending<T> {
        let result = self.lock().and_then(|mut st| {
            let mut published = Vec::new();
            let r = f(&mut st, &self.retention, &mut published)?;
            self.listener.committed(&published);
            Ok(r)
        });
        Box::pin(async move { result })
    }
}

impl State {
    /// Creates `user` if it does not exist: empty, with only messages from now on as its
    /// history, continuing the sequence of a deleted account of the same name.
    fn create_user(&mut self, user: &UserId, now_ms: u64) {
        if self.users.contains_key(user) {
            return;
        }
        let latest = self.deleted.get(user).map_or(0, |(_, seq)| *seq);
        let history_from = self.next_id;
        self.users.insert(
            user.clone(),
            User {
                latest,
                history_from,
                created_ms: now_ms,
                ..User::default()
            },
        );
    }

    /// Applies `edit` to the fields of each friendship of `owner`.
    fn edit_friendships(
        &mut self,
        owner: &UserId,
        edit: impl Fn(&mut BTreeMap<String, String>) -> bool,
    ) {
        for ((k, o, _), fields) in self.relation_fields.iter_mut() {
            if *k == Relation::Friend && o == owner {
                edit(fields);
            }
        }
    }

    fn user_mut(&mut self, user: &UserId) -> StorageResult<&mut User> {
        self.users
            .get_mut(user)
            .ok_or_else(|| StorageError::UnknownUser(user.clone()))
    }

    fn listed(&self, relation: Relation, owner: &UserId, peer: &UserId) -> bool {
        self.relations
            .get(&(relation, owner.clone()))
            .is_some_and(|m| m.contains_key(peer))
    }

    /// The newest message id of a conversation, expired or not.
    fn last_id(&self, conv: &str) -> Option<u64> {
        self.by_conv.get(conv).and_then(|ids| ids.last().copied())
    }

    /// Appends a non-message event to `owner`'s log.
    fn event(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        owner: &UserId,
        event: SyncEvent,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        let (_, size) = event_bytes(&event);
        let time_ms = now_ms.max(self.last_time_ms);
        let seq =
            self.user_mut(owner)?
                .append(time_ms, size, LogItem::Event(Box::new(event.clone())), r);
        out.push(Committed {
            owner: owner.clone(),
            entry: Arc::new(SyncEntry { seq, event }),
            origin,
        });
        Ok(seq)
    }

    fn send(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        msg: NewMessage,
    ) -> StorageResult<Sent> {
        for u in [&msg.to, &msg.from] {
            if !self.users.contains_key(u) {
                return Err(StorageError::UnknownUser(u.clone()));
            }
        }
        let listed =
            |r, owner: &UserId, peer: &UserId| StorageResult::Ok(self.listed(r, owner, peer));
        if let Some(refused) = msg.checks.refusal(&msg.from, &msg.to, listed)? {
            return Err(refused);
        }
        let body_json = serde_json::to_string(&msg.elements)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let dedupe = (msg.from.clone(), msg.to.clone(), msg.random);
        for id in self.by_random.get(&dedupe).into_iter().flatten() {
            let s = &self.messages[id];
            if s.body_json == body_json && s.message.cloud_custom_data == msg.cloud_custom_data {
                return Ok(Sent {
                    message: s.message.clone(),
                    sender_seq: s.sender_seq,
                    duplicate: true,
                });
            }
        }
        let time_ms = message_time(&msg, self.last_time_ms)?;
        self.next_id += 1;
        let id = self.next_id;
        self.last_time_ms = time_ms;
        let sender = &self.users[&msg.from];
        let message = Message {
            key: message_key(id, msg.random, time_ms),
            from: msg.from.clone(),
            to: msg.to.clone(),
            time_ms,
            client_time_s: msg.client_time_s,
            random: msg.random,
            elements: msg.elements,
            cloud_custom_data: msg.cloud_custom_data,
            nick: sender.nick.clone(),
            avatar: sender.avatar.clone(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: msg.need_read_receipt,
            receipt_ms: 0,
        };
        let size = message_bytes(&body_json, message.cloud_custom_data.as_deref());
        let recipient_seq = self
            .user_mut(&msg.to)?
            .append(time_ms, size, LogItem::Message(id), r);
        let sender_seq = if msg.sync_sender {
            Some(
                self.user_mut(&msg.from)?
                    .append(time_ms, size, LogItem::Message(id), r),
            )
        } else {
            None
        };
        self.by_conv
            .entry(conv_key(&msg.from, &msg.to))
            .or_default()
            .insert(id);
        self.by_random.entry(dedupe).or_default().push(id);
        if let Some(settings) = msg.push.clone() {
            self.next_push_id += 1;
            let job = QueuedPush {
                user: msg.to.clone(),
                message_id: id,
                settings,
                attempts: 0,
                due_ms: time_ms,
            };
            self.push_jobs.insert(self.next_push_id, job);
        }
        let stored_seq = sender_seq.unwrap_or_default();
        self.messages.insert(
            id,
            Stored {
                message: message.clone(),
                body_json,
                sender_seq: stored_seq,
                no_unread: msg.no_unread,
                no_last_msg: msg.no_last_msg,
            },
        );
        // A new conversation starts read up to just before its first message for the recipient.
        self.ensure_contact(&msg.to, &msg.from, id - 1, time_ms, r.contacts_cap);
        self.ensure_contact(&msg.from, &msg.to, id, time_ms, r.contacts_cap);
        out.extend(rules::message_entries(
            &message,
            recipient_seq,
            sender_seq,
            msg.origin,
        ));
        Ok(Sent {
            message,
            sender_seq: stored_seq,
            duplicate: false,
        })
    }

    /// Adds `owner`'s conversation with `peer` if new, evicting the least recently active one
    /// past the cap.
    fn ensure_contact(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        read_up_to: u64,
        now_ms: u64,
        cap: usize,
    ) {
        let user = self
            .users
            .get_mut(owner)
            .expect("caller checked the account");
        if user.contacts.contains_key(peer) {
            return;
        }
        user.contacts.insert(
            peer.clone(),
            Contact {
                read_up_to,
                created_ms: now_ms,
                deleted_up_to: 0,
                state: ConversationState::default(),
                state_seq: Seq(0),
            },
        );
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
        self.users
            .get_mut(owner)
            .expect("present")
            .contacts
            .remove(&oldest);
    }

    fn mark_read(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        owner: &UserId,
        peer: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        self.user_mut(owner)?;
        let Some(last_id) = self.last_id(&conv_key(owner, peer)) else {
            return Ok(Seq(0));
        };
        let moved = match self.user_mut(owner)?.contacts.get_mut(peer) {
            Some(c) if c.read_up_to < last_id => {
                c.read_up_to = last_id;
                true
            }
            _ => false,
        };
        if !moved {
            return Ok(Seq(0));
        }
        let up_to = self.messages[&last_id].message.key;
        if self.users.contains_key(peer) && !self.listed(Relation::Blacklist, peer, owner) {
            let event = SyncEvent::PeerRead {
                peer: owner.clone(),
                up_to,
            };
            self.event(r, out, peer, event, now_ms, None)?;
        }
        let event = SyncEvent::Read {
            peer: peer.clone(),
            up_to: Some(up_to),
        };
        self.event(r, out, owner, event, now_ms, origin)
    }

    #[allow(clippy::too_many_arguments)] // the trait method's arguments plus the write context
    fn delete_messages(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        self.user_mut(owner)?;
        let between = |k: &MessageKey| {
            self.messages.get(&k.id).is_some_and(|s| {
                s.message.key == *k
                    && s.message.peer_of(owner) == peer
                    && (&s.message.from == owner || &s.message.to == owner)
            })
        };
        if !keys.iter().all(between) {
            return Err(StorageError::MessageNotFound);
        }
        self.user_mut(owner)?
            .hidden
            .extend(keys.iter().map(|k| k.id));
        let event = SyncEvent::Deleted {
            peer: peer.clone(),
            keys,
        };
        self.event(r, out, owner, event, now_ms, origin)
    }

    #[allow(clippy::too_many_arguments)] // the trait method's arguments plus the write context
    fn delete_conversation(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        let up_to = self.next_id;
        let ids: Vec<u64> = match removal.history() {
            true => self
                .by_conv
                .get(&conv_key(owner, peer))
                .into_iter()
                .flatten()
                .copied()
                .collect(),
            false => Vec::new(),
        };
        // A conversation listed since its deletion (a newer message came) stays listed, emptied.
        let relisted = self.users.get(owner).is_some_and(|u| {
            let deleted_up_to = u.contacts.get(peer).map_or(0, |c| c.deleted_up_to);
            deleted_up_to > 0
                && ids.iter().any(|id| {
                    *id > deleted_up_to
                        && !u.hidden.contains(id)
                        && self.messages.get(id).is_some_and(|m| !m.no_last_msg)
                })
        });
        let user = self.user_mut(owner)?;
        if let Some(c) = user.contacts.get_mut(peer) {
            match removal {
                Removal::Conversation { .. } => c.deleted_up_to = up_to,
                Removal::History if relisted => c.deleted_up_to = 0,
                Removal::History => {}
            }
        }
        user.hidden.extend(ids);
        self.event(r, out, owner, removal.event(peer.clone()), now_ms, origin)
    }

    #[allow(clippy::too_many_arguments)] // the trait method's arguments plus the write context
    fn set_conversation(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        owner: &UserId,
        peer: &UserId,
        change: &ConversationChange,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<StateAfter> {
        let user = self.user_mut(owner)?;
        let c = user
            .contacts
            .get(peer)
            .ok_or(StorageError::NoConversation)?;
        let others = (user.contacts.iter())
            .filter(|(p, _)| *p != peer)
            .flat_map(|(_, c)| &c.state.groups);
        c.state.check_groups(change, others)?;
        let c = user
            .contacts
            .get_mut(peer)
            .ok_or(StorageError::NoConversation)?;
        let event = c.state.change(peer, change);
        let state = c.state.clone();
        let seq = self.event(r, out, owner, event, now_ms, origin)?;
        if let Some(c) = self.user_mut(owner)?.contacts.get_mut(peer) {
            c.state_seq = seq;
        }
        Ok((seq, state))
    }

    fn recall(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        key: MessageKey,
        from: &UserId,
        to: &UserId,
        now_ms: u64,
    ) -> StorageResult<Message> {
        let cutoff = r.roaming_cutoff(now_ms);
        let stored = self
            .messages
            .get_mut(&key.id)
            .filter(|s| s.message.key == key && s.message.time_ms >= cutoff)
            .ok_or(StorageError::MessageNotFound)?;
        rules::recall(&mut stored.message, from, to)?;
        stored.body_json = "[]".into();
        let message = stored.message.clone();
        for (owner, event) in rules::recall_events(&message) {
            if self.users.contains_key(&owner) {
                self.event(r, out, &owner, event, now_ms, None)?;
            }
        }
        Ok(message)
    }

    fn edit(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        edit: &MessageEdit,
    ) -> StorageResult<Message> {
        let cutoff = r.roaming_cutoff(edit.now_ms);
        let stored = self
            .messages
            .get_mut(&edit.key.id)
            .filter(|s| s.message.time_ms >= cutoff && edit.names(&s.message))
            .ok_or(StorageError::MessageNotFound)?;
        let mut message = stored.message.clone();
        if !edit.apply_to(&mut message)? {
            return Ok(message);
        }
        let body_json = serde_json::to_string(&message.elements)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let size = message_bytes(&body_json, message.cloud_custom_data.as_deref());
        stored.message = message.clone();
        stored.body_json = body_json;
        let time_ms = edit.now_ms.max(self.last_time_ms);
        for owner in [&message.from, &message.to] {
            let Some(user) = self.users.get_mut(owner) else {
                continue;
            };
            let item = LogItem::Changed(edit.key.id, edit.kind());
            let seq = user.append(time_ms, size, item, r);
            out.push(rules::changed_entry(owner, seq, edit.kind(), &message));
        }
        Ok(message)
    }

    #[allow(clippy::too_many_arguments)] // the trait method's arguments plus the write context
    fn upsert_profile(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Account> {
        if !self.users.contains_key(user) {
            if !create {
                return Err(StorageError::UnknownUser(user.clone()));
            }
            self.create_user(user, now_ms);
        }
        if update.nick.is_some() || update.avatar.is_some() {
            let u = self.user_mut(user)?;
            let event = update.apply_to(&mut u.nick, &mut u.avatar);
            self.event(r, out, user, event, now_ms, origin)?;
        }
        Ok(self.account(user))
    }

    fn account(&self, user: &UserId) -> Account {
        let u = &self.users[user];
        Account {
            id: user.clone(),
            nick: u.nick.clone(),
            avatar: u.avatar.clone(),
            latest_seq: Seq(u.latest),
            created_ms: u.created_ms,
        }
    }

    fn change_relations(
        &mut self,
        r: &Retention,
        out: &mut Vec<Committed>,
        change: RelationChange,
    ) -> StorageResult<Vec<StorageResult<()>>> {
        let (add, now_ms) = (change.add, change.now_ms);
        self.user_mut(&change.owner)?;
        let (mut results, mut changed) = (Vec::with_capacity(change.peers.len()), Vec::new());
        // Owners whose ended friendships were in friend groups.
        let mut regrouped: Vec<UserId> = Vec::new();
        for peer in change.peers.iter().cloned() {
            if !self.users.contains_key(&peer) {
                results.push(Err(StorageError::UnknownUser(peer)));
                continue;
            }
            let pairs = change.pairs(&peer);
            let refused = if change.existing_only {
                pairs
                    .iter()
                    .any(|(k, a, b)| !self.listed(*k, a, b))
                    .then_some(StorageError::NotListed)
            } else if add {
                pairs
                    .iter()
                    .filter(|(k, a, b)| !self.listed(*k, a, b))
                    .find_map(|(k, a, b)| {
                        let len = self
                            .relations
                            .get(&(*k, a.clone()))
                            .map_or(0, BTreeMap::len);
                        add_refusal(*k, self.listed(Relation::Blacklist, b, a), len)
                    })
            } else {
                None
            };
            if let Some(e) = refused {
                results.push(Err(e));
                continue;
            }
            for (k, a, b) in pairs {
                let list = self.relations.entry((k, a.clone())).or_default();
                let fields = change.fields_for(k, &a);
                let did = if add {
                    let new = !list.contains_key(&b);
                    list.entry(b.clone()).or_insert(now_ms);
                    let changed = !fields.is_empty();
                    if changed {
                        self.relation_fields
                            .entry((k, a.clone(), b.clone()))
                            .or_default()
                            .extend(fields);
                    }
                    new || changed
                } else {
                    list.remove(&b).is_some()
                };
                if did && !add {
                    let kept = self.relation_fields.remove(&(k, a.clone(), b.clone()));
                    if k == Relation::Friend && kept.as_ref().is_some_and(rules::in_groups) {
                        regrouped.push(a.clone());
                    }
                }
                if did {
                    let kept = self.relation_fields.get(&(k, a.clone(), b.clone()));
                    let now = RelationFields::from_tags(kept.into_iter().flatten());
                    changed.push((k, a, b, now));
                }
            }
            results.push(Ok(()));
        }
        for (a, event, origin) in relation_events(&change, &changed) {
            self.event(r, out, &a, event, now_ms, origin)?;
        }
        regrouped.sort();
        regrouped.dedup();
        for owner in regrouped {
            self.event(r, out, &owner, SyncEvent::FriendGroups, now_ms, None)?;
        }
        Ok(results)
    }
}

impl User {
    fn append(&mut self, time_ms: u64, size: u64, item: LogItem, retention: &Retention) -> Seq {
        self.latest += 1;
        let seq = Seq(self.latest);
        self.log.push_back(LogEntry {
            seq,
            time_ms,
            size,
            item,
        });
        self.log_bytes += size;
        // The newest entry always stays, as in the SQL store.
        if self.log_bytes > retention.offline_bytes {
            while self.log_bytes > retention.offline_trim_to() && self.log.len() > 1 {
                let old = self.log.pop_front().expect("more than one entry");
                self.log_bytes -= old.size;
            }
        }
        seq
    }
}

#[async_trait]
impl Storage for MemoryStorage {
    async fn ensure_user(&self, user: &UserId, now_ms: u64) -> StorageResult<Account> {
        let mut st = self.lock()?;
        st.create_user(user, now_ms);
        Ok(st.account(user))
    }

    fn send(&self, msg: NewMessage) -> Pending<Sent> {
        self.write(|st, r, out| st.send(r, out, msg))
    }

    fn mark_read(
        &self,
        owner: &UserId,
        peer: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        self.write(|st, r, out| st.mark_read(r, out, owner, peer, now_ms, origin))
    }

    async fn sync(
        &self,
        user: &UserId,
        after: Seq,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<SyncPage> {
        let st = self.lock()?;
        let u = st
            .users
            .get(user)
            .ok_or_else(|| StorageError::UnknownUser(user.clone()))?;
        let log_cutoff = self.retention.offline_cutoff(now_ms);
        let msg_cutoff = self.retention.roaming_cutoff(now_ms);
        let latest = Seq(u.latest);
        let retained = || u.log.iter().filter(|e| e.time_ms >= log_cutoff);
        let first_retained = retained().next().map_or(Seq(u.latest + 1), |e| e.seq);
        let scanned: Vec<&LogEntry> = retained()
            .filter(|e| e.seq > after)
            .take(limit.max(1) as usize)
            .collect();
        let mut entries = Vec::with_capacity(scanned.len());
        for e in &scanned {
            let event = match &e.item {
                LogItem::Message(id) | LogItem::Changed(id, _) => match st.messages.get(id) {
                    Some(s) if s.message.time_ms >= msg_cutoff => {
                        let message = s.message.clone();
                        match e.item {
                            LogItem::Changed(_, kind) => kind.event(message),
                            _ => SyncEvent::Message { message },
                        }
                    }
                    _ => continue,
                },
                LogItem::Event(event) => (**event).clone(),
            };
            entries.push(SyncEntry { seq: e.seq, event });
        }
        let last = scanned.last().map(|e| e.seq);
        let (next, complete, gap) = sync_bounds(
            after,
            latest,
            first_retained,
            scanned.len(),
            limit.max(1),
            last,
        );
        Ok(SyncPage {
            entries,
            next,
            complete,
            gap,
        })
    }

    async fn conversations(&self, owner: &UserId, now_ms: u64) -> StorageResult<Vec<Conversation>> {
        let st = self.lock()?;
        let u = st
            .users
            .get(owner)
            .ok_or_else(|| StorageError::UnknownUser(owner.clone()))?;
        let cutoff = self.retention.roaming_cutoff(now_ms);
        let conv_ids = |peer: &UserId| st.by_conv.get(&conv_key(owner, peer)).into_iter().flatten();
        let shown = |id: &u64| !u.hidden.contains(id);
        let last_shown = |peer: &UserId| {
            conv_ids(peer)
                .rev()
                .copied()
                .find(|id| !st.messages[id].no_last_msg && shown(id))
                .unwrap_or(0)
        };
        let mut list: Vec<(&UserId, &Contact, u64)> = u
            .contacts
            .iter()
            .map(|(p, c)| (p, c, last_shown(p)))
            .filter(|(_, c, last_id)| c.deleted_up_to == 0 || *last_id > c.deleted_up_to)
            .collect();
        list.sort_by_key(|&(_, c, last_id)| std::cmp::Reverse((last_id, c.created_ms)));
        let live = |id: &u64| st.messages.get(id).filter(|s| s.message.time_ms >= cutoff);
        Ok(list
            .into_iter()
            .map(|(peer, c, last_id)| {
                let profile = st.users.get(peer);
                let peer_read_up_to = profile
                    .and_then(|p| p.contacts.get(owner))
                    .map_or(0, |c| c.read_up_to);
                let last_message = live(&last_id).map(|s| s.message.clone());
                let read_up_to = c.read_up_to.max(c.deleted_up_to);
                let unread = conv_ids(peer)
                    .filter(|id| **id > read_up_to && shown(id))
                    .filter_map(live)
                    .filter(|s| &s.message.from == peer && !s.no_unread && !s.message.recalled)
                    .count() as u32;
                Conversation {
                    peer: peer.clone(),
                    peer_nick: profile.map(|p| p.nick.clone()).unwrap_or_default(),
                    peer_avatar: profile.map(|p| p.avatar.clone()).unwrap_or_default(),
                    updated_ms: last_message.as_ref().map_or(c.created_ms, |m| m.time_ms),
                    last_message,
                    unread,
                    peer_read_up_to,
                    read_up_to,
                    pinned: c.state.pinned,
                    draft: c.state.draft.clone(),
                    marks: c.state.marks,
                    custom_data: c.state.custom_data.clone(),
                    conversation_groups: c.state.groups.clone(),
                    state_seq: c.state_seq,
                }
            })
            .collect::<Vec<_>>())
        .map(|mut list| {
            Conversation::pinned_first(&mut list);
            list
        })
    }

    async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        query: HistoryQuery,
        now_ms: u64,
    ) -> StorageResult<HistoryPage> {
        let st = self.lock()?;
        let min_time = self.retention.roaming_cutoff(now_ms).max(query.min_time_ms);
        let upper = query.before.map_or(u64::MAX, |k| k.id);
        let user = st.users.get(owner);
        let lower = (query.after.map_or(0, |k| k.id)).max(user.map_or(0, |u| u.history_from));
        let hidden = |id: &u64| user.is_some_and(|u| u.hidden.contains(id));
        let ids = st.by_conv.get(&conv_key(owner, peer));
        let start = lower.saturating_add(1);
        let range = ids
            .into_iter()
            .flat_map(|ids| ids.range(start..upper.max(start)));
        let ordered: Box<dyn Iterator<Item = &u64>> = match query.oldest_first {
            true => Box::new(range),
            false => Box::new(range.rev()),
        };
        // Times grow with ids: in reading order, messages before the window are skipped and the
        // first one past it ends the read.
        let early = |t: u64| t < min_time;
        let late = |t: u64| t > query.max_time_ms;
        let (before, past): (&dyn Fn(u64) -> bool, &dyn Fn(u64) -> bool) = match query.oldest_first
        {
            true => (&early, &late),
            false => (&late, &early),
        };
        let mut found = ordered
            .filter(|id| !hidden(id))
            .map(|id| &st.messages[id].message)
            .skip_while(|m| before(m.time_ms))
            .take_while(|m| !past(m.time_ms));
        let messages: Vec<Message> = found
            .by_ref()
            .take(query.limit.max(1) as usize)
            .cloned()
            .collect();
        let complete = found.next().is_none();
        Ok(HistoryPage { messages, complete })
    }

    async fn search(
        &self,
        owner: &UserId,
        query: &SearchQuery,
        before: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<(Vec<Message>, u64)> {
        let st = self.lock()?;
        let cutoff = self.retention.roaming_cutoff(now_ms);
        let user = st.users.get(owner);
        let from = user.map_or(0, |u| u.history_from);
        let visible = |id: &u64| *id > from && !user.is_some_and(|u| u.hidden.contains(id));
        let keywords = query.folded_keywords(str::to_lowercase);
        let upper = if before == 0 { u64::MAX } else { before };
        let found = st
            .messages
            .range(..upper)
            .rev()
            .filter(|(id, _)| visible(id))
            .map(|(_, s)| &s.message)
            .take_while(|m| m.time_ms >= cutoff)
            .filter(|m| {
                (&m.from == owner || &m.to == owner)
                    && query.matches(owner, m, &keywords, str::to_lowercase)
            })
            .take(limit.max(1) as usize + 1)
            .cloned()
            .collect();
        Ok(protocol::search::page(found, limit))
    }

    async fn export(
        &self,
        min_ms: u64,
        max_ms: u64,
        after_id: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<Vec<Message>> {
        let st = self.lock()?;
        let min_time = self.retention.roaming_cutoff(now_ms).max(min_ms);
        Ok(st
            .messages
            .range(after_id.saturating_add(1)..)
            .map(|(_, s)| &s.message)
            .filter(|m| (min_time..=max_ms).contains(&m.time_ms))
            .take(limit.max(1) as usize)
            .cloned()
            .collect())
    }

    fn recall(&self, key: MessageKey, from: &UserId, to: &UserId, now_ms: u64) -> Pending<Message> {
        self.write(|st, r, out| st.recall(r, out, key, from, to, now_ms))
    }

    fn edit(&self, edit: MessageEdit) -> Pending<Message> {
        self.write(|st, r, out| st.edit(r, out, &edit))
    }

    fn delete_messages(
        &self,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        self.write(|st, r, out| st.delete_messages(r, out, owner, peer, keys, now_ms, origin))
    }

    fn delete_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        self.write(|st, r, out| {
            st.delete_conversation(r, out, owner, peer, removal, now_ms, origin)
        })
    }

    fn set_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        change: ConversationChange,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<StateAfter> {
        self.write(|st, r, out| st.set_conversation(r, out, owner, peer, &change, now_ms, origin))
    }

    fn upsert_profile(
        &self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Account> {
        self.write(|st, r, out| st.upsert_profile(r, out, user, update, create, now_ms, origin))
    }

    async fn profiles(&self, users: &[UserId]) -> StorageResult<Vec<Profile>> {
        let st = self.lock()?;
        Ok(users
            .iter()
            .filter_map(|u| {
                st.users.get(u).map(|p| Profile {
                    user_id: u.clone(),
                    nick: p.nick.clone(),
                    avatar: p.avatar.clone(),
                    details: Default::default(),
                })
            })
            .collect())
    }

    async fn delete_user(&self, user: &UserId, deletion: Revocation) -> StorageResult<bool> {
        let mut st = self.lock()?;
        let removed = st.users.remove(user);
        let existed = removed.is_some();
        let latest = removed
            .map(|u| u.latest)
            .or_else(|| st.deleted.get(user).map(|(_, seq)| *seq))
            .unwrap_or(0);
        st.deleted.insert(user.clone(), (deletion, latest));
        st.push_jobs.retain(|_, j| &j.user != user);
        st.profile_tags.remove(user);
        st.friend_groups.remove(user);
        st.relation_fields
            .retain(|(_, owner, peer), _| owner != user && peer != user);
        st.relations.retain(|(_, owner), _| owner != user);
        for list in st.relations.values_mut() {
            list.remove(user);
        }
        Ok(existed)
    }

    async fn deletion(&self, user: &UserId) -> StorageResult<Option<Revocation>> {
        Ok(self.lock()?.deleted.get(user).map(|(d, _)| d.clone()))
    }

    async fn set_profile_tags(
        &self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> StorageResult<()> {
        let mut st = self.lock()?;
        if !st.users.contains_key(user) {
            return Err(StorageError::UnknownUser(user.clone()));
        }
        st.profile_tags
            .entry(user.clone())
            .or_default()
            .extend(tags);
        Ok(())
    }

    async fn mark_applications_read(
        &self,
        owner: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        self.write(|st, r, out| {
            let seq = st.event(r, out, owner, SyncEvent::ApplicationsRead, now_ms, origin)?;
            let tag = (super::APPLICATIONS_READ_TAG.to_owned(), now_ms.to_string());
            st.profile_tags
                .entry(owner.clone())
                .or_default()
                .extend([tag]);
            Ok(seq)
        })
        .await
    }

    async fn accounts(&self, from: Option<&UserId>, limit: u32) -> StorageResult<Vec<Account>> {
        let st = self.lock()?;
        let mut ids: Vec<&UserId> = st
            .users
            .keys()
            .filter(|u| from.is_none_or(|f| *u >= f))
            .collect();
        ids.sort_unstable();
        Ok(ids
            .into_iter()
            .take(limit as usize)
            .map(|u| st.account(u))
            .collect())
    }

    async fn profile_tags(&self, users: &[UserId]) -> StorageResult<Vec<(UserId, String, String)>> {
        let st = self.lock()?;
        Ok(users
            .iter()
            .flat_map(|u| {
                st.profile_tags.get(u).into_iter().flat_map(move |tags| {
                    tags.iter()
                        .map(move |(t, v)| (u.clone(), t.clone(), v.clone()))
                })
            })
            .collect())
    }

    async fn set_friend_fields(
        &self,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
        now_ms: u64,
    ) -> StorageResult<bool> {
        self.write(|st, r, out| {
            if !st.listed(Relation::Friend, owner, peer) {
                return Ok(false);
            }
            let regroups = rules::regroups(&fields);
            st.relation_fields
                .entry((Relation::Friend, owner.clone(), peer.clone()))
                .or_default()
                .extend(fields);
            if regroups {
                st.event(r, out, owner, SyncEvent::FriendGroups, now_ms, None)?;
            }
            Ok(true)
        })
        .await
    }

    async fn friend_fields(
        &self,
        owner: &UserId,
    ) -> StorageResult<Vec<(UserId, BTreeMap<String, String>)>> {
        let st = self.lock()?;
        let mut out: Vec<(UserId, BTreeMap<String, String>)> = st
            .relation_fields
            .iter()
            .filter(|((k, o, _), _)| *k == Relation::Friend && o == owner)
            .map(|((_, _, peer), fields)| (peer.clone(), fields.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    async fn friend_groups(&self, owner: &UserId) -> StorageResult<Vec<String>> {
        let st = self.lock()?;
        Ok(st
            .friend_groups
            .get(owner)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default())
    }

    async fn change_friend_groups(
        &self,
        owner: &UserId,
        add: Vec<String>,
        remove: Vec<String>,
        now_ms: u64,
    ) -> StorageResult<()> {
        self.write(|st, r, out| {
            if !st.users.contains_key(owner) {
                return Err(StorageError::UnknownUser(owner.clone()));
            }
            let changes = rules::groups_change(&add, &remove);
            let groups = st.friend_groups.entry(owner.clone()).or_default();
            groups.extend(add);
            for name in &remove {
                groups.remove(name);
            }
            st.edit_friendships(owner, |fields| super::leave_groups(fields, &remove));
            if changes {
                st.event(r, out, owner, SyncEvent::FriendGroups, now_ms, None)?;
            }
            Ok(())
        })
        .await
    }

    async fn rename_friend_group(
        &self,
        owner: &UserId,
        old: &str,
        new: &str,
        now_ms: u64,
    ) -> StorageResult<()> {
        self.write(|st, r, out| {
            st.event(r, out, owner, SyncEvent::FriendGroups, now_ms, None)?;
            let groups = st.friend_groups.entry(owner.clone()).or_default();
            if groups.remove(old) {
                groups.insert(new.to_owned());
            }
            st.edit_friendships(owner, |fields| super::rename_group(fields, old, new));
            Ok(())
        })
        .await
    }

    async fn revoke_sigs(&self, user: &UserId, kick: Revocation) -> StorageResult<()> {
        self.lock()?.kicks.insert(user.clone(), kick);
        Ok(())
    }

    async fn kick(&self, user: &UserId) -> StorageResult<Option<Revocation>> {
        Ok(self.lock()?.kicks.get(user).cloned())
    }

    fn change_relations(&self, change: RelationChange) -> Pending<Vec<StorageResult<()>>> {
        self.write(|st, r, out| st.change_relations(r, out, change))
    }

    async fn relations(
        &self,
        relation: Relation,
        owner: &UserId,
    ) -> StorageResult<Vec<RelationEntry>> {
        let st = self.lock()?;
        let mut list: Vec<RelationEntry> = st
            .relations
            .get(&(relation, owner.clone()))
            .into_iter()
            .flatten()
            .map(|(peer, since)| RelationEntry {
                read: false,
                user_id: peer.clone(),
                since_ms: *since,
                fields: st
                    .relation_fields
                    .get(&(relation, owner.clone(), peer.clone()))
                    .map(RelationFields::from_tags)
                    .unwrap_or_default(),
            })
            .collect();
        list.sort_by(|a, b| (a.since_ms, &a.user_id).cmp(&(b.since_ms, &b.user_id)));
        Ok(list)
    }

    async fn check_relations(
        &self,
        relation: Relation,
        owner: &UserId,
        peers: &[UserId],
    ) -> StorageResult<Vec<(bool, bool)>> {
        let st = self.lock()?;
        Ok(peers
            .iter()
            .map(|p| (st.listed(relation, owner, p), st.listed(relation, p, owner)))
            .collect())
    }

    async fn setting(&self, key: &str) -> StorageResult<Option<String>> {
        Ok(self.lock()?.settings.get(key).cloned())
    }

    async fn push_register(
        &self,
        user: &UserId,
        registration: PushRegistration,
        _now_ms: u64,
    ) -> StorageResult<()> {
        let mut st = self.lock()?;
        let u = st.user_mut(user)?;
        u.pushes
            .retain(|r| (&r.device, r.vendor) != (&registration.device, registration.vendor));
        u.pushes.push(registration);
        let over = u.pushes.len().saturating_sub(MAX_PUSH_REGISTRATIONS);
        u.pushes.drain(..over);
        Ok(())
    }

    async fn push_unregister(
        &self,
        user: &UserId,
        device: &DeviceId,
        vendor: Option<Vendor>,
    ) -> StorageResult<bool> {
        let mut st = self.lock()?;
        let Some(u) = st.users.get_mut(user) else {
            return Ok(false);
        };
        let before = u.pushes.len();
        u.pushes
            .retain(|r| !(&r.device == device && vendor.is_none_or(|v| v == r.vendor)));
        Ok(u.pushes.len() < before)
    }

    async fn push_registrations(&self, user: &UserId) -> StorageResult<Vec<PushRegistration>> {
        Ok(self
            .lock()?
            .users
            .get(user)
            .map(|u| u.pushes.clone())
            .unwrap_or_default())
    }

    async fn push_due(&self, now_ms: u64, limit: u32) -> StorageResult<Vec<PushJob>> {
        let st = self.lock()?;
        let cutoff = self.retention.roaming_cutoff(now_ms);
        Ok(st
            .push_jobs
            .iter()
            .filter(|(_, j)| j.due_ms <= now_ms)
            .take(limit as usize)
            .map(|(id, j)| PushJob {
                id: *id,
                user: j.user.clone(),
                message: st
                    .messages
                    .get(&j.message_id)
                    .filter(|s| s.message.time_ms >= cutoff)
                    .map(|s| s.message.clone()),
                notice: j.message_id == NOTICE_MESSAGE_ID,
                settings: j.settings.clone(),
                attempts: j.attempts,
            })
            .collect())
    }

    async fn push_notices(
        &self,
        users: Vec<UserId>,
        info: OfflinePushInfo,
        now_ms: u64,
    ) -> StorageResult<()> {
        let mut st = self.lock()?;
        for user in users {
            st.next_push_id += 1;
            let job = QueuedPush {
                user,
                message_id: NOTICE_MESSAGE_ID,
                settings: PushSettings {
                    info: Some(info.clone()),
                },
                attempts: 0,
                due_ms: now_ms,
            };
            let id = st.next_push_id;
            st.push_jobs.insert(id, job);
        }
        Ok(())
    }

    async fn push_settle(&self, done: Vec<u64>, retry: Vec<(u64, u64)>) -> StorageResult<()> {
        let mut st = self.lock()?;
        for id in done {
            st.push_jobs.remove(&id);
        }
        for (id, due_ms) in retry {
            if let Some(j) = st.push_jobs.get_mut(&id) {
                j.attempts += 1;
                j.due_ms = due_ms;
            }
        }
        Ok(())
    }

    async fn update(&self, slot: Slot, change: Change) -> StorageResult<Result<(), ChatError>> {
        let mut st = self.lock()?;
        let value = match &slot {
            Slot::Setting(key) => st.settings.get(key),
            Slot::ProfileField(user, tag) => {
                if !st.users.contains_key(user) {
                    return Err(StorageError::UnknownUser(user.clone()));
                }
                st.profile_tags.get(user).and_then(|tags| tags.get(tag))
            }
        };
        let new = match change(value.map(String::as_str)) {
            Ok(new) => new,
            Err(refused) => return Ok(Err(refused)),
        };
        match slot {
            Slot::Setting(key) => st.settings.insert(key, new),
            Slot::ProfileField(user, tag) => {
                st.profile_tags.entry(user).or_default().insert(tag, new)
            }
        };
        Ok(Ok(()))
    }

    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()> {
        self.lock()?
            .settings
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    /// Memory gives freed space back as it frees it.
    async fn vacuum(&self) -> StorageResult<Vacuumed> {
        Ok(Vacuumed::default())
    }

    async fn expire(&self, now_ms: u64) -> StorageResult<Expired> {
        let mut st = self.lock()?;
        let msg_cutoff = self.retention.roaming_cutoff(now_ms);
        let log_cutoff = self.retention.offline_cutoff(now_ms);
        let mut expired = Expired::default();
        let old: Vec<u64> = st
            .messages
            .iter()
            .take_while(|(_, s)| s.message.time_ms < msg_cutoff)
            .map(|(id, _)| *id)
            .collect();
        for id in old {
            let m = st.messages.remove(&id).expect("listed above").message;
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
        (
            Arc::new(MemoryStorage::new(retention, listener)) as Arc<dyn Storage>,
            Box::new(()) as Box<dyn std::any::Any>,
        )
    });
}
