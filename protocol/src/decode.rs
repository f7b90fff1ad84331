//! Decoders, by hand, for the types a client reads: the tagged [`ServerFrame`], [`Reply`],
//! [`SyncEntry`], [`SyncEvent`] and [`Element`], and the structs inside them (messages,
//! conversations, profiles, push settings…). Their encoders are serde's derived ones; these
//! read the same JSON, and the tests read every variant and every field back.
//!
//! Enums of unit variants (kinds, relations, causes, vendors) are read by name through one
//! string visitor and a table of their names (`by_name!`, or `Vendor::NAMES`) rather than
//! serde's derived visitor per enum, which also reads forms JSON never uses here.
//!
//! Why by hand: serde's derived decoder for an internally tagged or flattened type first copies
//! the whole object into an intermediate tree, then decodes every field from that tree, so every
//! type inside (messages, elements, conversations…) is compiled twice, once from the tree and
//! once from JSON. In the browser SDK that was a third of the module. Here each object is read
//! once into a plain struct holding every field any of its variants has (`flat!`), and the
//! variant its tag names is built from that. Structs are read by `read_fields!`: one loop per
//! struct and one call per field, where the derive compiles far more (see there).
//!
//! A variant's fields are taken out of the flat struct (`Option::take`), not moved: a missing
//! field then returns with the flat struct whole, and every such return shares one drop of it,
//! where partial moves compiled a different drop of the fields left at each field.

use crate::element::{
    CustomElem, Element, FaceElem, FileElem, ImageElem, ImageInfo, LocationElem, SoundElem,
    SystemElem, TextElem, UnknownElem, VideoElem, download_flag,
};
use crate::error::ErrorCode;
use crate::frame::{FriendGroup, KickCause, Reply, ServerFrame, SyncPage, UserResult};
use crate::ids::{MessageKey, Seq, UserId};
use crate::media::{Uploaded, UploadedImage};
use crate::message::{
    Conversation, CustomField, Message, Profile, ProfileDetails, Relation, RelationEntry,
    RelationFields, SyncEntry, SyncEvent,
};
use crate::presence::{Presence, UserStatus};
use crate::push::{AndroidPushInfo, ApnsPushInfo, OfflinePushInfo, ReceiveOpt, Vendor};
use crate::reaction::Reaction;
pub use serde;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, Visitor};
use std::fmt;
use std::sync::Arc;

/// Takes a field a variant needs, or fails naming it.
pub fn need<T, E: Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// Reads a variant's name and gives its place in `names`, or `names.len()` for a name not
/// there when the enum has a catch-all (`other`).
fn variant_index<'de, D: Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
    other: bool,
) -> Result<usize, D::Error> {
    struct Name {
        names: &'static [&'static str],
        other: bool,
    }
    impl Visitor<'_> for Name {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a variant name")
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<usize, E> {
            match self.names.iter().position(|n| *n == s) {
                Some(i) => Ok(i),
                None if self.other => Ok(self.names.len()),
                None => Err(E::unknown_variant(s, self.names)),
            }
        }
    }
    d.deserialize_str(Name { names, other })
}

/// `Deserialize` for an enum of unit variants, from their names: those its derived `Serialize`
/// writes (the tests read every variant back), and optionally a catch-all for any other name.
macro_rules! by_name {
    ($ty:ty { $($variant:expr => $name:literal,)+ } $(other $other:expr)?) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($name),+];
                const VALUES: &[$ty] = &[$($variant,)+ $($other)?];
                Ok(VALUES[variant_index(d, NAMES, VALUES.len() > NAMES.len())?])
            }
        }
    };
}

by_name!(Relation {
    Relation::Friend => "friend",
    Relation::Blacklist => "blacklist",
    Relation::Muted => "muted",
    Relation::ApplicationSent => "application_sent",
    Relation::ApplicationReceived => "application_received",
});

by_name!(KickCause {
    KickCause::SignedInElsewhere => "signed_in_elsewhere",
    KickCause::AccountDeleted => "account_deleted",
    KickCause::UserSigExpired => "user_sig_expired",
    KickCause::KickedByBackend => "kicked_by_backend",
});

by_name!(Presence {
    Presence::Unknown => "unknown",
    Presence::Online => "online",
    Presence::Offline => "offline",
});

impl<'de> Deserialize<'de> for Vendor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vendor::ALL[variant_index(d, &Vendor::NAMES, false)?])
    }
}

/// `Deserialize` for a struct from a JSON object, its fields read by the names given (those its
/// derived `Serialize` writes; the tests read every type back). A field marked `default` (or
/// `default(value)`) may be missing; any other must be there.
///
/// serde's derive compiles, for every field of every struct, a duplicate check, a missing-field
/// path and a second reading of the struct from an array, which made decoders the largest part
/// of the browser SDK. Here each struct has one loop, a key is looked up in a table of names
/// (one visitor for all structs) and a field costs one call. A key not named is skipped; a
/// repeated key keeps its last value, as `JSON.parse` does.
///
/// `read_fields!(default T { … })` reads a struct whose every field may be missing straight
/// into `T::default()`, with no local per field to move into it afterwards.
#[macro_export]
macro_rules! read_fields {
    ($ty:ident { $($field:ident: $key:literal $($default:ident $(($value:expr))?)?,)+ }) => {
        $crate::read_fields!(@visitor $ty, map, {
            // A field that may be missing starts as its default and is read in place; one that
            // must be there starts as `None`.
            $(let mut $field = $crate::read_fields!(@start $($default $(($value))?)?);)+
            $crate::read_fields!(@keys map, $($key => [$($default)?] $field),+);
            // Every missing field is found before any is moved, so that every early return
            // drops the same values (one shared drop path, where failing between moves would
            // compile a different one at each field).
            $($crate::read_fields!(@check $field, $key $($default)?);)+
            Ok($ty {
                $($field: $crate::read_fields!(@value $field $($default)?),)+
            })
        });
    };
    // A struct whose every field may be missing, read in place into its `Default`.
    (default $ty:ident { $($field:ident: $key:literal,)+ }) => {
        $crate::read_fields!(@visitor $ty, map, {
            let mut out = <$ty as ::std::default::Default>::default();
            $crate::read_fields!(@keys map, $($key => [default] out.$field),+);
            Ok(out)
        });
    };
    // The `Deserialize` impl around a `visit_map` body that reads from `$map`.
    (@visitor $ty:ident, $map:ident, $body:block) => {
        impl<'de> $crate::decode::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::decode::serde::Deserializer<'de>>(
                d: D,
            ) -> Result<Self, D::Error> {
                use $crate::decode::serde::de::{MapAccess, Visitor};
                struct Fields;
                impl<'de> Visitor<'de> for Fields {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$ty, A::Error>
                        $body
                }
                d.deserialize_map(Fields)
            }
        }
    };
    // Every key of the object, its value read into the slot its name is paired with: a value
    // that must be there into an `Option`, one that may be missing (`[default]`) in place.
    (@keys $map:ident, $($key:literal => [$($how:ident)?] $slot:expr),+) => {
        const NAMES: &[&str] = &[$($key),+];
        while let Some(index) = $map.next_key_seed($crate::decode::FieldIndex(NAMES))? {
            let mut at = 0;
            $(
                if index == at {
                    $crate::read_fields!(@read [$($how)?] $map, $slot)?;
                    continue;
                }
                at += 1;
            )+
            $map.next_value::<$crate::decode::serde::de::IgnoredAny>()?;
        }
    };
    (@start) => { None };
    (@start default) => { ::std::default::Default::default() };
    (@start default($value:expr)) => { $value };
    (@read [] $map:ident, $slot:expr) => { $crate::decode::read_value(&mut $map, &mut $slot) };
    (@read [default] $map:ident, $slot:expr) => { $crate::decode::read_into(&mut $map, &mut $slot) };
    // (`A` is `visit_map`'s map type in `@visitor`, where this expands.)
    (@check $value:ident, $key:literal) => {
        if $value.is_none() {
            return Err(<A::Error as $crate::decode::serde::de::Error>::missing_field($key));
        }
    };
    (@check $value:ident, $key:literal $default:ident) => {};
    (@value $value:ident) => { $value.unwrap() };
    (@value $value:ident default) => { $value };
}

/// A private struct of optional fields (each may be missing or `null`), read in place: no
/// local per field to move into it afterwards.
macro_rules! flat {
    ($(#[$doc:meta])* struct $name:ident { $($field:ident: $ty:ty = $key:literal,)+ }) => {
        $(#[$doc])*
        struct $name {
            $($field: Option<$ty>,)+
        }

        read_fields!(@visitor $name, map, {
            let mut out = $name { $($field: None,)+ };
            read_fields!(@keys map, $($key => [default] out.$field),+);
            Ok(out)
        });
    };
}

/// Reads a field's value into its slot: compiled once per value type and shared by every
/// field of that type in every struct, rather than inlined at each field.
#[inline(never)]
pub fn read_value<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads a value into its place in a struct (an `Option` place takes `null` as `None`).
#[inline(never)]
pub fn read_into<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut T,
) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// A key's place among a struct's field names (their count for any other key).
pub struct FieldIndex(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        variant_index(d, self.0, true)
    }
}

read_fields!(Message {
    key: "key",
    from: "from",
    to: "to",
    time_ms: "time_ms",
    client_time_s: "client_time_s" default,
    random: "random",
    elements: "elements",
    cloud_custom_data: "cloud_custom_data" default,
    nick: "nick" default,
    avatar: "avatar" default,
    recalled: "recalled" default,
    version: "version" default,
    edited_ms: "edited_ms" default,
    reactions: "reactions" default,
    need_read_receipt: "need_read_receipt" default,
    receipt_ms: "receipt_ms" default,
});

read_fields!(Conversation {
    peer: "peer",
    peer_nick: "peer_nick" default,
    peer_avatar: "peer_avatar" default,
    last_message: "last_message" default,
    unread: "unread",
    peer_read_up_to: "peer_read_up_to" default,
    read_up_to: "read_up_to" default,
    updated_ms: "updated_ms",
    pinned: "pinned" default,
    draft: "draft" default,
    marks: "marks" default,
    custom_data: "custom_data" default,
    conversation_groups: "conversation_groups" default,
    state_seq: "state_seq" default,
});

read_fields!(Profile {
    user_id: "user_id",
    nick: "nick",
    avatar: "avatar",
    details: "details" default,
});

read_fields!(default ProfileDetails {
    gender: "gender",
    birthday: "birthday",
    location: "location",
    self_signature: "self_signature",
    allow_type: "allow_type",
    language: "language",
    message_settings: "message_settings",
    level: "level",
    role: "role",
    custom: "custom",
});

read_fields!(CustomField {
    key: "key",
    value: "value",
});

read_fields!(default RelationFields {
    remark: "remark",
    wording: "wording",
    source: "source",
});

read_fields!(UserStatus {
    user_id: "user_id",
    presence: "presence",
    last_seen_ms: "last_seen_ms" default,
    custom_status: "custom_status" default,
    hidden: "hidden" default,
});

read_fields!(UserResult {
    user_id: "user_id",
    code: "code",
    message: "message" default,
});

read_fields!(FriendGroup {
    name: "name",
    users: "users",
});

read_fields!(Reaction {
    id: "id",
    users: "users",
});

read_fields!(ImageInfo {
    kind: "Type",
    size: "Size",
    width: "Width",
    height: "Height",
    url: "URL",
});

read_fields!(Uploaded {
    uuid: "uuid",
    url: "url",
    size: "size",
    content_type: "contentType",
    file_name: "fileName",
    image: "image" default,
});

read_fields!(UploadedImage {
    image_format: "imageFormat",
    image_info_array: "imageInfoArray",
});

read_fields!(default OfflinePushInfo {
    push_flag: "PushFlag",
    title: "Title",
    desc: "Desc",
    ext: "Ext",
    android: "AndroidInfo",
    apns: "ApnsInfo",
});

read_fields!(default AndroidPushInfo {
    sound: "Sound",
    huawei_channel_id: "HuaWeiChannelID",
    xiaomi_channel_id: "XiaoMiChannelID",
    oppo_channel_id: "OPPOChannelID",
    google_channel_id: "GoogleChannelID",
    vivo_classification: "VIVOClassification",
});

read_fields!(default ReceiveOpt {
    quiet: "quiet",
    start_s: "start_s",
    end_s: "end_s",
    repeated: "repeated",
});

read_fields!(default ApnsPushInfo {
    sound: "Sound",
    badge_mode: "BadgeMode",
    title: "Title",
    sub_title: "SubTitle",
});

flat! {
    /// Every field of a sync entry (and of a friend-list entry, which shares the `entries` list of
    /// a reply with sync entries).
    struct FlatEntry {
        seq: Seq = "seq",
        kind: EventKind = "kind",
        message: Message = "message",
        peer: UserId = "peer",
        up_to: MessageKey = "up_to",
        key: MessageKey = "key",
        keys: Vec<MessageKey> = "keys",
        history: bool = "history",
        relation: Relation = "relation",
        added: Vec<UserId> = "added",
        removed: Vec<UserId> = "removed",
        nick: String = "nick",
        avatar: String = "avatar",
        user_id: UserId = "user_id",
        since_ms: u64 = "since_ms",
        fields: RelationFields = "fields",
        pinned: bool = "pinned",
        draft: String = "draft",
        marks: u64 = "marks",
        custom_data: String = "custom_data",
        conversation_groups: Vec<String> = "conversation_groups",
        status: UserStatus = "status",
        read: bool = "read",
        opt: ReceiveOpt = "opt",
    }
}

#[derive(Clone, Copy)]
enum EventKind {
    Message,
    Read,
    PeerRead,
    Recalled,
    Edited,
    Reacted,
    ReadReceipt,
    Status,
    ReceiveOpt,
    Deleted,
    ConversationState,
    ConversationDeleted,
    HistoryCleared,
    Relations,
    Profile,
    FriendGroups,
    ApplicationsRead,
    Unknown,
}

by_name!(EventKind {
    EventKind::Message => "message",
    EventKind::Read => "read",
    EventKind::PeerRead => "peer_read",
    EventKind::Recalled => "recalled",
    EventKind::Edited => "edited",
    EventKind::Reacted => "reacted",
    EventKind::ReadReceipt => "read_receipt",
    EventKind::Status => "status",
    EventKind::ReceiveOpt => "receive_opt",
    EventKind::Deleted => "deleted",
    EventKind::ConversationState => "conversation_state",
    EventKind::ConversationDeleted => "conversation_deleted",
    EventKind::HistoryCleared => "history_cleared",
    EventKind::Relations => "relations",
    EventKind::Profile => "profile",
    EventKind::FriendGroups => "friend_groups",
    EventKind::ApplicationsRead => "applications_read",
} other EventKind::Unknown);

impl FlatEntry {
    fn event<E: Error>(mut self) -> Result<SyncEvent, E> {
        Ok(match need(self.kind.take(), "kind")? {
            EventKind::Message => SyncEvent::Message {
                message: need(self.message.take(), "message")?,
            },
            EventKind::Read => SyncEvent::Read {
                peer: need(self.peer.take(), "peer")?,
                up_to: self.up_to.take(),
            },
            EventKind::PeerRead => SyncEvent::PeerRead {
                peer: need(self.peer.take(), "peer")?,
                up_to: need(self.up_to.take(), "up_to")?,
            },
            EventKind::Recalled => SyncEvent::Recalled {
                peer: need(self.peer.take(), "peer")?,
                key: need(self.key.take(), "key")?,
            },
            EventKind::Edited => SyncEvent::Edited {
                message: need(self.message.take(), "message")?,
            },
            EventKind::Reacted => SyncEvent::Reacted {
                message: need(self.message.take(), "message")?,
            },
            EventKind::ReadReceipt => SyncEvent::ReadReceipt {
                message: need(self.message.take(), "message")?,
            },
            EventKind::Status => SyncEvent::Status {
                status: need(self.status.take(), "status")?,
            },
            EventKind::ReceiveOpt => SyncEvent::ReceiveOpt {
                opt: need(self.opt.take(), "opt")?,
            },
            EventKind::Deleted => SyncEvent::Deleted {
                peer: need(self.peer.take(), "peer")?,
                keys: need(self.keys.take(), "keys")?,
            },
            EventKind::ConversationState => SyncEvent::ConversationState {
                peer: need(self.peer.take(), "peer")?,
                pinned: need(self.pinned.take(), "pinned")?,
                draft: need(self.draft.take(), "draft")?,
                marks: self.marks.take().unwrap_or_default(),
                custom_data: self.custom_data.take().unwrap_or_default(),
                conversation_groups: self.conversation_groups.take().unwrap_or_default(),
            },
            EventKind::ConversationDeleted => SyncEvent::ConversationDeleted {
                peer: need(self.peer.take(), "peer")?,
                history: need(self.history.take(), "history")?,
            },
            EventKind::HistoryCleared => SyncEvent::HistoryCleared {
                peer: need(self.peer.take(), "peer")?,
            },
            EventKind::Relations => SyncEvent::Relations {
                relation: need(self.relation.take(), "relation")?,
                added: need(self.added.take(), "added")?,
                removed: need(self.removed.take(), "removed")?,
                fields: self.fields.take().unwrap_or_default(),
            },
            EventKind::Profile => SyncEvent::Profile {
                nick: need(self.nick.take(), "nick")?,
                avatar: need(self.avatar.take(), "avatar")?,
            },
            EventKind::FriendGroups => SyncEvent::FriendGroups,
            EventKind::ApplicationsRead => SyncEvent::ApplicationsRead,
            EventKind::Unknown => SyncEvent::Unknown,
        })
    }

    fn sync_entry<E: Error>(mut self) -> Result<SyncEntry, E> {
        let seq = need(self.seq.take(), "seq")?;
        Ok(SyncEntry {
            seq,
            event: self.event()?,
        })
    }

    fn relation_entry<E: Error>(mut self) -> Result<RelationEntry, E> {
        Ok(RelationEntry {
            user_id: need(self.user_id.take(), "user_id")?,
            since_ms: need(self.since_ms.take(), "since_ms")?,
            fields: self.fields.take().unwrap_or_default(),
            read: self.read.take().unwrap_or_default(),
        })
    }
}

impl<'de> Deserialize<'de> for SyncEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FlatEntry::deserialize(d)?.event()
    }
}

impl<'de> Deserialize<'de> for SyncEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FlatEntry::deserialize(d)?.sync_entry()
    }
}

flat! {
    /// Every field of a reply's `data`.
    struct FlatReply {
        kind: ReplyKind = "kind",
        user_id: UserId = "user_id",
        server_time_ms: u64 = "server_time_ms",
        latest_seq: Seq = "latest_seq",
        nick: String = "nick",
        avatar: String = "avatar",
        account_created_ms: u64 = "account_created_ms",
        key: MessageKey = "key",
        time_ms: u64 = "time_ms",
        seq: Seq = "seq",
        duplicate: bool = "duplicate",
        entries: Vec<FlatEntry> = "entries",
        next: Seq = "next",
        complete: bool = "complete",
        gap: bool = "gap",
        conversations: Vec<Conversation> = "conversations",
        messages: Vec<Message> = "messages",
        message: Message = "message",
        results: Vec<UserResult> = "results",
        relation: Relation = "relation",
        profiles: Vec<Profile> = "profiles",
        groups: Vec<FriendGroup> = "groups",
        mine: Vec<UserId> = "mine",
        theirs: Vec<UserId> = "theirs",
        registered: bool = "registered",
        pinned: bool = "pinned",
        draft: String = "draft",
        marks: u64 = "marks",
        custom_data: String = "custom_data",
        conversation_groups: Vec<String> = "conversation_groups",
        statuses: Vec<UserStatus> = "statuses",
        hidden: bool = "hidden",
        opt: ReceiveOpt = "opt",
    }
}

#[derive(Clone, Copy)]
enum ReplyKind {
    LoggedIn,
    Sent,
    SyncPage,
    Conversations,
    History,
    MarkedRead,
    Recalled,
    Edited,
    Reacted,
    SearchResults,
    Statuses,
    StatusHidden,
    ConversationState,
    Deleted,
    RelationResults,
    Relations,
    FriendChecks,
    Profiles,
    FriendGroups,
    Pong,
    PushRegistration,
    ReceiptsSent,
    ReceiveOpt,
    LoggedOut,
}

by_name!(ReplyKind {
    ReplyKind::LoggedIn => "logged_in",
    ReplyKind::Sent => "sent",
    ReplyKind::SyncPage => "sync_page",
    ReplyKind::Conversations => "conversations",
    ReplyKind::History => "history",
    ReplyKind::MarkedRead => "marked_read",
    ReplyKind::Recalled => "recalled",
    ReplyKind::Edited => "edited",
    ReplyKind::Reacted => "reacted",
    ReplyKind::SearchResults => "search_results",
    ReplyKind::Statuses => "statuses",
    ReplyKind::StatusHidden => "status_hidden",
    ReplyKind::ConversationState => "conversation_state",
    ReplyKind::Deleted => "deleted",
    ReplyKind::RelationResults => "relation_results",
    ReplyKind::Relations => "relations",
    ReplyKind::FriendChecks => "friend_checks",
    ReplyKind::Profiles => "profiles",
    ReplyKind::FriendGroups => "friend_groups",
    ReplyKind::Pong => "pong",
    ReplyKind::PushRegistration => "push_registration",
    ReplyKind::ReceiptsSent => "receipts_sent",
    ReplyKind::ReceiveOpt => "receive_opt",
    ReplyKind::LoggedOut => "logged_out",
});

impl FlatReply {
    fn reply<E: Error>(mut self) -> Result<Reply, E> {
        let entries = self.entries.take();
        Ok(match need(self.kind.take(), "kind")? {
            ReplyKind::LoggedIn => Reply::LoggedIn {
                user_id: need(self.user_id.take(), "user_id")?,
                server_time_ms: need(self.server_time_ms.take(), "server_time_ms")?,
                latest_seq: need(self.latest_seq.take(), "latest_seq")?,
                nick: need(self.nick.take(), "nick")?,
                avatar: need(self.avatar.take(), "avatar")?,
                account_created_ms: self.account_created_ms.take().unwrap_or_default(),
            },
            ReplyKind::Sent => Reply::Sent {
                key: need(self.key.take(), "key")?,
                time_ms: need(self.time_ms.take(), "time_ms")?,
                seq: need(self.seq.take(), "seq")?,
                duplicate: need(self.duplicate.take(), "duplicate")?,
            },
            ReplyKind::SyncPage => Reply::SyncPage(SyncPage {
                entries: need(entries, "entries")?
                    .into_iter()
                    .map(FlatEntry::sync_entry)
                    .collect::<Result<_, E>>()?,
                next: need(self.next.take(), "next")?,
                complete: need(self.complete.take(), "complete")?,
                gap: need(self.gap.take(), "gap")?,
            }),
            ReplyKind::Conversations => Reply::Conversations {
                conversations: need(self.conversations.take(), "conversations")?,
            },
            ReplyKind::History => Reply::History {
                messages: need(self.messages.take(), "messages")?,
                complete: need(self.complete.take(), "complete")?,
            },
            ReplyKind::MarkedRead => Reply::MarkedRead {
                seq: need(self.seq.take(), "seq")?,
            },
            ReplyKind::Recalled => Reply::Recalled {
                key: need(self.key.take(), "key")?,
            },
            ReplyKind::Edited => Reply::Edited {
                message: Box::new(need(self.message.take(), "message")?),
            },
            ReplyKind::Reacted => Reply::Reacted {
                message: Box::new(need(self.message.take(), "message")?),
            },
            ReplyKind::SearchResults => Reply::SearchResults {
                messages: need(self.messages.take(), "messages")?,
                next: need(self.next.take().map(|s| s.0), "next")?,
            },
            ReplyKind::Statuses => Reply::Statuses {
                statuses: need(self.statuses.take(), "statuses")?,
            },
            ReplyKind::StatusHidden => Reply::StatusHidden {
                hidden: need(self.hidden.take(), "hidden")?,
            },
            ReplyKind::ConversationState => Reply::ConversationState {
                seq: need(self.seq.take(), "seq")?,
                pinned: need(self.pinned.take(), "pinned")?,
                draft: need(self.draft.take(), "draft")?,
                marks: self.marks.take().unwrap_or_default(),
                custom_data: self.custom_data.take().unwrap_or_default(),
                conversation_groups: self.conversation_groups.take().unwrap_or_default(),
            },
            ReplyKind::Deleted => Reply::Deleted {
                seq: need(self.seq.take(), "seq")?,
            },
            ReplyKind::RelationResults => Reply::RelationResults {
                results: need(self.results.take(), "results")?,
            },
            ReplyKind::Relations => Reply::Relations {
                relation: need(self.relation.take(), "relation")?,
                entries: need(entries, "entries")?
                    .into_iter()
                    .map(FlatEntry::relation_entry)
                    .collect::<Result<_, E>>()?,
            },
            ReplyKind::FriendChecks => Reply::FriendChecks {
                mine: need(self.mine.take(), "mine")?,
                theirs: need(self.theirs.take(), "theirs")?,
            },
            ReplyKind::Profiles => Reply::Profiles {
                profiles: need(self.profiles.take(), "profiles")?,
            },
            ReplyKind::Pong => Reply::Pong {
                server_time_ms: need(self.server_time_ms.take(), "server_time_ms")?,
            },
            ReplyKind::FriendGroups => Reply::FriendGroups {
                groups: need(self.groups.take(), "groups")?,
            },
            ReplyKind::PushRegistration => Reply::PushRegistration {
                registered: need(self.registered.take(), "registered")?,
            },
            ReplyKind::ReceiptsSent => Reply::ReceiptsSent,
            ReplyKind::ReceiveOpt => Reply::ReceiveOpt {
                opt: need(self.opt.take(), "opt")?,
            },
            ReplyKind::LoggedOut => Reply::LoggedOut,
        })
    }
}

impl<'de> Deserialize<'de> for Reply {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FlatReply::deserialize(d)?.reply()
    }
}

flat! {
    /// Every field of a server frame.
    struct FlatFrame {
        kind: FrameKind = "type",
        id: u64 = "id",
        data: FlatReply = "data",
        code: ErrorCode = "code",
        message: String = "message",
        entry: FlatEntry = "entry",
        reason: String = "reason",
        cause: KickCause = "cause",
    }
}

#[derive(Clone, Copy)]
enum FrameKind {
    Reply,
    Error,
    Sync,
    Kicked,
}

by_name!(FrameKind {
    FrameKind::Reply => "reply",
    FrameKind::Error => "error",
    FrameKind::Sync => "sync",
    FrameKind::Kicked => "kicked",
});

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = FlatFrame::deserialize(d)?;
        Ok(match need(f.kind.take(), "type")? {
            FrameKind::Reply => ServerFrame::Reply {
                id: need(f.id.take(), "id")?,
                data: need(f.data.take(), "data")?.reply()?,
            },
            FrameKind::Error => ServerFrame::Error {
                id: f.id.take(),
                code: need(f.code.take(), "code")?,
                message: need(f.message.take(), "message")?,
            },
            FrameKind::Sync => ServerFrame::Sync {
                entry: Arc::new(need(f.entry.take(), "entry")?.sync_entry()?),
            },
            FrameKind::Kicked => ServerFrame::Kicked {
                reason: need(f.reason.take(), "reason")?,
                cause: f.cause.take().unwrap_or_default(),
            },
        })
    }
}

flat! {
    /// A message element: `{"MsgType": …, "MsgContent": {…}}`, the two in either order.
    struct FlatElement {
        kind: String = "MsgType",
        content: FlatContent = "MsgContent",
    }
}

flat! {
    /// Every field of every element kind's `MsgContent` (a name two kinds share has one type; an
    /// unknown kind's content is read through it too, so its fields of those names must have it).
    struct FlatContent {
        text: String = "Text",
        index: i64 = "Index",
        data: String = "Data",
        desc: String = "Desc",
        ext: String = "Ext",
        sound: String = "Sound",
        latitude: f64 = "Latitude",
        longitude: f64 = "Longitude",
        uuid: String = "UUID",
        image_format: u32 = "ImageFormat",
        image_info_array: Vec<ImageInfo> = "ImageInfoArray",
        url: String = "Url",
        size: u64 = "Size",
        second: u32 = "Second",
        download_flag: u32 = "Download_Flag",
        file_size: u64 = "FileSize",
        file_name: String = "FileName",
        video_url: String = "VideoUrl",
        video_uuid: String = "VideoUUID",
        video_size: u64 = "VideoSize",
        video_second: u32 = "VideoSecond",
        video_format: String = "VideoFormat",
        video_download_flag: u32 = "VideoDownloadFlag",
        thumb_url: String = "ThumbUrl",
        thumb_uuid: String = "ThumbUUID",
        thumb_size: u64 = "ThumbSize",
        thumb_width: u32 = "ThumbWidth",
        thumb_height: u32 = "ThumbHeight",
        thumb_format: String = "ThumbFormat",
        thumb_download_flag: u32 = "ThumbDownloadFlag",
    }
}

impl FlatElement {
    fn element<E: Error>(self) -> Result<Element, E> {
        let mut c = need(self.content, "MsgContent")?;
        let kind = need(self.kind, "MsgType")?;
        Ok(match kind.as_str() {
            "TIMTextElem" => Element::Text(TextElem {
                text: need(c.text.take(), "Text")?,
            }),
            "TIMFaceElem" => Element::Face(FaceElem {
                index: need(c.index.take(), "Index")?,
                data: c.data.take().unwrap_or_default(),
            }),
            "TIMLocationElem" => Element::Location(LocationElem {
                desc: c.desc.take().unwrap_or_default(),
                latitude: need(c.latitude.take(), "Latitude")?,
                longitude: need(c.longitude.take(), "Longitude")?,
            }),
            "TIMImageElem" => Element::Image(ImageElem {
                uuid: c.uuid.take().unwrap_or_default(),
                image_format: c.image_format.take().unwrap_or_default(),
                image_info_array: need(c.image_info_array.take(), "ImageInfoArray")?,
            }),
            "TIMSoundElem" => Element::Sound(SoundElem {
                url: need(c.url.take(), "Url")?,
                uuid: c.uuid.take().unwrap_or_default(),
                size: need(c.size.take(), "Size")?,
                second: need(c.second.take(), "Second")?,
                download_flag: c.download_flag.take().unwrap_or_else(download_flag),
            }),
            "TIMFileElem" => Element::File(FileElem {
                url: need(c.url.take(), "Url")?,
                uuid: c.uuid.take().unwrap_or_default(),
                file_size: need(c.file_size.take(), "FileSize")?,
                file_name: need(c.file_name.take(), "FileName")?,
                download_flag: c.download_flag.take().unwrap_or_else(download_flag),
            }),
            "TIMVideoFileElem" => Element::Video(VideoElem {
                video_url: need(c.video_url.take(), "VideoUrl")?,
                video_uuid: c.video_uuid.take().unwrap_or_default(),
                video_size: need(c.video_size.take(), "VideoSize")?,
                video_second: need(c.video_second.take(), "VideoSecond")?,
                video_format: c.video_format.take().unwrap_or_default(),
                video_download_flag: c.video_download_flag.take().unwrap_or_else(download_flag),
                thumb_url: need(c.thumb_url.take(), "ThumbUrl")?,
                thumb_uuid: c.thumb_uuid.take().unwrap_or_default(),
                thumb_size: c.thumb_size.take().unwrap_or_default(),
                thumb_width: c.thumb_width.take().unwrap_or_default(),
                thumb_height: c.thumb_height.take().unwrap_or_default(),
                thumb_format: c.thumb_format.take().unwrap_or_default(),
                thumb_download_flag: c.thumb_download_flag.take().unwrap_or_else(download_flag),
            }),
            "TIMCustomElem" => Element::Custom(CustomElem {
                data: c.data.take().unwrap_or_default(),
                desc: c.desc.take().unwrap_or_default(),
                ext: c.ext.take().unwrap_or_default(),
                sound: c.sound.take().unwrap_or_default(),
            }),
            "DuetSystemElem" => Element::System(SystemElem {
                text: need(c.text.take(), "Text")?,
                data: c.data.take().unwrap_or_default(),
            }),
            _ => Element::Unknown(UnknownElem { kind }),
        })
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FlatElement::deserialize(d)?.element()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Element, TextElem};

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn key(id: u64) -> MessageKey {
        MessageKey {
            id,
            random: 7,
            time_s: 1_800_000_000,
        }
    }

    fn message() -> Message {
        Message {
            key: key(3),
            from: uid("alice"),
            to: uid("bob"),
            time_ms: 1_800_000_000_123,
            client_time_s: 1_800_000_000,
            random: 7,
            elements: vec![Element::Text(TextElem { text: "hi".into() })],
            cloud_custom_data: Some("c".into()),
            nick: "A".into(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        }
    }

    fn reacted() -> Message {
        Message {
            reactions: vec![crate::reaction::Reaction {
                id: "👍".into(),
                users: vec![uid("alice"), uid("bob")],
            }],
            ..message()
        }
    }

    fn edited() -> Message {
        Message {
            version: 2,
            edited_ms: 1_800_000_001_000,
            ..message()
        }
    }

    fn events() -> Vec<SyncEvent> {
        vec![
            SyncEvent::Message { message: message() },
            SyncEvent::Read {
                peer: uid("bob"),
                up_to: None,
            },
            SyncEvent::Read {
                peer: uid("bob"),
                up_to: Some(key(4)),
            },
            SyncEvent::PeerRead {
                peer: uid("bob"),
                up_to: key(5),
            },
            SyncEvent::Recalled {
                peer: uid("bob"),
                key: key(6),
            },
            SyncEvent::Edited { message: edited() },
            SyncEvent::Reacted { message: reacted() },
            SyncEvent::ReadReceipt {
                message: Message {
                    need_read_receipt: true,
                    receipt_ms: 1_800_000_002_000,
                    ..message()
                },
            },
            SyncEvent::Status {
                status: UserStatus {
                    user_id: uid("carol"),
                    presence: crate::presence::Presence::Offline,
                    last_seen_ms: 1_800_000_000_000,
                    custom_status: "在听歌 \"live\"".into(),
                    hidden: true,
                },
            },
            SyncEvent::ReceiveOpt {
                opt: ReceiveOpt {
                    quiet: true,
                    start_s: 1_800_000_000,
                    end_s: 1_800_003_600,
                    repeated: true,
                },
            },
            SyncEvent::Deleted {
                peer: uid("bob"),
                keys: vec![key(1), key(2)],
            },
            SyncEvent::ConversationState {
                peer: uid("carol"),
                pinned: true,
                draft: "half a thought".into(),
                marks: 1 << 63 | 1 << 32 | 1,
                custom_data: "{\"folder\":\"work\"}".into(),
                conversation_groups: vec!["work".into(), "Ünïcode 🚀".into()],
            },
            SyncEvent::ConversationDeleted {
                peer: uid("carol"),
                history: true,
            },
            SyncEvent::HistoryCleared { peer: uid("carol") },
            SyncEvent::Relations {
                relation: Relation::Blacklist,
                added: vec![uid("carol")],
                removed: vec![],
                fields: RelationFields::default(),
            },
            SyncEvent::Relations {
                relation: Relation::ApplicationReceived,
                added: vec![uid("dave")],
                removed: vec![],
                fields: RelationFields {
                    wording: "hi, it's Dave".into(),
                    source: "AddSource_Type_Web".into(),
                    ..RelationFields::default()
                },
            },
            SyncEvent::Profile {
                nick: "N".into(),
                avatar: "/a.png".into(),
            },
            SyncEvent::FriendGroups,
            SyncEvent::ApplicationsRead,
        ]
    }

    fn round_trip<
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    >(
        value: T,
    ) {
        let json = serde_json::to_string(&value).unwrap();
        let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(back, value, "{json}");
    }

    /// Every field of every struct read by `read_fields!`, set to other than its default, so
    /// that a name that differs from what the encoder writes fails here.
    #[test]
    fn every_field_of_the_hand_read_structs_reads_back() {
        let full = Message {
            avatar: "/a.png".into(),
            recalled: true,
            need_read_receipt: true,
            receipt_ms: 9,
            ..reacted()
        };
        round_trip(full.clone());
        round_trip(Conversation {
            peer: uid("alice"),
            peer_nick: "A".into(),
            peer_avatar: "/a.png".into(),
            last_message: Some(full),
            unread: 2,
            peer_read_up_to: 1,
            read_up_to: 2,
            updated_ms: 3,
            pinned: true,
            draft: "so".into(),
            marks: 2,
            custom_data: "c".into(),
            conversation_groups: vec!["g".into()],
            state_seq: Seq(4),
        });
        round_trip(Profile {
            user_id: uid("alice"),
            nick: "A".into(),
            avatar: "/a.png".into(),
            details: ProfileDetails {
                gender: Some("Gender_Type_Female".into()),
                birthday: Some(19_900_101),
                location: Some("Lisbon".into()),
                self_signature: Some("hello".into()),
                allow_type: Some("AllowType_Type_NeedConfirm".into()),
                language: Some(1),
                message_settings: Some(2),
                level: Some(3),
                role: Some(4),
                custom: vec![CustomField {
                    key: "Tag_Profile_Custom_Hobby".into(),
                    value: "chess".into(),
                }],
            },
        });
        round_trip(ReceiveOpt {
            quiet: true,
            start_s: 1,
            end_s: 2,
            repeated: true,
        });
        round_trip(RelationFields {
            remark: "R".into(),
            wording: "W".into(),
            source: "AddSource_Type_Web".into(),
        });
        round_trip(UserResult {
            user_id: uid("bob"),
            code: ErrorCode::INVALID_ARGUMENT,
            message: "no".into(),
        });
        round_trip(FriendGroup {
            name: "work".into(),
            users: vec![uid("bob")],
        });
        let image = UploadedImage {
            image_format: 2,
            image_info_array: vec![ImageInfo {
                kind: 1,
                size: 2,
                width: 3,
                height: 4,
                url: "/m/1".into(),
            }],
        };
        round_trip(image.clone());
        let uploaded = Uploaded {
            uuid: "ab".into(),
            url: "/m/ab/cat.png".into(),
            size: 3,
            content_type: "image/png".into(),
            file_name: "cat.png".into(),
            image: Some(image),
        };
        round_trip(uploaded.clone());
        round_trip(Uploaded {
            image: None,
            ..uploaded
        });
        round_trip(OfflinePushInfo {
            push_flag: 1,
            title: "T".into(),
            desc: "D".into(),
            ext: "E".into(),
            android: AndroidPushInfo {
                sound: "s".into(),
                huawei_channel_id: "h".into(),
                xiaomi_channel_id: "x".into(),
                oppo_channel_id: "o".into(),
                google_channel_id: "g".into(),
                vivo_classification: 1,
            },
            apns: ApnsPushInfo {
                sound: "s".into(),
                badge_mode: 1,
                title: "t".into(),
                sub_title: "u".into(),
            },
        });
    }

    #[test]
    fn a_required_field_is_named_when_missing_and_others_default() {
        let e = serde_json::from_str::<Profile>(r#"{"user_id":"a","nick":"n"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `avatar`"), "{e}");
        let p: Profile =
            serde_json::from_str(r#"{"avatar":"","user_id":"a","x":[1,{}],"nick":"n"}"#).unwrap();
        assert_eq!(p.details, ProfileDetails::default());
        let e = serde_json::from_str::<RelationFields>(r#"{"remark":1}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_and_null_is_read_only_where_none_may_be() {
        // A struct with required fields, one read in place into its default, and a flat one.
        let p: Profile = serde_json::from_str(
            r#"{"user_id":"a","nick":"1","avatar":"","nick":"2","details":{"level":1,"level":2,"gender":null}}"#,
        )
        .unwrap();
        assert_eq!((p.nick.as_str(), p.details.level), ("2", Some(2)));
        assert_eq!(p.details.gender, None);
        let entry = SyncEntry {
            seq: Seq(5),
            event: SyncEvent::Read {
                peer: uid("bob"),
                up_to: None,
            },
        };
        let text = serde_json::to_string(&entry).unwrap();
        let again = format!(r#"{},"peer":"carol"}}"#, &text[..text.len() - 1]);
        let read: SyncEntry = serde_json::from_str(&again).unwrap();
        assert_eq!(
            read.event,
            SyncEvent::Read {
                peer: uid("carol"),
                up_to: None
            }
        );
        // `null` where a value must be, or may be missing but is not an `Option`: refused.
        for refused in [
            r#"{"user_id":"a","nick":null,"avatar":""}"#,
            r#"{"user_id":"a","nick":"n","avatar":"","details":{"custom":null}}"#,
        ] {
            let e = serde_json::from_str::<Profile>(refused).unwrap_err();
            assert!(e.to_string().contains("invalid type: null"), "{e}");
        }
        let e = serde_json::from_str::<RelationFields>(r#"{"remark":null}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type: null"), "{e}");
    }

    #[test]
    fn every_frame_reads_back_as_written() {
        let entries: Vec<SyncEntry> = events()
            .into_iter()
            .enumerate()
            .map(|(i, event)| SyncEntry {
                seq: Seq(i as u64 + 1),
                event,
            })
            .collect();
        for e in &entries {
            round_trip(e.event.clone());
            round_trip(e.clone());
            round_trip(ServerFrame::Sync {
                entry: Arc::new(e.clone()),
            });
        }
        let replies = vec![
            Reply::LoggedIn {
                user_id: uid("bob"),
                server_time_ms: 1,
                latest_seq: Seq(2),
                nick: "B".into(),
                avatar: String::new(),
                account_created_ms: 3,
            },
            Reply::Sent {
                key: key(1),
                time_ms: 2,
                seq: Seq(3),
                duplicate: true,
            },
            Reply::SyncPage(SyncPage {
                entries,
                next: Seq(8),
                complete: false,
                gap: true,
            }),
            Reply::Conversations {
                conversations: vec![Conversation {
                    peer: uid("alice"),
                    peer_nick: "A".into(),
                    peer_avatar: String::new(),
                    last_message: Some(message()),
                    unread: 2,
                    peer_read_up_to: 1,
                    read_up_to: 2,
                    updated_ms: 3,
                    pinned: true,
                    draft: "so".into(),
                    marks: 0,
                    custom_data: String::new(),
                    conversation_groups: Vec::new(),
                    state_seq: Seq(4),
                }],
            },
            Reply::History {
                messages: vec![message()],
                complete: true,
            },
            Reply::MarkedRead { seq: Seq(4) },
            Reply::Recalled { key: key(2) },
            Reply::Edited {
                message: Box::new(edited()),
            },
            Reply::Reacted {
                message: Box::new(reacted()),
            },
            Reply::SearchResults {
                messages: vec![message()],
                next: 3,
            },
            Reply::Statuses {
                statuses: vec![UserStatus::unknown(uid("dave"))],
            },
            Reply::StatusHidden { hidden: true },
            Reply::ConversationState {
                seq: Seq(6),
                pinned: false,
                draft: String::new(),
                marks: 0,
                custom_data: String::new(),
                conversation_groups: Vec::new(),
            },
            Reply::ConversationState {
                seq: Seq(7),
                pinned: true,
                draft: "d".into(),
                marks: u64::MAX,
                custom_data: "x".into(),
                conversation_groups: vec!["a".into(), "b".into()],
            },
            Reply::Deleted { seq: Seq(5) },
            Reply::RelationResults {
                results: vec![UserResult {
                    user_id: uid("x"),
                    code: ErrorCode(30525),
                    message: "no".into(),
                }],
            },
            Reply::Relations {
                relation: Relation::Friend,
                entries: vec![
                    RelationEntry {
                        user_id: uid("carol"),
                        since_ms: 9,
                        fields: RelationFields::default(),
                        read: true,
                    },
                    RelationEntry {
                        user_id: uid("dave"),
                        since_ms: 10,
                        fields: RelationFields {
                            remark: "Dave from work".into(),
                            ..RelationFields::default()
                        },
                        read: false,
                    },
                ],
            },
            Reply::FriendChecks {
                mine: vec![uid("erin")],
                theirs: vec![uid("erin"), uid("fay")],
            },
            Reply::Profiles {
                profiles: vec![Profile {
                    user_id: uid("bob"),
                    nick: "B".into(),
                    avatar: String::new(),
                    details: crate::ProfileDetails {
                        gender: Some("Gender_Type_Male".into()),
                        level: Some(3),
                        ..Default::default()
                    },
                }],
            },
            Reply::Pong { server_time_ms: 6 },
            Reply::FriendGroups {
                groups: vec![FriendGroup {
                    name: "work".into(),
                    users: vec![uid("carol")],
                }],
            },
            Reply::PushRegistration { registered: true },
            Reply::ReceiptsSent,
            Reply::ReceiveOpt {
                opt: ReceiveOpt::default(),
            },
            Reply::LoggedOut,
        ];
        for (id, data) in replies.into_iter().enumerate() {
            round_trip(data.clone());
            round_trip(ServerFrame::Reply {
                id: id as u64,
                data,
            });
        }
        round_trip(ServerFrame::Error {
            id: None,
            code: ErrorCode(60006),
            message: "bad".into(),
        });
        round_trip(ServerFrame::Kicked {
            reason: "r".into(),
            cause: KickCause::UserSigExpired,
        });
    }

    #[test]
    fn fields_come_in_any_order_and_missing_ones_are_named() {
        let frame: ServerFrame = serde_json::from_str(
            r#"{"data":{"seq":4,"kind":"marked_read"},"id":2,"type":"reply"}"#,
        )
        .unwrap();
        assert_eq!(
            frame,
            ServerFrame::Reply {
                id: 2,
                data: Reply::MarkedRead { seq: Seq(4) }
            }
        );
        let kicked: ServerFrame =
            serde_json::from_str(r#"{"type":"kicked","reason":"x"}"#).unwrap();
        assert!(matches!(
            kicked,
            ServerFrame::Kicked {
                cause: KickCause::SignedInElsewhere,
                ..
            }
        ));
        let e = serde_json::from_str::<ServerFrame>(
            r#"{"type":"reply","id":1,"data":{"kind":"sent"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing field `key`"), "{e}");
        assert!(serde_json::from_str::<ServerFrame>(r#"{"type":"typing","id":1}"#).is_err());
    }

    #[test]
    fn an_entry_of_a_newer_kind_reads_as_unknown_with_its_sequence() {
        let pushed: ServerFrame = serde_json::from_str(
            r#"{"type":"sync","entry":{"seq":7,"kind":"from_the_future","extra":{"a":[1]}}}"#,
        )
        .unwrap();
        let ServerFrame::Sync { entry } = pushed else {
            panic!("{pushed:?}")
        };
        assert_eq!((entry.seq, &entry.event), (Seq(7), &SyncEvent::Unknown));
        // In a page among known entries, so that a sync does not stick on it.
        let page: ServerFrame = serde_json::from_str(
            r#"{"type":"reply","id":3,"data":{"kind":"sync_page","entries":[
                {"seq":1,"kind":"from_the_future"},
                {"seq":2,"kind":"profile","nick":"N","avatar":""}],
                "next":2,"complete":true,"gap":false}}"#,
        )
        .unwrap();
        let ServerFrame::Reply {
            data: Reply::SyncPage(page),
            ..
        } = page
        else {
            panic!("{page:?}")
        };
        assert_eq!(page.entries[0].event, SyncEvent::Unknown);
        assert!(matches!(page.entries[1].event, SyncEvent::Profile { .. }));
        round_trip(SyncEntry {
            seq: Seq(9),
            event: SyncEvent::Unknown,
        });
    }

    #[test]
    fn every_element_kind_reads_back_as_written() {
        use crate::element::*;
        let info = ImageInfo {
            kind: image_type::THUMB,
            size: 10,
            width: 4,
            height: 3,
            url: "https://x/t".into(),
        };
        let elements = [
            Element::Text(TextElem { text: "hi".into() }),
            Element::Face(FaceElem {
                index: -1,
                data: "d".into(),
            }),
            Element::Location(LocationElem {
                desc: "Office".into(),
                latitude: 22.5,
                longitude: -113.9,
            }),
            Element::Image(ImageElem {
                uuid: "u".into(),
                image_format: 3,
                image_info_array: vec![info],
            }),
            Element::Sound(SoundElem {
                url: "https://x/s".into(),
                uuid: "u".into(),
                size: 9,
                second: 2,
                download_flag: 1,
            }),
            Element::File(FileElem {
                url: "https://x/f".into(),
                uuid: "u".into(),
                file_size: 8,
                file_name: "a.pdf".into(),
                download_flag: 2,
            }),
            Element::Video(VideoElem {
                video_url: "https://x/v".into(),
                video_uuid: "v".into(),
                video_size: 7,
                video_second: 6,
                video_format: "mp4".into(),
                video_download_flag: 1,
                thumb_url: "https://x/c".into(),
                thumb_uuid: "c".into(),
                thumb_size: 5,
                thumb_width: 4,
                thumb_height: 3,
                thumb_format: "jpg".into(),
                thumb_download_flag: 0,
            }),
            Element::Custom(CustomElem {
                data: "d".into(),
                desc: "e".into(),
                ext: "x".into(),
                sound: "s".into(),
            }),
            Element::System(SystemElem {
                text: "t".into(),
                data: "d".into(),
            }),
        ];
        assert_eq!(elements.len(), TYPE_NAMES.len());
        for e in elements {
            round_trip(e);
        }
    }

    #[test]
    fn element_content_may_come_first_and_defaults_fill_in() {
        let e: Element = serde_json::from_str(
            r#"{"MsgContent":{"VideoUrl":"https://x/v","VideoSize":1,"VideoSecond":2,"ThumbUrl":"https://x/c"},"MsgType":"TIMVideoFileElem"}"#,
        )
        .unwrap();
        let Element::Video(v) = e else {
            panic!("not a video: {e:?}")
        };
        assert_eq!((v.video_download_flag, v.thumb_download_flag), (2, 2));
        assert_eq!((v.thumb_size, v.video_format.as_str()), (0, ""));
        let e = serde_json::from_str::<Element>(
            r#"{"MsgType":"TIMSoundElem","MsgContent":{"Url":"https://x/s","Size":1}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing field `Second`"), "{e}");
        let e = serde_json::from_str::<Element>(r#"{"MsgType":"TIMTextElem"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `MsgContent`"), "{e}");
    }

    #[test]
    fn enums_read_back_by_the_names_they_are_written_with() {
        for r in [
            Relation::Friend,
            Relation::Blacklist,
            Relation::Muted,
            Relation::ApplicationSent,
            Relation::ApplicationReceived,
        ] {
            round_trip(r);
        }
        for c in [
            KickCause::SignedInElsewhere,
            KickCause::AccountDeleted,
            KickCause::UserSigExpired,
            KickCause::KickedByBackend,
        ] {
            round_trip(c);
        }
        for p in [Presence::Unknown, Presence::Online, Presence::Offline] {
            round_trip(p);
        }
        for v in Vendor::ALL {
            round_trip(v);
            let name = serde_json::to_string(&v).unwrap();
            assert_eq!(name, format!("{:?}", v.as_str()), "as_str of {v:?}");
        }
        let e = serde_json::from_str::<Relation>(r#""enemy""#).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown variant `enemy`, expected one of `friend`"),
            "{e}"
        );
        assert!(serde_json::from_str::<Vendor>("3").is_err());
    }

    #[test]
    fn a_message_with_an_element_of_a_newer_kind_still_reads() {
        use crate::element::UnknownElem;
        let newer = Message {
            elements: vec![
                Element::Unknown(UnknownElem {
                    kind: "TIMMergerElem".into(),
                }),
                Element::Text(TextElem { text: "hi".into() }),
            ],
            ..message()
        };
        round_trip(SyncEvent::Message {
            message: newer.clone(),
        });
        // As a newer server writes it: content this build has no fields for.
        let reply = serde_json::to_string(&ServerFrame::Reply {
            id: 4,
            data: Reply::History {
                messages: vec![newer.clone()],
                complete: true,
            },
        })
        .unwrap()
        .replace(
            r#""MsgContent":{}"#,
            r#""MsgContent":{"Title":"Chat","MessageList":[{"a":1}],"Compatible":{"x":[]}}"#,
        );
        let read: ServerFrame = serde_json::from_str(&reply).unwrap();
        let ServerFrame::Reply {
            data: Reply::History { messages, .. },
            ..
        } = read
        else {
            panic!("not a history reply: {read:?}")
        };
        assert_eq!(messages, vec![newer]);
    }
}
