//! The single writer: one thread owns the write connection and applies queued operations in
//! batches, one transaction (one fsync) per batch — group commit. Results are held until the
//! batch commits; then the committed sync entries go to the listener and the callers are
//! answered. If the commit fails, every operation in the batch fails and nothing is published.
//!
//! What a message writes is kept small, because each B-tree page a commit touches is a page the
//! WAL must write: the message row, one sync-log row per user, and a conversation row only when
//! the message starts a conversation. Per-user counters (latest sequence, offline-cache bytes,
//! contact count) are cached here rather than stored per message.

use super::rows::{self, MESSAGE_COLUMNS, MESSAGE_WIDTH};
use crate::storage::*;
use protocol::SyncEvent;
use r2d2_sqlite::rusqlite::{self, Connection, OptionalExtension, params};
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// Most operations in one transaction.
const MAX_BATCH: usize = 2048;
/// Users whose counters stay cached; past this the cache is emptied between batches.
const MAX_CACHED_USERS: usize = 100_000;

pub(super) enum Op {
    EnsureUser {
        user: UserId,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Account>>,
    },
    Send {
        msg: Box<NewMessage>,
        reply: oneshot::Sender<StorageResult<Sent>>,
    },
    MarkRead {
        owner: UserId,
        peer: UserId,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    DeleteMessages {
        owner: UserId,
        peer: UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    DeleteConversation {
        owner: UserId,
        peer: UserId,
        history: bool,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Seq>>,
    },
    Expire {
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Expired>>,
    },
    Recall {
        key: MessageKey,
        from: UserId,
        to: UserId,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<Message>>,
    },
    Edit {
        edit: MessageEdit,
        reply: oneshot::Sender<StorageResult<Message>>,
    },
    Profile {
        user: UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
        reply: oneshot::Sender<StorageResult<Account>>,
    },
    Relations {
        change: RelationChange,
        reply: oneshot::Sender<StorageResult<Vec<StorageResult<()>>>>,
    },
    DeleteUser {
        user: UserId,
        deletion: Revocation,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    SetSetting {
        key: String,
        value: String,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    Kick {
        user: UserId,
        kick: Revocation,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    ProfileTags {
        user: UserId,
        tags: Vec<(String, String)>,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    FriendFields {
        owner: UserId,
        peer: UserId,
        fields: Vec<(String, String)>,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    FriendGroups {
        owner: UserId,
        add: Vec<String>,
        remove: Vec<String>,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    PushRegister {
        user: UserId,
        registration: PushRegistration,
        now_ms: u64,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    PushUnregister {
        user: UserId,
        device: DeviceId,
        vendor: Option<Vendor>,
        reply: oneshot::Sender<StorageResult<bool>>,
    },
    PushSettle {
        done: Vec<u64>,
        retry: Vec<(u64, u64)>,
        reply: oneshot::Sender<StorageResult<()>>,
    },
    /// Commit what came before, checkpoint the WAL and stop.
    Close { reply: oneshot::Sender<()> },
}

/// An answer held until its batch commits.
enum Answer {
    Account(
        oneshot::Sender<StorageResult<Account>>,
        StorageResult<Account>,
    ),
    Sent(oneshot::Sender<StorageResult<Sent>>, StorageResult<Sent>),
    Seq(oneshot::Sender<StorageResult<Seq>>, StorageResult<Seq>),
    Expired(
        oneshot::Sender<StorageResult<Expired>>,
        StorageResult<Expired>,
    ),
    Message(
        oneshot::Sender<StorageResult<Message>>,
        StorageResult<Message>,
    ),
    Results(
        oneshot::Sender<StorageResult<Vec<StorageResult<()>>>>,
        StorageResult<Vec<StorageResult<()>>>,
    ),
    Bool(oneshot::Sender<StorageResult<bool>>, StorageResult<bool>),
    Unit(oneshot::Sender<StorageResult<()>>, StorageResult<()>),
}

impl Answer {
    /// Sends the answer, or `failure` in place of a success when the batch did not commit.
    /// A caller that stopped waiting is no fault of ours, so send errors are ignored.
    fn deliver(self, failure: Option<&str>) {
        fn pick<T>(r: StorageResult<T>, failure: Option<&str>) -> StorageResult<T> {
            match (r, failure) {
                (Ok(_), Some(f)) => Err(StorageError::Database(f.to_owned())),
                (r, _) => r,
            }
        }
        match self {
            Answer::Account(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Sent(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Seq(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Expired(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Message(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Results(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Bool(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Unit(tx, r) => drop(tx.send(pick(r, failure))),
        }
    }
}

struct UserState {
    nick: String,
    avatar: String,
    created_ms: u64,
    latest: u64,
    log_bytes: u64,
    contacts: u64,
    /// Size of the user's blacklist, so the common case (empty) costs no look-up per message.
    blocked: u64,
}

#[derive(Default)]
struct Batch {
    answers: Vec<Answer>,
    published: Vec<Committed>,
    /// Users whose offline cache went over its byte budget in this batch.
    over_budget: HashSet<UserId>,
}

pub(super) struct Writer {
    conn: Connection,
    retention: Retention,
    listener: Arc<dyn CommitListener>,
    users: HashMap<UserId, UserState>,
    /// Conversations known to exist, so a message in an ongoing chat costs no look-up.
    conversations: HashSet<(UserId, UserId)>,
    last_time_ms: u64,
}

type Sql<T> = rusqlite::Result<T>;

impl Writer {
    pub(super) fn new(
        conn: Connection,
        retention: Retention,
        listener: Arc<dyn CommitListener>,
    ) -> Sql<Self> {
        let last_time_ms: Option<i64> =
            conn.query_row("SELECT MAX(time_ms) FROM messages", [], |r| r.get(0))?;
        Ok(Self {
            conn,
            retention,
            listener,
            users: HashMap::new(),
            conversations: HashSet::new(),
            last_time_ms: last_time_ms.unwrap_or(0) as u64,
        })
    }

    /// Runs until a `Close` op arrives or every sender is gone.
    pub(super) fn run(mut self, mut rx: mpsc::Receiver<Op>) {
        let mut close = None;
        while close.is_none() {
            let Some(first) = rx.blocking_recv() else {
                break;
            };
            let mut ops = vec![first];
            while ops.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            if let Some(at) = ops.iter().position(|op| matches!(op, Op::Close { .. })) {
                // Ops queued after Close were queued after the caller asked to stop: refuse them.
                for op in ops.drain(at + 1..) {
                    refuse(op);
                }
                if let Some(Op::Close { reply }) = ops.pop() {
                    close = Some(reply);
                }
            }
            if !ops.is_empty() {
                self.run_batch(ops);
            }
        }
        if let Err(e) = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!(error = %e, "WAL checkpoint at close failed");
        }
        rx.close();
        while let Ok(op) = rx.try_recv() {
            refuse(op);
        }
        if let Some(reply) = close {
            let _ = reply.send(());
        }
    }

    fn run_batch(&mut self, ops: Vec<Op>) {
        let mut batch = Batch::default();
        let outcome = self.apply_all(ops, &mut batch);
        let failure = match outcome {
            Ok(()) => {
                self.listener.committed(&batch.published);
                None
            }
            Err(e) => {
                tracing::error!(error = %e, ops = batch.answers.len(), "write batch failed; rolled back");
                let _ = self.conn.execute_batch("ROLLBACK");
                self.reload();
                Some(e.to_string())
            }
        };
        for answer in batch.answers {
            answer.deliver(failure.as_deref());
        }
        if self.users.len() > MAX_CACHED_USERS {
            self.users.clear();
        }
        if self.conversations.len() > MAX_CACHED_USERS {
            self.conversations.clear();
        }
    }

    /// Forgets cached state, which after a rollback or a bulk delete may be stale.
    fn reload(&mut self) {
        self.users.clear();
        self.conversations.clear();
        if let Ok(Some(t)) = self
            .conn
            .query_row("SELECT MAX(time_ms) FROM messages", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
        {
            self.last_time_ms = t as u64;
        }
    }

    fn apply_all(&mut self, ops: Vec<Op>, batch: &mut Batch) -> Sql<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut first_error = None;
        for op in ops {
            // After a database error the transaction is doomed: answer the rest without work.
            let answer = match op {
                Op::EnsureUser {
                    user,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| w.ensure_user(&user, now_ms));
                    Answer::Account(reply, r)
                }
                Op::Send { msg, reply } => {
                    let r = self.guard(&mut first_error, |w| w.send(*msg, batch));
                    Answer::Sent(reply, r)
                }
                Op::MarkRead {
                    owner,
                    peer,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.mark_read(&owner, &peer, now_ms, origin, batch)
                    });
                    Answer::Seq(reply, r)
                }
                Op::DeleteMessages {
                    owner,
                    peer,
                    keys,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.delete_messages(&owner, &peer, keys, now_ms, origin, batch)
                    });
                    Answer::Seq(reply, r)
                }
                Op::DeleteConversation {
                    owner,
                    peer,
                    history,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.delete_conversation(&owner, &peer, history, now_ms, origin, batch)
                    });
                    Answer::Seq(reply, r)
                }
                Op::Expire { now_ms, reply } => {
                    let r = self.guard(&mut first_error, |w| w.expire(now_ms, batch));
                    Answer::Expired(reply, r)
                }
                Op::Recall {
                    key,
                    from,
                    to,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.recall(key, &from, &to, now_ms, batch)
                    });
                    Answer::Message(reply, r)
                }
                Op::Edit { edit, reply } => {
                    let r = self.guard(&mut first_error, |w| w.edit(&edit, batch));
                    Answer::Message(reply, r)
                }
                Op::Profile {
                    user,
                    update,
                    create,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.upsert_profile(&user, update, create, now_ms, origin, batch)
                    });
                    Answer::Account(reply, r)
                }
                Op::Relations { change, reply } => {
                    let r = self.guard(&mut first_error, |w| w.change_relations(change, batch));
                    Answer::Results(reply, r)
                }
                Op::DeleteUser {
                    user,
                    deletion,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| w.delete_user(&user, deletion));
                    Answer::Bool(reply, r)
                }
                Op::PushRegister {
                    user,
                    registration,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.push_register(&user, &registration, now_ms)
                    });
                    Answer::Unit(reply, r)
                }
                Op::PushUnregister {
                    user,
                    device,
                    vendor,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        let vendor = vendor.map(Vendor::as_str);
                        let removed = w
                            .conn
                            .prepare_cached(
                                "DELETE FROM push_registrations WHERE user = ?1 AND device = ?2 AND (?3 IS NULL OR vendor = ?3)",
                            )?
                            .execute(params![user.as_str(), device.as_str(), vendor])?;
                        Ok(Ok(removed > 0))
                    });
                    Answer::Bool(reply, r)
                }
                Op::PushSettle { done, retry, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        for id in &done {
                            w.conn
                                .prepare_cached("DELETE FROM push_jobs WHERE id = ?1")?
                                .execute([*id as i64])?;
                        }
                        for (id, due_ms) in &retry {
                            w.conn
                                .prepare_cached(
                                    "UPDATE push_jobs SET attempts = attempts + 1, due_ms = ?2 WHERE id = ?1",
                                )?
                                .execute([*id as i64, *due_ms as i64])?;
                        }
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::SetSetting { key, value, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.conn
                            .prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2")?
                            .execute([&key, &value])?;
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::Kick { user, kick, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        let sigs: Vec<String> = kick.sigs.iter().map(u64::to_string).collect();
                        w.conn
                            .prepare_cached("INSERT OR REPLACE INTO kicks (id, kicked_ms, sigs) VALUES (?1, ?2, ?3)")?
                            .execute(params![user.as_str(), kick.at_ms as i64, sigs.join(",")])?;
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::ProfileTags { user, tags, reply } => {
                    let r = self.guard(&mut first_error, |w| w.set_profile_tags(&user, tags));
                    Answer::Unit(reply, r)
                }
                Op::FriendFields {
                    owner,
                    peer,
                    fields,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.set_friend_fields(&owner, &peer, fields)
                    });
                    Answer::Bool(reply, r)
                }
                Op::FriendGroups {
                    owner,
                    add,
                    remove,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.change_friend_groups(&owner, add, remove)
                    });
                    Answer::Unit(reply, r)
                }
                Op::Close { .. } => unreachable!("split off by run"),
            };
            batch.answers.push(answer);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        self.flush(batch)?;
        self.conn.execute_batch("COMMIT")
    }

    fn guard<T>(
        &mut self,
        first_error: &mut Option<rusqlite::Error>,
        f: impl FnOnce(&mut Self) -> Sql<StorageResult<T>>,
    ) -> StorageResult<T> {
        if first_error.is_some() {
            return Err(StorageError::Database(
                "an earlier write in the batch failed".into(),
            ));
        }
        f(self).unwrap_or_else(|e| {
            let msg = e.to_string();
            *first_error = Some(e);
            Err(StorageError::Database(msg))
        })
    }

    /// The cached state of `user`, loaded on first use; `None` if the account does not exist.
    fn user(&mut self, user: &UserId) -> Sql<Option<&mut UserState>> {
        if !self.users.contains_key(user) {
            let row = self
                .conn
                .prepare_cached(
                    "SELECT nick, avatar, latest_seq, created_ms FROM users WHERE id = ?1",
                )?
                .query_row([user.as_str()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })
                .optional()?;
            let Some((nick, avatar, floor, created_ms)) = row else {
                return Ok(None);
            };
            let (log_bytes, newest): (i64, Option<i64>) = self
                .conn
                .prepare_cached(
                    "SELECT COALESCE(SUM(size), 0), MAX(seq) FROM sync_log WHERE user = ?1",
                )?
                .query_row([user.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let latest = newest.unwrap_or(0).max(floor);
            let contacts: i64 = self
                .conn
                .prepare_cached("SELECT COUNT(*) FROM conversations WHERE owner = ?1")?
                .query_row([user.as_str()], |r| r.get(0))?;
            let blocked: i64 = self
                .conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM relations WHERE relation = ?1 AND owner = ?2",
                )?
                .query_row(
                    params![relation_code(Relation::Blacklist), user.as_str()],
                    |r| r.get(0),
                )?;
            self.users.insert(
                user.clone(),
                UserState {
                    nick,
                    avatar,
                    created_ms: created_ms as u64,
                    latest: latest as u64,
                    log_bytes: log_bytes as u64,
                    contacts: contacts as u64,
                    blocked: blocked as u64,
                },
            );
        }
        Ok(self.users.get_mut(user))
    }

    fn ensure_user(&mut self, user: &UserId, now_ms: u64) -> Sql<StorageResult<Account>> {
        if self.user(user)?.is_none() {
            // Only messages from now on are its history; a deleted namesake's sequence goes on.
            self.conn
                .prepare_cached(
                    "INSERT INTO users (id, created_ms, history_from, latest_seq) VALUES (?1, ?2,
                        (SELECT COALESCE(MAX(id), 0) FROM messages),
                        COALESCE((SELECT latest_seq FROM deleted_accounts WHERE id = ?1), 0))",
                )?
                .execute(params![user.as_str(), now_ms as i64])?;
        }
        let u = self.user(user)?.expect("exists now");
        Ok(Ok(Account {
            id: user.clone(),
            nick: u.nick.clone(),
            avatar: u.avatar.clone(),
            latest_seq: Seq(u.latest),
            created_ms: u.created_ms,
        }))
    }

    /// Appends an entry to `user`'s log, returning its sequence.
    fn append(
        &mut self,
        batch: &mut Batch,
        user: &UserId,
        time_ms: u64,
        size: u64,
        message_id: Option<u64>,
        event: Option<&str>,
    ) -> Sql<Seq> {
        let budget = self.retention.offline_bytes;
        let u = self.user(user)?.expect("caller checked the account");
        u.latest += 1;
        u.log_bytes += size;
        let seq = u.latest;
        if u.log_bytes > budget {
            batch.over_budget.insert(user.clone());
        }
        self.conn
            .prepare_cached(
                "INSERT INTO sync_log (user, seq, time_ms, message_id, event, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![user.as_str(), seq as i64, time_ms as i64, message_id.map(|i| i as i64), event, size as i64])?;
        Ok(Seq(seq))
    }

    fn find_retry(&mut self, msg: &NewMessage, body: &str) -> Sql<Option<Sent>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS}, m.sender_seq FROM messages m
             WHERE m.sender = ?1 AND m.recipient = ?2 AND m.random = ?3 AND m.body = ?4
               AND m.cloud_custom_data IS ?5"
        ))?;
        stmt.query_row(
            params![
                msg.from.as_str(),
                msg.to.as_str(),
                msg.random,
                body,
                msg.cloud_custom_data
            ],
            |row| {
                let message = rows::message(row, 0)?.expect("selected from messages");
                let sender_seq = Seq(row.get::<_, i64>(MESSAGE_WIDTH)? as u64);
                Ok(Sent {
                    message,
                    sender_seq,
                    duplicate: true,
                })
            },
        )
        .optional()
    }

    fn send(&mut self, msg: NewMessage, batch: &mut Batch) -> Sql<StorageResult<Sent>> {
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
        if let Some(sent) = self.find_retry(&msg, &body)? {
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
        self.conn
            .prepare_cached(
                "INSERT INTO messages (sender, recipient, conv, random, time_ms, body, cloud_custom_data,
                                       nick, avatar, size, sender_seq, flags, client_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                msg.from.as_str(),
                msg.to.as_str(),
                conv_key(&msg.from, &msg.to),
                msg.random,
                time_ms as i64,
                body,
                msg.cloud_custom_data,
                nick,
                avatar,
                size as i64,
                sender_seq as i64,
                (if msg.no_unread { flags::NO_UNREAD } else { 0 }) | (if msg.no_last_msg { flags::NO_LAST_MSG } else { 0 }),
                msg.client_time_s as i64,
            ])?;
        let id = self.conn.last_insert_rowid() as u64;
        if let Some(push) = &msg.push {
            let info = push
                .info
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StorageError::Corrupt(e.to_string()))
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            self.conn
                .prepare_cached(
                    "INSERT INTO push_jobs (user, message_id, info, due_ms) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![msg.to.as_str(), id as i64, info, time_ms as i64])?;
        }
        let recipient_seq = self.append(batch, &msg.to, time_ms, size, Some(id), None)?;
        let sender_seq = if msg.sync_sender {
            Some(self.append(batch, &msg.from, time_ms, size, Some(id), None)?)
        } else {
            None
        };
        // A new conversation starts read up to just before its first message for the recipient.
        let conv = conv_key(&msg.from, &msg.to);
        self.ensure_conversation(&msg.to, &msg.from, &conv, id - 1, time_ms)?;
        self.ensure_conversation(&msg.from, &msg.to, &conv, id, time_ms)?;
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
        };
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
    fn ensure_conversation(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        conv: &str,
        read_up_to: u64,
        now_ms: u64,
    ) -> Sql<()> {
        let pair = (owner.clone(), peer.clone());
        if self.conversations.contains(&pair) {
            return Ok(());
        }
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO conversations (owner, peer, conv, read_up_to, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (owner, peer) DO NOTHING",
            )?
            .execute(params![owner.as_str(), peer.as_str(), conv, read_up_to as i64, now_ms as i64])?;
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
        let evicted: String = self
            .conn
            .prepare_cached(
                "DELETE FROM conversations WHERE owner = ?1 AND peer = (
                    SELECT c.peer FROM conversations c WHERE c.owner = ?1
                    ORDER BY COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.conv = c.conv), 0), c.created_ms
                    LIMIT 1)
                 RETURNING peer",
            )?
            .query_row([owner.as_str()], |r| r.get(0))?;
        self.conversations
            .remove(&(owner.clone(), rows::user_id(evicted)?));
        Ok(())
    }

    fn mark_read(
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
        let last = self
            .conn
            .prepare_cached(
                "SELECT id, random, time_ms FROM messages WHERE conv = ?1 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([conv_key(owner, peer)], |r| {
                Ok(message_key(
                    r.get::<_, i64>(0)? as u64,
                    r.get(1)?,
                    r.get::<_, i64>(2)? as u64,
                ))
            })
            .optional()?;
        let Some(up_to) = last else {
            return Ok(Ok(Seq(0)));
        };
        let moved = self
            .conn
            .prepare_cached(
                "UPDATE conversations SET read_up_to = ?3 WHERE owner = ?1 AND peer = ?2 AND read_up_to < ?3",
            )?
            .execute(params![owner.as_str(), peer.as_str(), up_to.id as i64])?
            > 0;
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

    fn delete_messages(
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
            let found = self
                .conn
                .prepare_cached("SELECT random, time_ms FROM messages WHERE id = ?1 AND conv = ?2")?
                .query_row(params![key.id as i64, conv], |r| {
                    Ok(message_key(key.id, r.get(0)?, r.get::<_, i64>(1)? as u64))
                })
                .optional()?;
            if found != Some(*key) {
                return Ok(Err(StorageError::MessageNotFound));
            }
        }
        for key in &keys {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO hidden_messages (owner, message_id) VALUES (?1, ?2)",
                )?
                .execute(params![owner.as_str(), key.id as i64])?;
        }
        let event = SyncEvent::Deleted {
            peer: peer.clone(),
            keys,
        };
        Ok(Ok(self.publish(batch, owner, event, now_ms, origin)?))
    }

    fn delete_conversation(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        history: bool,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Seq>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        let conv = conv_key(owner, peer);
        // Every message so far: any later one has a larger id.
        let up_to: i64 = self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM messages")?
            .query_row([], |r| r.get(0))?;
        self.conn
            .prepare_cached(
                "UPDATE conversations SET deleted_up_to = ?3 WHERE owner = ?1 AND peer = ?2",
            )?
            .execute(params![owner.as_str(), peer.as_str(), up_to])?;
        if history {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO hidden_messages (owner, message_id)
                     SELECT ?1, id FROM messages WHERE conv = ?2",
                )?
                .execute(params![owner.as_str(), conv])?;
        }
        let event = SyncEvent::ConversationDeleted {
            peer: peer.clone(),
            history,
        };
        Ok(Ok(self.publish(batch, owner, event, now_ms, origin)?))
    }

    fn push_register(
        &mut self,
        user: &UserId,
        registration: &PushRegistration,
        now_ms: u64,
    ) -> Sql<StorageResult<()>> {
        if self.user(user)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(user.clone())));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO push_registrations (user, device, vendor, token, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user, device, vendor) DO UPDATE SET token = ?4, created_ms = ?5",
            )?
            .execute(params![
                user.as_str(),
                registration.device.as_str(),
                registration.vendor.as_str(),
                registration.token,
                now_ms as i64
            ])?;
        // Past the cap, the oldest registrations go.
        self.conn
            .prepare_cached(
                "DELETE FROM push_registrations WHERE user = ?1 AND (device, vendor) IN (
                     SELECT device, vendor FROM push_registrations WHERE user = ?1
                     ORDER BY created_ms DESC LIMIT -1 OFFSET ?2)",
            )?
            .execute(params![user.as_str(), MAX_PUSH_REGISTRATIONS as i64])?;
        Ok(Ok(()))
    }

    fn expire(&mut self, now_ms: u64, batch: &mut Batch) -> Sql<StorageResult<Expired>> {
        self.flush(batch)?;
        let msg_cutoff = self.retention.roaming_cutoff(now_ms) as i64;
        let log_cutoff = self.retention.offline_cutoff(now_ms) as i64;
        // Message times never decrease with id, so the expired messages are an id prefix.
        let first_kept: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM messages WHERE time_ms >= ?1 ORDER BY id LIMIT 1",
                [msg_cutoff],
                |r| r.get(0),
            )
            .optional()?;
        let messages = match first_kept {
            Some(id) => self
                .conn
                .execute("DELETE FROM messages WHERE id < ?1", [id])?,
            None => self.conn.execute("DELETE FROM messages", [])?,
        };
        // A log about to lose its newest rows keeps its latest sequence in `users`.
        self.conn.execute(
            "UPDATE users SET latest_seq = (SELECT MAX(seq) FROM sync_log s WHERE s.user = users.id)
             WHERE id IN (SELECT DISTINCT user FROM sync_log WHERE time_ms < ?1)",
            [log_cutoff],
        )?;
        let sync_entries = self
            .conn
            .execute("DELETE FROM sync_log WHERE time_ms < ?1", [log_cutoff])?;
        self.users.clear();
        Ok(Ok(Expired {
            messages: messages as u64,
            sync_entries: sync_entries as u64,
        }))
    }

    /// Whether `owner`'s list of `relation` holds `peer`.
    fn listed(&self, relation: Relation, owner: &UserId, peer: &UserId) -> Sql<bool> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
            )?
            .query_row(
                params![relation_code(relation), owner.as_str(), peer.as_str()],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
    }

    /// Appends a non-message event to `owner`'s log and queues it for the change feed.
    fn publish(
        &mut self,
        batch: &mut Batch,
        owner: &UserId,
        event: SyncEvent,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Sql<Seq> {
        let (json, size) = event_bytes(&event);
        let time_ms = now_ms.max(self.last_time_ms);
        let seq = self.append(batch, owner, time_ms, size, None, Some(&json))?;
        batch.published.push(Committed {
            owner: owner.clone(),
            entry: Arc::new(SyncEntry { seq, event }),
            origin,
        });
        Ok(seq)
    }

    /// The stored message `key`, while it is in the roaming store.
    fn stored_message(&mut self, key: MessageKey, now_ms: u64) -> Sql<Option<Message>> {
        let cutoff = self.retention.roaming_cutoff(now_ms) as i64;
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?1 AND m.time_ms >= ?2"
            ))?
            .query_row(params![key.id as i64, cutoff], |r| rows::message(r, 0))
            .optional()?
            .flatten()
            .filter(|m| m.key == key))
    }

    fn recall(
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
        self.conn
            .prepare_cached(
                "UPDATE messages SET flags = flags | ?2, body = '[]', cloud_custom_data = NULL WHERE id = ?1",
            )?
            .execute(params![key.id as i64, flags::RECALLED])?;
        for (owner, event) in rules::recall_events(&message) {
            if self.user(&owner)?.is_some() {
                self.publish(batch, &owner, event, now_ms, None)?;
            }
        }
        Ok(Ok(message))
    }

    fn edit(&mut self, edit: &MessageEdit, batch: &mut Batch) -> Sql<StorageResult<Message>> {
        let found = self.stored_message(edit.key, edit.now_ms)?;
        let Some(mut message) = found.filter(|m| edit.names(m)) else {
            return Ok(Err(StorageError::MessageNotFound));
        };
        if let Err(e) = edit.apply_to(&mut message) {
            return Ok(Err(e));
        }
        let body = serde_json::to_string(&message.elements).expect("elements serialize");
        let size = message_bytes(&body, message.cloud_custom_data.as_deref());
        self.conn
            .prepare_cached(
                "UPDATE messages SET body = ?2, cloud_custom_data = ?3, size = ?4, version = ?5, edited_ms = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                edit.key.id as i64,
                body,
                message.cloud_custom_data,
                size as i64,
                message.version,
                message.edited_ms as i64,
            ])?;
        let time_ms = edit.now_ms.max(self.last_time_ms);
        for owner in [&message.from, &message.to] {
            if self.user(owner)?.is_none() {
                continue;
            }
            let id = Some(edit.key.id);
            let seq = self.append(batch, owner, time_ms, size, id, Some(rows::EDITED_EVENT))?;
            batch.published.push(Committed {
                owner: owner.clone(),
                entry: Arc::new(SyncEntry {
                    seq,
                    event: SyncEvent::Edited {
                        message: message.clone(),
                    },
                }),
                origin: None,
            });
        }
        Ok(Ok(message))
    }

    fn upsert_profile(
        &mut self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Account>> {
        if self.user(user)?.is_none() {
            if !create {
                return Ok(Err(StorageError::UnknownUser(user.clone())));
            }
            if let Err(e) = self.ensure_user(user, now_ms)? {
                return Ok(Err(e));
            }
        }
        if update.nick.is_some() || update.avatar.is_some() {
            self.conn
                .prepare_cached(
                    "UPDATE users SET nick = COALESCE(?2, nick), avatar = COALESCE(?3, avatar) WHERE id = ?1",
                )?
                .execute(params![user.as_str(), update.nick, update.avatar])?;
            let u = self.user(user)?.expect("exists");
            let event = update.apply_to(&mut u.nick, &mut u.avatar);
            self.publish(batch, user, event, now_ms, origin)?;
        }
        self.ensure_user(user, now_ms)
    }

    fn change_relations(
        &mut self,
        change: RelationChange,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Vec<StorageResult<()>>>> {
        let (add, now_ms) = (change.add, change.now_ms);
        if self.user(&change.owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(change.owner.clone())));
        }
        let (mut results, mut changed) = (Vec::with_capacity(change.peers.len()), Vec::new());
        for peer in change.peers.iter().cloned() {
            if self.user(&peer)?.is_none() {
                results.push(Err(StorageError::UnknownUser(peer)));
                continue;
            }
            let pairs = change.pairs(&peer);
            let refusal = if change.existing_only {
                let mut missing = false;
                for (k, a, b) in &pairs {
                    missing |= !self.listed(*k, a, b)?;
                }
                missing.then_some(StorageError::NotListed)
            } else if add {
                self.add_refusal(&pairs)?
            } else {
                None
            };
            if let Some(e) = refusal {
                results.push(Err(e));
                continue;
            }
            for (k, a, b) in pairs {
                let code = relation_code(k);
                let fields = change.fields_for(k, &a);
                let n = if add {
                    let new = self
                        .conn
                        .prepare_cached(
                            "INSERT INTO relations (relation, owner, peer, since_ms) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT DO NOTHING",
                        )?
                        .execute(params![code, a.as_str(), b.as_str(), now_ms as i64])?;
                    if !fields.is_empty() {
                        self.merge_fields(k, &a, &b, fields.to_vec())?;
                    }
                    new + usize::from(!fields.is_empty())
                } else {
                    self.conn
                        .prepare_cached("DELETE FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3")?
                        .execute(params![code, a.as_str(), b.as_str()])?
                };
                if n > 0 {
                    if k == Relation::Blacklist
                        && let Some(u) = self.user(&a)?
                    {
                        u.blocked = if add {
                            u.blocked + 1
                        } else {
                            u.blocked.saturating_sub(1)
                        };
                    }
                    changed.push((k, a, b));
                }
            }
            results.push(Ok(()));
        }
        for (a, event, origin) in relation_events(&change, &changed) {
            self.publish(batch, &a, event, now_ms, origin)?;
        }
        Ok(Ok(results))
    }

    /// Why adding these `(kind, owner, peer)` entries is refused, if it is.
    fn add_refusal(&self, pairs: &[(Relation, UserId, UserId)]) -> Sql<Option<StorageError>> {
        for &(relation, ref a, ref b) in pairs {
            if self.listed(relation, a, b)? {
                continue;
            }
            let len: i64 = self
                .conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM relations WHERE relation = ?1 AND owner = ?2",
                )?
                .query_row(params![relation_code(relation), a.as_str()], |r| r.get(0))?;
            let blocks = self.listed(Relation::Blacklist, b, a)?;
            if let Some(e) = add_refusal(relation, blocks, len as usize) {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    fn set_profile_tags(
        &mut self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> Sql<StorageResult<()>> {
        if self.user(user)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(user.clone())));
        }
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO profile_tags (user, tag, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (user, tag) DO UPDATE SET value = ?3",
        )?;
        for (tag, value) in tags {
            upsert.execute(params![user.as_str(), tag, value])?;
        }
        Ok(Ok(()))
    }

    fn set_friend_fields(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
    ) -> Sql<StorageResult<bool>> {
        Ok(Ok(self.merge_fields(
            Relation::Friend,
            owner,
            peer,
            fields,
        )?))
    }

    /// Merges `fields` into those kept with `owner`'s entry of `peer` on its list of
    /// `relation`; whether the entry exists (nothing is kept when not).
    fn merge_fields(
        &mut self,
        relation: Relation,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
    ) -> Sql<bool> {
        let code = relation_code(relation);
        let kept: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT fields FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
            )?
            .query_row(params![code, owner.as_str(), peer.as_str()], |r| r.get(0))
            .optional()?;
        let Some(kept) = kept else {
            return Ok(false);
        };
        let mut all = rows::fields_from_text(&kept);
        all.extend(fields);
        self.conn
            .prepare_cached(
                "UPDATE relations SET fields = ?4 WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
            )?
            .execute(params![
                code,
                owner.as_str(),
                peer.as_str(),
                rows::fields_to_text(&all)
            ])?;
        Ok(true)
    }

    fn change_friend_groups(
        &mut self,
        owner: &UserId,
        add: Vec<String>,
        remove: Vec<String>,
    ) -> Sql<StorageResult<()>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        for name in &add {
            self.conn
                .prepare_cached("INSERT INTO friend_groups (owner, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
                .execute(params![owner.as_str(), name])?;
        }
        if remove.is_empty() {
            return Ok(Ok(()));
        }
        for name in &remove {
            self.conn
                .prepare_cached("DELETE FROM friend_groups WHERE owner = ?1 AND name = ?2")?
                .execute(params![owner.as_str(), name])?;
        }
        // The removed groups leave the friendships that named them.
        let code = relation_code(Relation::Friend);
        let rows: Vec<(String, String)> = self
            .conn
            .prepare_cached("SELECT peer, fields FROM relations WHERE relation = ?1 AND owner = ?2 AND fields != ''")?
            .query_map(params![code, owner.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (peer, text) in rows {
            let mut fields = rows::fields_from_text(&text);
            if leave_groups(&mut fields, &remove) {
                self.conn
                    .prepare_cached("UPDATE relations SET fields = ?4 WHERE relation = ?1 AND owner = ?2 AND peer = ?3")?
                    .execute(params![code, owner.as_str(), peer, rows::fields_to_text(&fields)])?;
            }
        }
        Ok(Ok(()))
    }

    fn delete_user(&mut self, user: &UserId, deletion: Revocation) -> Sql<StorageResult<bool>> {
        let latest = match self.user(user)? {
            Some(u) => u.latest as i64,
            None => self
                .conn
                .prepare_cached("SELECT latest_seq FROM deleted_accounts WHERE id = ?1")?
                .query_row([user.as_str()], |r| r.get(0))
                .optional()?
                .unwrap_or(0),
        };
        let sigs: Vec<String> = deletion.sigs.iter().map(u64::to_string).collect();
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO deleted_accounts (id, deleted_ms, latest_seq, sigs) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![user.as_str(), deletion.at_ms as i64, latest, sigs.join(",")])?;
        let existed = self
            .conn
            .prepare_cached("DELETE FROM users WHERE id = ?1")?
            .execute([user.as_str()])?
            > 0;
        for sql in [
            "DELETE FROM sync_log WHERE user = ?1",
            "DELETE FROM conversations WHERE owner = ?1",
            "DELETE FROM hidden_messages WHERE owner = ?1",
            "DELETE FROM push_registrations WHERE user = ?1",
            "DELETE FROM push_jobs WHERE user = ?1",
            "DELETE FROM profile_tags WHERE user = ?1",
            "DELETE FROM friend_groups WHERE owner = ?1",
            "DELETE FROM relations WHERE owner = ?1 OR peer = ?1",
        ] {
            self.conn.prepare_cached(sql)?.execute([user.as_str()])?;
        }
        // Other users' cached blacklist sizes may have counted this user: start afresh.
        self.users.clear();
        self.conversations.clear();
        Ok(Ok(existed))
    }

    /// Trims the offline cache of every user that went over its byte budget in the batch.
    fn flush(&mut self, batch: &mut Batch) -> Sql<()> {
        let budget = self.retention.offline_bytes;
        for id in std::mem::take(&mut batch.over_budget) {
            let (latest, excess) = match self.users.get(&id) {
                Some(u) => (u.latest, u.log_bytes.saturating_sub(budget)),
                None => continue,
            };
            if excess > 0 {
                let freed = self.evict_log(&id, excess, latest)?;
                self.users.get_mut(&id).expect("present above").log_bytes -= freed;
            }
        }
        Ok(())
    }

    /// Drops the oldest log entries of `user` until at least `excess` bytes are freed. The
    /// newest entry (`latest`) always stays, so the log's newest sequence is never lost.
    fn evict_log(&mut self, user: &UserId, excess: u64, latest: u64) -> Sql<u64> {
        let (mut freed, mut cut) = (0u64, None);
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT seq, size FROM sync_log WHERE user = ?1 AND seq < ?2 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![user.as_str(), latest as i64])?;
            while freed < excess {
                let Some(row) = rows.next()? else { break };
                cut = Some(row.get::<_, i64>(0)?);
                freed += row.get::<_, i64>(1)? as u64;
            }
        }
        if let Some(cut) = cut {
            self.conn
                .prepare_cached("DELETE FROM sync_log WHERE user = ?1 AND seq <= ?2")?
                .execute(params![user.as_str(), cut])?;
        }
        Ok(freed)
    }
}

/// Answers an op that arrived after shutdown began.
fn refuse(op: Op) {
    match op {
        Op::EnsureUser { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Send { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::MarkRead { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteMessages { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteConversation { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Expire { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Recall { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Edit { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Profile { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Relations { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::DeleteUser { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::SetSetting { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Kick { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::ProfileTags { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::FriendFields { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::FriendGroups { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushRegister { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushUnregister { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::PushSettle { reply, .. } => drop(reply.send(Err(StorageError::Closed))),
        Op::Close { reply } => drop(reply.send(())),
    }
}
