-- Accounts the app's backend kicked out (`im_open_login_svc/kick`): a UserSig issued before
-- the kick no longer signs in (`sigs`: fingerprints of the ones the account had used,
-- comma-separated). The account and its data stay.
CREATE TABLE kicks (
    id        TEXT PRIMARY KEY,
    kicked_ms INTEGER NOT NULL,
    sigs      TEXT NOT NULL
) WITHOUT ROWID;
