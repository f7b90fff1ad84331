//! The writer's message operations: sending (with the idempotent retry and the conversation
//! rows a first message makes), read marks, deletion from one's history, recall, edits, and
//! expiry of what outlived its retention.

use super::pending::MessageRow;
use super::*;

impl Writer {
    /// The stored message that `msg` (with body `body`) repeats, if any.
    pub(super) fn find_retry(&mut self, msg: &NewMessage, body: &str) -> Sql<Option<Sent>> {
        self.db.row(
            &format!(
                "SELECT {MESSAGE_COLUMNS}, m.sender_seq FROM messages m
                 WHERE m.sender = ?1 AND m.recipient = ?2 AND m.random = ?3 AND m.body = ?4
                   AND m.cloud_custom_data IS NOT DISTINCT FROM ?5"
            ),
            &[
                &msg.from.as_str(),
                &msg.to.as_str(),
                &i64::from(msg.random),
                &body,
                &msg.cloud_custom_data,
            ],
            |row| {
                let message = rows::message(row, 0)?.expect("selected from messages");
                let sender_seq = Seq(row.get::<i64>(MESSAGE_WIDTH)? as u64);
                Ok(Sent {
                    message,
                    sender_seq,
                    duplicate: true,
                })
            },
        )
    }

    /// On PostgreSQL, the sends in `ops` that a stored message shares sender, recipient and
    /// `random` with, found by one query for the batch rather than one per message; other
    /// sends cannot repeat a stored message. SQLite answers the look-up per message in less
    /// time than this one takes: `None`, look each up.
    pub(super) fn stored_retries(&self, ops: &[Op]) -> Sql<Option<HashSet<RetryKey>>> {
        if self.db.engine() == Engine::Sqlite {
            return Ok(None);
        }
        let keys: Vec<(&str, &str, u32)> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Send { msg, .. } => Some((msg.from.as_str(), msg.to.as_str(), msg.random)),
                _ => None,
            })
            .collect();
        let mut stored = HashSet::new();
        if keys.is_empty() {
            return Ok(Some(stored));
        }
        let keys =
            serde_json::to_string(&keys).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        // LATERAL … LIMIT 1: one probe of the index per send, however PostgreSQL estimates
        // the list (a semi-join may scan the whole table instead).
        self.db.each(
            "SELECT k->>0, k->>1, CAST(k->>2 AS BIGINT)
             FROM json_array_elements(CAST(?1 AS TEXT)::json) k,
                  LATERAL (SELECT 1 FROM messages m WHERE m.sender = k->>0 AND m.recipient = k->>1
                           AND m.random = CAST(k->>2 AS BIGINT) LIMIT 1) found",
            &[&keys],
            |row| {
                let random = u32::try_from(row.get::<i64>(2)?)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                let from = rows::user_id(row.get::<String>(0)?)?;
                let to = rows::user_id(row.get::<String>(1)?)?;
                stored.insert((from, to, random));
                Ok(true)
            },
        )?;
        Ok(Some(stored))
    }

    pub(super) fn send(&mut self, msg: NewMessage, batch: &mut Batch) -> Sql<StorageResult<Sent>> {
        for u in [&msg.to, &msg.from] {
            if self.user(u)?.is_none() {
                return Ok(Err(StorageError::UnknownUser(u.clone())));
            }
        }
        // A user who never blocked anyone has no blacklist to look in.
        let may_block = self.user(&msg.to)?.is_some_and(|u| u.blocked > 0);
        let listed = |relation, owner: &UserId, peer: &UserId| match relation {
            Relation::Blacklist if !may_block => Ok(false),
            _ => self.listed(relation, owner, peer),
        };
        if let Some(refused) = msg.checks.refusal(&msg.from, &msg.to, listed)? {
            return Ok(Err(refused));
        }
        let body = match serde_json::to_string(&msg.elements) {
            Ok(b) => b,
            Err(e) => return Ok(Err(StorageError::Corrupt(e.to_string()))),
        };
        let in_batch = batch.pending.has(&msg.from, &msg.to, msg.random);
        if in_batch {
            batch.pending.write(&self.db)?;
        }
        let maybe_stored = batch.stored_retries.as_ref().is_none_or(|stored| {
            !stored.is_empty() && stored.contains(&(msg.from.clone(), msg.to.clone(), msg.random))
        });
        if (in_batch || maybe_stored)
            && let Some(sent) = self.find_retry(&msg, &body)?
        {
            return Ok(Ok(sent));
        }
        let time_ms = match message_time(&msg, self.last_time_ms) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        self.last_time_ms = time_ms;
        let size = message_bytes(&body, msg.cloud_custom_data.as_deref());
        let (nick, avatar, sender_seq) = {
            let s = self.user(&msg.from)?.expect("checked above");
            (
                s.nick.clone(),
                s.avatar.clone(),
                if msg.sync_sender { s.latest + 1 } else { 0 },
            )
        };
        let flags = (if msg.no_unread { flags::NO_UNREAD } else { 0 })
            | (if msg.no_last_msg {
                flags::NO_LAST_MSG
            } else {
                0
            })
            | (if msg.need_read_receipt {
                flags::NEEDS_RECEIPT
            } else {
                0
            });
        let id = self.newest_id + 1;
        let conv = conv_key(&msg.from, &msg.to);
        batch.pending.push_message(
            &self.db,
            MessageRow {
                id: id as i64,
                sender: msg.from.to_string(),
                recipient: msg.to.to_string(),
                conv: conv.clone(),
                random: i64::from(msg.random),
                time_ms: time_ms as i64,
                body,
                cloud_custom_data: msg.cloud_custom_data.clone(),
                nick: nick.clone(),
                avatar: avatar.clone(),
                size: size as i64,
                sender_seq: sender_seq as i64,
                flags,
                client_time: msg.client_time_s as i64,
            },
            || (msg.from.clone(), msg.to.clone(), msg.random),
        )?;
        if let Some(push) = &msg.push {
            let info = push
                .info
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            self.db.exec(
                r#"INSERT INTO push_jobs ("user", message_id, info, due_ms) VALUES (?1, ?2, ?3, ?4)"#,
                &[&msg.to.as_str(), &(id as i64), &info, &(time_ms as i64)],
            )?;
        }
        let recipient_seq = self.append(batch, &msg.to, time_ms, size, Some(id), None)?;
        let sender_seq = if msg.sync_sender {
            Some(self.append(batch, &msg.from, time_ms, size, Some(id), None)?)
        } else {
            None
        };
        // A new conversation starts read up to just before its first message for the recipient.
        self.ensure_conversation(&msg.to, &msg.from, &conv, id - 1, time_ms, batch)?;
        self.ensure_conversation(&msg.from, &msg.to, &conv, id, time_ms, batch)?;
        let message = Message {
            key: message_key(id, msg.random, time_ms),
            from: msg.from,
            to: msg.to,
            time_ms,
            client_time_s: msg.client_time_s,
            random: msg.random,
            elements: msg.elements,
            cloud_custom_data: msg.cloud_custom_data,
            nick,
            avatar,
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: msg.need_read_receipt,
            receipt_ms: 0,
        };
        self.newest_id = id;
        batch.published.extend(rules::message_entries(
            &message,
            recipient_seq,
            sender_seq,
            msg.origin,
        ));
        Ok(Ok(Sent {
            message,
            sender_seq: sender_seq.unwrap_or_default(),
            duplicate: false,
        }))
    }

    /// Adds `owner`'s conversation with `peer` if it is new, evicting the least recently
    /// active one when that puts `owner` over the contacts cap.
    pub(super) fn ensure_conversation(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        conv: &str,
        read_up_to: u64,
        now_ms: u64,
        batch: &mut Batch,
    ) -> Sql<()> {
        let pair = (owner.clone(), peer.clone());
        if self.conversations.contains(&pair) {
            return Ok(());
        }
        let inserted = self.db.exec(
            "INSERT INTO conversations (owner, peer, conv, read_up_to, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (owner, peer) DO NOTHING",
            &[&owner.as_str(), &peer.as_str(), &conv, &(read_up_to as i64), &(now_ms as i64)],
        )?;
        self.conversations.insert(pair);
        if inserted == 0 {
            return Ok(());
        }
        let cap = self.retention.contacts_cap as u64;
        let u = self
            .user(owner)?
            .expect("conversations belong to known users");
        u.contacts += 1;
        if u.contacts <= cap {
            return Ok(());
        }
        u.contacts -= 1;
        // The least recently active conversation is found by its messages, this batch's too.
        batch.pending.write(&self.db)?;
        let evicted = self.db.one(
            "DELETE FROM conversations WHERE owner = ?1 AND peer = (
                SELECT c.peer FROM conversations c WHERE c.owner = ?1
                ORDER BY COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.conv = c.conv), 0), c.created_ms
                LIMIT 1)
             RETURNING peer",
            &[&owner.as_str()],
            |r| r.get::<String>(0),
        )?;
        self.conversations
            .remove(&(owner.clone(), rows::user_id(evicted)?));
        Ok(())
    }

    pub(super) fn mark_read(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Seq>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        let last = self.db.row(
            "SELECT id, random, time_ms FROM messages WHERE conv = ?1 ORDER BY id DESC LIMIT 1",
            &[&conv_key(owner, peer)],
            |r| {
                Ok(message_key(
                    r.get::<i64>(0)? as u64,
                    r.get::<i64>(1)? as u32,
                    r.get::<i64>(2)? as u64,
                ))
            },
        )?;
        let Some(up_to) = last else {
            return Ok(Ok(Seq(0)));
        };
        let moved = self.db.exec(
            "UPDATE conversations SET read_up_to = ?3 WHERE owner = ?1 AND peer = ?2 AND read_up_to < ?3",
            &[&owner.as_str(), &peer.as_str(), &(up_to.id as i64)],
        )? > 0;
        if !moved {
            return Ok(Ok(Seq(0)));
        }
        if self.user(peer)?.is_some() && !self.listed(Relation::Blacklist, peer, owner)? {
            let event = SyncEvent::PeerRead {
                peer: owner.clone(),
                up_to,
            };
            self.publish(batch, peer, event, now_ms, None)?;
        }
        let event = SyncEvent::Read {
            peer: peer.clone(),
            up_to: Some(up_to),
        };
        Ok(Ok(self.publish(batch, owner, event, now_ms, origin)?))
    }

    pub(super) fn delete_messages(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Seq>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        let conv = conv_key(owner, peer);
        for key in &keys {
            let found = self.db.row(
                "SELECT random, time_ms FROM messages WHERE id = ?1 AND conv = ?2",
                &[&(key.id as i64), &conv],
                |r| {
                    Ok(message_key(
                        key.id,
                        r.get::<i64>(0)? as u32,
                        r.get::<i64>(1)? as u64,
                    ))
                },
            )?;
            if found != Some(*key) {
                return Ok(Err(StorageError::MessageNotFound));
            }
        }
        for key in &keys {
            self.db.exec(
                "INSERT INTO hidden_messages (owner, message_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[&owner.as_str(), &(key.id as i64)],
            )?;
        }
        let event = SyncEvent::Deleted {
            peer: peer.clone(),
            keys,
        };
        Ok(Ok(self.publish(batch, owner, event, now_ms, origin)?))
    }

    pub(super) fn delete_conversation(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Seq>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        let conv = conv_key(owner, peer);
        match removal {
            Removal::Conversation { .. } => {
                // Every message so far: any later one has a larger id.
                let up_to = self.newest_id as i64;
                self.db.exec(
                    "UPDATE conversations SET deleted_up_to = ?3 WHERE owner = ?1 AND peer = ?2",
                    &[&owner.as_str(), &peer.as_str(), &up_to],
                )?;
            }
            // Listed since its deletion (a newer message came): listed still, emptied.
            Removal::History => {
                self.db.exec(
                    &format!(
                        "UPDATE conversations SET deleted_up_to = 0
                     WHERE owner = ?1 AND peer = ?2 AND deleted_up_to > 0
                       AND EXISTS (SELECT 1 FROM messages m
                                   WHERE m.conv = ?3 AND m.id > deleted_up_to AND m.flags & {} = 0
                                     AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                                     WHERE h.owner = ?1 AND h.message_id = m.id))",
                        flags::NO_LAST_MSG
                    ),
                    &[&owner.as_str(), &peer.as_str(), &conv],
                )?;
            }
        }
        if removal.history() {
            self.db.exec(
                "INSERT INTO hidden_messages (owner, message_id)
                 SELECT CAST(?1 AS TEXT), id FROM messages WHERE conv = ?2
                 ON CONFLICT DO NOTHING",
                &[&owner.as_str(), &conv],
            )?;
        }
        let event = removal.event(peer.clone());
        Ok(Ok(self.publish(batch, owner, event, now_ms, origin)?))
    }

    pub(super) fn set_conversation(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        change: &ConversationChange,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<StateAfter>> {
        let found = self.db.row(
            &format!(
                "SELECT {} FROM conversations WHERE owner = ?1 AND peer = ?2",
                rows::STATE_COLUMNS
            ),
            &[&owner.as_str(), &peer.as_str()],
            |r| rows::conversation_state(r, 0),
        )?;
        let Some(mut state) = found else {
            return Ok(Err(StorageError::NoConversation));
        };
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        if change.join_group.is_some() {
            let others = self.db.rows(
                "SELECT conversation_groups FROM conversations WHERE owner = ?1 AND peer <> ?2",
                &[&owner.as_str(), &peer.as_str()],
                |r| Ok(rows::group_names(&r.get::<String>(0)?)),
            )?;
            if let Err(e) = state.check_groups(change, others.iter().flatten()) {
                return Ok(Err(e));
            }
        }
        let event = state.change(peer, change);
        let seq = self.publish(batch, owner, event, now_ms, origin)?;
        self.db.exec(
            "UPDATE conversations SET pinned = ?3, draft = ?4, marks = ?5, custom_data = ?6,
                    conversation_groups = ?7, state_seq = ?8
             WHERE owner = ?1 AND peer = ?2",
            &[
                &owner.as_str(),
                &peer.as_str(),
                &state.pinned,
                &state.draft,
                &(state.marks as i64),
                &state.custom_data,
                &rows::group_column(&state.groups),
                &(seq.0 as i64),
            ],
        )?;
        Ok(Ok((seq, state)))
    }

    pub(super) fn expire(&mut self, now_ms: u64, batch: &mut Batch) -> Sql<StorageResult<Expired>> {
        self.flush(batch)?;
        let msg_cutoff = self.retention.roaming_cutoff(now_ms) as i64;
        let log_cutoff = self.retention.offline_cutoff(now_ms) as i64;
        // Message times never decrease with id, so the expired messages are an id prefix.
        let first_kept = self.db.row(
            "SELECT id FROM messages WHERE time_ms >= ?1 ORDER BY id LIMIT 1",
            &[&msg_cutoff],
            |r| r.get::<i64>(0),
        )?;
        let messages = self.db.exec(
            "DELETE FROM messages WHERE id < ?1",
            &[&first_kept.unwrap_or(i64::MAX)],
        )?;
        search::unindex_below(&self.db, first_kept)?;
        // A log about to lose its newest rows keeps its latest sequence in `users`.
        self.db.exec(
            r#"UPDATE users SET latest_seq = (SELECT MAX(seq) FROM sync_log s WHERE s."user" = users.id)
               WHERE id IN (SELECT DISTINCT "user" FROM sync_log WHERE time_ms < ?1)"#,
            &[&log_cutoff],
        )?;
        let sync_entries = self
            .db
            .exec("DELETE FROM sync_log WHERE time_ms < ?1", &[&log_cutoff])?;
        self.forget_everyone();
        Ok(Ok(Expired {
            messages,
            sync_entries,
        }))
    }

    /// The stored message `key`, while it is in the roaming store.
    pub(super) fn stored_message(&mut self, key: MessageKey, now_ms: u64) -> Sql<Option<Message>> {
        let cutoff = self.retention.roaming_cutoff(now_ms) as i64;
        Ok(self
            .db
            .row(
                &format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?1 AND m.time_ms >= ?2"
                ),
                &[&(key.id as i64), &cutoff],
                |r| rows::message(r, 0),
            )?
            .flatten()
            .filter(|m| m.key == key))
    }

    pub(super) fn recall(
        &mut self,
        key: MessageKey,
        from: &UserId,
        to: &UserId,
        now_ms: u64,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Message>> {
        let Some(mut message) = self.stored_message(key, now_ms)? else {
            return Ok(Err(StorageError::MessageNotFound));
        };
        if let Err(e) = rules::recall(&mut message, from, to) {
            return Ok(Err(e));
        }
        self.db.exec(
            "UPDATE messages SET flags = flags | ?2, body = '[]', cloud_custom_data = NULL WHERE id = ?1",
            &[&(key.id as i64), &flags::RECALLED],
        )?;
        if key.id <= self.indexed_up_to {
            search::unindex(&self.db, key.id)?;
        }
        for (owner, event) in rules::recall_events(&message) {
            if self.user(&owner)?.is_some() {
                self.publish(batch, &owner, event, now_ms, None)?;
            }
        }
        Ok(Ok(message))
    }

    pub(super) fn edit(
        &mut self,
        edit: &MessageEdit,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Message>> {
        let found = self.stored_message(edit.key, edit.now_ms)?;
        let Some(mut message) = found.filter(|m| edit.names(m)) else {
            return Ok(Err(StorageError::MessageNotFound));
        };
        match edit.apply_to(&mut message) {
            Ok(true) => {}
            Ok(false) => return Ok(Ok(message)),
            Err(e) => return Ok(Err(e)),
        }
        let body = serde_json::to_string(&message.elements).expect("elements serialize");
        let size = message_bytes(&body, message.cloud_custom_data.as_deref());
        self.db.exec(
            "UPDATE messages SET body = ?2, cloud_custom_data = ?3, size = ?4, version = ?5, edited_ms = ?6,
                                 reactions = ?7, receipt_ms = ?8
             WHERE id = ?1",
            &[
                &(edit.key.id as i64),
                &body,
                &message.cloud_custom_data,
                &(size as i64),
                &i64::from(message.version),
                &(message.edited_ms as i64),
                &rows::reactions_text(&message.reactions),
                &(message.receipt_ms as i64),
            ],
        )?;
        let kind = edit.kind();
        if kind == ChangeKind::Edited && edit.key.id <= self.indexed_up_to {
            search::index(&self.db, &message)?;
        }
        let time_ms = edit.now_ms.max(self.last_time_ms);
        let event = Some(rows::change_event(kind));
        for owner in [&message.from, &message.to] {
            if self.user(owner)?.is_none() {
                continue;
            }
            let id = Some(edit.key.id);
            let seq = self.append(batch, owner, time_ms, size, id, event)?;
            batch
                .published
                .push(rules::changed_entry(owner, seq, kind, &message));
        }
        Ok(Ok(message))
    }
}
