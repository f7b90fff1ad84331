//! A user's lists of other users: friends, the blacklist, muted peers and friend applications;
//! how a friend request follows the peer's `AllowType`, as in Tencent IM.

use super::{Chat, check_count, check_user_count, friend_fields};
use crate::error::ChatError;
use crate::storage::{APPLICATIONS_READ_TAG, Origin, RelationChange};
use crate::webhooks::{Changer, Hook, Refusals, Response};
use protocol::frame::{MAX_CHECK_PER_REQUEST, UserResult};
use protocol::{ErrorCode, Relation, RelationEntry, RelationFields, Seq, UserId};
use std::collections::HashMap;

/// The profile tag that decides what a friend request does, and its values besides the
/// default `AllowType_Type_NeedConfirm`.
const TAG_ALLOW_TYPE: &str = "Tag_Profile_IM_AllowType";
const ALLOW_ANY: &str = "AllowType_Type_AllowAny";
const ALLOW_DENY_ANY: &str = "AllowType_Type_DenyAny";

/// Each user's outcome of one change.
type Outcomes = HashMap<UserId, Result<(), ChatError>>;

impl Chat {
    /// A user's own fields as kept tags ([`checked_tags`]), whose remark and request wording
    /// hold no word of the keyword libraries (80001); the app's backend's are not checked for
    /// words.
    fn checked_own_tags(
        &self,
        fields: &RelationFields,
    ) -> Result<Vec<(String, String)>, ChatError> {
        let texts = [fields.remark.as_str(), fields.wording.as_str()];
        (self.keywords).check_texts("the friend remark or wording", texts)?;
        checked_tags(fields)
    }

    /// Adds or removes users on one of `owner`'s lists, as the app's backend or a user's list
    /// change asks (`by`, whom the webhooks name): friendship is mutual unless `one_way`, an
    /// application changes on both sides. One result per user, in order.
    pub async fn change_relations(
        &self,
        owner: &UserId,
        (relation, add): (Relation, bool),
        users: Vec<UserId>,
        one_way: bool,
        by: Changer,
    ) -> Result<Vec<UserResult>, ChatError> {
        check_user_count(users.len())?;
        let peers = others(owner, &users);
        let both_ways = (relation == Relation::Friend && !one_way) || relation.is_application();
        let change = self.change(relation, owner, peers, add);
        let outcomes = self
            .apply(
                RelationChange {
                    both_ways,
                    ..change
                },
                by,
            )
            .await?;
        Ok(results(owner, users, &outcomes))
    }

    /// A user's own friend request (Tencent's `addFriend`). It follows each peer's
    /// `AllowType`: `DenyAny` refuses it (30516); `AllowAny` makes the friendship both ways at
    /// once, as does a request to a user who had applied to `me` (it accepts that application)
    /// or is a friend both ways already; `NeedConfirm`, the default, sends a friend
    /// application, answered 30539 (pending) until the peer accepts or refuses it. `fields`
    /// (remark, wording, source) go with `me`'s entry and the application. A user's own
    /// request (`by` [`Changer::User`]) is the app's backend's to refuse first
    /// (`Sns.CallbackPrevFriendAdd`), as with Tencent; the backend's own is not.
    pub async fn request_friends(
        &self,
        me: &UserId,
        users: Vec<UserId>,
        fields: &RelationFields,
        by: Changer,
    ) -> Result<Vec<UserResult>, ChatError> {
        check_user_count(users.len())?;
        let tags = match by {
            Changer::User => self.checked_own_tags(fields)?,
            _ => checked_tags(fields)?,
        };
        let peers = others(me, &users);
        let refused = match by {
            Changer::User => {
                let now = self.clock.now_ms();
                self.webhooks
                    .before_friend_add(me, &peers, fields, now)
                    .await
            }
            _ => Refusals::new(),
        };
        let (peers, mut outcomes) = screened(peers, refused);
        let allow = self.allow_types(&peers).await?;
        let applied = self
            .storage
            .check_relations(Relation::ApplicationReceived, me, &peers)
            .await?;
        let friends = self
            .storage
            .check_relations(Relation::Friend, me, &peers)
            .await?;
        let (mut at_once, mut accepting, mut asking) = (Vec::new(), Vec::new(), Vec::new());
        for ((peer, (applied, _)), (listed, lists_me)) in
            peers.into_iter().zip(applied).zip(friends)
        {
            match allow.get(&peer).map(String::as_str) {
                _ if applied => accepting.push(peer),
                _ if listed && lists_me => at_once.push(peer),
                Some(ALLOW_DENY_ANY) => {
                    let e = ChatError::new(
                        ErrorCode::FRIEND_DENY_ANY,
                        format!("{peer} accepts no friend requests"),
                    );
                    outcomes.insert(peer, Err(e));
                }
                Some(ALLOW_ANY) => at_once.push(peer),
                _ => asking.push(peer),
            }
        }
        at_once.extend(accepting.iter().cloned());
        let friendship = RelationChange {
            both_ways: true,
            fields: tags.clone(),
            ..self.change(Relation::Friend, me, at_once, true)
        };
        outcomes.extend(self.apply(friendship, by).await?);
        self.close_applications(me, accepting).await?;
        let application = RelationChange {
            both_ways: true,
            fields: tags,
            ..self.change(Relation::ApplicationSent, me, asking.clone(), true)
        };
        let mut sent = self.apply(application, Changer::Nobody).await?;
        for peer in asking {
            let result = match sent.remove(&peer) {
                Some(Ok(())) => Err(ChatError::new(
                    ErrorCode::FRIEND_APPLICATION_PENDING,
                    format!("friend application sent; waiting for {peer} to accept it"),
                )),
                other => other.unwrap_or_else(|| Err(no_answer())),
            };
            outcomes.insert(peer, result);
        }
        Ok(results(me, users, &outcomes))
    }

    /// Accepts `applicant`'s friend application to `me` (Tencent's
    /// `acceptFriendApplication`): `applicant` lists `me` as a friend, with the remark,
    /// wording and source it applied with (Tencent's friend entry keeps `Tag_SNS_IM_AddSource`
    /// and `Tag_SNS_IM_AddWording`), and `me` lists `applicant` too when `both` (`fields`, a
    /// remark, going with that entry). The application then leaves both users' lists. 30001
    /// when there is none; the app's backend may refuse the acceptance
    /// (`Sns.CallbackPrevFriendResponse`).
    pub async fn accept_application(
        &self,
        me: &UserId,
        applicant: UserId,
        both: bool,
        fields: &RelationFields,
    ) -> Result<UserResult, ChatError> {
        let tags = self.checked_own_tags(fields)?;
        let pending = self
            .storage
            .check_relations(
                Relation::ApplicationReceived,
                me,
                std::slice::from_ref(&applicant),
            )
            .await?;
        if !pending.first().is_some_and(|(applied, _)| *applied) {
            return Err(ChatError::new(
                ErrorCode::RELATION_INVALID,
                format!("{applicant} has not applied to be friends"),
            ));
        }
        let response = match both {
            true => Response::AgreeAndAdd,
            false => Response::Agree,
        };
        let now = self.clock.now_ms();
        let asked = std::slice::from_ref(&applicant);
        let refused = (self.webhooks)
            .before_friend_response(me, asked, (response, &fields.remark), now)
            .await;
        if let Some(e) = refused.into_values().next() {
            return Err(e);
        }
        // What the applicant gave with its application goes with its new entry.
        let applied = (self
            .relations(&applicant, Relation::ApplicationSent)
            .await?)
            .into_iter()
            .find(|e| &e.user_id == me)
            .map(|e| e.fields)
            .unwrap_or_default();
        let applicants = checked_tags(&applied)?;
        let change = if both {
            RelationChange {
                both_ways: true,
                fields: tags,
                peer_fields: applicants,
                ..self.change(Relation::Friend, me, vec![applicant.clone()], true)
            }
        } else {
            RelationChange {
                fields: applicants,
                ..self.change(Relation::Friend, &applicant, vec![me.clone()], true)
            }
        };
        let peer = if both { &applicant } else { me };
        let outcome = self.apply(change, Changer::Responder).await?.remove(peer);
        if let Some(Err(e)) = outcome {
            return Err(e);
        }
        self.close_applications(me, vec![applicant.clone()]).await?;
        Ok(done(applicant))
    }

    /// `me` refuses the friend applications of `users` (Tencent's `refuseFriendApplication`,
    /// and its `deleteFriendApplication` of one received, which leaves the applicant's list
    /// too here): each leaves both users' lists, unless the app's backend refuses the answer
    /// (`Sns.CallbackPrevFriendResponse`, asked about the users who did apply). One result
    /// per user, in order.
    pub async fn refuse_applications(
        &self,
        me: &UserId,
        users: Vec<UserId>,
    ) -> Result<Vec<UserResult>, ChatError> {
        check_user_count(users.len())?;
        let peers = others(me, &users);
        let mut refused = Refusals::new();
        if self.webhooks.wants(Hook::PrevFriendResponse) {
            let pending = (self.storage)
                .check_relations(Relation::ApplicationReceived, me, &peers)
                .await?;
            let applicants: Vec<UserId> = (peers.iter().zip(pending))
                .filter(|(_, (applied, _))| *applied)
                .map(|(peer, _)| peer.clone())
                .collect();
            let now = self.clock.now_ms();
            refused = (self.webhooks)
                .before_friend_response(me, &applicants, (Response::Reject, ""), now)
                .await;
        }
        let (peers, mut outcomes) = screened(peers, refused);
        let change = RelationChange {
            both_ways: true,
            ..self.change(Relation::ApplicationReceived, me, peers, false)
        };
        outcomes.extend(self.apply(change, Changer::User).await?);
        Ok(results(me, users, &outcomes))
    }

    /// Sets the remark of `user`'s entry on `me`'s list of `relation` (Tencent's
    /// `updateFriend`; an empty one clears it) and the other `fields` given; every device of
    /// `me` hears of it. 30001 when `user` is not on it.
    pub async fn update_relation(
        &self,
        me: &UserId,
        relation: Relation,
        user: UserId,
        fields: &RelationFields,
    ) -> Result<UserResult, ChatError> {
        let mut tags = self.checked_own_tags(fields)?;
        if fields.remark.is_empty() {
            // An empty remark clears the one set before.
            tags.push((RelationFields::REMARK_TAG.to_owned(), "\"\"".to_owned()));
        }
        let change = RelationChange {
            existing_only: true,
            fields: tags,
            ..self.change(relation, me, vec![user.clone()], true)
        };
        match self.apply(change, Changer::Nobody).await?.remove(&user) {
            Some(Ok(())) => Ok(done(user)),
            Some(Err(e)) => Err(e),
            None => Err(no_answer()),
        }
    }

    /// `owner`'s list, oldest first; on the applications it received, each one it read
    /// ([`Chat::mark_applications_read`]) says so.
    pub async fn relations(
        &self,
        owner: &UserId,
        relation: Relation,
    ) -> Result<Vec<RelationEntry>, ChatError> {
        let mut entries = self.storage.relations(relation, owner).await?;
        if relation == Relation::ApplicationReceived {
            let tags = self
                .storage
                .profile_tags(std::slice::from_ref(owner))
                .await?;
            let read_until: u64 = tags
                .iter()
                .find(|(_, tag, _)| tag == APPLICATIONS_READ_TAG)
                .and_then(|(_, _, value)| value.parse().ok())
                .unwrap_or(0);
            for entry in &mut entries {
                entry.read = entry.since_ms <= read_until;
            }
        }
        Ok(entries)
    }

    /// Marks every friend application to `owner` so far read, on all of its devices (but
    /// `origin`, which is answered); answers the sequence of the `applications_read` entry that
    /// tells them.
    pub async fn mark_applications_read(
        &self,
        owner: &UserId,
        origin: Option<Origin>,
    ) -> Result<Seq, ChatError> {
        let now = self.clock.now_ms();
        Ok(self
            .storage
            .mark_applications_read(owner, now, origin)
            .await?)
    }

    pub async fn check_relations(
        &self,
        owner: &UserId,
        relation: Relation,
        users: &[UserId],
    ) -> Result<Vec<(bool, bool)>, ChatError> {
        check_count(users.len(), MAX_CHECK_PER_REQUEST)?;
        Ok(self.storage.check_relations(relation, owner, users).await?)
    }

    /// A one-way change of `owner`'s list, no fields, made now. Its entries go to every device
    /// of the users (no origin is skipped): a change of several lists applied out of order on
    /// a device would undo itself.
    fn change(
        &self,
        relation: Relation,
        owner: &UserId,
        peers: Vec<UserId>,
        add: bool,
    ) -> RelationChange {
        RelationChange {
            relation,
            owner: owner.clone(),
            peers,
            add,
            both_ways: false,
            existing_only: false,
            fields: Vec::new(),
            peer_fields: Vec::new(),
            now_ms: self.clock.now_ms(),
            origin: None,
        }
    }

    /// Stores a change; each peer's outcome. The webhooks tell of the entries it made or
    /// removed, as asked `by`.
    async fn apply(&self, change: RelationChange, by: Changer) -> Result<Outcomes, ChatError> {
        if change.peers.is_empty() {
            return Ok(Outcomes::new());
        }
        let peers = change.peers.clone();
        // Whose presence others may now see differently: a blacklist's owner's, and with a
        // friendship both users' (friends-only apps show presence between friends only).
        let mut seen_anew = match change.relation {
            Relation::Blacklist => vec![change.owner.clone()],
            Relation::Friend => vec![change.owner.clone()],
            _ => Vec::new(),
        };
        if change.relation == Relation::Friend && self.friends_only() {
            seen_anew.extend(peers.iter().cloned());
        }
        let told = (change.relation, change.add);
        let (owner, both_ways, now_ms) = (change.owner.clone(), change.both_ways, change.now_ms);
        let stored = self.storage.change_relations(change).await?;
        let changed: Vec<&UserId> = (peers.iter().zip(&stored))
            .filter(|(_, r)| r.is_ok())
            .map(|(p, _)| p)
            .collect();
        let webhooks = &self.webhooks;
        webhooks.relations_changed(told, (&owner, &changed), both_ways, by, now_ms);
        for user in &seen_anew {
            if let Err(e) = self.tell_presence(user, true).await {
                tracing::warn!(%user, error = %e.message, "presence not told");
            }
        }
        Ok(peers
            .into_iter()
            .zip(stored.into_iter().map(|r| r.map_err(ChatError::from)))
            .collect())
    }

    /// Removes the applications these users sent `me`, from both sides.
    async fn close_applications(
        &self,
        me: &UserId,
        applicants: Vec<UserId>,
    ) -> Result<(), ChatError> {
        let change = RelationChange {
            both_ways: true,
            ..self.change(Relation::ApplicationReceived, me, applicants, false)
        };
        self.apply(change, Changer::Nobody).await.map(drop)
    }

    /// The `Tag_Profile_IM_AllowType` of those of `users` who set one.
    async fn allow_types(&self, users: &[UserId]) -> Result<HashMap<UserId, String>, ChatError> {
        Ok(self
            .storage
            .profile_tags(users)
            .await?
            .into_iter()
            .filter(|(_, tag, _)| tag == TAG_ALLOW_TYPE)
            .filter_map(|(user, _, value)| Some((user, serde_json::from_str(&value).ok()?)))
            .collect())
    }
}

/// `users` other than `owner`, each once: a user cannot list itself.
fn others(owner: &UserId, users: &[UserId]) -> Vec<UserId> {
    let mut peers: Vec<UserId> = Vec::with_capacity(users.len());
    for u in users {
        if u != owner && !peers.contains(u) {
            peers.push(u.clone());
        }
    }
    peers
}

/// The peers the app's backend let through, and the outcomes of those it refused.
fn screened(peers: Vec<UserId>, refused: Refusals) -> (Vec<UserId>, Outcomes) {
    let peers = (peers.into_iter())
        .filter(|peer| !refused.contains_key(peer))
        .collect();
    let outcomes = (refused.into_iter())
        .map(|(peer, e)| (peer, Err(e)))
        .collect();
    (peers, outcomes)
}

/// The fields as kept tags, each checked against Tencent's limits.
fn checked_tags(fields: &RelationFields) -> Result<Vec<(String, String)>, ChatError> {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    friend_fields::given(
        text(&fields.remark),
        None,
        text(&fields.source),
        text(&fields.wording),
        None,
    )
}

/// A user's success.
fn done(user_id: UserId) -> UserResult {
    UserResult {
        user_id,
        code: ErrorCode(0),
        message: String::new(),
    }
}

fn no_answer() -> ChatError {
    ChatError::new(ErrorCode::INTERNAL, "no answer from storage")
}

/// One result per requested user, in request order (a user named twice gets the same answer
/// twice); `owner` itself is refused.
fn results(owner: &UserId, users: Vec<UserId>, outcomes: &Outcomes) -> Vec<UserResult> {
    users
        .into_iter()
        .map(|user| {
            let (code, message) = if &user == owner {
                (
                    ErrorCode::INVALID_ARGUMENT,
                    "a user cannot list itself".to_owned(),
                )
            } else {
                match outcomes.get(&user) {
                    Some(Ok(())) => (ErrorCode(0), String::new()),
                    Some(Err(e)) => (e.code, e.message.clone()),
                    None => (ErrorCode::INTERNAL, "no answer from storage".to_owned()),
                }
            };
            UserResult {
                user_id: user,
                code,
                message,
            }
        })
        .collect()
}
