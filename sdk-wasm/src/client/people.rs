//! Friends, blacklist, profiles and presence.

use super::Client;
use crate::cache::Cache;
use crate::error::SdkError;
use crate::error::codes;
use crate::event::{Applications, Friend};
use protocol::frame::{FriendGroup, MAX_USERS_PER_REQUEST, Reply, Request, UserResult};
use protocol::presence::UserStatus;
use protocol::push::{ReceiveOpt, Vendor};
use protocol::{Profile, ProfileDetails, Relation, RelationEntry, RelationFields, UserId};

impl<C: Cache + 'static> Client<C> {
    /// This user's friend list or blacklist, from the server (the cache follows); offline,
    /// from the cache.
    pub async fn relations(&self, relation: Relation) -> Result<Vec<RelationEntry>, SdkError> {
        match self.session() {
            Some(session) => session.relations(relation).await,
            None => Ok(self.inner.cache.relations(relation).await?),
        }
    }

    /// This user's friends with their groups and profiles (Tencent's `getFriendList`).
    pub async fn friends(&self) -> Result<Vec<Friend>, SdkError> {
        let entries = self.relations(Relation::Friend).await?;
        self.friends_of(entries).await
    }

    /// `entries` of the friend list with the friend groups each is in and its profile, read
    /// from the server (the profiles 100 at a time). What the server does not answer (offline,
    /// say) comes from this device's cache: the profiles it holds, and no groups. A friend
    /// without a profile (a deleted account) has an empty one.
    pub(super) async fn friends_of(
        &self,
        entries: Vec<RelationEntry>,
    ) -> Result<Vec<Friend>, SdkError> {
        let groups = self.friend_groups().await.unwrap_or_default();
        let mut friends = Vec::with_capacity(entries.len());
        for chunk in entries.chunks(MAX_USERS_PER_REQUEST) {
            let users: Vec<UserId> = chunk.iter().map(|e| e.user_id.clone()).collect();
            let mut profiles = match self.profiles(users.clone()).await {
                Ok(profiles) => profiles,
                Err(_) => {
                    let mut cached = Vec::new();
                    for user in &users {
                        cached.extend(self.inner.cache.profile(user).await?);
                    }
                    cached
                }
            };
            for entry in chunk {
                let user = &entry.user_id;
                let profile = match profiles.iter().position(|p| &p.user_id == user) {
                    Some(i) => profiles.swap_remove(i),
                    None => Profile::unset(user.clone()),
                };
                let groups = (groups.iter())
                    .filter(|g| g.users.contains(user))
                    .map(|g| g.name.clone())
                    .collect();
                friends.push(Friend {
                    entry: entry.clone(),
                    groups,
                    profile,
                });
            }
        }
        Ok(friends)
    }

    /// Adds (`add`) or removes users on one of this user's lists; one result per user, in
    /// order, `code` 0 being success. `RelationsUpdated` then reports the new list. Removing
    /// from an application list refuses (received) or withdraws (sent) the applications.
    pub async fn change_relations(
        &self,
        relation: Relation,
        users: Vec<UserId>,
        add: bool,
    ) -> Result<Vec<UserResult>, SdkError> {
        let session = self.connected()?;
        let (results, list) =
            (session.change_relations(relation, users, add, RelationFields::default())).await?;
        self.follow_own_change(relation, list);
        Ok(results)
    }

    /// What this client keeps of a list (muted peers, friends' remarks) follows this device's
    /// change of it before the change resolves; the app hears of the list when the server's
    /// entry for the change comes, as every device of the user does.
    fn follow_own_change(&self, relation: Relation, list: Option<Vec<RelationEntry>>) {
        if let Some(list) = list.filter(|_| matches!(relation, Relation::Muted | Relation::Friend))
        {
            self.note_peers(relation, &list);
        }
    }

    /// Asks `user` to be friends (Tencent's `addFriend`), with a remark for it and the
    /// application's wording and source. The result's code is 0 when the friendship was made,
    /// 30539 when it waits for `user` to accept the application.
    pub async fn request_friend(
        &self,
        user: UserId,
        fields: RelationFields,
    ) -> Result<UserResult, SdkError> {
        let (results, list) = self
            .connected()?
            .change_relations(Relation::Friend, vec![user], true, fields)
            .await?;
        self.follow_own_change(Relation::Friend, list);
        results
            .into_iter()
            .next()
            .ok_or_else(|| SdkError::new(codes::PROTOCOL, "the answer names no user"))
    }

    /// Accepts `user`'s friend application; with `both`, this user lists `user` as a friend
    /// too, with `fields` (a remark). `FriendApplicationsUpdated` and `RelationsUpdated`
    /// follow.
    pub async fn accept_application(
        &self,
        user: UserId,
        both: bool,
        fields: RelationFields,
    ) -> Result<(), SdkError> {
        self.connected()?
            .relation_request(Request::ApplicationAccept { user, both, fields })
            .await
    }

    /// Sets `user`'s remark on this user's friend list, on all of its devices.
    pub async fn update_friend(
        &self,
        user: UserId,
        fields: RelationFields,
    ) -> Result<(), SdkError> {
        let relation = Relation::Friend;
        self.connected()?
            .relation_request(Request::RelationUpdate {
                relation,
                user,
                fields,
            })
            .await
    }

    /// Of `users`, those on this user's friend list and those with this user on theirs
    /// (Tencent's `checkFriend`), from the server: the other side's list is only there.
    pub async fn check_friends(
        &self,
        users: Vec<UserId>,
    ) -> Result<(Vec<UserId>, Vec<UserId>), SdkError> {
        match self
            .connected()?
            .request(Request::FriendCheck { users })
            .await?
        {
            Reply::FriendChecks { mine, theirs } => Ok((mine, theirs)),
            _ => Err(SdkError::new(
                codes::PROTOCOL,
                "the answer is not the friend checks",
            )),
        }
    }

    /// This user's friend groups, from the server.
    pub async fn friend_groups(&self) -> Result<Vec<FriendGroup>, SdkError> {
        match self.connected()?.request(Request::FriendGroupList).await? {
            Reply::FriendGroups { groups } => Ok(groups),
            _ => Err(SdkError::new(
                codes::PROTOCOL,
                "the answer is not the friend groups",
            )),
        }
    }

    /// With `add`, makes the group `name` if it is new and puts the friends `users` in it;
    /// without, takes them out of it, or deletes it when `users` is empty. One result per
    /// user, in order (30001 for one who is not a friend); then the group as it is now, if it
    /// still exists.
    pub async fn change_friend_group(
        &self,
        name: String,
        add: bool,
        users: Vec<UserId>,
    ) -> Result<(Vec<UserResult>, Option<FriendGroup>), SdkError> {
        let request = Request::FriendGroupChange {
            name: name.clone(),
            add,
            users,
        };
        self.friend_group_request(request, name).await
    }

    /// A `friend_group_change` or a `friend_group_rename` (Tencent's `renameFriendGroup`: the
    /// friends stay in the group): one result per user named (none for a rename), then the
    /// group named `name` as it is after it, if it exists. One path for both, so the package
    /// holds one.
    pub async fn friend_group_request(
        &self,
        request: Request,
        name: String,
    ) -> Result<(Vec<UserResult>, Option<FriendGroup>), SdkError> {
        let results = match self.connected()?.request(request).await? {
            Reply::RelationResults { results } => results,
            Reply::FriendGroups { .. } => Vec::new(),
            _ => return Err(SdkError::new(codes::PROTOCOL, "the answer has no results")),
        };
        let group = self
            .friend_groups()
            .await?
            .into_iter()
            .find(|g| g.name == name);
        Ok((results, group))
    }

    /// The friend applications waiting for an answer, from the server (the cache follows);
    /// offline, from the cache.
    pub async fn friend_applications(&self) -> Result<Applications, SdkError> {
        Ok(Applications {
            received: self.relations(Relation::ApplicationReceived).await?,
            sent: self.relations(Relation::ApplicationSent).await?,
        })
    }

    /// Marks every friend application to this user read (Tencent's
    /// `setFriendApplicationRead`), here and on its other devices;
    /// [`crate::event::Event::FriendApplicationsUpdated`] follows when any was unread.
    pub async fn read_applications(&self) -> Result<(), SdkError> {
        self.connected()?.mark_applications_read().await
    }

    /// The profiles of `users`; unknown users are left out.
    pub async fn profiles(&self, users: Vec<UserId>) -> Result<Vec<Profile>, SdkError> {
        self.connected()?.profiles(users).await
    }

    /// The friends among `users`, with their groups and profiles (Tencent's
    /// `getFriendProfile`); then the other users, in order.
    pub async fn friend_profiles(
        &self,
        users: Vec<UserId>,
    ) -> Result<(Vec<Friend>, Vec<UserId>), SdkError> {
        let entries = self.relations(Relation::Friend).await?;
        let entry = |user: &UserId| entries.iter().find(|e| &e.user_id == user);
        let (listed, others): (Vec<UserId>, Vec<UserId>) =
            users.into_iter().partition(|u| entry(u).is_some());
        let chosen = listed.iter().filter_map(|u| entry(u).cloned()).collect();
        Ok((self.friends_of(chosen).await?, others))
    }

    /// This user's own profile, from the server.
    pub async fn my_profile(&self) -> Result<Profile, SdkError> {
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(codes::STATE, "log in first"))?;
        (self.profiles(vec![me]).await?.into_iter().next()).ok_or_else(|| {
            SdkError::new(codes::PROTOCOL, "the server sent no profile of this user")
        })
    }

    /// Registers this device's push token with `vendor`, for messages that arrive while none
    /// of the user's devices is online (a Web Push subscription as JSON for `webpush`). A
    /// logout ends the device's registrations.
    pub async fn register_push(&self, vendor: Vendor, token: String) -> Result<(), SdkError> {
        self.connected()?
            .push_registration(vendor, Some(token))
            .await
            .map(drop)
    }

    /// Turns on Web Push for this browser: asks for permission to notify, registers the
    /// service worker at `worker_path` (which shows the notifications), subscribes with the
    /// server's VAPID key, and registers the subscription.
    #[cfg(target_arch = "wasm32")]
    pub async fn enable_web_push(&self, worker_path: &str) -> Result<(), SdkError> {
        self.connected()?;
        let token = crate::webpush::web_push_token(&self.inner.upload_server, worker_path).await?;
        self.register_push(Vendor::Webpush, token).await
    }

    /// Removes this device's push registration with `vendor`; whether there was one.
    pub async fn unregister_push(&self, vendor: Vendor) -> Result<bool, SdkError> {
        let registered = self.connected()?.push_registration(vendor, None).await?;
        Ok(registered)
    }

    /// This user's quiet hours for offline push (Tencent's `getAllReceiveMessageOpt`), or,
    /// with `set`, sets them for all of its devices first (`setAllReceiveMessageOpt`; not
    /// `quiet` clears them). Its devices online, this one included, are told
    /// ([`crate::event::Event::ReceiveOptUpdated`]).
    pub async fn receive_opt(&self, set: Option<ReceiveOpt>) -> Result<ReceiveOpt, SdkError> {
        self.connected()?.receive_opt(set).await
    }

    /// Changes this user's nickname, avatar and the other profile fields given (Tencent's
    /// gender, birthday, location, signature, `AllowType`… and the app's custom fields);
    /// resolves with the new profile.
    pub async fn set_profile(
        &self,
        nick: Option<String>,
        avatar: Option<String>,
        details: ProfileDetails,
    ) -> Result<Profile, SdkError> {
        self.connected()?.set_profile(nick, avatar, details).await
    }

    /// The presence of `users` as this user may see it (unknown where it may not).
    pub async fn statuses(&self, users: Vec<UserId>) -> Result<Vec<UserStatus>, SdkError> {
        self.presence(Request::StatusGet { users }).await
    }

    /// Follows the presence of `users` (`follow`), each change arriving as
    /// [`crate::event::Event::UserStatusUpdated`], or stops following them; resolves with
    /// their presence now when following. Kept across reconnects until logout.
    pub async fn follow_statuses(
        &self,
        users: Vec<UserId>,
        follow: bool,
    ) -> Result<Vec<UserStatus>, SdkError> {
        let subscribe = follow;
        self.presence(Request::StatusSubscribe { users, subscribe })
            .await
    }

    /// Sets this user's custom status (Tencent's `setSelfStatus`; empty clears it, at most
    /// [`protocol::presence::MAX_CUSTOM_STATUS_BYTES`]); resolves with its own status, alone.
    /// Its followers and its devices, this one included, are told
    /// ([`crate::event::Event::UserStatusUpdated`]).
    pub async fn set_custom_status(
        &self,
        custom_status: String,
    ) -> Result<Vec<UserStatus>, SdkError> {
        self.presence(Request::StatusSet { custom_status }).await
    }

    /// The presence a `status_get`, `status_subscribe` or `status_set` request answers: one
    /// path for the three, so the package holds one. Following is kept across reconnects until
    /// logout.
    pub async fn presence(&self, request: Request) -> Result<Vec<UserStatus>, SdkError> {
        let follow = match &request {
            Request::StatusSubscribe { users, subscribe } => Some((users.clone(), *subscribe)),
            _ => None,
        };
        let own = matches!(request, Request::StatusSet { .. });
        let statuses = self.connected()?.statuses(request).await?;
        if own && statuses.len() != 1 {
            return Err(SdkError::new(
                codes::PROTOCOL,
                "status_set answered no own status",
            ));
        }
        if let Some((users, follow)) = follow {
            let mut followed = self.inner.followed.borrow_mut();
            followed.retain(|u| !users.contains(u));
            if follow {
                for user in users {
                    if !followed.contains(&user) {
                        followed.push(user);
                    }
                }
            }
        }
        Ok(statuses)
    }

    /// On a new connection: follows again what this client followed, and tells the app of
    /// each one's presence now, which may have changed while the connection was down.
    pub(super) async fn follow_again(self, session: crate::session::Session<C>) {
        let users: Vec<UserId> = self.inner.followed.borrow().iter().cloned().collect();
        if users.is_empty() {
            return;
        }
        let request = Request::StatusSubscribe {
            users,
            subscribe: true,
        };
        if let Ok(statuses) = session.statuses(request).await {
            for status in statuses {
                (self.inner.listener)(crate::event::Event::UserStatusUpdated(status));
            }
        }
    }

    /// Hides this user's presence from everyone, or shows it again.
    pub async fn hide_status(&self, hidden: bool) -> Result<(), SdkError> {
        self.connected()?.hide_status(hidden).await
    }
}
