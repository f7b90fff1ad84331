//! Profiles, friends, the blacklist and presence.

use super::args::{Args, user_ids};
use super::convert::{field, invalid, ok, promise, sdk_error};
use super::events::{CHECK_BOTH, CHECK_PREFIX, CHECK_SINGLE};
use super::shapes::{
    ApplicationList, JsFriend, JsProfile, JsReceiveOpt, JsUserStatus, friend_list, listed_ids,
};
use super::{Chat, State};
use crate::error::SdkError;
use js_sys::Promise;
use protocol::frame::{FriendGroup, Request, UserResult, check_word};
use protocol::push::{DAY_S, ReceiveOpt, Vendor};
use protocol::{ErrorCode, ProfileDetails, Relation, RelationFields, UserId};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Reads `{ userIDList: [...] }`.
fn user_list(options: &JsValue) -> Result<Vec<UserId>, JsValue> {
    Args::read(options, "options")?.users()
}

/// Adds or removes users, as Tencent's SDK answers: `deleteFriend` and `setMessageRemindType`
/// resolve `{ successUserIDList: [{ userID }], failureUserIDList: [{ userID, code, message }]
/// }`; `addToBlacklist` and `removeFromBlacklist` the blacklist as it is now, `[userID]`.
async fn change(
    state: Rc<State>,
    relation: Relation,
    users: Vec<UserId>,
    add: bool,
) -> Result<JsValue, JsValue> {
    let client = state.client()?;
    let results = client
        .change_relations(relation, users, add)
        .await
        .map_err(sdk_error)?;
    if relation == Relation::Blacklist {
        let entries = client.relations(relation).await.map_err(sdk_error)?;
        return ok(listed_ids(&entries));
    }
    #[derive(Serialize)]
    struct Done<'a> {
        #[serde(rename = "userID")]
        user_id: &'a UserId,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Outcome<'a> {
        #[serde(rename = "successUserIDList")]
        success: Vec<Done<'a>>,
        #[serde(rename = "failureUserIDList")]
        failure: Vec<UserOutcome<'a>>,
    }
    let (done, failed): (Vec<&UserResult>, Vec<&UserResult>) =
        results.iter().partition(|r| r.code.0 == 0);
    ok(Outcome {
        success: done
            .iter()
            .map(|r| Done {
                user_id: &r.user_id,
            })
            .collect(),
        failure: failed.iter().map(|r| UserOutcome::from(*r)).collect(),
    })
}

/// The push service of `registerPush`'s and `unregisterPush`'s options: `webpush` unless
/// `vendor` names another.
fn vendor_of(o: &Args) -> Result<Vendor, JsValue> {
    match o.string("vendor")? {
        None => Ok(Vendor::Webpush),
        Some(name) => Vendor::parse(&name).ok_or_else(|| {
            invalid(format!(
                "options.vendor \"{name}\": use one of {}",
                Vendor::NAMES.join(", ")
            ))
        }),
    }
}

/// The user and remark of `{ userID, remark?, type? }`, the options of the calls about one
/// friend or application.
fn friend_of(o: &Args) -> Result<(UserId, RelationFields), JsValue> {
    let user = o.user("userID")?;
    let fields = RelationFields {
        remark: o.string("remark")?.unwrap_or_default(),
        ..RelationFields::default()
    };
    Ok((user, fields))
}

/// A friend group: `{ name, count, userIDList }`.
#[derive(Serialize)]
pub(super) struct JsFriendGroup<'a> {
    name: &'a str,
    count: usize,
    #[serde(rename = "userIDList")]
    user_id_list: &'a [UserId],
}

impl<'a> From<&'a FriendGroup> for JsFriendGroup<'a> {
    fn from(g: &'a FriendGroup) -> Self {
        JsFriendGroup {
            name: &g.name,
            count: g.users.len(),
            user_id_list: &g.users,
        }
    }
}

/// `{ userID, code, message }`: one user's outcome.
#[derive(Serialize)]
struct UserOutcome<'a> {
    #[serde(rename = "userID")]
    user_id: &'a UserId,
    code: u32,
    message: &'a str,
}

impl<'a> From<&'a UserResult> for UserOutcome<'a> {
    fn from(r: &'a UserResult) -> Self {
        UserOutcome {
            user_id: &r.user_id,
            code: r.code.0,
            message: &r.message,
        }
    }
}

impl Chat {
    /// Refuses, drops or withdraws a friend application: of the kind `kind` names
    /// (`SNS_APPLICATION_SENT_TO_ME` or `SNS_APPLICATION_SENT_BY_ME`), or the options' `type`.
    fn close_application(&self, options: JsValue, kind: Option<&'static str>) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let kind = match kind {
                Some(kind) => Some(kind.to_owned()),
                None => o.string("type")?,
            };
            let relation = match kind.as_deref() {
                Some(super::events::APPLICATION_TO_ME) => Relation::ApplicationReceived,
                Some(super::events::APPLICATION_BY_ME) => Relation::ApplicationSent,
                _ => {
                    return Err(invalid(
                        "type: TYPES.SNS_APPLICATION_SENT_TO_ME or SNS_APPLICATION_SENT_BY_ME",
                    ));
                }
            };
            let (user, _) = friend_of(&o)?;
            let results = state
                .client()?
                .change_relations(relation, vec![user], false)
                .await
                .map_err(sdk_error)?;
            match results.first() {
                Some(r) if r.code.0 != 0 => {
                    Err(sdk_error(SdkError::new(r.code, r.message.clone())))
                }
                _ => ok(super::Empty {}),
            }
        })
    }

    /// Changes a friend group as [`crate::client::Client::change_friend_group`] does, reading
    /// `{ name, userIDList? }` (deleting the group when removing without a list), or with
    /// `add` `None` renames one, reading `{ oldName, newName }`: one bridge for the five
    /// calls. Resolves `{ friendGroup, failureUserIDList }`.
    fn change_group(&self, options: JsValue, add: Option<bool>) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let (request, name) = match add {
                Some(add) => {
                    let name = o.need(o.string("name")?, "name")?;
                    let users = user_ids(o.strings("userIDList")?.unwrap_or_default())?;
                    let group = name.clone();
                    (Request::FriendGroupChange { name, add, users }, group)
                }
                None => {
                    let name = o.need(o.string("oldName")?, "oldName")?;
                    let new_name = o.need(o.string("newName")?, "newName")?;
                    let group = new_name.clone();
                    (Request::FriendGroupRename { name, new_name }, group)
                }
            };
            let client = state.client()?;
            let (results, group) = client
                .friend_group_request(request, name)
                .await
                .map_err(sdk_error)?;
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Changed<'a> {
                friend_group: Option<JsFriendGroup<'a>>,
                #[serde(rename = "failureUserIDList")]
                failure: Vec<UserOutcome<'a>>,
            }
            ok(Changed {
                friend_group: group.as_ref().map(JsFriendGroup::from),
                failure: results
                    .iter()
                    .filter(|r| r.code.0 != 0)
                    .map(UserOutcome::from)
                    .collect(),
            })
        })
    }

    fn change_list(&self, relation: Relation, options: JsValue, add: bool) -> Promise {
        let state = self.state.clone();
        promise(async move { change(state, relation, user_list(&options)?, add).await })
    }
}

impl Chat {
    /// `getUserProfile({ userIDList })` resolves `[{ userID, nick, avatar }]`.
    pub fn get_user_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let users = user_list(&options)?;
            let profiles = state.client()?.profiles(users).await.map_err(sdk_error)?;
            ok(profiles.iter().map(JsProfile::from).collect::<Vec<_>>())
        })
    }

    /// `getMyProfile()` resolves this user's profile, as `getUserProfile` gives it.
    pub fn get_my_profile(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let profile = state.client()?.my_profile().await.map_err(sdk_error)?;
            ok(JsProfile::from(&profile))
        })
    }

    /// `updateMyProfile({ nick?, avatar?, gender?, birthday?, location?, selfSignature?,
    /// allowType?, language?, messageSettings?, level?, role?, profileCustomField? })`
    /// resolves the profile after the change; the fields left out stay as they are.
    pub fn update_my_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let details = ProfileDetails {
                gender: o.string("gender")?,
                birthday: o.u32("birthday")?,
                location: o.string("location")?,
                self_signature: o.string("selfSignature")?,
                allow_type: o.string("allowType")?,
                language: o.u32("language")?,
                message_settings: o.u32("messageSettings")?,
                level: o.u32("level")?,
                role: o.u32("role")?,
                custom: o
                    .decoded("profileCustomField", "options.profileCustomField")?
                    .unwrap_or_default(),
            };
            let client = state.client()?;
            let profile = client
                .set_profile(o.string("nick")?, o.string("avatar")?, details)
                .await
                .map_err(sdk_error)?;
            ok(JsProfile::from(&profile))
        })
    }

    /// `setMessageRemindType({ userIDList, messageRemindType })`: `AcceptNotNotify` mutes the
    /// conversations with these users (their messages come without a push notification),
    /// `AcceptAndNotify` unmutes them; on all of this user's devices. `Discard` is refused.
    pub fn set_message_remind_type(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let remind = o.need(o.string("messageRemindType")?, "messageRemindType")?;
            let mute = mutes(&remind)?;
            change(state, Relation::Muted, o.users()?, mute).await
        })
    }

    /// `setAllReceiveMessageOpt({ messageRemindType?, startHour?, startMinute?, startSecond?,
    /// duration?, isRepeated? })` (`set`) and `getAllReceiveMessageOpt()`: quiet hours for
    /// offline push, on all of this user's devices, as Tencent's. The window starts today at
    /// the given local time and lasts `duration` seconds; repeated (the default), it comes
    /// back every day and lasts at most a day. `TYPES.MSG_REMIND_ACPT_NOT_NOTE` (the default)
    /// sets it, `MSG_REMIND_ACPT_AND_NOTE` clears it. Both resolve with the hours as kept:
    /// `{ messageRemindType, startTime, endTime, isRepeated }`, times in Unix seconds.
    pub fn receive_opt(&self, options: JsValue, set: bool) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let opt = match set {
                true => Some(receive_opt_of(&Args::read(&options, "options")?)?),
                false => None,
            };
            let kept = (state.client()?.receive_opt(opt).await).map_err(sdk_error)?;
            ok(JsReceiveOpt::from(&kept))
        })
    }

    /// `registerPush({ vendor?, token })`: registers this device for offline push. `vendor`
    /// is `webpush` (the default; `token` a `PushSubscription`, or its JSON) or a phone
    /// vendor's name with its device token. `registerPush({ serviceWorkerPath? })`, without a
    /// token: the SDK asks for permission, registers the service worker (default `/sw.js`),
    /// subscribes with the server's VAPID key and registers the subscription. A logout ends
    /// the device's registrations.
    pub fn register_push(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read_optional(&options, "options")?;
            let vendor = vendor_of(&o)?;
            let token = field(&options, "token");
            let client = state.client()?;
            if token.is_undefined() && vendor == Vendor::Webpush {
                // Without a token: the service worker the SDK registers and subscribes with.
                let worker = o.string("serviceWorkerPath")?;
                let worker = worker.as_deref().unwrap_or("/sw.js");
                client.enable_web_push(worker).await.map_err(sdk_error)?;
                return ok(super::Empty {});
            }
            let token = match token.as_string() {
                Some(token) => token,
                None => js_sys::JSON::stringify(&token)
                    .ok()
                    .and_then(|t| t.as_string())
                    .ok_or_else(|| invalid("token: a string or a PushSubscription"))?,
            };
            client
                .register_push(vendor, token)
                .await
                .map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }

    /// `unregisterPush({ vendor? })`: stops offline push to this device.
    pub fn unregister_push(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read_optional(&options, "options")?;
            let client = state.client()?;
            let vendor = vendor_of(&o)?;
            client.unregister_push(vendor).await.map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }

    /// `getFriendList()` resolves `[{ userID, remark, groupList, source, wording, profile,
    /// friendCustomField }]`, as Tencent's does.
    pub fn get_friend_list(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let friends = state.client()?.friends().await.map_err(sdk_error)?;
            ok(friend_list(&friends))
        })
    }

    /// `checkFriend({ userIDList, type? })` resolves `{ successUserIDList: [{ userID, code,
    /// relation }], failureUserIDList }` as Tencent's does: `relation` is one of
    /// `TYPES.SNS_TYPE_*`. `type` `TYPES.SNS_CHECK_TYPE_BOTH` (the default) looks at both
    /// users' friend lists, `SNS_CHECK_TYPE_SINGLE` at this user's alone (`SNS_TYPE_A_WITH_B`
    /// or `SNS_TYPE_NO_RELATION`). At most 1,000 users (90011).
    pub fn check_friend(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let single = match o.string("type")?.as_deref() {
                None | Some(CHECK_BOTH) => false,
                Some(CHECK_SINGLE) => true,
                Some(_) => {
                    return Err(invalid(
                        "type: use TYPES.SNS_CHECK_TYPE_BOTH or SNS_CHECK_TYPE_SINGLE",
                    ));
                }
            };
            let users = o.users()?;
            let client = state.client()?;
            let (mine, theirs) = client
                .check_friends(users.clone())
                .await
                .map_err(sdk_error)?;
            #[derive(Serialize)]
            struct Checked<'a> {
                #[serde(rename = "userID")]
                user_id: &'a UserId,
                code: u32,
                relation: String,
            }
            #[derive(Serialize)]
            struct Checks<'a> {
                #[serde(rename = "successUserIDList")]
                success: Vec<Checked<'a>>,
                /// Empty: every ID was checked before the request.
                #[serde(rename = "failureUserIDList")]
                failure: [UserOutcome<'a>; 0],
            }
            let relation = |u| {
                let word = check_word(single, mine.contains(u), theirs.contains(u));
                [CHECK_PREFIX, word.unwrap_or("NoRelation")].concat()
            };
            ok(Checks {
                success: (users.iter())
                    .map(|user_id| Checked {
                        user_id,
                        code: 0,
                        relation: relation(user_id),
                    })
                    .collect(),
                failure: [],
            })
        })
    }

    /// `getFriendProfile({ userIDList })` resolves `{ friendList: [{ userID, remark, profile
    /// }], failureUserIDList: [{ userID, code, message }] }`: the users who are friends with
    /// their profiles (as `getUserProfile` gives them), the others failed with 30001. The
    /// profiles are read as `getUserProfile` reads them: at most 100 friends at a time (90011).
    pub fn get_friend_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let users = user_list(&options)?;
            let client = state.client()?;
            let (friends, others) = client.friend_profiles(users).await.map_err(sdk_error)?;
            #[derive(Serialize)]
            struct Profiles<'a> {
                #[serde(rename = "friendList")]
                friends: Vec<JsFriend<'a>>,
                #[serde(rename = "failureUserIDList")]
                failure: Vec<UserOutcome<'a>>,
            }
            ok(Profiles {
                friends: friend_list(&friends),
                failure: (others.iter())
                    .map(|user_id| UserOutcome {
                        user_id,
                        code: ErrorCode::RELATION_INVALID.0,
                        message: "not a friend",
                    })
                    .collect(),
            })
        })
    }

    /// `getBlacklist()` resolves `[userID]`, as Tencent's does.
    pub fn get_blacklist(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            let entries = client.relations(Relation::Blacklist).await;
            ok(listed_ids(&entries.map_err(sdk_error)?))
        })
    }

    /// `addFriend({ to, remark?, wording?, source? })`: asks `to` to be friends. Resolves
    /// `{ userID, code, message }`: code 0 when the friendship was made (`to` lets anyone add
    /// it, or had asked this user first), 30539 when `to` must accept the application; fails
    /// when `to` refuses all requests (30516) or has blocked this user (30525).
    pub fn add_friend(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let user = o.user("to")?;
            let fields = RelationFields {
                remark: o.string("remark")?.unwrap_or_default(),
                wording: o.string("wording")?.unwrap_or_default(),
                source: o.string("source")?.unwrap_or_default(),
            };
            let client = state.client()?;
            let r = client
                .request_friend(user, fields)
                .await
                .map_err(sdk_error)?;
            match r.code {
                ErrorCode(0) | ErrorCode::FRIEND_APPLICATION_PENDING => ok(UserOutcome::from(&r)),
                code => Err(sdk_error(SdkError::new(code, r.message))),
            }
        })
    }

    /// `updateFriend({ userID, remark })`: the remark this user gives a friend, on all of its
    /// devices. Resolves the friend as `getFriendList` gives it, as Tencent's SDK does.
    pub fn update_friend(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let (user, fields) = friend_of(&o)?;
            let client = state.client()?;
            (client.update_friend(user.clone(), fields).await).map_err(sdk_error)?;
            let (friends, _) = (client.friend_profiles(vec![user]).await).map_err(sdk_error)?;
            ok(friend_list(&friends).pop())
        })
    }

    /// `getFriendGroupList()` resolves `[{ name, count, userIDList }]`.
    pub fn get_friend_group_list(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let groups = state.client()?.friend_groups().await.map_err(sdk_error)?;
            ok(groups.iter().map(JsFriendGroup::from).collect::<Vec<_>>())
        })
    }

    /// `createFriendGroup({ name, userIDList })` and `addToFriendGroup({ name, userIDList })`
    /// resolve `{ friendGroup, failureUserIDList }`: the group after the change, and the users
    /// that could not join it (30001: not a friend).
    pub fn create_friend_group(&self, options: JsValue) -> Promise {
        self.change_group(options, Some(true))
    }

    pub fn add_to_friend_group(&self, options: JsValue) -> Promise {
        self.change_group(options, Some(true))
    }

    /// `removeFromFriendGroup({ name, userIDList })` resolves as `addToFriendGroup` does.
    pub fn remove_from_friend_group(&self, options: JsValue) -> Promise {
        self.change_group(options, Some(false))
    }

    /// `deleteFriendGroup({ name })`: the group goes; its friends stay friends.
    pub fn delete_friend_group(&self, options: JsValue) -> Promise {
        self.change_group(options, Some(false))
    }

    /// `renameFriendGroup({ oldName, newName })`: the group takes the new name, its friends
    /// staying in it, on all your devices; resolves `{ friendGroup, failureUserIDList: [] }`.
    /// 60006 when there is no group `oldName`, or one named `newName` already.
    pub fn rename_friend_group(&self, options: JsValue) -> Promise {
        self.change_group(options, None)
    }

    /// `getFriendApplicationList()` resolves `{ applicationList: [{ userID, type, time,
    /// wording, source }], unreadCount }`.
    pub fn get_friend_application_list(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            let all = client.friend_applications().await.map_err(sdk_error)?;
            ok(ApplicationList::new(&all))
        })
    }

    /// `setFriendApplicationRead()`: every application to you so far is read, on all your
    /// devices (`unreadCount` 0 in the `FRIEND_APPLICATION_LIST_UPDATED` that follows).
    pub fn set_friend_application_read(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            client.read_applications().await.map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }

    /// `acceptFriendApplication({ userID, remark?, type? })`: `type`
    /// `TYPES.SNS_APPLICATION_AGREE_AND_ADD` (the default) makes the friendship both ways,
    /// `TYPES.SNS_APPLICATION_AGREE` only on the applicant's side.
    pub fn accept_friend_application(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "options")?;
            let both = match o.string("type")?.as_deref() {
                None | Some(super::events::AGREE_AND_ADD) => true,
                Some(super::events::AGREE) => false,
                Some(other) => {
                    return Err(invalid(format!(
                        "type \"{other}\": use TYPES.SNS_APPLICATION_AGREE or SNS_APPLICATION_AGREE_AND_ADD"
                    )));
                }
            };
            let (user, fields) = friend_of(&o)?;
            let client = state.client()?;
            client
                .accept_application(user, both, fields)
                .await
                .map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }

    /// `refuseFriendApplication({ userID })`: the application leaves both users' lists.
    pub fn refuse_friend_application(&self, options: JsValue) -> Promise {
        self.close_application(options, Some(super::events::APPLICATION_TO_ME))
    }

    /// `deleteFriendApplication({ userID, type })`: `type` `TYPES.SNS_APPLICATION_SENT_TO_ME`
    /// drops an application to this user, `SNS_APPLICATION_SENT_BY_ME` withdraws one of its
    /// own; from both users' lists.
    pub fn delete_friend_application(&self, options: JsValue) -> Promise {
        self.close_application(options, None)
    }

    /// `deleteFriend({ userIDList })`
    pub fn delete_friend(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Friend, options, false)
    }

    /// `addToBlacklist({ userIDList })`
    pub fn add_to_blacklist(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Blacklist, options, true)
    }

    /// `removeFromBlacklist({ userIDList })`
    pub fn remove_from_blacklist(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Blacklist, options, false)
    }
}

/// `{ successUserList, failureUserList }` of a presence call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Statuses<'a> {
    success_user_list: Vec<JsUserStatus<'a>>,
    failure_user_list: [(); 0],
}

/// A presence call, `ask` as read from the app's options: resolves `{ successUserList,
/// failureUserList }`, or the user's own status alone for `status_set`.
async fn statuses(state: Rc<State>, ask: Result<Request, JsValue>) -> Result<JsValue, JsValue> {
    let ask = ask?;
    let own = matches!(ask, Request::StatusSet { .. });
    let found = state.client()?.presence(ask).await.map_err(sdk_error)?;
    match found.first() {
        Some(status) if own => ok(JsUserStatus::from(status)),
        _ => ok(Statuses {
            success_user_list: found.iter().map(JsUserStatus::from).collect(),
            failure_user_list: [],
        }),
    }
}

/// `status_subscribe` for the users the app's options name.
fn follow(options: &JsValue, subscribe: bool) -> Result<Request, JsValue> {
    let users = user_list(options)?;
    Ok(Request::StatusSubscribe { users, subscribe })
}

impl Chat {
    /// `getUserStatus({ userIDList })` resolves `{ successUserList: [{ userID, statusType,
    /// customStatus, lastSeenTime }], failureUserList }`. `statusType` is
    /// `TYPES.USER_STATUS_ONLINE` or `_OFFLINE`, or `_UNKNOWN` where you may not see it (the
    /// user hid it, blacklisted you, or is no friend of yours in a friends-only app).
    pub fn get_user_status(&self, options: JsValue) -> Promise {
        let ask = user_list(&options).map(|users| Request::StatusGet { users });
        promise(statuses(self.state.clone(), ask))
    }

    /// `subscribeUserStatus({ userIDList })`: `USER_STATUS_UPDATED` tells of each change of
    /// these users' presence (at most 200 at a time), across reconnects until logout. Resolves
    /// like `getUserStatus`, with their presence now.
    pub fn subscribe_user_status(&self, options: JsValue) -> Promise {
        promise(statuses(self.state.clone(), follow(&options, true)))
    }

    /// `unsubscribeUserStatus({ userIDList })`: stops telling of these users' presence.
    pub fn unsubscribe_user_status(&self, options: JsValue) -> Promise {
        promise(statuses(self.state.clone(), follow(&options, false)))
    }

    /// `setSelfStatus({ customStatus })`: sets your custom status (at most 100 bytes; `''`
    /// clears it), which lasts until you set it again or log out of your last device. Resolves
    /// `{ userID, statusType, customStatus, lastSeenTime }`; `USER_STATUS_UPDATED` tells your
    /// followers and each of your devices, this one included.
    pub fn set_self_status(&self, options: JsValue) -> Promise {
        let ask = Args::read(&options, "options").and_then(|o| {
            let custom_status = o.need(o.string("customStatus")?, "customStatus")?;
            Ok(Request::StatusSet { custom_status })
        });
        promise(statuses(self.state.clone(), ask))
    }

    /// `setSelfStatusHidden(hidden)`: hides your presence from everyone (they see
    /// `USER_STATUS_UNKNOWN`), or shows it again.
    pub fn set_self_status_hidden(&self, hidden: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let hidden = hidden
                .as_bool()
                .ok_or_else(|| invalid("hidden must be true or false"))?;
            state
                .client()?
                .hide_status(hidden)
                .await
                .map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }
}

/// The quiet hours `setAllReceiveMessageOpt`'s options ask for, their window computed as
/// Tencent's SDK computes it: from today's date at the local time given.
fn receive_opt_of(o: &Args) -> Result<ReceiveOpt, JsValue> {
    let remind = o.string("messageRemindType")?;
    let quiet = mutes(remind.as_deref().unwrap_or(super::events::REMIND_SILENT))?;
    let part = |name, most| Ok::<_, JsValue>(o.whole(name, 0.0, most)?.unwrap_or(0.0) as i32);
    let (hour, minute) = (part("startHour", 23.0)?, part("startMinute", 59.0)?);
    let second = part("startSecond", 59.0)?;
    let duration = o.u32("duration")?.unwrap_or(0);
    let repeated = o.bool("isRepeated")?.unwrap_or(true);
    let today = js_sys::Date::new_0();
    let start = js_sys::Date::new_with_year_month_day_hr_min_sec(
        today.get_full_year(),
        today.get_month() as i32,
        today.get_date() as i32,
        hour,
        minute,
        second,
    );
    let start_s = (start.get_time() / 1000.0).round() as u64;
    let length = match repeated {
        true => u64::from(duration).min(DAY_S),
        false => u64::from(duration),
    };
    Ok(ReceiveOpt {
        quiet,
        start_s,
        end_s: start_s + length,
        repeated,
    })
}

/// Whether a `messageRemindType` holds notifications back (`AcceptNotNotify`) or lets them
/// through (`AcceptAndNotify`); any other (Tencent's `Discard`) is refused.
fn mutes(remind: &str) -> Result<bool, JsValue> {
    match remind {
        super::events::REMIND_SILENT => Ok(true),
        super::events::REMIND_NOTIFY => Ok(false),
        other => Err(invalid(format!(
            "messageRemindType \"{other}\": use AcceptAndNotify or AcceptNotNotify"
        ))),
    }
}
