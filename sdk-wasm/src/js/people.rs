//! Profiles, friends and the blacklist.

use super::convert::{field, from_js, invalid, ok, sdk_error};
use super::shapes::{JsProfile, RelationList};
use super::{Chat, State};
use js_sys::Promise;
use protocol::frame::UserResult;
use protocol::push::Vendor;
use protocol::{Relation, UserId};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

fn webpush() -> Vendor {
    Vendor::Webpush
}

/// `registerPush`'s options besides `token` (a string, or a `PushSubscription`, read as is).
#[derive(Deserialize)]
struct PushOptions {
    #[serde(default = "webpush")]
    vendor: Vendor,
    /// Without a `token`: the service worker the SDK registers and subscribes with.
    #[serde(rename = "serviceWorkerPath", default = "service_worker_path")]
    service_worker_path: String,
}

fn service_worker_path() -> String {
    "/sw.js".into()
}

/// Reads `{ userIDList: [...] }`.
fn user_list(options: &JsValue) -> Result<Vec<UserId>, JsValue> {
    #[derive(Deserialize)]
    struct O {
        #[serde(rename = "userIDList")]
        user_id_list: Vec<String>,
    }
    let o: O = from_js(options, "options: expected { userIDList }")?;
    o.user_id_list
        .into_iter()
        .map(|u| UserId::parse(u).map_err(|e| invalid(e.to_string())))
        .collect()
}

/// Adds or removes users; resolves `{ successUserIDList, failureUserIDList: [{ userID, code,
/// message }] }`.
async fn change(
    state: Rc<State>,
    relation: Relation,
    users: Vec<UserId>,
    add: bool,
) -> Result<JsValue, JsValue> {
    let results = state
        .client()?
        .change_relations(relation, users, add)
        .await
        .map_err(sdk_error)?;
    #[derive(Serialize)]
    struct Failure<'a> {
        #[serde(rename = "userID")]
        user_id: &'a UserId,
        code: u32,
        message: &'a str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Outcome<'a> {
        #[serde(rename = "successUserIDList")]
        success: Vec<&'a UserId>,
        #[serde(rename = "failureUserIDList")]
        failure: Vec<Failure<'a>>,
    }
    let (done, failed): (Vec<&UserResult>, Vec<&UserResult>) =
        results.iter().partition(|r| r.code.0 == 0);
    ok(Outcome {
        success: done.iter().map(|r| &r.user_id).collect(),
        failure: failed
            .iter()
            .map(|r| Failure {
                user_id: &r.user_id,
                code: r.code.0,
                message: &r.message,
            })
            .collect(),
    })
}

impl Chat {
    fn list(&self, relation: Relation) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let entries = state
                .client()?
                .relations(relation)
                .await
                .map_err(sdk_error)?;
            ok(RelationList::new(relation, &entries))
        })
    }

    fn change_list(&self, relation: Relation, options: JsValue, add: bool) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move { change(state, relation, user_list(&options)?, add).await })
    }
}

#[wasm_bindgen]
impl Chat {
    /// `getUserProfile({ userIDList })` resolves `[{ userID, nick, avatar }]`.
    #[wasm_bindgen(js_name = getUserProfile)]
    pub fn get_user_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let users = user_list(&options)?;
            let profiles = state.client()?.profiles(users).await.map_err(sdk_error)?;
            ok(profiles.iter().map(JsProfile::from).collect::<Vec<_>>())
        })
    }

    /// `updateMyProfile({ nick?, avatar? })` resolves the profile after the change.
    #[wasm_bindgen(js_name = updateMyProfile)]
    pub fn update_my_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                nick: Option<String>,
                avatar: Option<String>,
            }
            let o: O = from_js(&options, "options: expected { nick?, avatar? }")?;
            let client = state.client()?;
            let profile = client
                .set_profile(o.nick, o.avatar)
                .await
                .map_err(sdk_error)?;
            ok(JsProfile::from(&profile))
        })
    }

    /// `setMessageRemindType({ userIDList, messageRemindType })`: `AcceptNotNotify` mutes the
    /// conversations with these users (their messages come without a push notification),
    /// `AcceptAndNotify` unmutes them; on all of this user's devices. `Discard` is refused.
    #[wasm_bindgen(js_name = setMessageRemindType)]
    pub fn set_message_remind_type(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                #[serde(rename = "messageRemindType")]
                remind: String,
            }
            let o: O = from_js(
                &options,
                "options: expected { userIDList, messageRemindType }",
            )?;
            let mute = match o.remind.as_str() {
                super::events::REMIND_SILENT => true,
                super::events::REMIND_NOTIFY => false,
                other => {
                    return Err(invalid(format!(
                        "messageRemindType {other:?}: use AcceptAndNotify or AcceptNotNotify"
                    )));
                }
            };
            change(state, Relation::Muted, user_list(&options)?, mute).await
        })
    }

    /// `registerPush({ vendor?, token })`: registers this device for offline push. `vendor`
    /// is `webpush` (the default; `token` a `PushSubscription`, or its JSON) or a phone
    /// vendor's name with its device token. `registerPush({ serviceWorkerPath? })`, without a
    /// token: the SDK asks for permission, registers the service worker (default `/sw.js`),
    /// subscribes with the server's VAPID key and registers the subscription. A logout ends
    /// the device's registrations.
    #[wasm_bindgen(js_name = registerPush)]
    pub fn register_push(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let o: PushOptions = if options.is_undefined() {
                PushOptions {
                    vendor: Vendor::Webpush,
                    service_worker_path: service_worker_path(),
                }
            } else {
                from_js(&options, "options: expected { vendor?, token }")?
            };
            let token = field(&options, "token");
            let client = state.client()?;
            if token.is_undefined() && o.vendor == Vendor::Webpush {
                client
                    .enable_web_push(&o.service_worker_path)
                    .await
                    .map_err(sdk_error)?;
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
                .register_push(o.vendor, token)
                .await
                .map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }
    /// `unregisterPush({ vendor? })`: stops offline push to this device.
    #[wasm_bindgen(js_name = unregisterPush)]
    pub fn unregister_push(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                #[serde(default = "webpush")]
                vendor: Vendor,
            }
            let o: O = if options.is_undefined() {
                O {
                    vendor: Vendor::Webpush,
                }
            } else {
                from_js(&options, "options: expected { vendor? }")?
            };
            let client = state.client()?;
            client.unregister_push(o.vendor).await.map_err(sdk_error)?;
            ok(super::Empty {})
        })
    }

    /// `getFriendList()` resolves `[{ userID }]`.
    #[wasm_bindgen(js_name = getFriendList)]
    pub fn get_friend_list(&self) -> Promise {
        self.list(Relation::Friend)
    }

    /// `getBlacklist()` resolves `[userID]`, as Tencent's does.
    #[wasm_bindgen(js_name = getBlacklist)]
    pub fn get_blacklist(&self) -> Promise {
        self.list(Relation::Blacklist)
    }

    /// `addFriend({ to })`: adds `to` to this user's friend list. It is a request: friends-only
    /// apps count the friendship once `to` adds this user back.
    #[wasm_bindgen(js_name = addFriend)]
    pub fn add_friend(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                to: String,
            }
            let o: O = from_js(&options, "options: expected { to }")?;
            let user = UserId::parse(o.to).map_err(|e| invalid(e.to_string()))?;
            change(state, Relation::Friend, vec![user], true).await
        })
    }

    /// `deleteFriend({ userIDList })`
    #[wasm_bindgen(js_name = deleteFriend)]
    pub fn delete_friend(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Friend, options, false)
    }

    /// `addToBlacklist({ userIDList })`
    #[wasm_bindgen(js_name = addToBlacklist)]
    pub fn add_to_blacklist(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Blacklist, options, true)
    }

    /// `removeFromBlacklist({ userIDList })`
    #[wasm_bindgen(js_name = removeFromBlacklist)]
    pub fn remove_from_blacklist(&self, options: JsValue) -> Promise {
        self.change_list(Relation::Blacklist, options, false)
    }
}
