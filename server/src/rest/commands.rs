//! Every REST command the router answers: its name, what it does, and the types of its body
//! and answer. The router looks commands up here, the metrics name calls by these names, and
//! the OpenAPI description (`/v4/openapi.json`) is made from this table, so a command cannot
//! be answered without being described.

use protocol::rest::*;
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Makes a type's schema, registering the types it names.
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// One REST command.
pub struct CommandInfo {
    /// `service/command`, as in the URL after `/v4/`.
    pub name: &'static str,
    pub summary: &'static str,
    pub(super) request: SchemaFn,
    pub(super) reply: Reply,
}

/// What a command answers with.
pub(super) enum Reply {
    /// A JSON object: the status fields beside the command's own.
    Json(SchemaFn),
    /// Newline-delimited JSON, one of these objects a line, then a status line.
    Lines(SchemaFn),
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

const fn c(
    name: &'static str,
    summary: &'static str,
    request: SchemaFn,
    reply: SchemaFn,
) -> CommandInfo {
    CommandInfo {
        name,
        summary,
        request,
        reply: Reply::Json(reply),
    }
}

/// The answer with only the status fields.
type Done = RestReply<Empty>;

pub const COMMANDS: &[CommandInfo] = &[
    c(
        "im_open_login_svc/account_import",
        "Create an account, or update its nickname and avatar",
        schema::<AccountImport>,
        schema::<Done>,
    ),
    c(
        "im_open_login_svc/multiaccount_import",
        "Create accounts",
        schema::<MultiAccountImport>,
        schema::<RestReply<MultiAccountImportReply>>,
    ),
    c(
        "im_open_login_svc/account_check",
        "Say which accounts exist",
        schema::<AccountCheck>,
        schema::<RestReply<AccountCheckReply>>,
    ),
    c(
        "im_open_login_svc/account_delete",
        "Delete accounts",
        schema::<AccountDelete>,
        schema::<RestReply<AccountDeleteReply>>,
    ),
    c(
        "im_open_login_svc/kick",
        "Sign a user out everywhere and refuse its earlier UserSigs",
        schema::<Kick>,
        schema::<Done>,
    ),
    c(
        "openim/sendmsg",
        "Send a message, as the administrator or as a user",
        schema::<SendMsg>,
        schema::<RestReply<SendMsgReply>>,
    ),
    c(
        "openim/importmsg",
        "Import a message from an earlier system at its own time",
        schema::<ImportMsg>,
        schema::<Done>,
    ),
    c(
        "openim/batchsendmsg",
        "Send one message to many users",
        schema::<BatchSendMsg>,
        schema::<RestReply<BatchSendMsgReply>>,
    ),
    c(
        "timpush/push",
        "Send one message, or a notification alone, to every account or those a condition picks, in the background",
        schema::<PushAll>,
        schema::<RestReply<PushAllReply>>,
    ),
    c(
        "timpush/batch",
        "Send a notification alone to each of up to 500 accounts",
        schema::<PushBatch>,
        schema::<RestReply<PushAllReply>>,
    ),
    c(
        "all_member_push/im_push",
        "Send one message to every account, in the background (Tencent's older name; online only unless MsgLifeTime is above 0)",
        schema::<PushAll>,
        schema::<RestReply<PushAllReply>>,
    ),
    c(
        "all_member_push/im_set_attr_name",
        "Name the app's push attributes, by number (0 to 9)",
        schema::<AttrNames>,
        schema::<Done>,
    ),
    c(
        "timpush/set_attr_name",
        "Name the app's push attributes, by number (0 to 9) (the newer name)",
        schema::<AttrNames>,
        schema::<Done>,
    ),
    c(
        "all_member_push/im_get_attr_name",
        "The names of the app's push attributes",
        schema::<Empty>,
        schema::<RestReply<AttrNames>>,
    ),
    c(
        "timpush/get_attr_name",
        "The names of the app's push attributes (the newer name)",
        schema::<Empty>,
        schema::<RestReply<AttrNames>>,
    ),
    c(
        "all_member_push/im_get_attr",
        "Accounts' push attributes",
        schema::<PushAccounts>,
        schema::<RestReply<UserAttrsList>>,
    ),
    c(
        "timpush/get_attr",
        "Accounts' push attributes (the newer name)",
        schema::<PushAccounts>,
        schema::<RestReply<UserAttrsList>>,
    ),
    c(
        "all_member_push/im_set_attr",
        "Set accounts' push attributes",
        schema::<UserAttrsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "timpush/set_attr",
        "Set accounts' push attributes (the newer name)",
        schema::<UserAttrsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "all_member_push/im_remove_attr",
        "Remove push attributes from accounts",
        schema::<RemoveUserAttrs>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "timpush/remove_attr",
        "Remove push attributes from accounts (the newer name)",
        schema::<RemoveUserAttrs>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "all_member_push/im_get_tag",
        "Accounts' push tags",
        schema::<PushAccounts>,
        schema::<RestReply<UserTagsList>>,
    ),
    c(
        "timpush/get_tag",
        "Accounts' push tags (the newer name)",
        schema::<PushAccounts>,
        schema::<RestReply<UserTagsList>>,
    ),
    c(
        "all_member_push/im_add_tag",
        "Add push tags to accounts",
        schema::<UserTagsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "timpush/add_tag",
        "Add push tags to accounts (the newer name)",
        schema::<UserTagsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "all_member_push/im_remove_tag",
        "Remove push tags from accounts",
        schema::<UserTagsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "timpush/remove_tag",
        "Remove push tags from accounts (the newer name)",
        schema::<UserTagsList>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "all_member_push/im_remove_all_tags",
        "Remove every push tag from accounts",
        schema::<PushAccounts>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "timpush/remove_all_tags",
        "Remove every push tag from accounts (the newer name)",
        schema::<PushAccounts>,
        schema::<RestReply<PushMarksChanged>>,
    ),
    c(
        "openim/admin_getroammsg",
        "Read the history between two users, a page at a time",
        schema::<GetRoamMsg>,
        schema::<RestReply<GetRoamMsgReply>>,
    ),
    c(
        "openim/admin_msgwithdraw",
        "Recall a message",
        schema::<MsgWithdraw>,
        schema::<Done>,
    ),
    c(
        "openim/delete_c2c_msg_ramble",
        "Delete messages from one user's history only",
        schema::<DeleteC2cMsgRamble>,
        schema::<Done>,
    ),
    c(
        "openim/modify_c2c_msg",
        "Change a sent message's body or custom data",
        schema::<ModifyC2cMsg>,
        schema::<Done>,
    ),
    c(
        "openim/admin_set_msg_read",
        "Mark a conversation read for a user",
        schema::<SetMsgRead>,
        schema::<Done>,
    ),
    c(
        "openim/c2c_msg_read_receipt",
        "Send a user's read receipts for messages that asked for them",
        schema::<C2cMsgReadReceipt>,
        schema::<Done>,
    ),
    c(
        "openim/query_online_status",
        "Say whether users are online, and on which devices",
        schema::<QueryState>,
        schema::<RestReply<QueryStateReply>>,
    ),
    c(
        "openim/querystate",
        "The former name of query_online_status, which older backends call",
        schema::<QueryState>,
        schema::<RestReply<QueryStateReply>>,
    ),
    c(
        "openim/get_c2c_unread_msg_num",
        "A user's unread messages, in all and per peer",
        schema::<C2cUnread>,
        schema::<RestReply<C2cUnreadReply>>,
    ),
    c(
        "recentcontact/get_list",
        "A user's conversations, a page at a time",
        schema::<RecentContacts>,
        schema::<RestReply<RecentContactsReply>>,
    ),
    c(
        "recentcontact/delete",
        "Delete a conversation from a user's list",
        schema::<RecentContactDelete>,
        schema::<Done>,
    ),
    c(
        "recentcontact/mark_contact",
        "Set and clear the marks of a user's conversations",
        schema::<MarkContact>,
        schema::<RestReply<MarkContactReply>>,
    ),
    c(
        "recentcontact/get_contact_group",
        "A user's marked and grouped conversations and its conversation groups, a page at a time",
        schema::<ContactGroupGet>,
        schema::<RestReply<ContactGroupGetReply>>,
    ),
    c(
        "recentcontact/search_contact_group",
        "The marks and conversation groups of some of a user's conversations",
        schema::<ContactGroupSearch>,
        schema::<RestReply<ContactGroupSearchReply>>,
    ),
    c(
        "recentcontact/create_contact_group",
        "Make a conversation group of some of a user's conversations",
        schema::<ContactGroupCreate>,
        schema::<RestReply<ContactGroupCreateReply>>,
    ),
    c(
        "recentcontact/update_contact_group",
        "Rename a conversation group, or add and remove its conversations",
        schema::<ContactGroupUpdate>,
        schema::<RestReply<ContactGroupUpdateReply>>,
    ),
    c(
        "recentcontact/del_contact_group",
        "Delete conversation groups",
        schema::<ContactGroupDelete>,
        schema::<RestReply<ContactGroupDeleteReply>>,
    ),
    c(
        "sns/friend_add",
        "Add friends",
        schema::<FriendAdd>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/friend_delete",
        "Remove friends",
        schema::<FriendDelete>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/friend_get",
        "Read chosen friends with their fields",
        schema::<FriendGet>,
        schema::<RestReply<FriendGetReply>>,
    ),
    c(
        "sns/friend_get_list",
        "Read a friend list, a page at a time",
        schema::<FriendGetList>,
        schema::<RestReply<FriendGetListReply>>,
    ),
    c(
        "sns/friend_delete_all",
        "Empty a friend list",
        schema::<FriendDeleteAll>,
        schema::<Done>,
    ),
    c(
        "sns/friend_update",
        "Change friends' remarks, groups and custom fields",
        schema::<FriendUpdate>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/friend_import",
        "Import friendships with their fields",
        schema::<FriendImport>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/group_add",
        "Create friend groups, optionally with members",
        schema::<GroupAdd>,
        schema::<RestReply<GroupChangeReply>>,
    ),
    c(
        "sns/group_delete",
        "Delete friend groups",
        schema::<GroupDelete>,
        schema::<RestReply<GroupChangeReply>>,
    ),
    c(
        "sns/group_get",
        "Read friend groups",
        schema::<GroupGet>,
        schema::<RestReply<GroupGetReply>>,
    ),
    c(
        "sns/friend_check",
        "Check friendships, one way or both",
        schema::<RelationCheck>,
        schema::<RestReply<FriendCheckReply>>,
    ),
    c(
        "sns/black_list_add",
        "Blacklist users",
        schema::<BlackListChange>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/black_list_delete",
        "Take users off a blacklist",
        schema::<BlackListChange>,
        schema::<RestReply<ResultItemReply>>,
    ),
    c(
        "sns/black_list_get",
        "Read a blacklist, a page at a time",
        schema::<BlackListGet>,
        schema::<RestReply<BlackListGetReply>>,
    ),
    c(
        "sns/black_list_check",
        "Check blacklists, one way or both",
        schema::<RelationCheck>,
        schema::<RestReply<BlackListCheckReply>>,
    ),
    c(
        "profile/portrait_set",
        "Set a user's profile fields",
        schema::<PortraitSet>,
        schema::<Done>,
    ),
    c(
        "profile/portrait_get",
        "Read users' profile fields",
        schema::<PortraitGet>,
        schema::<RestReply<PortraitGetReply>>,
    ),
    c(
        "openconfigsvr/setnospeaking",
        "Mute a user: no one-to-one messages for a while, or for good",
        schema::<SetNoSpeaking>,
        schema::<Done>,
    ),
    c(
        "openconfigsvr/getnospeaking",
        "The seconds left of a user's mutes",
        schema::<GetNoSpeaking>,
        schema::<RestReply<GetNoSpeakingReply>>,
    ),
    c(
        "duet/set_app_config",
        "Turn friends-only messaging on or off",
        schema::<AppConfig>,
        schema::<Done>,
    ),
    c(
        "duet/get_app_config",
        "Read the app's settings",
        schema::<Empty>,
        schema::<RestReply<AppConfig>>,
    ),
    CommandInfo {
        name: "duet/export_msgs",
        summary: "Export every message sent in a time window, as JSON lines",
        request: schema::<ExportMsgs>,
        reply: Reply::Lines(schema::<ExportedMsg>),
    },
    c(
        "open_msg_svc/get_history",
        "Link to a gzipped file of every one-to-one message sent in one hour",
        schema::<GetHistory>,
        schema::<RestReply<GetHistoryReply>>,
    ),
    c(
        "im_msg_audit_mgr/get_cloud_audit_keywords_ids",
        "List the keyword libraries users' messages are checked against",
        schema::<KeywordLibraries>,
        schema::<RestReply<KeywordLibrariesReply>>,
    ),
    c(
        "im_msg_audit_mgr/get_cloud_audit_keywords",
        "List or search a keyword library's words",
        schema::<GetKeywords>,
        schema::<RestReply<GetKeywordsReply>>,
    ),
    c(
        "im_msg_audit_mgr/add_cloud_audit_keywords",
        "Add words users' messages may not contain, making the library when new",
        schema::<AddKeywords>,
        schema::<RestReply<RequestIdReply>>,
    ),
    c(
        "im_msg_audit_mgr/delete_cloud_audit_keywords",
        "Delete words from a keyword library",
        schema::<DeleteKeywords>,
        schema::<RestReply<DeleteKeywordsReply>>,
    ),
    c(
        "duet/push_task",
        "Say how far a push to every account that this server started has gone",
        schema::<PushTask>,
        schema::<RestReply<PushTaskReply>>,
    ),
    c(
        "duet/push_register",
        "Register a user's device with a push service",
        schema::<PushRegister>,
        schema::<Done>,
    ),
    c(
        "duet/push_unregister",
        "Remove a device's push registration",
        schema::<PushRegister>,
        schema::<Done>,
    ),
    c(
        "duet/account_list",
        "List accounts in ID order, a page at a time",
        schema::<AccountList>,
        schema::<RestReply<AccountListReply>>,
    ),
    c(
        "duet/account_get",
        "An account, its devices online and its push registrations",
        schema::<AccountGet>,
        schema::<RestReply<AccountGetReply>>,
    ),
    c(
        "duet/expire",
        "Run an expiry pass now",
        schema::<Empty>,
        schema::<RestReply<ExpireReply>>,
    ),
    c(
        "duet/vacuum",
        "Give deleted data's space back to the file system",
        schema::<Empty>,
        schema::<RestReply<VacuumReply>>,
    ),
];

/// The command's name as [`COMMANDS`] holds it, if the router knows it.
pub(super) fn command_name(service: &str, command: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| c.name)
        .find(|name| name.split_once('/') == Some((service, command)))
}
