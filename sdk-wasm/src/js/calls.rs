//! The methods that take arguments, reached through one export, [`Chat::call`]: `index.js`
//! puts each on `Chat`'s prototype under its name. An export per method cost the package a
//! wasm-bindgen shim and a JavaScript wrapper each.

use super::Chat;
use super::convert::invalid;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

/// How a method answers.
enum Method {
    /// With a promise; it takes at most two arguments.
    Later(fn(&Chat, JsValue, JsValue) -> Promise),
    /// At once, or by throwing; it takes one argument.
    Now(fn(&Chat, JsValue) -> Result<JsValue, JsValue>),
}

use Method::{Later, Now};

/// Every method, by the name the app calls it by.
static CALLS: [(&str, Method); 80] = [
    ("login", Later(|c, a, _| c.login(a))),
    ("logout", Later(|c, _, _| c.logout())),
    ("destroy", Later(|c, _, _| c.destroy())),
    ("sendMessage", Later(|c, a, b| c.send_message(a, b))),
    ("resendMessage", Later(|c, a, _| c.resend_message(a))),
    ("revokeMessage", Later(|c, a, _| c.revoke_message(a))),
    ("modifyMessage", Later(|c, a, _| c.modify_message(a))),
    ("deleteMessage", Later(|c, a, _| c.delete_message(a))),
    (
        "sendMessageReadReceipt",
        Later(|c, a, _| c.send_message_read_receipt(a)),
    ),
    (
        "getMessageReadReceiptList",
        Later(|c, a, _| c.get_message_read_receipt_list(a)),
    ),
    ("getMessageList", Later(|c, a, _| c.get_message_list(a))),
    (
        "getMessageListHopping",
        Later(|c, a, _| c.get_message_list_hopping(a)),
    ),
    (
        "getConversationList",
        Later(|c, a, _| c.get_conversation_list(a)),
    ),
    (
        "getConversationProfile",
        Later(|c, a, _| c.get_conversation_profile(a)),
    ),
    ("sendTypingStatus", Later(|c, a, _| c.send_typing_status(a))),
    ("pinConversation", Later(|c, a, _| c.pin_conversation(a))),
    ("markConversation", Later(|c, a, _| c.mark_conversation(a))),
    (
        "setConversationCustomData",
        Later(|c, a, _| c.set_conversation_custom_data(a)),
    ),
    (
        "getConversationGroupList",
        Later(|c, _, _| c.get_conversation_group_list()),
    ),
    (
        "createConversationGroup",
        Later(|c, a, _| c.create_conversation_group(a)),
    ),
    (
        "addConversationsToGroup",
        Later(|c, a, _| c.add_conversations_to_group(a)),
    ),
    (
        "deleteConversationsFromGroup",
        Later(|c, a, _| c.delete_conversations_from_group(a)),
    ),
    (
        "deleteConversationGroup",
        Later(|c, a, _| c.delete_conversation_group(a)),
    ),
    (
        "renameConversationGroup",
        Later(|c, a, _| c.rename_conversation_group(a)),
    ),
    (
        "setConversationDraft",
        Later(|c, a, _| c.set_conversation_draft(a)),
    ),
    (
        "deleteConversation",
        Later(|c, a, _| c.delete_conversation(a)),
    ),
    (
        "clearHistoryMessage",
        Later(|c, a, _| c.clear_history_message(a)),
    ),
    ("setMessageRead", Later(|c, a, _| c.set_message_read(a))),
    (
        "setAllMessageRead",
        Later(|c, a, _| c.set_all_message_read(a)),
    ),
    ("getUserProfile", Later(|c, a, _| c.get_user_profile(a))),
    ("getMyProfile", Later(|c, _, _| c.get_my_profile())),
    ("updateMyProfile", Later(|c, a, _| c.update_my_profile(a))),
    (
        "setMessageRemindType",
        Later(|c, a, _| c.set_message_remind_type(a)),
    ),
    (
        "setAllReceiveMessageOpt",
        Later(|c, a, _| c.receive_opt(a, true)),
    ),
    (
        "getAllReceiveMessageOpt",
        Later(|c, _, _| c.receive_opt(JsValue::UNDEFINED, false)),
    ),
    ("registerPush", Later(|c, a, _| c.register_push(a))),
    ("unregisterPush", Later(|c, a, _| c.unregister_push(a))),
    ("getFriendList", Later(|c, _, _| c.get_friend_list())),
    ("getBlacklist", Later(|c, _, _| c.get_blacklist())),
    ("checkFriend", Later(|c, a, _| c.check_friend(a))),
    ("getFriendProfile", Later(|c, a, _| c.get_friend_profile(a))),
    ("addFriend", Later(|c, a, _| c.add_friend(a))),
    ("updateFriend", Later(|c, a, _| c.update_friend(a))),
    (
        "getFriendGroupList",
        Later(|c, _, _| c.get_friend_group_list()),
    ),
    (
        "createFriendGroup",
        Later(|c, a, _| c.create_friend_group(a)),
    ),
    (
        "addToFriendGroup",
        Later(|c, a, _| c.add_to_friend_group(a)),
    ),
    (
        "removeFromFriendGroup",
        Later(|c, a, _| c.remove_from_friend_group(a)),
    ),
    (
        "deleteFriendGroup",
        Later(|c, a, _| c.delete_friend_group(a)),
    ),
    (
        "renameFriendGroup",
        Later(|c, a, _| c.rename_friend_group(a)),
    ),
    (
        "getFriendApplicationList",
        Later(|c, _, _| c.get_friend_application_list()),
    ),
    (
        "setFriendApplicationRead",
        Later(|c, _, _| c.set_friend_application_read()),
    ),
    (
        "acceptFriendApplication",
        Later(|c, a, _| c.accept_friend_application(a)),
    ),
    (
        "refuseFriendApplication",
        Later(|c, a, _| c.refuse_friend_application(a)),
    ),
    (
        "deleteFriendApplication",
        Later(|c, a, _| c.delete_friend_application(a)),
    ),
    ("deleteFriend", Later(|c, a, _| c.delete_friend(a))),
    ("addToBlacklist", Later(|c, a, _| c.add_to_blacklist(a))),
    (
        "removeFromBlacklist",
        Later(|c, a, _| c.remove_from_blacklist(a)),
    ),
    ("getUserStatus", Later(|c, a, _| c.get_user_status(a))),
    (
        "subscribeUserStatus",
        Later(|c, a, _| c.subscribe_user_status(a)),
    ),
    (
        "unsubscribeUserStatus",
        Later(|c, a, _| c.unsubscribe_user_status(a)),
    ),
    ("setSelfStatus", Later(|c, a, _| c.set_self_status(a))),
    (
        "setSelfStatusHidden",
        Later(|c, a, _| c.set_self_status_hidden(a)),
    ),
    (
        "addMessageReaction",
        Later(|c, a, b| c.add_message_reaction(a, b)),
    ),
    (
        "removeMessageReaction",
        Later(|c, a, b| c.remove_message_reaction(a, b)),
    ),
    (
        "getMessageReactions",
        Later(|c, a, _| c.get_message_reactions(a)),
    ),
    (
        "getAllUserListOfMessageReaction",
        Later(|c, a, _| c.get_all_user_list_of_message_reaction(a)),
    ),
    (
        "searchLocalMessages",
        Later(|c, a, _| c.search_local_messages(a)),
    ),
    (
        "searchCloudMessages",
        Later(|c, a, _| c.search_cloud_messages(a)),
    ),
    ("createTextMessage", Now(Chat::create_text_message)),
    ("createFaceMessage", Now(Chat::create_face_message)),
    ("createLocationMessage", Now(Chat::create_location_message)),
    ("createCustomMessage", Now(Chat::create_custom_message)),
    ("createForwardMessage", Now(Chat::create_forward_message)),
    ("findMessage", Now(Chat::find_message)),
    ("createImageMessage", Now(Chat::create_image_message)),
    ("createAudioMessage", Now(Chat::create_audio_message)),
    ("createFileMessage", Now(Chat::create_file_message)),
    ("createVideoMessage", Now(Chat::create_video_message)),
    ("cancelUploadMessage", Now(Chat::cancel_upload_message)),
    ("getServerTime", Now(Chat::get_server_time)),
];

#[wasm_bindgen]
impl Chat {
    /// Calls the method at `index` in [`CALLS`], as numbered by [`calls`].
    #[wasm_bindgen(js_name = __call)]
    pub fn call(&self, index: usize, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
        match CALLS.get(index) {
            Some((_, Later(method))) => Ok(method(self, a, b).into()),
            Some((_, Now(method))) => method(self, a),
            None => Err(invalid("no such method")),
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
