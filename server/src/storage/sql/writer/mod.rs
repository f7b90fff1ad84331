//! The single writer: one thread owns the write connection and applies queued operations in
//! batches, one transaction (one fsync) per batch — group commit. Results are held until the
//! batch commits; then the committed sync entries go to the listener and the callers are
//! answered. If the commit fails, every operation in the batch fails and nothing is published.
//!
//! What a message writes is kept small, because each B-tree page a commit touches is a page the
//! WAL must write: the message row, one sync-log row per user, and a conversation row only when
//! the message starts a conversation. Per-user counters (latest sequence, offline-cache bytes,
//! contact count) are cached here rather than stored per message.

mod epoch;
mod messages;
mod ops;
mod pending;
mod people;

use epoch::Changes;
pub(super) use ops::Op;
use ops::refuse;
use pending::{LogRow, Pending, RetryKey};

use super::db::{Db, Engine, Sql, SqlError};
use super::rows::{self, MESSAGE_COLUMNS, MESSAGE_WIDTH};
use super::search;
use crate::storage::*;
use protocol::SyncEvent;
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// Most operations in one transaction.
const MAX_BATCH: usize = 2048;
/// Users whose counters stay cached; past this the cache is emptied between batches.
const MAX_CACHED_USERS: usize = 100_000;
/// The search index is written when no operation has come for this long ([`search`]).
const INDEX_WHEN_IDLE_FOR: std::time::Duration = std::time::Duration::from_millis(50);
/// Messages left unindexed at most: past this, the writer indexes between batches, busy or
/// not, so that a search never reads more than this many messages outside the index.
const MAX_UNINDEXED: u64 = 200_000;

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
    State(
        oneshot::Sender<StorageResult<StateAfter>>,
        StorageResult<StateAfter>,
    ),
    Unit(oneshot::Sender<StorageResult<()>>, StorageResult<()>),
    Update(
        oneshot::Sender<StorageResult<Result<(), ChatError>>>,
        StorageResult<Result<(), ChatError>>,
    ),
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
            Answer::State(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Expired(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Message(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Results(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Bool(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Unit(tx, r) => drop(tx.send(pick(r, failure))),
            Answer::Update(tx, r) => drop(tx.send(pick(r, failure))),
        }
    }
}

struct UserState {
    nick: String,
    avatar: String,
    created_ms: u64,
    latest: u64,
    log_bytes: u64,
    /// Every sequence up to this one is gone from the log, so eviction reads from here rather
    /// than through the index entries of rows deleted before (PostgreSQL keeps those until a
    /// vacuum, and a query from the start walks them all).
    evicted_up_to: u64,
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
    /// Rows appended in this batch and not written yet.
    pending: Pending,
    /// On PostgreSQL, the sends of the batch that a stored message shares sender, recipient
    /// and `random` with ([`Writer::stored_retries`]): only those can be retries of a stored
    /// message. `None`: any can.
    stored_retries: Option<HashSet<RetryKey>>,
}

pub(super) struct Writer {
    db: Db,
    retention: Retention,
    listener: Arc<dyn CommitListener>,
    users: HashMap<UserId, UserState>,
    /// Conversations known to exist, so a message in an ongoing chat costs no look-up.
    conversations: HashSet<(UserId, UserId)>,
    last_time_ms: u64,
    /// The newest message's number, and how far the search index has got.
    newest_id: u64,
    indexed_up_to: u64,
    /// On PostgreSQL, the cluster's write epoch after this writer's last commit: when the next
    /// batch finds it moved by more than its own step, another node wrote in between ([`epoch`]).
    epoch: Option<i64>,
    /// What this batch changed, for the other nodes' writers ([`epoch`]).
    changes: Changes,
}

impl Writer {
    pub(super) fn new(
        db: Db,
        retention: Retention,
        listener: Arc<dyn CommitListener>,
    ) -> Sql<Self> {
        let mut writer = Self {
            db,
            retention,
            listener,
            users: HashMap::new(),
            conversations: HashSet::new(),
            last_time_ms: 0,
            newest_id: 0,
            indexed_up_to: 0,
            epoch: None,
            changes: Changes::default(),
        };
        writer.reload();
        writer.indexed_up_to = search::progress(&writer.db)?;
        Ok(writer)
    }

    /// Runs until a `Close` op arrives or every sender is gone. When nothing has come for a
    /// while, indexes messages for search, a chunk at a time.
    pub(super) fn run(mut self, mut rx: mpsc::Receiver<Op>) {
        // Only to wait for an operation with a time limit.
        let clock = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a timer for the writer thread");
        let mut close = None;
        // Idle since the last chunk was indexed: the next one goes at once.
        let mut indexing = false;
        while close.is_none() {
            let next = match rx.try_recv() {
                Ok(op) => Some(op),
                Err(mpsc::error::TryRecvError::Disconnected) => None,
                Err(mpsc::error::TryRecvError::Empty) if self.unindexed() > 0 && indexing => {
                    self.index_chunk();
                    continue;
                }
                Err(mpsc::error::TryRecvError::Empty) if self.unindexed() > 0 => {
                    let wait = async { tokio::time::timeout(INDEX_WHEN_IDLE_FOR, rx.recv()).await };
                    match clock.block_on(wait) {
                        Ok(op) => op,
                        Err(_idle) => {
                            indexing = true;
                            continue;
                        }
                    }
                }
                Err(mpsc::error::TryRecvError::Empty) => rx.blocking_recv(),
            };
            indexing = false;
            let Some(first) = next else {
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
            let vacuums: Vec<Op> = ops
                .extract_if(.., |op| matches!(op, Op::Vacuum { .. }))
                .collect();
            if !ops.is_empty() {
                self.run_batch(ops);
            }
            for op in vacuums {
                if let Op::Vacuum { reply } = op {
                    let _ = reply.send(self.vacuum().map_err(StorageError::from));
                }
            }
            if self.unindexed() >= MAX_UNINDEXED {
                self.index_chunk();
            }
        }
        if self.db.engine() == Engine::Sqlite
            && let Err(e) = self.db.batch("PRAGMA wal_checkpoint(TRUNCATE)")
        {
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

    /// Rewrites the database without its free pages. Messages keep their ids (`INTEGER
    /// PRIMARY KEY`), and so does the search index, so nothing cached here goes stale.
    fn vacuum(&mut self) -> Sql<Vacuumed> {
        let size_sql = match self.db.engine() {
            Engine::Sqlite => {
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            }
            Engine::Postgres => "SELECT pg_database_size(current_database())",
        };
        let size = |db: &Db| -> Sql<u64> { Ok(db.one(size_sql, &[], |r| r.get::<i64>(0))? as u64) };
        let bytes_before = size(&self.db)?;
        self.db.batch("VACUUM")?;
        Ok(Vacuumed {
            bytes_before,
            bytes_after: size(&self.db)?,
        })
    }

    fn run_batch(&mut self, ops: Vec<Op>) {
        crate::metrics::commit_batch(ops.len());
        let mut batch = Batch::default();
        let outcome = self.apply_all(ops, &mut batch);
        let failure = match outcome {
            Ok(()) => {
                self.listener.committed(&batch.published);
                None
            }
            Err(e) => {
                tracing::error!(error = %e, ops = batch.answers.len(), "write batch failed; rolled back");
                let _ = self.db.batch("ROLLBACK");
                self.epoch = None;
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

    /// Messages not in the search index yet (PostgreSQL keeps none: a search reads them all).
    fn unindexed(&self) -> u64 {
        match self.db.engine() {
            Engine::Sqlite => self.newest_id.saturating_sub(self.indexed_up_to),
            Engine::Postgres => 0,
        }
    }

    /// Indexes the next chunk of messages for search, in a transaction of its own. It need not
    /// be on disk before anyone is told (nobody is; the index and its watermark are lost or kept
    /// together), so it commits without waiting for the disk; the next durable commit syncs it.
    fn index_chunk(&mut self) {
        let chunk = |w: &mut Self| -> Sql<u64> {
            w.db.batch("PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE")?;
            let watermark = search::index_after(&w.db, w.indexed_up_to, w.newest_id)?;
            w.db.batch("COMMIT")?;
            Ok(watermark)
        };
        match chunk(self) {
            Ok(watermark) => self.indexed_up_to = watermark,
            Err(e) => {
                tracing::warn!(error = %e, "search indexing failed; it is tried again later");
                let _ = self.db.batch("ROLLBACK");
            }
        }
        if let Err(e) = self.db.batch("PRAGMA synchronous = FULL") {
            tracing::error!(error = %e, "cannot restore synchronous = FULL");
        }
    }

    /// Forgets cached state, which after a rollback or a bulk delete may be stale, and reads
    /// again the times and numbers it keeps.
    fn reload(&mut self) {
        self.users.clear();
        self.conversations.clear();
        self.reload_newest();
    }

    /// Reads again the newest message's time and number.
    fn reload_newest(&mut self) {
        if let Ok(Some(t)) = self.db.one("SELECT MAX(time_ms) FROM messages", &[], |r| {
            r.get::<Option<i64>>(0)
        }) {
            self.last_time_ms = t as u64;
        }
        // A rolled-back send's number is free again: the next message may take it, and it must
        // not count as indexed.
        if let Ok(newest) = search::newest(&self.db) {
            self.newest_id = newest;
        }
    }

    /// Opens a batch's transaction. On SQLite the file lock makes this the only writer. On
    /// PostgreSQL every node's writer first takes the cluster's write epoch ([`epoch`]), so
    /// batches commit one at a time across the cluster, in one order: per-user sequences stay
    /// gapless, message numbers and times grow together, and a retry finds the message it
    /// repeats, whichever node stored it.
    fn begin(&mut self) -> Sql<()> {
        match self.db.engine() {
            Engine::Sqlite => self.db.batch("BEGIN IMMEDIATE"),
            Engine::Postgres => {
                self.db.revive()?;
                self.db.batch("BEGIN")?;
                self.take_epoch()
            }
        }
    }

    fn apply_all(&mut self, ops: Vec<Op>, batch: &mut Batch) -> Sql<()> {
        self.begin()?;
        batch.stored_retries = self.stored_retries(&ops)?;
        let mut first_error = None;
        for op in ops {
            // Sends only append rows; anything else may read them, so they are written first.
            if first_error.is_none()
                && !matches!(op, Op::Send { .. } | Op::EnsureUser { .. })
                && let Err(e) = batch.pending.write(&self.db)
            {
                first_error = Some(e);
            }
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
                    removal,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.delete_conversation(&owner, &peer, removal, now_ms, origin, batch)
                    });
                    Answer::Seq(reply, r)
                }
                Op::SetConversation {
                    owner,
                    peer,
                    change,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.set_conversation(&owner, &peer, &change, now_ms, origin, batch)
                    });
                    Answer::State(reply, r)
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
                        let removed = w.db.exec(
                            r#"DELETE FROM push_registrations WHERE "user" = ?1 AND device = ?2 AND (CAST(?3 AS TEXT) IS NULL OR vendor = ?3)"#,
                            &[&user.as_str(), &device.as_str(), &vendor],
                        )?;
                        Ok(Ok(removed > 0))
                    });
                    Answer::Bool(reply, r)
                }
                Op::PushNotices {
                    users,
                    info,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        for user in &users {
                            w.db.exec(
                                r#"INSERT INTO push_jobs ("user", message_id, info, due_ms) VALUES (?1, ?2, ?3, ?4)"#,
                                &[&user.as_str(), &(NOTICE_MESSAGE_ID as i64), &info, &(now_ms as i64)],
                            )?;
                        }
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::PushSettle { done, retry, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        for id in &done {
                            w.db.exec("DELETE FROM push_jobs WHERE id = ?1", &[&(*id as i64)])?;
                        }
                        for (id, due_ms) in &retry {
                            w.db.exec(
                                "UPDATE push_jobs SET attempts = attempts + 1, due_ms = ?2 WHERE id = ?1",
                                &[&(*id as i64), &(*due_ms as i64)],
                            )?;
                        }
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::SetSetting { key, value, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.db.exec(
                            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                            &[&key, &value],
                        )?;
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::Update {
                    slot,
                    change,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| w.update(slot, change));
                    Answer::Update(reply, r)
                }
                Op::Kick { user, kick, reply } => {
                    let r = self.guard(&mut first_error, |w| {
                        let sigs: Vec<String> = kick.sigs.iter().map(u64::to_string).collect();
                        w.db.exec(
                            "INSERT INTO kicks (id, kicked_ms, sigs) VALUES (?1, ?2, ?3)
                             ON CONFLICT (id) DO UPDATE SET kicked_ms = ?2, sigs = ?3",
                            &[&user.as_str(), &(kick.at_ms as i64), &sigs.join(",")],
                        )?;
                        Ok(Ok(()))
                    });
                    Answer::Unit(reply, r)
                }
                Op::ProfileTags { user, tags, reply } => {
                    let r = self.guard(&mut first_error, |w| w.set_profile_tags(&user, tags));
                    Answer::Unit(reply, r)
                }
                Op::ApplicationsRead {
                    owner,
                    now_ms,
                    origin,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.mark_applications_read(&owner, now_ms, origin, batch)
                    });
                    Answer::Seq(reply, r)
                }
                Op::FriendFields {
                    owner,
                    peer,
                    fields,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.set_friend_fields(&owner, &peer, fields, now_ms, batch)
                    });
                    Answer::Bool(reply, r)
                }
                Op::FriendGroups {
                    owner,
                    add,
                    remove,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.change_friend_groups(&owner, add, remove, now_ms, batch)
                    });
                    Answer::Unit(reply, r)
                }
                Op::FriendGroupRename {
                    owner,
                    old,
                    new,
                    now_ms,
                    reply,
                } => {
                    let r = self.guard(&mut first_error, |w| {
                        w.rename_friend_group(&owner, &old, &new, now_ms, batch)
                    });
                    Answer::Unit(reply, r)
                }
                Op::Close { .. } | Op::Vacuum { .. } => unreachable!("split off by run"),
            };
            batch.answers.push(answer);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        self.flush(batch)?;
        self.record_changes()?;
        self.db.batch("COMMIT")
    }

    fn guard<T>(
        &mut self,
        first_error: &mut Option<SqlError>,
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
        self.changes.touch(user);
        if !self.users.contains_key(user) {
            let row = self.db.row(
                "SELECT nick, avatar, latest_seq, created_ms FROM users WHERE id = ?1",
                &[&user.as_str()],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<i64>(2)?,
                        r.get::<i64>(3)?,
                    ))
                },
            )?;
            let Some((nick, avatar, floor, created_ms)) = row else {
                return Ok(None);
            };
            let (log_bytes, newest, oldest) = self.db.one(
                r#"SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT), MAX(seq), MIN(seq) FROM sync_log WHERE "user" = ?1"#,
                &[&user.as_str()],
                |r| {
                    Ok((
                        r.get::<i64>(0)?,
                        r.get::<Option<i64>>(1)?,
                        r.get::<Option<i64>>(2)?,
                    ))
                },
            )?;
            let latest = newest.unwrap_or(0).max(floor);
            let evicted_up_to = oldest.map_or(latest, |oldest| oldest - 1);
            let contacts = self.db.one(
                "SELECT COUNT(*) FROM conversations WHERE owner = ?1",
                &[&user.as_str()],
                |r| r.get::<i64>(0),
            )?;
            let blocked = self.db.one(
                "SELECT COUNT(*) FROM relations WHERE relation = ?1 AND owner = ?2",
                &[&relation_code(Relation::Blacklist), &user.as_str()],
                |r| r.get::<i64>(0),
            )?;
            self.users.insert(
                user.clone(),
                UserState {
                    nick,
                    avatar,
                    created_ms: created_ms as u64,
                    latest: latest as u64,
                    log_bytes: log_bytes as u64,
                    evicted_up_to: evicted_up_to as u64,
                    contacts: contacts as u64,
                    blocked: blocked as u64,
                },
            );
        }
        Ok(self.users.get_mut(user))
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
        batch.pending.push_log(LogRow {
            user: user.to_string(),
            seq: seq as i64,
            time_ms: time_ms as i64,
            message_id: message_id.map(|i| i as i64),
            event: event.map(str::to_owned),
            size: size as i64,
        });
        Ok(Seq(seq))
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

    /// Writes the batch's pending rows, and trims the offline cache of every user that went
    /// over its byte budget in the batch ([`Retention::offline_trim_to`]).
    fn flush(&mut self, batch: &mut Batch) -> Sql<()> {
        batch.pending.write(&self.db)?;
        let trim_to = self.retention.offline_trim_to();
        for id in std::mem::take(&mut batch.over_budget) {
            let (latest, from, excess) = match self.users.get(&id) {
                Some(u) => (
                    u.latest,
                    u.evicted_up_to,
                    u.log_bytes.saturating_sub(trim_to),
                ),
                None => continue,
            };
            if excess > 0 {
                let (freed, cut) = self.evict_log(&id, excess, from, latest)?;
                let u = self.users.get_mut(&id).expect("present above");
                u.log_bytes -= freed;
                u.evicted_up_to = cut;
            }
        }
        Ok(())
    }

    /// Drops the oldest log entries of `user` (those after `from`) until at least `excess`
    /// bytes are freed, and returns the bytes freed and the last sequence dropped. The newest
    /// entry (`latest`) always stays, so the log's newest sequence is never lost.
    fn evict_log(&mut self, user: &UserId, excess: u64, from: u64, latest: u64) -> Sql<(u64, u64)> {
        // Read in pages, growing from a few rows: a trim usually drops an eighth of the budget
        // (tens of entries), and PostgreSQL would send the whole log to a query without a
        // limit, however early the reading stops.
        let (mut freed, mut cut, mut limit) = (0u64, from as i64, 32i64);
        loop {
            let (mut read, after) = (0, cut);
            self.db.each(
                r#"SELECT seq, size FROM sync_log WHERE "user" = ?1 AND seq > ?2 AND seq < ?3
                   ORDER BY seq LIMIT ?4"#,
                &[&user.as_str(), &after, &(latest as i64), &limit],
                |row| {
                    read += 1;
                    cut = row.get::<i64>(0)?;
                    freed += row.get::<i64>(1)? as u64;
                    Ok(freed < excess)
                },
            )?;
            if freed >= excess || read < limit {
                break;
            }
            limit *= 4;
        }
        if cut > from as i64 {
            self.db.exec(
                r#"DELETE FROM sync_log WHERE "user" = ?1 AND seq > ?2 AND seq <= ?3"#,
                &[&user.as_str(), &(from as i64), &cut],
            )?;
        }
        Ok((freed, cut as u64))
    }
}
