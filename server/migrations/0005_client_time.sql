-- When the sender composed each message, by the sender's clock (seconds): with the sender and
-- the random it makes the message's ID, the same from composing to every device. 0: unknown
-- (stored before this column).
ALTER TABLE messages ADD COLUMN client_time INTEGER NOT NULL DEFAULT 0;
