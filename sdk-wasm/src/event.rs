//! What the SDK tells the app, in the order it happens. The JavaScript layer maps these to
//! Tencent-style event names (`MESSAGE_RECEIVED`, `SDK_READY`, …).

use protocol::frame::{FriendGroup, KickCause};
use protocol::presence::UserStatus;
use protocol::push::ReceiveOpt;
use protocol::{Conversation, Message, MessageKey, Profile, Relation, RelationEntry, UserId};

/// Most messages one [`Event::MessageReadByPeer`] lists.
pub const READ_BY_PEER_MAX: u32 = 100;

/// The friend applications waiting for an answer: to the user, and from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applications {
    pub received: Vec<RelationEntry>,
    pub sent: Vec<RelationEntry>,
}

/// A friend as Tencent's `Friend` has it: its entry on the user's friend list (the remark,
/// and the wording and source it was added with), the names of the friend groups it is in,
/// and its profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Friend {
    pub entry: RelationEntry,
    pub groups: Vec<String>,
    pub profile: Profile,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// New messages: received, or sent from another device of this user (R4.2).
    MessageReceived(Vec<Message>),
    /// A message that waited in the outbox reached the server. (A send the app is awaiting
    /// resolves instead; see [`crate::client::Client::send`].)
    MessageSent(Message),
    /// The server refused a message that waited in the outbox (blocked, not friends, …); it
    /// left the outbox. (A send the app is awaiting fails instead.)
    SendFailed {
        to: UserId,
        random: u32,
        error: crate::error::SdkError,
    },
    /// The peer read the conversation up to `up_to`: the user's messages up to it are read.
    /// `messages` are those of the user's messages this device holds that became read, newest
    /// first (at most [`READ_BY_PEER_MAX`]).
    MessageReadByPeer {
        peer: UserId,
        up_to: MessageKey,
        messages: Vec<Message>,
    },
    /// A message was recalled.
    /// `message` is the recalled message, content removed, when this device holds it.
    MessageRevoked {
        peer: UserId,
        key: MessageKey,
        message: Option<Message>,
    },
    /// A message was edited (on any device of either user): this is its newest version.
    MessageModified(Message),
    /// Someone added or removed a reaction on a message: this is the message with its
    /// reactions now.
    /// `reactors`: who reacted, with the nickname and avatar this device knows for each
    /// ([`crate::session::Session::reactors`]).
    ReactionsUpdated(Message, Vec<Profile>),
    /// The peer sent read receipts for these messages of the user's (heard on each of the
    /// user's devices): each has its `receipt_ms`.
    ReadReceiptsReceived(Vec<Message>),
    /// A user whose presence this device follows came online, went offline, or hid it.
    UserStatusUpdated(UserStatus),
    /// This user's quiet hours for offline push were set (on this device or another): they
    /// are now these.
    ReceiveOptUpdated(ReceiveOpt),
    /// `peer` started (`typing`) or stopped typing to this user. Nothing says when a typing
    /// peer was cut off: an indicator should clear by itself after twice
    /// [`crate::typing::THROTTLE_MS`] without a new one, and when a message from `peer` comes.
    Typing { peer: UserId, typing: bool },
    /// This user deleted these messages (on this device or another), or the conversation's
    /// history with them: they left its history.
    MessagesDeleted { peer: UserId, keys: Vec<MessageKey> },
    /// The conversation list changed (new message, read state, sync).
    ConversationListUpdated(Vec<Conversation>),
    /// The user's conversation groups changed (on this device or another): their names now.
    ConversationGroupsUpdated(Vec<String>),
    /// The conversations in the conversation group `group` changed: those in it now (none
    /// when it is gone).
    ConversationGroupUpdated {
        group: String,
        conversations: Vec<Conversation>,
    },
    /// The user's own profile changed (on any device).
    ProfileUpdated(Profile),
    /// One of the user's lists changed (on this device or another); the whole list now. For
    /// the friend list the session reports it; the client reads the friends' groups and
    /// profiles and reports [`Event::FriendListUpdated`] instead.
    RelationsUpdated(Relation, Vec<RelationEntry>),
    /// The user's friend list changed (on this device or another); all of the friends now.
    FriendListUpdated(Vec<Friend>),
    /// The user's friend groups changed (on this device, another, or by the app's backend).
    /// The session reports it; the client reads the groups and reports
    /// [`Event::FriendGroupsUpdated`] instead, so the app never hears this one.
    FriendGroupsChanged,
    /// The user's friend groups as the server holds them now, after a change.
    FriendGroupsUpdated(Vec<FriendGroup>),
    /// Friend applications to or from the user came or went (on this device or another);
    /// all of them now.
    FriendApplicationsUpdated(Applications),
    /// A connection's first sync finished: the sign-in's (R5.7), and after each reconnect.
    /// (The JavaScript layer tells the app the first as `SDK_READY`, as Tencent's SDK does.)
    SdkReady,
    /// The server ended the session for good: another sign-in replaced it, the account was
    /// deleted, the backend signed the user out, or the UserSig expired, or it refused to
    /// sign in again after a dropped connection for one of these. The client does not
    /// reconnect.
    KickedOut(KickCause),
    /// The connection dropped; the SDK is not ready until it reconnects and syncs.
    Disconnected,
    /// The SDK is connecting again after a dropped connection.
    Reconnecting,
    /// A fault the app did not call for: a reconnect refused for a reason other than a kick's
    /// (e.g. the app's key changed), after which the SDK stopped reconnecting, or the first
    /// failure of the local cache in a session (e.g. another tab upgraded it: the page must be
    /// reloaded).
    Error(crate::error::SdkError),
}
