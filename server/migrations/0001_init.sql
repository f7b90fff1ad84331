-- Accounts. The newest sequence of a user's sync log is its newest sync_log row; `latest_seq`
-- is written only when rows are about to be deleted, so it is a floor for an emptied log.
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

-- Recent contacts: which conversations a user has and how far it has read each. The last
-- message, the activity order and the unread count are derived from `messages` at read time,
-- so sending a message writes no row here unless it starts a conversation.
CREATE TABLE conversations (
    owner        TEXT NOT NULL,
    peer         TEXT NOT NULL,
    conv         TEXT NOT NULL,
    read_up_to   INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (owner, peer)
) WITHOUT ROWID;
