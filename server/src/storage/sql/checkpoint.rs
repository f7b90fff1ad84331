//! Copies WAL pages into the database file on a thread of its own, so the writer does not stall
//! on checkpoints while messages wait for their commit. The writer's own auto-checkpoint still
//! runs when the WAL is long, because only a checkpoint right after a commit catches the WAL
//! fully copied and lets it start over; by then this thread has copied nearly all of it.

use super::sqlite_schema::CONNECTION_PRAGMAS;
use r2d2_sqlite::rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a passive checkpoint runs.
const INTERVAL: Duration = Duration::from_millis(200);

pub(super) struct Checkpointer {
    stop: mpsc::Sender<()>,
    handle: JoinHandle<()>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> std::io::Result<Self> {
        let path = path.to_owned();
        let (stop, stopped) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let conn = match Connection::open(&path)
                    .and_then(|c| c.execute_batch(CONNECTION_PRAGMAS).map(|()| c))
                {
                    Ok(c) => c,
                    Err(e) => {
                        return tracing::error!(error = %e, "checkpointer cannot open the database");
                    }
                };
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    // PASSIVE never waits for the writer or readers; what it cannot copy now waits
                    // for the next round.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "checkpoint failed");
                    }
                }
            })?;
        Ok(Self { stop, handle })
    }

    /// Stops the thread and waits for it.
    pub(super) fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.handle.join();
    }
}
