//! The writer's account operations: accounts and profiles, the users' lists (friends,
//! blacklist, muted peers, friend applications) with their fields and friend groups, push
//! registrations, and account deletion.

use super::*;
use protocol::RelationFields;

impl Writer {
    pub(super) fn ensure_user(
        &mut self,
        user: &UserId,
        now_ms: u64,
    ) -> Sql<StorageResult<Account>> {
        if self.user(user)?.is_none() {
            // Only messages from now on are its history; a deleted namesake's sequence goes on.
            self.db.exec(
                "INSERT INTO users (id, created_ms, history_from, latest_seq) VALUES (?1, ?2,
                    (SELECT COALESCE(MAX(id), 0) FROM messages),
                    COALESCE((SELECT latest_seq FROM deleted_accounts WHERE id = ?1), 0))",
                &[&user.as_str(), &(now_ms as i64)],
            )?;
        }
        let u = self.user(user)?.expect("exists now");
        Ok(Ok(Account {
            id: user.clone(),
            nick: u.nick.clone(),
            avatar: u.avatar.clone(),
            latest_seq: Seq(u.latest),
            created_ms: u.created_ms,
        }))
    }

    pub(super) fn push_register(
        &mut self,
        user: &UserId,
        registration: &PushRegistration,
        now_ms: u64,
    ) -> Sql<StorageResult<()>> {
        if self.user(user)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(user.clone())));
        }
        self.db.exec(
            r#"INSERT INTO push_registrations ("user", device, vendor, token, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
               ON CONFLICT ("user", device, vendor) DO UPDATE SET token = ?4, created_ms = ?5"#,
            &[
                &user.as_str(),
                &registration.device.as_str(),
                &registration.vendor.as_str(),
                &registration.token,
                &(now_ms as i64),
            ],
        )?;
        // Past the cap, the oldest registrations go (one insert adds at most one).
        self.db.exec(
            r#"DELETE FROM push_registrations WHERE "user" = ?1 AND (device, vendor) IN (
                   SELECT device, vendor FROM push_registrations WHERE "user" = ?1
                   ORDER BY created_ms DESC LIMIT 1 OFFSET ?2)"#,
            &[&user.as_str(), &(MAX_PUSH_REGISTRATIONS as i64)],
        )?;
        Ok(Ok(()))
    }

    /// Whether `owner`'s list of `relation` holds `peer`.
    pub(super) fn listed(&self, relation: Relation, owner: &UserId, peer: &UserId) -> Sql<bool> {
        self.db
            .row(
                "SELECT 1 FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
                &[&relation_code(relation), &owner.as_str(), &peer.as_str()],
                |_| Ok(()),
            )
            .map(|found| found.is_some())
    }

    pub(super) fn upsert_profile(
        &mut self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Account>> {
        if self.user(user)?.is_none() {
            if !create {
                return Ok(Err(StorageError::UnknownUser(user.clone())));
            }
            if let Err(e) = self.ensure_user(user, now_ms)? {
                return Ok(Err(e));
            }
        }
        if update.nick.is_some() || update.avatar.is_some() {
            self.db.exec(
                "UPDATE users SET nick = COALESCE(?2, nick), avatar = COALESCE(?3, avatar) WHERE id = ?1",
                &[&user.as_str(), &update.nick, &update.avatar],
            )?;
            let u = self.user(user)?.expect("exists");
            let event = update.apply_to(&mut u.nick, &mut u.avatar);
            self.publish(batch, user, event, now_ms, origin)?;
        }
        self.ensure_user(user, now_ms)
    }

    pub(super) fn change_relations(
        &mut self,
        change: RelationChange,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Vec<StorageResult<()>>>> {
        let (add, now_ms) = (change.add, change.now_ms);
        if self.user(&change.owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(change.owner.clone())));
        }
        let (mut results, mut changed) = (Vec::with_capacity(change.peers.len()), Vec::new());
        // Owners whose ended friendships were in friend groups.
        let mut regrouped: Vec<UserId> = Vec::new();
        for peer in change.peers.iter().cloned() {
            if self.user(&peer)?.is_none() {
                results.push(Err(StorageError::UnknownUser(peer)));
                continue;
            }
            let pairs = change.pairs(&peer);
            let refusal = if change.existing_only {
                let mut missing = false;
                for (k, a, b) in &pairs {
                    missing |= !self.listed(*k, a, b)?;
                }
                missing.then_some(StorageError::NotListed)
            } else if add {
                self.add_refusal(&pairs)?
            } else {
                None
            };
            if let Some(e) = refusal {
                results.push(Err(e));
                continue;
            }
            for (k, a, b) in pairs {
                let code = relation_code(k);
                let mut now = RelationFields::default();
                let fields = change.fields_for(k, &a);
                let n = if add {
                    let new = self.db.exec(
                        "INSERT INTO relations (relation, owner, peer, since_ms) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT DO NOTHING",
                        &[&code, &a.as_str(), &b.as_str(), &(now_ms as i64)],
                    )?;
                    let changed = !fields.is_empty();
                    if changed {
                        self.merge_fields(k, &a, &b, fields)?;
                    }
                    now = self.entry_fields(k, &a, &b)?;
                    new + u64::from(changed)
                } else {
                    if k == Relation::Friend && rules::in_groups(&self.kept_fields(k, &a, &b)?) {
                        regrouped.push(a.clone());
                    }
                    self.db.exec(
                        "DELETE FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
                        &[&code, &a.as_str(), &b.as_str()],
                    )?
                };
                if n > 0 {
                    if k == Relation::Blacklist
                        && let Some(u) = self.user(&a)?
                    {
                        u.blocked = if add {
                            u.blocked + 1
                        } else {
                            u.blocked.saturating_sub(1)
                        };
                    }
                    changed.push((k, a, b, now));
                }
            }
            results.push(Ok(()));
        }
        for (a, event, origin) in relation_events(&change, &changed) {
            self.publish(batch, &a, event, now_ms, origin)?;
        }
        regrouped.sort();
        regrouped.dedup();
        for owner in regrouped {
            self.publish(batch, &owner, SyncEvent::FriendGroups, now_ms, None)?;
        }
        Ok(Ok(results))
    }

    /// Why adding these `(kind, owner, peer)` entries is refused, if it is.
    pub(super) fn add_refusal(
        &self,
        pairs: &[(Relation, UserId, UserId)],
    ) -> Sql<Option<StorageError>> {
        for &(relation, ref a, ref b) in pairs {
            if self.listed(relation, a, b)? {
                continue;
            }
            let len = self.db.one(
                "SELECT COUNT(*) FROM relations WHERE relation = ?1 AND owner = ?2",
                &[&relation_code(relation), &a.as_str()],
                |r| r.get::<i64>(0),
            )?;
            let blocks = self.listed(Relation::Blacklist, b, a)?;
            if let Some(e) = add_refusal(relation, blocks, len as usize) {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    pub(super) fn set_profile_tags(
        &mut self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> Sql<StorageResult<()>> {
        if self.user(user)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(user.clone())));
        }
        for (tag, value) in tags {
            self.db.exec(
                r#"INSERT INTO profile_tags ("user", tag, value) VALUES (?1, ?2, ?3)
                   ON CONFLICT ("user", tag) DO UPDATE SET value = ?3"#,
                &[&user.as_str(), &tag, &value],
            )?;
        }
        Ok(Ok(()))
    }

    /// Reads the value in `slot`, and writes what `change` makes of it unless it refuses.
    pub(super) fn update(
        &mut self,
        slot: Slot,
        change: Change,
    ) -> Sql<StorageResult<Result<(), ChatError>>> {
        let now = match &slot {
            Slot::Setting(key) => {
                self.db
                    .row("SELECT value FROM settings WHERE key = ?1", &[key], |r| {
                        r.get::<String>(0)
                    })?
            }
            Slot::ProfileField(user, tag) => {
                if self.user(user)?.is_none() {
                    return Ok(Err(StorageError::UnknownUser(user.clone())));
                }
                self.db.row(
                    r#"SELECT value FROM profile_tags WHERE "user" = ?1 AND tag = ?2"#,
                    &[&user.as_str(), tag],
                    |r| r.get::<String>(0),
                )?
            }
        };
        let value = match change(now.as_deref()) {
            Ok(value) => value,
            Err(refused) => return Ok(Ok(Err(refused))),
        };
        match &slot {
            Slot::Setting(key) => self.db.exec(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                &[key, &value],
            )?,
            Slot::ProfileField(user, tag) => self.db.exec(
                r#"INSERT INTO profile_tags ("user", tag, value) VALUES (?1, ?2, ?3)
                   ON CONFLICT ("user", tag) DO UPDATE SET value = ?3"#,
                &[&user.as_str(), tag, &value],
            )?,
        };
        Ok(Ok(Ok(())))
    }

    pub(super) fn mark_applications_read(
        &mut self,
        owner: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
        batch: &mut Batch,
    ) -> Sql<StorageResult<Seq>> {
        let tag = (APPLICATIONS_READ_TAG.to_owned(), now_ms.to_string());
        if let Err(e) = self.set_profile_tags(owner, vec![tag])? {
            return Ok(Err(e));
        }
        let seq = self.publish(batch, owner, SyncEvent::ApplicationsRead, now_ms, origin)?;
        Ok(Ok(seq))
    }

    pub(super) fn set_friend_fields(
        &mut self,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
        now_ms: u64,
        batch: &mut Batch,
    ) -> Sql<StorageResult<bool>> {
        let regroups = rules::regroups(&fields);
        let friends = self.merge_fields(Relation::Friend, owner, peer, fields)?;
        if friends && regroups {
            self.publish(batch, owner, SyncEvent::FriendGroups, now_ms, None)?;
        }
        Ok(Ok(friends))
    }

    /// Merges `fields` into those kept with `owner`'s entry of `peer` on its list of
    /// `relation`; whether the entry exists (nothing is kept when not).
    /// What the entry on `owner`'s list of `relation` for `peer` carries (none when absent).
    fn entry_fields(
        &mut self,
        relation: Relation,
        owner: &UserId,
        peer: &UserId,
    ) -> Sql<RelationFields> {
        Ok(RelationFields::from_tags(
            &self.kept_fields(relation, owner, peer)?,
        ))
    }

    /// Every field kept with the entry on `owner`'s list of `relation` for `peer`, by tag
    /// (none when absent).
    fn kept_fields(
        &self,
        relation: Relation,
        owner: &UserId,
        peer: &UserId,
    ) -> Sql<std::collections::BTreeMap<String, String>> {
        let kept = self.kept_text(relation, owner, peer)?;
        Ok(rows::fields_from_text(kept.as_deref().unwrap_or_default()))
    }

    /// The text of the fields kept with an entry, if the entry exists.
    fn kept_text(&self, relation: Relation, owner: &UserId, peer: &UserId) -> Sql<Option<String>> {
        self.db.row(
            "SELECT fields FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
            &[&relation_code(relation), &owner.as_str(), &peer.as_str()],
            |r| r.get::<String>(0),
        )
    }

    pub(super) fn merge_fields(
        &mut self,
        relation: Relation,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
    ) -> Sql<bool> {
        let Some(kept) = self.kept_text(relation, owner, peer)? else {
            return Ok(false);
        };
        let mut all = rows::fields_from_text(&kept);
        all.extend(fields);
        self.set_fields(relation_code(relation), owner, peer.as_str(), &all)?;
        Ok(true)
    }

    /// Replaces the fields kept with an entry.
    fn set_fields(
        &self,
        code: i64,
        owner: &UserId,
        peer: &str,
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Sql<u64> {
        self.db.exec(
            "UPDATE relations SET fields = ?4 WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
            &[&code, &owner.as_str(), &peer, &rows::fields_to_text(fields)],
        )
    }

    pub(super) fn change_friend_groups(
        &mut self,
        owner: &UserId,
        add: Vec<String>,
        remove: Vec<String>,
        now_ms: u64,
        batch: &mut Batch,
    ) -> Sql<StorageResult<()>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        if rules::groups_change(&add, &remove) {
            self.publish(batch, owner, SyncEvent::FriendGroups, now_ms, None)?;
        }
        for name in &add {
            self.db.exec(
                "INSERT INTO friend_groups (owner, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[&owner.as_str(), name],
            )?;
        }
        if remove.is_empty() {
            return Ok(Ok(()));
        }
        for name in &remove {
            self.db.exec(
                "DELETE FROM friend_groups WHERE owner = ?1 AND name = ?2",
                &[&owner.as_str(), name],
            )?;
        }
        // The removed groups leave the friendships that named them.
        self.edit_friendships(owner, |fields| leave_groups(fields, &remove))?;
        Ok(Ok(()))
    }

    /// Applies `edit` to the fields of each friendship of `owner` that has any, keeping those
    /// it says it changed.
    fn edit_friendships(
        &self,
        owner: &UserId,
        edit: impl Fn(&mut std::collections::BTreeMap<String, String>) -> bool,
    ) -> Sql<()> {
        let code = relation_code(Relation::Friend);
        let rows = self.db.rows(
            "SELECT peer, fields FROM relations WHERE relation = ?1 AND owner = ?2 AND fields != ''",
            &[&code, &owner.as_str()],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        for (peer, text) in rows {
            let mut fields = rows::fields_from_text(&text);
            if edit(&mut fields) {
                self.set_fields(code, owner, &peer, &fields)?;
            }
        }
        Ok(())
    }

    pub(super) fn rename_friend_group(
        &mut self,
        owner: &UserId,
        old: &str,
        new: &str,
        now_ms: u64,
        batch: &mut Batch,
    ) -> Sql<StorageResult<()>> {
        if self.user(owner)?.is_none() {
            return Ok(Err(StorageError::UnknownUser(owner.clone())));
        }
        self.publish(batch, owner, SyncEvent::FriendGroups, now_ms, None)?;
        self.db.exec(
            "UPDATE friend_groups SET name = ?3 WHERE owner = ?1 AND name = ?2",
            &[&owner.as_str(), &old, &new],
        )?;
        self.edit_friendships(owner, |fields| rename_group(fields, old, new))?;
        Ok(Ok(()))
    }

    pub(super) fn delete_user(
        &mut self,
        user: &UserId,
        deletion: Revocation,
    ) -> Sql<StorageResult<bool>> {
        let latest = match self.user(user)? {
            Some(u) => u.latest as i64,
            None => self
                .db
                .row(
                    "SELECT latest_seq FROM deleted_accounts WHERE id = ?1",
                    &[&user.as_str()],
                    |r| r.get::<i64>(0),
                )?
                .unwrap_or(0),
        };
        let sigs: Vec<String> = deletion.sigs.iter().map(u64::to_string).collect();
        self.db.exec(
            "INSERT INTO deleted_accounts (id, deleted_ms, latest_seq, sigs) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET deleted_ms = ?2, latest_seq = ?3, sigs = ?4",
            &[&user.as_str(), &(deletion.at_ms as i64), &latest, &sigs.join(",")],
        )?;
        let existed = self
            .db
            .exec("DELETE FROM users WHERE id = ?1", &[&user.as_str()])?
            > 0;
        for sql in [
            r#"DELETE FROM sync_log WHERE "user" = ?1"#,
            "DELETE FROM conversations WHERE owner = ?1",
            "DELETE FROM hidden_messages WHERE owner = ?1",
            r#"DELETE FROM push_registrations WHERE "user" = ?1"#,
            r#"DELETE FROM push_jobs WHERE "user" = ?1"#,
            r#"DELETE FROM profile_tags WHERE "user" = ?1"#,
            "DELETE FROM friend_groups WHERE owner = ?1",
            "DELETE FROM relations WHERE owner = ?1 OR peer = ?1",
        ] {
            self.db.exec(sql, &[&user.as_str()])?;
        }
        // Other users' cached blacklist sizes may have counted this user: start afresh.
        self.forget_everyone();
        Ok(Ok(existed))
    }
}
