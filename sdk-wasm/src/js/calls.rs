//! The methods that answer with a promise, reached through one export, [`Chat::call`]:
//! `index.js` puts each on `Chat`'s prototype under its name. An export per method cost the
//! package a wasm-bindgen shim and a JavaScript wrapper each, 2 KB gzipped for all of them.

use super::Chat;
use super::convert::invalid;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

/// A method and the arguments it takes, at most two.
type Method = fn(&Chat, JsValue, JsValue) -> Promise;

/// Every method that answers with a promise, by the name the app calls it by.
static CALLS: [(&str, Method); 48] = [
    ("login", |c, a, _| c.login(a)),
    ("logout", |c, _, _| c.logout()),
    ("destroy", |c, _, _| c.destroy()),
    ("sendMessage", |c, a, b| c.send_message(a, b)),
    ("resendMessage", |c, a, _| c.resend_message(a)),
    ("revokeMessage", |c, a, _| c.revoke_message(a)),
    ("modifyMessage", |c, a, _| c.modify_message(a)),
    ("deleteMessage", |c, a, _| c.delete_message(a)),
    ("getMessageList", |c, a, _| c.get_message_list(a)),
    ("getConversationList", |c, _, _| c.get_conversation_list()),
    ("getConversationProfile", |c, a, _| {
        c.get_conversation_profile(a)
    }),
    ("sendTypingStatus", |c, a, _| c.send_typing_status(a)),
    ("pinConversation", |c, a, _| c.pin_conversation(a)),
    ("setConversationDraft", |c, a, _| {
        c.set_conversation_draft(a)
    }),
    ("deleteConversation", |c, a, _| c.delete_conversation(a)),
    ("setMessageRead", |c, a, _| c.set_message_read(a)),
    ("setAllMessageRead", |c, a, _| c.set_all_message_read(a)),
    ("getUserProfile", |c, a, _| c.get_user_profile(a)),
    ("getMyProfile", |c, _, _| c.get_my_profile()),
    ("updateMyProfile", |c, a, _| c.update_my_profile(a)),
    ("setMessageRemindType", |c, a, _| {
        c.set_message_remind_type(a)
    }),
    ("registerPush", |c, a, _| c.register_push(a)),
    ("unregisterPush", |c, a, _| c.unregister_push(a)),
    ("getFriendList", |c, _, _| c.get_friend_list()),
    ("getBlacklist", |c, _, _| c.get_blacklist()),
    ("addFriend", |c, a, _| c.add_friend(a)),
    ("updateFriend", |c, a, _| c.update_friend(a)),
    ("getFriendGroupList", |c, _, _| c.get_friend_group_list()),
    ("createFriendGroup", |c, a, _| c.create_friend_group(a)),
    ("addToFriendGroup", |c, a, _| c.add_to_friend_group(a)),
    ("removeFromFriendGroup", |c, a, _| {
        c.remove_from_friend_group(a)
    }),
    ("deleteFriendGroup", |c, a, _| c.delete_friend_group(a)),
    ("getFriendApplicationList", |c, _, _| {
        c.get_friend_application_list()
    }),
    ("acceptFriendApplication", |c, a, _| {
        c.accept_friend_application(a)
    }),
    ("refuseFriendApplication", |c, a, _| {
        c.refuse_friend_application(a)
    }),
    ("deleteFriendApplication", |c, a, _| {
        c.delete_friend_application(a)
    }),
    ("deleteFriend", |c, a, _| c.delete_friend(a)),
    ("addToBlacklist", |c, a, _| c.add_to_blacklist(a)),
    ("removeFromBlacklist", |c, a, _| c.remove_from_blacklist(a)),
    ("getUserStatus", |c, a, _| c.get_user_status(a)),
    ("subscribeUserStatus", |c, a, _| c.subscribe_user_status(a)),
    ("unsubscribeUserStatus", |c, a, _| {
        c.unsubscribe_user_status(a)
    }),
    ("setSelfStatusHidden", |c, a, _| c.set_self_status_hidden(a)),
    ("addMessageReaction", |c, a, b| c.add_message_reaction(a, b)),
    ("removeMessageReaction", |c, a, b| {
        c.remove_message_reaction(a, b)
    }),
    ("getMessageReactions", |c, a, _| c.get_message_reactions(a)),
    ("searchLocalMessages", |c, a, _| c.search_local_messages(a)),
    ("searchCloudMessages", |c, a, _| c.search_cloud_messages(a)),
];

#[wasm_bindgen]
impl Chat {
    /// Calls the method at `index` in [`CALLS`], as numbered by [`calls`].
    #[wasm_bindgen(js_name = __call)]
    pub fn call(&self, index: usize, a: JsValue, b: JsValue) -> Promise {
        match CALLS.get(index) {
            Some((_, method)) => method(self, a, b),
            None => Promise::reject(&invalid("no such method")),
        }
    }
}

/// The names of the methods in [`CALLS`], in order.
#[wasm_bindgen]
pub fn calls() -> Array {
    CALLS
        .iter()
        .map(|(name, _)| JsValue::from_str(name))
        .collect()
}
