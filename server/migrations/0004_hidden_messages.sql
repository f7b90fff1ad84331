-- Messages a user deleted from its own history (on all its devices); the peer keeps them.
CREATE TABLE hidden_messages (
    owner       TEXT NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (owner, message_id)
) WITHOUT ROWID;
