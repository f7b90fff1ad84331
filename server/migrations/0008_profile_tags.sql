-- Profile fields besides the nickname and avatar, by their Tencent tag
-- (`Tag_Profile_IM_Gender`, `Tag_Profile_Custom_Hobby`, …); `value` is JSON (a string or a
-- number). They leave with the account.
CREATE TABLE profile_tags (
    user  TEXT NOT NULL,
    tag   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user, tag)
) WITHOUT ROWID;
