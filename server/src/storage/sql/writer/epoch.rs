//! The write epoch on PostgreSQL, where several nodes' writers share one database. Each batch
//! takes the one row of `write_epoch` and moves it by one, so batches commit one at a time
//! across the cluster, in one order, and records in `write_changes` which users it touched.
//! A writer whose next epoch is not its last plus one knows that others wrote in between, and
//! drops what it cached of the users they touched — not everything, which would cost every
//! batch a fresh look-up of each of its users while two nodes take turns.

use super::*;

/// Epochs whose change records are kept. A writer that fell further behind (a node idle for
/// that many of the others' batches) reloads everything.
const KEPT_EPOCHS: i64 = 4096;
/// Old change records are deleted once every this many epochs.
const PRUNE_EVERY: i64 = 1024;

/// What a batch changed of the state writers cache, as other nodes' writers need to know it.
#[derive(Default)]
pub(super) enum Changes {
    /// Every user this batch looked up (a superset of those it changed).
    Users(HashSet<UserId>),
    /// More than can be listed: an expiry, an account's deletion.
    #[default]
    Everyone,
}

impl Changes {
    pub(super) fn touch(&mut self, user: &UserId) {
        if let Changes::Users(users) = self
            && !users.contains(user)
        {
            users.insert(user.clone());
        }
    }
}

impl Writer {
    /// Takes the cluster's write lock for this batch and drops what others changed since this
    /// writer's last batch.
    pub(super) fn take_epoch(&mut self) -> Sql<()> {
        let epoch = self.db.one(
            "UPDATE write_epoch SET epoch = epoch + 1 RETURNING epoch",
            &[],
            |r| r.get::<i64>(0),
        )?;
        match self.epoch {
            Some(mine) if mine + 1 == epoch => {}
            Some(mine) => self.catch_up(mine, epoch)?,
            None => self.reload(),
        }
        self.epoch = Some(epoch);
        self.changes = Changes::Users(HashSet::new());
        Ok(())
    }

    /// Drops the cached state of the users that the batches between epochs `mine` and `now`
    /// (both excluded) touched, and reads again the newest message's number and time.
    fn catch_up(&mut self, mine: i64, now: i64) -> Sql<()> {
        let mut records = 0;
        let mut everyone = false;
        let mut touched = HashSet::new();
        self.db.each(
            "SELECT users FROM write_changes WHERE epoch > ?1 AND epoch < ?2",
            &[&mine, &now],
            |row| {
                records += 1;
                match row.get::<Option<String>>(0)? {
                    Some(users) => match serde_json::from_str::<Vec<UserId>>(&users) {
                        Ok(users) => touched.extend(users),
                        Err(_) => everyone = true,
                    },
                    None => everyone = true,
                }
                Ok(true)
            },
        )?;
        if everyone || records != now - mine - 1 {
            self.reload();
            return Ok(());
        }
        self.users.retain(|user, _| !touched.contains(user));
        self.conversations
            .retain(|(owner, peer)| !touched.contains(owner) && !touched.contains(peer));
        self.reload_newest();
        Ok(())
    }

    /// Records what this batch touched under its epoch, for the other nodes' writers.
    pub(super) fn record_changes(&mut self) -> Sql<()> {
        let Some(epoch) = self.epoch else {
            return Ok(());
        };
        let users = match std::mem::take(&mut self.changes) {
            Changes::Users(users) => Some(
                serde_json::to_string(&users).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            ),
            Changes::Everyone => None,
        };
        self.db.exec(
            "INSERT INTO write_changes (epoch, users) VALUES (?1, ?2)",
            &[&epoch, &users],
        )?;
        if epoch % PRUNE_EVERY == 0 {
            self.db.exec(
                "DELETE FROM write_changes WHERE epoch <= ?1",
                &[&(epoch - KEPT_EPOCHS)],
            )?;
        }
        Ok(())
    }

    /// Drops every cached user and conversation, and tells the other nodes' writers to do the
    /// same: for changes to more users than a batch lists.
    pub(super) fn forget_everyone(&mut self) {
        self.users.clear();
        self.conversations.clear();
        self.changes = Changes::Everyone;
    }
}
