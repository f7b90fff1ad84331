-- Which users each committed write batch touched, by its write epoch (storage/sql/writer), so
-- a node whose writer finds the epoch moved past its own drops only those users' cached
-- counters instead of all of them. `users` is a JSON array of user IDs, or NULL when the
-- batch changed more than it can list (expiry, an account's deletion). Rows older than a few
-- thousand epochs are deleted; a writer that finds a record missing reloads everything.
CREATE TABLE write_changes (
    epoch  BIGINT PRIMARY KEY,
    users  TEXT
);

-- Since this migration, message IDs are the writer's (the newest plus one, under the write
-- epoch); the identity of `messages.id` is no longer drawn from.
