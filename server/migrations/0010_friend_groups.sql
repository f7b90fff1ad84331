-- The friend groups a user made (`sns/group_add`), empty ones included; which friends are in
-- a group is the friendship's `Tag_SNS_IM_Group` field.
CREATE TABLE friend_groups (
    owner TEXT NOT NULL,
    name  TEXT NOT NULL,
    PRIMARY KEY (owner, name)
) WITHOUT ROWID;
