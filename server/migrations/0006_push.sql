-- Devices' registrations with push services, and the pushes waiting to go out: a push is queued
-- in the transaction that stores its message, so an acknowledged message's push survives a crash.
CREATE TABLE push_registrations (
    user        TEXT NOT NULL,
    device      TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (user, device, vendor)
) WITHOUT ROWID;

CREATE TABLE push_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user        TEXT NOT NULL,
    message_id  INTEGER NOT NULL,
    info        TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_ms      INTEGER NOT NULL
);
CREATE INDEX push_jobs_due ON push_jobs (due_ms, id);
CREATE INDEX push_jobs_user ON push_jobs (user);
