-- The groups of a user's conversations (Tencent's conversation groups) each conversation is
-- in: their names, one a line, in the order it joined them ('' for none). Names hold no
-- control characters, so a line break separates them.
ALTER TABLE conversations ADD COLUMN conversation_groups TEXT NOT NULL DEFAULT '';
