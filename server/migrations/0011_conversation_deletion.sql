-- A user's deletion of a conversation from its list: the conversation stays out of the list,
-- and the messages up to this id count neither as its last message nor as unread, until a
-- newer message comes. 0: never deleted.
ALTER TABLE conversations ADD COLUMN deleted_up_to INTEGER NOT NULL DEFAULT 0;
