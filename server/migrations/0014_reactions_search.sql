-- Reactions on a message: a JSON array of {"id", "users"}, NULL when it has none.
ALTER TABLE messages ADD COLUMN reactions TEXT;

-- The full-text index of messages: one row per message (rowid = messages.id) that is in the
-- roaming store, not recalled, and numbered up to `search_progress.indexed_up_to`. `text` is
-- the message's words in lower case, `users` its two users as "|alice|bob|". The trigram
-- tokenizer matches any substring of three characters or more, in every script; shorter
-- keywords are matched with LIKE on `text`. The writer fills it behind the send path, when it
-- is idle; a search reads the messages above `indexed_up_to` from `messages` itself.
CREATE VIRTUAL TABLE message_search USING fts5(text, users, tokenize = 'trigram');
CREATE TABLE search_progress (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_up_to  INTEGER NOT NULL
);
INSERT INTO search_progress (id, indexed_up_to) VALUES (1, 0);
