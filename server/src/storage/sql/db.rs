//! One connection type over the two SQL engines, so that the writer and the reads hold each rule
//! and each query once. Statements are written once, in the SQL both engines accept: `?N`
//! placeholders (rewritten to `$N` for PostgreSQL), `ON CONFLICT` rather than `INSERT OR`,
//! `RETURNING` rather than `last_insert_rowid()`, `CASE` rather than SQLite's two-argument
//! `MAX`, sums cast to `BIGINT`, and the column `user` quoted (in PostgreSQL it is a keyword).
//!
//! Values cross as the few types both engines map the same way ([`Param`], [`Col`]): 64-bit
//! integers, text, booleans and their NULLs. A `u32` is no such type (PostgreSQL reads it as an
//! OID), so the compiler asks for the conversion where one is needed.

use crate::storage::StorageError;
use postgres::fallible_iterator::FallibleIterator;
use r2d2_sqlite::rusqlite;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

/// The engine behind a [`Db`], for what only one of them has (SQLite's full-text index and
/// file maintenance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// A database fault, or a [`StorageError`] raised while reading a row (corrupt data).
#[derive(Debug, thiserror::Error)]
pub(crate) enum SqlError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the query returned no row")]
    NoRow,
}

pub(crate) type Sql<T> = Result<T, SqlError>;

/// A PostgreSQL error with the server's own words, which `postgres::Error` shows only as
/// "db error".
fn postgres_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

impl From<SqlError> for StorageError {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Storage(e) => e,
            e => StorageError::Database(e.to_string()),
        }
    }
}

/// A value a statement takes: one both engines store the same way.
pub(crate) trait Param: rusqlite::ToSql + postgres::types::ToSql + Sync {}
impl Param for i64 {}
impl Param for bool {}
impl Param for &str {}
impl Param for String {}
impl Param for Option<i64> {}
impl Param for Option<String> {}
impl Param for Option<&str> {}

/// A column a row gives: one both engines read the same way.
pub(crate) trait Col:
    rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a>
{
}
impl Col for i64 {}
impl Col for bool {}
impl Col for String {}
impl Col for Option<i64> {}
impl Col for Option<String> {}

/// One row of a result.
pub(crate) enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    pub(crate) fn get<T: Col>(&self, i: usize) -> Sql<T> {
        Ok(match self {
            Row::Sqlite(r) => r.get(i)?,
            Row::Postgres(r) => r.try_get(i)?,
        })
    }
}

/// How long connecting to PostgreSQL may take, so that a database host that does not answer
/// fails the writer's batch or a read instead of holding it for the system's TCP timeout.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Time limits on every PostgreSQL session. No statement runs longer than five minutes (an
/// expiry pass or a VACUUM over years of data may take minutes; a query that takes longer is
/// stuck). A transaction left idle for a minute is ended by the server: a node that froze in
/// the middle of a write batch (a paused VM, a network cut without a reset) would otherwise
/// hold the cluster's write epoch, and every node's writes, until TCP gave up hours later.
pub(crate) const SESSION_TIMEOUTS: &str =
    "SET statement_timeout = '5min'; SET idle_in_transaction_session_timeout = '1min'";

/// A PostgreSQL connection with the statements it has prepared, by their text.
pub(crate) struct PgConn {
    url: String,
    /// Always `Some` until dropped.
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
}

impl Drop for PgConn {
    /// The blocking client closes its connection by blocking on a runtime of its own, which
    /// may not happen on an async runtime's thread (where a store or its readers' pool may be
    /// dropped), so the closing happens on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(client));
        }
    }
}

impl PgConn {
    pub(crate) fn connect(url: &str) -> Result<Self, postgres::Error> {
        let mut client = url
            .parse::<postgres::Config>()?
            .connect_timeout(CONNECT_TIMEOUT)
            .connect(postgres::NoTls)?;
        // Statements stay prepared for the connection's life, which may begin on an empty
        // database: a generic plan made then (after five runs) would keep, say, reading a
        // recipient's every message to find one retry once there are millions. A plan made
        // for each run, with the statistics of the moment, costs microseconds.
        client.batch_execute("SET plan_cache_mode = force_custom_plan")?;
        client.batch_execute(SESSION_TIMEOUTS)?;
        Ok(Self {
            url: url.to_owned(),
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    /// Connects again if the connection was lost (the server restarted, the network broke).
    fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("the client stays until the connection is dropped")
    }

    fn revive(&mut self) -> Result<(), postgres::Error> {
        if self.client().is_closed() {
            *self = Self::connect(&self.url)?;
            tracing::info!("reconnected to PostgreSQL");
        }
        Ok(())
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let prepared = self.client().prepare(&numbered(sql))?;
        self.statements.insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }
}

/// `sql` with SQLite's `?N` placeholders written as PostgreSQL's `$N`. Statements hold no `?`
/// elsewhere (no string literal in them has one).
fn numbered(sql: &str) -> String {
    sql.replace('?', "$")
}

/// The SQLite connection a [`Db`] wraps: the writer's own, or one from the readers' pool.
pub(crate) type SqliteHandle = Box<dyn Deref<Target = rusqlite::Connection> + Send>;
/// The PostgreSQL connection a [`Db`] wraps.
pub(crate) type PgHandle = Box<dyn DerefMut<Target = PgConn> + Send>;

/// A connection to either engine.
pub(crate) enum Db {
    Sqlite(SqliteHandle),
    /// `postgres::Client` wants `&mut` for every call; the cell lets callers share `&Db` as
    /// they share a SQLite connection. No row callback may use the `Db` it came from.
    Postgres(RefCell<PgHandle>),
}

impl Db {
    /// A connection of its own to the PostgreSQL database at `url` (not from the readers' pool).
    pub(crate) fn connect_postgres(url: &str) -> Sql<Self> {
        let conn = PgConn::connect(url)?;
        Ok(Db::Postgres(RefCell::new(Box::new(Box::new(conn)))))
    }

    pub(crate) fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for SQLite's own maintenance.
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            Db::Postgres(_) => None,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) fn exec(&self, sql: &str, params: &[&dyn Param]) -> Sql<u64> {
        match self {
            Db::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(sqlite_params(params))? as u64),
            Db::Postgres(c) => {
                let mut c = c.borrow_mut();
                let statement = c.statement(sql)?;
                let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| *p as _).collect();
                Ok(c.client().execute(&statement, &params)?)
            }
        }
    }

    /// Calls `f` on each row of a query's result, in order, until it returns false.
    pub(crate) fn each(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Sql<bool>,
    ) -> Sql<()> {
        match self {
            Db::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                let mut rows = statement.query(sqlite_params(params))?;
                while let Some(row) = rows.next()? {
                    if !f(&Row::Sqlite(row))? {
                        break;
                    }
                }
            }
            Db::Postgres(c) => {
                let mut c = c.borrow_mut();
                let statement = c.statement(sql)?;
                let params = params.iter().map(|p| *p as &dyn postgres::types::ToSql);
                let mut rows = c.client().query_raw(&statement, params)?;
                while let Some(row) = rows.next()? {
                    if !f(&Row::Postgres(&row))? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every row of a query's result, read by `f`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row<'_>) -> Sql<T>,
    ) -> Sql<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row of a query's result read by `f`, if there is one.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Sql<T>,
    ) -> Sql<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, params, |r| {
            out = f.take().map(|f| f(r)).transpose()?;
            Ok(false)
        })?;
        Ok(out)
    }

    /// The first row of a query that always returns one (an aggregate, a `RETURNING`).
    pub(crate) fn one<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Sql<T>,
    ) -> Sql<T> {
        self.row(sql, params, f)?.ok_or(SqlError::NoRow)
    }

    /// Runs statements without parameters (transaction control, maintenance).
    pub(crate) fn batch(&self, sql: &str) -> Sql<()> {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql)?,
            Db::Postgres(c) => c.borrow_mut().client().batch_execute(sql)?,
        }
        Ok(())
    }

    /// Connects again if a PostgreSQL connection was lost; the writer calls it before each
    /// batch, since it keeps one connection for its whole life.
    pub(crate) fn revive(&self) -> Sql<()> {
        if let Db::Postgres(c) = self {
            c.borrow_mut().revive()?;
        }
        Ok(())
    }

    /// Starts a read that sees one snapshot until the guard is dropped, while writes go on.
    pub(crate) fn snapshot(&self) -> Sql<Snapshot<'_>> {
        self.batch(match self.engine() {
            Engine::Sqlite => "BEGIN",
            Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        })?;
        Ok(Snapshot(self))
    }
}

/// An open read transaction; it ends when dropped.
pub(crate) struct Snapshot<'a>(&'a Db);

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // A read changed nothing, so how it ends does not matter; only that it ends.
        if let Err(e) = self.0.batch("COMMIT") {
            tracing::warn!(error = %e, "ending a read transaction failed");
        }
    }
}

/// Parameters as rusqlite takes them, without collecting them.
fn sqlite_params<'a>(
    params: &'a [&'a dyn Param],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = &'a dyn rusqlite::ToSql>> {
    rusqlite::params_from_iter(params.iter().map(|p| *p as &dyn rusqlite::ToSql))
}

/// Connections for the PostgreSQL readers' pool, each keeping its prepared statements.
#[derive(Debug)]
pub(crate) struct PgManager {
    pub(crate) url: String,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        PgConn::connect(&self.url)
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), postgres::Error> {
        conn.client().simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client().is_closed()
    }
}
