-- Message flags: 1 recalled (elements cleared), 2 does not count as unread, 4 is never a
-- conversation's last message.
ALTER TABLE messages ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;

-- Friend lists (relation 1) and blacklists (relation 2): `owner` lists `peer`.
CREATE TABLE relations (
    relation  INTEGER NOT NULL,
    owner     TEXT NOT NULL,
    peer      TEXT NOT NULL,
    since_ms  INTEGER NOT NULL,
    PRIMARY KEY (relation, owner, peer)
) WITHOUT ROWID;
CREATE INDEX relations_by_peer ON relations (peer);

-- App settings changed at run time (e.g. friends-only), so they survive a restart.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
