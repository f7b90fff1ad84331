//! Rows a batch appends — sync-log entries, and messages on PostgreSQL — held until something
//! reads them and then written by multi-row statements. On PostgreSQL each statement is a round
//! trip, so a batch of hundreds of messages costs a handful of them instead of two per message.

use super::super::db::{Db, Engine, Param, Sql};
use super::*;
use std::sync::LazyLock;

/// Rows one statement writes: a batch's rows go in statements of the largest size, and the
/// rest in at most one statement of each smaller size, so a connection prepares six
/// statements per table and a batch of any length costs few.
const ROWS_PER_INSERT: [usize; 6] = [32, 16, 8, 4, 2, 1];

/// Rows appended in a batch and not written yet.
#[derive(Default)]
pub(super) struct Pending {
    messages: Vec<MessageRow>,
    log: Vec<LogRow>,
    /// Sender, recipient and `random` of each message in `messages`: a send with the same
    /// may repeat one of them, and is looked for after they are written.
    keys: HashSet<RetryKey>,
}

impl Pending {
    /// Adds a message row. On SQLite, where a statement is a function call, it is written at
    /// once; on PostgreSQL it waits for the others.
    pub(super) fn push_message(
        &mut self,
        db: &Db,
        row: MessageRow,
        key: impl FnOnce() -> RetryKey,
    ) -> Sql<()> {
        if db.engine() == Engine::Sqlite {
            return insert_all(db, std::slice::from_ref(&row));
        }
        self.keys.insert(key());
        self.messages.push(row);
        Ok(())
    }

    pub(super) fn push_log(&mut self, row: LogRow) {
        self.log.push(row);
    }

    /// Whether a message from `from` to `to` with this `random` waits to be written.
    pub(super) fn has(&self, from: &UserId, to: &UserId, random: u32) -> bool {
        !self.keys.is_empty() && self.keys.contains(&(from.clone(), to.clone(), random))
    }

    /// Writes every pending row: before anything reads messages or the sync log, and before
    /// the batch commits.
    pub(super) fn write(&mut self, db: &Db) -> Sql<()> {
        insert_all(db, &std::mem::take(&mut self.messages))?;
        insert_all(db, &std::mem::take(&mut self.log))?;
        self.keys.clear();
        Ok(())
    }
}

/// What a retry repeats of the message it retries: sender, recipient and `random`.
pub(super) type RetryKey = (UserId, UserId, u32);

/// A message row waiting to be written. Its `id` is the writer's: the writer is the only one
/// inserting (the only one at a time across nodes, [`super::epoch`]).
pub(super) struct MessageRow {
    pub id: i64,
    pub sender: String,
    pub recipient: String,
    pub conv: String,
    pub random: i64,
    pub time_ms: i64,
    pub body: String,
    pub cloud_custom_data: Option<String>,
    pub nick: String,
    pub avatar: String,
    pub size: i64,
    pub sender_seq: i64,
    pub flags: i64,
    pub client_time: i64,
}

/// A sync-log row waiting to be written.
pub(super) struct LogRow {
    pub user: String,
    pub seq: i64,
    pub time_ms: i64,
    pub message_id: Option<i64>,
    pub event: Option<String>,
    pub size: i64,
}

/// A row of one table, as a multi-row insert writes it.
trait Row: Sized {
    /// The statement up to `VALUES`.
    const INSERT: &'static str;
    /// Columns per row.
    const WIDTH: usize;
    fn params<'a>(&'a self, out: &mut Vec<&'a dyn Param>);
    /// The statements that write [`ROWS_PER_INSERT`] rows, built once.
    fn statements() -> &'static Statements;
}

impl Row for MessageRow {
    const INSERT: &'static str =
        "INSERT INTO messages (id, sender, recipient, conv, random, time_ms, body,
        cloud_custom_data, nick, avatar, size, sender_seq, flags, client_time) VALUES";
    const WIDTH: usize = 14;
    fn params<'a>(&'a self, out: &mut Vec<&'a dyn Param>) {
        out.extend([
            &self.id as &dyn Param,
            &self.sender,
            &self.recipient,
            &self.conv,
            &self.random,
            &self.time_ms,
            &self.body,
            &self.cloud_custom_data,
            &self.nick,
            &self.avatar,
            &self.size,
            &self.sender_seq,
            &self.flags,
            &self.client_time,
        ]);
    }
    fn statements() -> &'static Statements {
        static STATEMENTS: LazyLock<Statements> = LazyLock::new(Statements::new::<MessageRow>);
        &STATEMENTS
    }
}

impl Row for LogRow {
    const INSERT: &'static str =
        r#"INSERT INTO sync_log ("user", seq, time_ms, message_id, event, size) VALUES"#;
    const WIDTH: usize = 6;
    fn params<'a>(&'a self, out: &mut Vec<&'a dyn Param>) {
        out.extend([
            &self.user as &dyn Param,
            &self.seq,
            &self.time_ms,
            &self.message_id,
            &self.event,
            &self.size,
        ]);
    }
    fn statements() -> &'static Statements {
        static STATEMENTS: LazyLock<Statements> = LazyLock::new(Statements::new::<LogRow>);
        &STATEMENTS
    }
}

/// The text of a table's insert of each of [`ROWS_PER_INSERT`] rows, in that order.
struct Statements([String; ROWS_PER_INSERT.len()]);

impl Statements {
    fn new<R: Row>() -> Self {
        Self(ROWS_PER_INSERT.map(|rows| {
            let values: Vec<String> = (0..rows)
                .map(|r| {
                    let numbers: Vec<String> = (1..=R::WIDTH)
                        .map(|c| format!("?{}", r * R::WIDTH + c))
                        .collect();
                    format!("({})", numbers.join(", "))
                })
                .collect();
            format!("{} {}", R::INSERT, values.join(", "))
        }))
    }
}

fn insert_all<R: Row>(db: &Db, mut rows: &[R]) -> Sql<()> {
    let statements = R::statements();
    for (size, sql) in ROWS_PER_INSERT.iter().zip(&statements.0) {
        while rows.len() >= *size {
            let (chunk, rest) = rows.split_at(*size);
            let mut params = Vec::with_capacity(size * R::WIDTH);
            for row in chunk {
                row.params(&mut params);
            }
            db.exec(sql, &params)?;
            rows = rest;
        }
    }
    Ok(())
}
