-- Accounts. `latest_seq` is the newest sequence of the user's sync log.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    nick        TEXT NOT NULL DEFAULT '',
    avatar      TEXT NOT NULL DEFAULT '',
    created_ms  INTEGER NOT NULL,
    latest_seq  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The roaming store: every message once. `id` grows in commit order and is the message key's
-- first part; `time_ms` never decreases with `id`, so expiry deletes a prefix of ids.
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    sender            TEXT NOT NULL,
    recipient         TEXT NOT NULL,
    conv              TEXT NOT NULL,
    random            INTEGER NOT NULL,
    time_ms           INTEGER NOT NULL,
    body              TEXT NOT NULL,
    cloud_custom_data TEXT,
    nick              TEXT NOT NULL,
    avatar            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    sender_seq        INTEGER NOT NULL
);
CREATE INDEX messages_by_conv ON messages (conv, id);
CREATE INDEX messages_by_random ON messages (sender, recipient, random);

-- Per-user sync logs; the retained tail is the user's offline cache. A row is a message
-- (`message_id`) or another event (`event`, JSON).
CREATE TABLE sync_log (
    user        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    time_ms     INTEGER NOT NULL,
    message_id  INTEGER,
    event       TEXT,
    size        INTEGER NOT NULL,
    PRIMARY KEY (user, seq)
) WITHOUT ROWID;
CREATE INDEX sync_log_by_time ON sync_log (time_ms);

-- Recent contacts. Activity order is `last_message_id` (commit order).
CREATE TABLE conversations (
    owner            TEXT NOT NULL,
    peer             TEXT NOT NULL,
    last_message_id  INTEGER NOT NULL,
    unread           INTEGER NOT NULL DEFAULT 0,
    updated_ms       INTEGER NOT NULL,
    PRIMARY KEY (owner, peer)
) WITHOUT ROWID;
CREATE INDEX conversations_by_activity ON conversations (owner, last_message_id);
