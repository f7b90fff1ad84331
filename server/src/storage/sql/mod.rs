//! The SQL backends: SQLite, the default (one embedded file in WAL mode), and PostgreSQL, for
//! several server nodes sharing one database. Both run the same code over one connection type
//! ([`db::Db`]): writes go through a single writer thread with group commit ([`writer`]), reads
//! run on a small pool of connections on tokio's blocking threads ([`read`]). They differ in how
//! they open, in what guards the single writer (a file lock; a row lock per batch, see
//! [`writer::Writer`]), and in search (SQLite keeps a full-text index, [`search`]).

mod checkpoint;
mod db;
mod postgres_schema;
#[cfg(test)]
pub(crate) mod postgres_tests;
mod read;
mod rows;
mod search;
mod sqlite_schema;
mod writer;

use super::*;
use db::{Db, PgManager};
use r2d2_sqlite::SqliteConnectionManager;
use std::cell::RefCell;
use std::path::Path;
use tokio::sync::{mpsc, oneshot};
use writer::{Op, Writer};

/// Writes waiting for the writer at most; past this a write is refused with `Overloaded`.
/// About a second of the writer's throughput, so a refusal means the disk cannot keep up.
const MAX_QUEUED_WRITES: usize = 65_536;

/// Read connections kept open; WAL lets them all read while the writer commits.
const READERS: u32 = 4;

/// How long a PostgreSQL reader waits for a pooled connection before the read fails.
const READER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The readers' pool, of either engine.
enum Readers {
    Sqlite(r2d2::Pool<SqliteConnectionManager>),
    Postgres(r2d2::Pool<PgManager>),
}

impl Readers {
    fn get(&self) -> StorageResult<Db> {
        Ok(match self {
            Readers::Sqlite(pool) => Db::Sqlite(Box::new(pool.get()?)),
            Readers::Postgres(pool) => Db::Postgres(RefCell::new(Box::new(pool.get()?))),
        })
    }
}

pub struct SqlStorage {
    ops: mpsc::Sender<Op>,
    readers: Arc<Readers>,
    retention: Arc<Retention>,
    threads: std::sync::Mutex<
        Option<(
            std::thread::JoinHandle<()>,
            Option<checkpoint::Checkpointer>,
        )>,
    >,
    /// SQLite's exclusive lock on `<database>.lock`, held until [`Storage::close`]: one writer
    /// per database, so a second server, or the admin CLI, on a data dir in use is refused
    /// rather than left to corrupt the writer's cached counters.
    lock: std::sync::Mutex<Option<std::fs::File>>,
    /// On PostgreSQL, the leases this node holds ([`Storage::lead`]).
    leases: Option<Arc<std::sync::Mutex<Leases>>>,
}

/// PostgreSQL session advisory locks, one per [`Lease`], held on a connection of their own:
/// the database releases them when the connection ends, so a node that dies frees its leases.
struct Leases {
    url: String,
    conn: Option<Db>,
    held: std::collections::HashSet<i64>,
}

impl Leases {
    fn lead(&mut self, task: Lease) -> StorageResult<bool> {
        let key: i64 = match task {
            Lease::Expiry => 0x6475_6574_0001,
            Lease::Push => 0x6475_6574_0002,
        };
        let alive = match &self.conn {
            Some(db) => db.one("SELECT 1", &[], |r| r.get::<i64>(0)).is_ok(),
            None => false,
        };
        if !alive {
            // A lost connection lost its locks with it.
            self.held.clear();
            self.conn = Some(Db::connect_postgres(&self.url)?);
        }
        if self.held.contains(&key) {
            return Ok(true);
        }
        let db = self.conn.as_ref().expect("connected above");
        let won = db.one("SELECT pg_try_advisory_lock(?1)", &[&key], |r| {
            r.get::<bool>(0)
        })?;
        if won {
            self.held.insert(key);
        }
        Ok(won)
    }
}

/// Takes the database's exclusive lock, or says who holds it.
fn lock(path: &Path) -> StorageResult<std::fs::File> {
    let lock_path = path.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StorageError::Database(format!("{}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StorageError::Database(format!(
            "{} is in use by another process (a duet-server running on this data dir?)",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(StorageError::Database(format!(
            "cannot lock {}: {e}",
            lock_path.display()
        ))),
    }
}

/// Creates an empty database named `name` on the PostgreSQL server that `server_url` reaches
/// (any database URL of that server), and returns the URL of the new one: for the tests and
/// the benchmark, which each start from nothing. `name` is a plain identifier.
pub fn create_database(server_url: &str, name: &str) -> StorageResult<String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StorageError::Database(format!(
            "{name:?} is not a plain database name"
        )));
    }
    let (url, create) = (server_url.to_owned(), format!("CREATE DATABASE {name}"));
    // The blocking client may not run on an async runtime's thread.
    std::thread::spawn(move || Ok::<_, StorageError>(Db::connect_postgres(&url)?.batch(&create)?))
        .join()
        .map_err(|_| StorageError::Database("creating the database panicked".into()))??;
    let base = server_url.split('?').next().unwrap_or(server_url);
    let (server, _) = base
        .rsplit_once('/')
        .filter(|(s, _)| s.contains("://") && !s.ends_with('/'))
        .ok_or_else(|| StorageError::Database(format!("{server_url} names no database")))?;
    Ok(format!("{server}/{name}"))
}

/// Starts the writer thread on the connection `open` makes there, with room for `max_queued`
/// writes waiting; returns once the writer is ready, or with why it is not. The connection is
/// made on the writer's thread because PostgreSQL's blocking client may not run on an async
/// runtime's thread, where a server opens its storage.
fn start_writer(
    open: impl FnOnce() -> StorageResult<Db> + Send + 'static,
    retention: &Retention,
    listener: Arc<dyn CommitListener>,
    max_queued: usize,
) -> StorageResult<(mpsc::Sender<Op>, std::thread::JoinHandle<()>)> {
    let retention = retention.clone();
    let (ready, started) = std::sync::mpsc::sync_channel(1);
    let (ops, rx) = mpsc::channel(max_queued);
    let handle = std::thread::Builder::new()
        .name("sql-writer".into())
        .spawn(
            move || match open().and_then(|db| Ok(Writer::new(db, retention, listener)?)) {
                Ok(writer) => {
                    let _ = ready.send(Ok(()));
                    writer.run(rx);
                }
                Err(e) => drop(ready.send(Err(e))),
            },
        )
        .map_err(|e| StorageError::Database(format!("cannot start the writer thread: {e}")))?;
    started
        .recv()
        .unwrap_or_else(|_| Err(StorageError::Database("the writer thread stopped".into())))?;
    Ok((ops, handle))
}

impl SqlStorage {
    /// Opens (creating and migrating if needed) the SQLite database at `path` and starts its
    /// writer.
    pub fn open_sqlite(
        path: &Path,
        retention: Retention,
        listener: Arc<dyn CommitListener>,
    ) -> StorageResult<Self> {
        Self::open_sqlite_with_queue(path, retention, listener, MAX_QUEUED_WRITES)
    }

    /// [`SqlStorage::open_sqlite`] with room for `max_queued` writes waiting.
    fn open_sqlite_with_queue(
        path: &Path,
        retention: Retention,
        listener: Arc<dyn CommitListener>,
        max_queued: usize,
    ) -> StorageResult<Self> {
        let lock = lock(path)?;
        let at = path.to_owned();
        let open = move || {
            let conn = sqlite_schema::open_writer(&at).map_err(db::SqlError::from)?;
            Ok(Db::Sqlite(Box::new(Box::new(conn))))
        };
        let (ops, handle) = start_writer(open, &retention, listener, max_queued)?;
        let checkpointer = checkpoint::Checkpointer::start(path).map_err(|e| {
            StorageError::Database(format!("cannot start the checkpoint thread: {e}"))
        })?;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(
                r2d2_sqlite::rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | r2d2_sqlite::rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_init(|c| c.execute_batch(sqlite_schema::CONNECTION_PRAGMAS));
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(1))
            .build(manager)?;
        Ok(Self {
            ops,
            readers: Arc::new(Readers::Sqlite(readers)),
            retention: Arc::new(retention),
            threads: std::sync::Mutex::new(Some((handle, Some(checkpointer)))),
            lock: std::sync::Mutex::new(Some(lock)),
            leases: None,
        })
    }

    /// Connects to the PostgreSQL database at `url` (a `postgres://` URL), creating or
    /// migrating its tables if needed, and starts this node's writer. Any number of nodes may
    /// open the same database: their writers take turns ([`writer::Writer`]).
    pub fn open_postgres(
        url: &str,
        retention: Retention,
        listener: Arc<dyn CommitListener>,
    ) -> StorageResult<Self> {
        let at = url.to_owned();
        let open = move || {
            let db = Db::connect_postgres(&at)?;
            postgres_schema::migrate(&db)?;
            Ok(db)
        };
        let (ops, handle) = start_writer(open, &retention, listener, MAX_QUEUED_WRITES)?;
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(1))
            .connection_timeout(READER_WAIT)
            .build(PgManager {
                url: url.to_owned(),
            })?;
        Ok(Self {
            ops,
            readers: Arc::new(Readers::Postgres(readers)),
            retention: Arc::new(retention),
            threads: std::sync::Mutex::new(Some((handle, None))),
            lock: std::sync::Mutex::new(None),
            leases: Some(Arc::new(std::sync::Mutex::new(Leases {
                url: url.to_owned(),
                conn: None,
                held: Default::default(),
            }))),
        })
    }

    /// Queues an op built around a fresh reply channel; the answer arrives after its commit.
    /// A full queue refuses the op at once (`Overloaded`) rather than growing without bound.
    fn queue<T: Send + 'static>(
        &self,
        op: impl FnOnce(oneshot::Sender<StorageResult<T>>) -> Op,
    ) -> Pending<T> {
        let (tx, rx) = oneshot::channel();
        let queued = self.ops.try_send(op(tx)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StorageError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => StorageError::Closed,
        });
        Box::pin(async move {
            queued?;
            rx.await.unwrap_or(Err(StorageError::Closed))
        })
    }

    /// Runs a read on a pooled connection on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db, &Retention) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        let readers = self.readers.clone();
        let retention = self.retention.clone();
        tokio::task::spawn_blocking(move || {
            let db = readers.get()?;
            f(&db, &retention)
        })
        .await
        .map_err(|e| StorageError::Database(format!("read task failed: {e}")))?
    }
}

#[async_trait]
impl Storage for SqlStorage {
    async fn ensure_user(&self, user: &UserId, now_ms: u64) -> StorageResult<Account> {
        let user = user.clone();
        self.queue(|reply| Op::EnsureUser {
            user,
            now_ms,
            reply,
        })
        .await
    }

    fn send(&self, msg: NewMessage) -> Pending<Sent> {
        self.queue(|reply| Op::Send {
            msg: Box::new(msg),
            reply,
        })
    }

    fn mark_read(
        &self,
        owner: &UserId,
        peer: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        let (owner, peer) = (owner.clone(), peer.clone());
        self.queue(|reply| Op::MarkRead {
            owner,
            peer,
            now_ms,
            origin,
            reply,
        })
    }

    fn delete_messages(
        &self,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        let (owner, peer) = (owner.clone(), peer.clone());
        self.queue(|reply| Op::DeleteMessages {
            owner,
            peer,
            keys,
            now_ms,
            origin,
            reply,
        })
    }

    fn delete_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq> {
        let (owner, peer) = (owner.clone(), peer.clone());
        self.queue(|reply| Op::DeleteConversation {
            owner,
            peer,
            removal,
            now_ms,
            origin,
            reply,
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
        let (owner, peer) = (owner.clone(), peer.clone());
        self.queue(|reply| Op::SetConversation {
            owner,
            peer,
            change,
            now_ms,
            origin,
            reply,
        })
    }

    async fn sync(
        &self,
        user: &UserId,
        after: Seq,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<SyncPage> {
        let user = user.clone();
        self.read(move |c, r| read::sync(c, r, &user, after, limit, now_ms))
            .await
    }

    async fn conversations(&self, owner: &UserId, now_ms: u64) -> StorageResult<Vec<Conversation>> {
        let owner = owner.clone();
        self.read(move |c, r| read::conversations(c, r, &owner, now_ms))
            .await
    }

    async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        query: HistoryQuery,
        now_ms: u64,
    ) -> StorageResult<HistoryPage> {
        let (owner, peer) = (owner.clone(), peer.clone());
        self.read(move |c, r| read::history(c, r, &owner, &peer, query, now_ms))
            .await
    }

    async fn search(
        &self,
        owner: &UserId,
        query: &SearchQuery,
        before: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<(Vec<Message>, u64)> {
        let (owner, query) = (owner.clone(), query.clone());
        self.read(move |c, r| search::search(c, r, &owner, &query, before, limit, now_ms))
            .await
    }

    async fn export(
        &self,
        min_ms: u64,
        max_ms: u64,
        after_id: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<Vec<Message>> {
        self.read(move |c, r| read::export(c, r, min_ms, max_ms, after_id, limit, now_ms))
            .await
    }

    fn recall(&self, key: MessageKey, from: &UserId, to: &UserId, now_ms: u64) -> Pending<Message> {
        let (from, to) = (from.clone(), to.clone());
        self.queue(|reply| Op::Recall {
            key,
            from,
            to,
            now_ms,
            reply,
        })
    }

    fn edit(&self, edit: MessageEdit) -> Pending<Message> {
        self.queue(|reply| Op::Edit { edit, reply })
    }

    fn upsert_profile(
        &self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Account> {
        let user = user.clone();
        self.queue(|reply| Op::Profile {
            user,
            update,
            create,
            now_ms,
            origin,
            reply,
        })
    }

    async fn profiles(&self, users: &[UserId]) -> StorageResult<Vec<Profile>> {
        let users = users.to_vec();
        self.read(move |c, _| read::profiles(c, &users)).await
    }

    async fn accounts(&self, from: Option<&UserId>, limit: u32) -> StorageResult<Vec<Account>> {
        let from = from.cloned();
        self.read(move |c, _| read::accounts(c, from.as_ref(), limit))
            .await
    }

    async fn delete_user(&self, user: &UserId, deletion: Revocation) -> StorageResult<bool> {
        let user = user.clone();
        self.queue(|reply| Op::DeleteUser {
            user,
            deletion,
            reply,
        })
        .await
    }

    async fn deletion(&self, user: &UserId) -> StorageResult<Option<Revocation>> {
        let user = user.clone();
        self.read(move |c, _| read::deletion(c, &user)).await
    }

    async fn set_profile_tags(
        &self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> StorageResult<()> {
        let user = user.clone();
        self.queue(|reply| Op::ProfileTags { user, tags, reply })
            .await
    }

    async fn mark_applications_read(
        &self,
        owner: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq> {
        let owner = owner.clone();
        self.queue(|reply| Op::ApplicationsRead {
            owner,
            now_ms,
            origin,
            reply,
        })
        .await
    }

    async fn profile_tags(&self, users: &[UserId]) -> StorageResult<Vec<(UserId, String, String)>> {
        let users = users.to_vec();
        self.read(move |c, _| read::profile_tags(c, &users)).await
    }

    async fn set_friend_fields(
        &self,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
        now_ms: u64,
    ) -> StorageResult<bool> {
        let (owner, peer) = (owner.clone(), peer.clone());
        self.queue(|reply| Op::FriendFields {
            owner,
            peer,
            fields,
            now_ms,
            reply,
        })
        .await
    }

    async fn friend_fields(
        &self,
        owner: &UserId,
    ) -> StorageResult<Vec<(UserId, BTreeMap<String, String>)>> {
        let owner = owner.clone();
        self.read(move |c, _| read::friend_fields(c, &owner)).await
    }

    async fn friend_groups(&self, owner: &UserId) -> StorageResult<Vec<String>> {
        let owner = owner.clone();
        self.read(move |c, _| read::friend_groups(c, &owner)).await
    }

    async fn change_friend_groups(
        &self,
        owner: &UserId,
        add: Vec<String>,
        remove: Vec<String>,
        now_ms: u64,
    ) -> StorageResult<()> {
        let owner = owner.clone();
        self.queue(|reply| Op::FriendGroups {
            owner,
            add,
            remove,
            now_ms,
            reply,
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
        let (owner, old, new) = (owner.clone(), old.to_owned(), new.to_owned());
        self.queue(|reply| Op::FriendGroupRename {
            owner,
            old,
            new,
            now_ms,
            reply,
        })
        .await
    }

    async fn revoke_sigs(&self, user: &UserId, kick: Revocation) -> StorageResult<()> {
        let user = user.clone();
        self.queue(|reply| Op::Kick { user, kick, reply }).await
    }

    async fn kick(&self, user: &UserId) -> StorageResult<Option<Revocation>> {
        let user = user.clone();
        self.read(move |c, _| read::kick(c, &user)).await
    }

    fn change_relations(&self, change: RelationChange) -> Pending<Vec<StorageResult<()>>> {
        self.queue(|reply| Op::Relations { change, reply })
    }

    async fn relations(
        &self,
        relation: Relation,
        owner: &UserId,
    ) -> StorageResult<Vec<RelationEntry>> {
        let owner = owner.clone();
        self.read(move |c, _| read::relations(c, relation, &owner))
            .await
    }

    async fn check_relations(
        &self,
        relation: Relation,
        owner: &UserId,
        peers: &[UserId],
    ) -> StorageResult<Vec<(bool, bool)>> {
        let (owner, peers) = (owner.clone(), peers.to_vec());
        self.read(move |c, _| read::check_relations(c, relation, &owner, &peers))
            .await
    }

    async fn setting(&self, key: &str) -> StorageResult<Option<String>> {
        let key = key.to_owned();
        self.read(move |c, _| read::setting(c, &key)).await
    }

    async fn push_register(
        &self,
        user: &UserId,
        registration: PushRegistration,
        now_ms: u64,
    ) -> StorageResult<()> {
        let user = user.clone();
        self.queue(|reply| Op::PushRegister {
            user,
            registration,
            now_ms,
            reply,
        })
        .await
    }

    async fn push_unregister(
        &self,
        user: &UserId,
        device: &DeviceId,
        vendor: Option<Vendor>,
    ) -> StorageResult<bool> {
        let (user, device) = (user.clone(), device.clone());
        self.queue(|reply| Op::PushUnregister {
            user,
            device,
            vendor,
            reply,
        })
        .await
    }

    async fn push_registrations(&self, user: &UserId) -> StorageResult<Vec<PushRegistration>> {
        let user = user.clone();
        self.read(move |c, _| read::push_registrations(c, &user))
            .await
    }

    async fn push_due(&self, now_ms: u64, limit: u32) -> StorageResult<Vec<PushJob>> {
        self.read(move |c, r| read::push_due(c, r, now_ms, limit))
            .await
    }

    async fn push_notices(
        &self,
        users: Vec<UserId>,
        info: OfflinePushInfo,
        now_ms: u64,
    ) -> StorageResult<()> {
        let info =
            serde_json::to_string(&info).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        self.queue(|reply| Op::PushNotices {
            users,
            info,
            now_ms,
            reply,
        })
        .await
    }

    async fn push_settle(&self, done: Vec<u64>, retry: Vec<(u64, u64)>) -> StorageResult<()> {
        self.queue(|reply| Op::PushSettle { done, retry, reply })
            .await
    }

    async fn update(&self, slot: Slot, change: Change) -> StorageResult<Result<(), ChatError>> {
        self.queue(|reply| Op::Update {
            slot,
            change,
            reply,
        })
        .await
    }

    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.queue(|reply| Op::SetSetting { key, value, reply })
            .await
    }

    async fn expire(&self, now_ms: u64) -> StorageResult<Expired> {
        self.queue(|reply| Op::Expire { now_ms, reply }).await
    }

    async fn vacuum(&self) -> StorageResult<Vacuumed> {
        self.queue(|reply| Op::Vacuum { reply }).await
    }

    async fn lead(&self, task: Lease) -> StorageResult<bool> {
        let Some(leases) = self.leases.clone() else {
            return Ok(true);
        };
        tokio::task::spawn_blocking(move || {
            let mut leases = leases
                .lock()
                .map_err(|_| StorageError::Corrupt("lease lock poisoned".into()))?;
            leases.lead(task)
        })
        .await
        .map_err(|e| StorageError::Database(format!("lease task failed: {e}")))?
    }

    async fn close(&self) {
        if let Some(leases) = &self.leases
            && let Ok(mut leases) = leases.lock()
        {
            leases.conn = None;
            leases.held.clear();
        }
        let (tx, rx) = oneshot::channel();
        if self.ops.send(Op::Close { reply: tx }).await.is_ok() {
            let _ = rx.await;
        }
        let threads = self.threads.lock().ok().and_then(|mut t| t.take());
        if let Some((writer, checkpointer)) = threads {
            let _ = tokio::task::spawn_blocking(move || {
                if let Some(checkpointer) = checkpointer {
                    checkpointer.stop();
                }
                writer.join()
            })
            .await;
        }
        if let Ok(mut lock) = self.lock.lock() {
            lock.take();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlStorage;

    fn make(
        retention: Retention,
        listener: Arc<dyn CommitListener>,
    ) -> (Arc<dyn Storage>, Box<dyn std::any::Any>) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqlStorage::open_sqlite(&dir.path().join("duet.db"), retention, listener).unwrap();
        (Arc::new(store), Box::new(dir))
    }

    crate::storage::conformance::storage_conformance!(make);

    /// How far the writer has indexed, read as a search reads it.
    async fn indexed_up_to(s: &SqlStorage) -> u64 {
        s.read(|db, _| Ok(super::search::progress(db)?))
            .await
            .unwrap()
    }

    /// What each of `queries` finds of alice's messages.
    async fn alice_finds(
        s: &SqlStorage,
        queries: &[protocol::search::SearchQuery],
    ) -> Vec<Vec<MessageKey>> {
        let mut all = Vec::new();
        for q in queries {
            let (found, _) = s.search(&uid("alice"), q, 0, 10, T0 + 10).await.unwrap();
            all.push(found.iter().map(|m| m.key).collect());
        }
        all
    }

    /// A search finds the same before the writer indexes the messages (reading them from
    /// `messages`) and after (from the index), and the index follows edits and recalls.
    #[tokio::test]
    async fn search_finds_the_same_before_and_after_indexing() {
        use protocol::search::SearchQuery;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duet.db");
        let s = SqlStorage::open_sqlite(&path, Retention::default(), Arc::new(NoListener)).unwrap();
        for u in ["alice", "bob", "carol"] {
            s.ensure_user(&uid(u), T0).await.unwrap();
        }
        let mut keys = Vec::new();
        for (i, (from, to, text)) in [
            ("bob", "alice", "Pizza tonight? ok"),
            ("alice", "bob", "pizza it is"),
            ("carol", "alice", "no pizza for me"),
            ("bob", "carol", "pizza without alice"),
        ]
        .into_iter()
        .enumerate()
        {
            let m = text_msg(from, to, i as u32, text, T0 + i as u64);
            keys.push(s.send(m).await.unwrap().message.key);
        }
        let queries = [
            SearchQuery {
                keywords: vec!["PIZZA".into()],
                ..SearchQuery::default()
            },
            SearchQuery {
                keywords: vec!["ok".into(), "pizza".into()],
                match_all: true,
                ..SearchQuery::default()
            },
            SearchQuery {
                keywords: vec!["pizza".into()],
                peer: Some(uid("bob")),
                kinds: vec!["TIMTextElem".into()],
                senders: vec![uid("alice")],
                ..SearchQuery::default()
            },
            SearchQuery {
                kinds: vec!["TIMImageElem".into()],
                ..SearchQuery::default()
            },
        ];
        let before = alice_finds(&s, &queries).await;
        assert_eq!(
            before,
            vec![
                vec![keys[2], keys[1], keys[0]],
                vec![keys[0]],
                vec![keys[1]],
                vec![]
            ]
        );
        // Idle, the writer indexes everything; the answers stay the same.
        for _ in 0..100 {
            if indexed_up_to(&s).await >= keys[3].id {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(indexed_up_to(&s).await, keys[3].id);
        assert_eq!(alice_finds(&s, &queries).await, before);
        // Indexed messages edited or recalled are found by what they say now.
        let edit = MessageEdit {
            key: keys[1],
            editor: uid("alice"),
            peer: uid("bob"),
            admin: false,
            change: EditChange::Content {
                base_version: 0,
                elements: Some(vec![Element::Text(protocol::element::TextElem {
                    text: "sushi it is".into(),
                })]),
                cloud_custom_data: None,
            },
            now_ms: T0 + 20,
        };
        s.edit(edit).await.unwrap();
        s.recall(keys[2], &uid("carol"), &uid("alice"), T0 + 20)
            .await
            .unwrap();
        assert_eq!(alice_finds(&s, &queries).await[0], vec![keys[0]]);
        let sushi = SearchQuery {
            keywords: vec!["sushi".into()],
            ..SearchQuery::default()
        };
        let (found, _) = s
            .search(&uid("alice"), &sushi, 0, 10, T0 + 30)
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|m| m.key).collect::<Vec<_>>(),
            vec![keys[1]]
        );
    }

    #[tokio::test]
    async fn a_full_write_queue_refuses_at_once_and_loses_nothing_it_took() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duet.db");
        let s = SqlStorage::open_sqlite_with_queue(
            &path,
            Retention::default(),
            Arc::new(NoListener),
            4,
        )
        .unwrap();
        for u in ["alice", "bob"] {
            s.ensure_user(&uid(u), T0).await.unwrap();
        }
        let pending: Vec<_> = (0..500u32)
            .map(|i| s.send(text_msg("alice", "bob", i, "burst", T0)))
            .collect();
        let mut taken = 0;
        let mut refused = 0;
        for p in pending {
            match p.await {
                Ok(_) => taken += 1,
                Err(StorageError::Overloaded) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(refused > 0, "500 writes at once overflow a queue of 4");
        let page = s.sync(&uid("bob"), Seq(0), 1000, T0).await.unwrap();
        assert_eq!(page.entries.len(), taken, "every write it took is stored");
    }

    #[tokio::test]
    async fn a_database_in_use_cannot_be_opened_again_until_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duet.db");
        let open = || SqlStorage::open_sqlite(&path, Retention::default(), Arc::new(NoListener));
        let s = open().unwrap();
        let Err(StorageError::Database(why)) = open() else {
            panic!("opened twice")
        };
        assert!(why.contains("in use"), "{why}");
        s.close().await;
        open().unwrap().close().await;
    }

    #[tokio::test]
    async fn reopen_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("duet.db");
        let open =
            || SqlStorage::open_sqlite(&path, Retention::default(), Arc::new(NoListener)).unwrap();
        let s = open();
        for u in ["alice", "bob"] {
            s.ensure_user(&uid(u), T0).await.unwrap();
        }
        let sent = s
            .send(text_msg("alice", "bob", 1, "kept", T0))
            .await
            .unwrap();
        s.close().await;
        let s = open();
        let page = s.sync(&uid("bob"), Seq(0), 10, T0).await.unwrap();
        let SyncEvent::Message { message } = &page.entries[0].event else {
            panic!()
        };
        assert_eq!(message, &sent.message);
        let next = s
            .send(text_msg("alice", "bob", 2, "more", T0))
            .await
            .unwrap();
        assert_eq!(next.sender_seq, Seq(2));
        assert!(next.message.key.id > sent.message.key.id);
    }
}
