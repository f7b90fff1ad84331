-- Reactions on a message: a JSON array of {"id", "users"}, NULL when it has none.
ALTER TABLE messages ADD COLUMN reactions TEXT;

-- The full-text index of messages, one row per message (rowid = messages.id) while it is in
-- the roaming store and not recalled. `text` is the message's words in lower case, `kinds` its
-- element kinds, `users` its two users as "|alice|bob|". The trigram tokenizer matches any
-- substring of three characters or more, in every script; shorter keywords are matched with
-- LIKE on `text`. The rows of messages stored before this index existed are written by the
-- server when it applies this migration.
CREATE VIRTUAL TABLE message_search USING fts5(text, kinds, users, tokenize = 'trigram');
