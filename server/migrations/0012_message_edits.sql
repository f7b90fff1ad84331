-- Edits of a message (Tencent's modifyMessage): how many there were, and when the last one was
-- made (0: never). A sync-log row with both a message id and an event is an `edited` entry: it
-- is read with the message's newest version.
ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edited_ms INTEGER NOT NULL DEFAULT 0;
