-- Accounts deleted by the app's backend. A UserSig issued before the deletion no longer signs
-- in (`sigs`: fingerprints of the ones the account had used, comma-separated); an account of
-- the same name created later continues from `latest_seq`.
CREATE TABLE deleted_accounts (
    id          TEXT PRIMARY KEY,
    deleted_ms  INTEGER NOT NULL,
    latest_seq  INTEGER NOT NULL,
    sigs        TEXT NOT NULL
) WITHOUT ROWID;

-- Messages with ids up to this one predate the account (a deleted namesake's) and are not its
-- history.
ALTER TABLE users ADD COLUMN history_from INTEGER NOT NULL DEFAULT 0;
