-- When the recipient of a message that asked for a read receipt (flag 8) sent it,
-- milliseconds since the Unix epoch; 0 while it has not.
ALTER TABLE messages ADD COLUMN receipt_ms BIGINT NOT NULL DEFAULT 0;
