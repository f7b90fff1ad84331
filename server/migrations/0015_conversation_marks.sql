-- More of what a user keeps about a conversation for all of its devices: its marks, one bit
-- each (Tencent's mark types: star, unread, fold, hide, and the app's own from bit 32), and
-- the app's own data about it.
ALTER TABLE conversations ADD COLUMN marks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN custom_data TEXT NOT NULL DEFAULT '';
