-- What a user keeps about a conversation for all of its devices: pinned first in the list, the
-- draft it was composing, and the sequence of its sync-log entry that set them (0: never set).
ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN draft TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0;
