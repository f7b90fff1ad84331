//! Messages and conversations: `create…Message`, `sendMessage`, history, read state, recall
//! and deletion.
//!
//! A message object the app holds is the message: `sendMessage` reads the draft from it and,
//! once sent, updates that same object in place (`status`, `ID`, `time`, `sequence`, the
//! uploaded media's `payload`) and resolves with it, so the app can keep using it, for
//! `revokeMessage` among others.

use super::args::Args;
use super::convert::{code_of, field, invalid, ok, ok_value, promise, sdk_error, to_js};
use super::events;
use super::shapes::{JsConversation, JsMessage, Payload, ReadReceiptInfo, Status};
use super::{Chat, Empty, State};
use crate::cache::OutboxItem;
use crate::client::ReadMarks;
use crate::error::{SdkError, codes};
use crate::upload::{MediaFile, Progress};
use js_sys::{Function, Promise};
use protocol::ConversationId;
use protocol::element::{CustomElem, FaceElem, LocationElem, TextElem};
use protocol::frame::{
    ConversationChange, MAX_CONVERSATION_GROUP_NAME_BYTES, MAX_CONVERSATION_GROUPS,
    MAX_USERS_PER_REQUEST,
};
use protocol::media::MediaKind;
use protocol::push::OfflinePushInfo;
use protocol::{Conversation, Element, ErrorCode, MessageKey, UserId};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// What `{ to, payload, cloudCustomData?, needReadReceipt? }`, the options of every
/// `create…Message`, say of the message besides its content.
struct Created {
    to: UserId,
    cloud_custom_data: Option<String>,
    need_read_receipt: bool,
}

fn create_options(options: &JsValue) -> Result<Created, JsValue> {
    let o = Args::read(options, "options")?;
    // Refused rather than sent as one-to-one: a group's ID may also be a user's.
    if !is_c2c(o.string("conversationType")?) {
        return Err(invalid(
            "options.conversationType must be TYPES.CONV_C2C: Duet has one-to-one conversations only",
        ));
    }
    Ok(Created {
        to: o.user("to")?,
        cloud_custom_data: o.string("cloudCustomData")?.filter(|c| !c.is_empty()),
        need_read_receipt: o.bool("needReadReceipt")?.unwrap_or_default(),
    })
}

/// Whether a `conversationType`, or a conversation filter's `type`, is one-to-one
/// (`TYPES.CONV_C2C`), the one kind Duet has; left out, it is.
fn is_c2c(kind: Option<String>) -> bool {
    kind.is_none_or(|k| k == "C2C")
}

/// The conversation and key of each message of a list, of which there is at least one.
fn message_refs(messages: &JsValue, call: &str) -> Result<Vec<(UserId, MessageKey)>, JsValue> {
    let refs = js_sys::Array::from(messages)
        .iter()
        .map(|m| message_ref(&m))
        .collect::<Result<Vec<_>, _>>()?;
    match refs.is_empty() {
        true => Err(invalid(format!("{call}: expected a list of messages"))),
        false => Ok(refs),
    }
}

/// The messages of a list, which must be of one conversation: its peer and their keys.
fn one_conversation(messages: &JsValue, call: &str) -> Result<(UserId, Vec<MessageKey>), JsValue> {
    let refs = message_refs(messages, call)?;
    let peer = &refs[0].0;
    if refs.iter().any(|(p, _)| p != peer) {
        return Err(invalid(format!(
            "{call}: the messages must be of one conversation"
        )));
    }
    Ok((peer.clone(), refs.iter().map(|(_, k)| *k).collect()))
}

/// The draft a message object made by `create…Message` carries.
fn draft_of(message: &JsValue, push: Option<OfflinePushInfo>) -> Result<OutboxItem, JsValue> {
    let d = Args::read(message, "message")?;
    Ok(OutboxItem {
        to: d.user("to")?,
        random: d.need(d.u32("random")?, "random")?,
        elements: elements_of(&d)?,
        cloud_custom_data: d.string("cloudCustomData")?.filter(|c| !c.is_empty()),
        created_ms: d.u64("clientTime")?.unwrap_or_default() * 1000,
        offline_push_info: push,
        need_read_receipt: d.bool("needReadReceipt")?.unwrap_or_default(),
    })
}

/// The `elements` of a message object the SDK made.
fn elements_of(message: &Args) -> Result<Vec<Element>, JsValue> {
    Ok(message
        .decoded("elements", "message.elements")?
        .unwrap_or_default())
}

/// Tencent's web `OfflinePushInfo` (`sendMessage`'s option), in its REST shape for the server.
fn push_info(o: &Args) -> Result<OfflinePushInfo, JsValue> {
    let text = |name| Ok::<_, JsValue>(o.string(name)?.unwrap_or_default());
    let flag = |name| Ok::<_, JsValue>(u8::from(o.bool(name)?.unwrap_or_default()));
    let mut info = OfflinePushInfo {
        push_flag: flag("disablePush")?,
        title: text("title")?,
        desc: text("description")?,
        ext: text("extension")?,
        ..OfflinePushInfo::default()
    };
    info.apns.badge_mode = flag("ignoreIOSBadge")?;
    info.android.oppo_channel_id = text("androidOPPOChannelID")?;
    Ok(info)
}

/// The conversation and server key of a message object the SDK made, once sent: from its
/// `sequence`, `random` and (server) `time`, or an `ID` that is a key (`seq_random_time`).
pub(super) fn message_ref(message: &JsValue) -> Result<(UserId, MessageKey), JsValue> {
    message_key(&Args::read(message, "message")?)
}

/// [`message_ref`] of a message object already read.
fn message_key(m: &Args) -> Result<(UserId, MessageKey), JsValue> {
    let peer = conversation_in(m)?;
    let key = match m.u64("sequence")?.unwrap_or_default() {
        0 => MessageKey::parse(&m.string("ID")?.unwrap_or_default()).map_err(|_| {
            invalid("this message is not stored on the server (not sent yet, or online only)")
        })?,
        id => MessageKey {
            id,
            random: m.u32("random")?.unwrap_or_default(),
            time_s: m.u64("time")?.unwrap_or_default(),
        },
    };
    Ok((peer, key))
}

/// `pinConversation` (`draft` false) and `setConversationDraft` (`draft` true): one function,
/// so the package carries one bridge for both.
async fn change_conversation(
    state: Rc<State>,
    options: JsValue,
    draft: bool,
) -> Result<JsValue, JsValue> {
    let o = Args::read(&options, "options")?;
    let peer = conversation_in(&o)?;
    let change = match draft {
        false => ConversationChange {
            pinned: Some(o.need(o.bool("isPinned")?, "isPinned")?),
            ..Default::default()
        },
        true => ConversationChange {
            draft: Some(o.string("draftText")?.unwrap_or_default()),
            ..Default::default()
        },
    };
    let client = state.client()?;
    client
        .set_conversation(&peer, change)
        .await
        .map_err(sdk_error)?;
    ok(Changed::new(peer))
}

/// `markConversation({ conversationIDList, markType, enableMark })` and
/// `setConversationCustomData({ conversationIDList, customData })`: the change each makes,
/// read from its options.
fn marks_or_data(o: &Args, marks: bool) -> Result<ConversationChange, JsValue> {
    if !marks {
        let data = o.need(o.string("customData")?, "customData")?;
        return Ok(ConversationChange {
            custom_data: Some(data),
            ..Default::default()
        });
    }
    let kind = o.need(o.number("markType")?, "markType")?;
    let bit = mark_bit(kind)
        .ok_or_else(|| invalid("markType must be one mark type: a power of two from 1 to 2^63"))?;
    Ok(match o.need(o.bool("enableMark")?, "enableMark")? {
        true => ConversationChange {
            mark: bit,
            ..Default::default()
        },
        false => ConversationChange {
            unmark: bit,
            ..Default::default()
        },
    })
}

/// A conversation group's name as the app gave it: a string of 1 to
/// [`MAX_CONVERSATION_GROUP_NAME_BYTES`] bytes.
fn group_name(name: Option<String>) -> Result<String, JsValue> {
    name.filter(|n| (1..=MAX_CONVERSATION_GROUP_NAME_BYTES).contains(&n.len()))
        .ok_or_else(|| invalid("a conversation group's name is a string of 1 to 32 bytes"))
}

/// The bit of a mark type: a power of two from 1 (star) to 2^63 (bits 32 to 63 are the app's
/// own); `None` for any other number.
fn mark_bit(kind: f64) -> Option<u64> {
    let bit = kind as u64;
    (bit.is_power_of_two() && bit as f64 == kind).then_some(bit)
}

/// What a change of several conversations does ([`change_each`]), named by the call.
#[derive(Clone, Copy, PartialEq)]
enum Each {
    /// `markConversation`.
    Mark,
    /// `setConversationCustomData`.
    Data,
    /// `createConversationGroup`: a new group.
    CreateGroup,
    /// `addConversationsToGroup`: a group there is.
    AddToGroup,
    /// `deleteConversationsFromGroup`.
    RemoveFromGroup,
    /// `deleteConversationGroup(groupName)`: every conversation in it leaves it.
    DeleteGroup,
    /// `renameConversationGroup({ oldName, newName })`: every conversation in it moves.
    RenameGroup,
}

/// Makes one change to each conversation, in turn, on every device of this user: those of
/// `conversationIDList`, or for a whole group those in it. Resolves
/// `{ successConversationIDList, failureConversationIDList }` as Tencent's SDK does, a failure
/// being `{ conversationID, code, message }` (a conversation that is not in the list fails
/// 60016). An ID that is not a C2C conversation's, or a group that is not there (or is, for a
/// new one), rejects the call.
async fn change_each(state: Rc<State>, options: JsValue, each: Each) -> Result<JsValue, JsValue> {
    let client = state.client()?;
    let groups = match each {
        Each::Mark | Each::Data => Vec::new(),
        _ => client.conversation_groups().await.map_err(sdk_error)?,
    };
    let (ids, peers, change) = each_change(&groups, &options, each)?;
    let mut done = Changes::default();
    for (id, peer) in ids.into_iter().zip(peers) {
        match client.set_conversation(&peer, change.clone()).await {
            Ok(()) => done.success_conversation_id_list.push(id),
            Err(e) => done.failure_conversation_id_list.push(Failure {
                conversation_id: id,
                code: e.code.0,
                message: e.message.clone(),
            }),
        }
    }
    ok(done)
}

/// What [`change_each`] changes: the IDs and peers of the conversations, and the change, read
/// from the call's options (and for a whole group, the conversations in it, from `groups`,
/// the user's groups with their conversations). Out of the async function, so that its state
/// machine holds the loop alone.
fn each_change(
    groups: &[(String, Vec<UserId>)],
    options: &JsValue,
    each: Each,
) -> Result<(Vec<String>, Vec<UserId>, ConversationChange), JsValue> {
    let group = |name: &str| {
        groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, peers)| peers)
    };
    Ok(match each {
        Each::Mark | Each::Data => {
            let o = Args::read(options, "options")?;
            let ids = o.need(o.strings("conversationIDList")?, "conversationIDList")?;
            let peers = conversation_peers(&ids)?;
            (ids, peers, marks_or_data(&o, each == Each::Mark)?)
        }
        _ => {
            let (name, new_name) = match each {
                Each::DeleteGroup => (group_name(options.as_string())?, None),
                Each::RenameGroup => {
                    let o = Args::read(options, "options")?;
                    let new_name = group_name(o.string("newName")?)?;
                    (o.need(o.string("oldName")?, "oldName")?, Some(new_name))
                }
                _ => {
                    let o = Args::read(options, "options")?;
                    (group_name(o.string("groupName")?)?, None)
                }
            };
            // Every call but a creation names a group there is; a new name must be free.
            let members = group(&name).cloned();
            let creating = each == Each::CreateGroup;
            let taken = match creating {
                true => members.is_some().then_some(&name),
                false => new_name.as_ref().filter(|n| group(n).is_some()),
            };
            if let Some(name) = taken {
                return Err(invalid(format!(
                    "there is already a conversation group named {name}"
                )));
            }
            let Some(members) = members.or(creating.then(Vec::new)) else {
                return Err(invalid(format!(
                    "there is no conversation group named {name}"
                )));
            };
            if creating && groups.len() >= MAX_CONVERSATION_GROUPS {
                let message = format!("at most {MAX_CONVERSATION_GROUPS} conversation groups");
                let full = SdkError::new(ErrorCode::CONVERSATION_GROUPS_FULL, message);
                return Err(sdk_error(full));
            }
            let (ids, peers) = match each {
                Each::DeleteGroup | Each::RenameGroup => {
                    let ids = (members.iter())
                        .map(|p| ConversationId(p.clone()).to_string())
                        .collect();
                    (ids, members)
                }
                _ => {
                    let o = Args::read(options, "options")?;
                    let ids = o.need(o.strings("conversationIDList")?, "conversationIDList")?;
                    if ids.is_empty() && creating {
                        return Err(invalid("a conversation group starts with a conversation"));
                    }
                    let peers = conversation_peers(&ids)?;
                    (ids, peers)
                }
            };
            let (join_group, leave_group) = match each {
                Each::RemoveFromGroup | Each::DeleteGroup => (None, Some(name)),
                Each::RenameGroup => (new_name, Some(name)),
                _ => (Some(name), None),
            };
            let change = ConversationChange {
                join_group,
                leave_group,
                ..Default::default()
            };
            (ids, peers, change)
        }
    })
}

/// What a change of several conversations resolves.
#[derive(Serialize, Default)]
struct Changes {
    #[serde(rename = "successConversationIDList")]
    success_conversation_id_list: Vec<String>,
    #[serde(rename = "failureConversationIDList")]
    failure_conversation_id_list: Vec<Failure>,
}

/// A conversation a change failed for.
#[derive(Serialize)]
struct Failure {
    #[serde(rename = "conversationID")]
    conversation_id: String,
    code: u32,
    message: String,
}

/// Which conversations `getConversationList(options)` keeps, as Tencent's: every one when
/// there are no options; those a list of IDs names; else those that match each condition an
/// object gives (`groupName`: those in that conversation group; a `type` other than
/// `TYPES.CONV_C2C`, or `hasGroupAtInfo: true`, keeps none: Duet has no group chats;
/// `markType` 0 keeps the unmarked ones).
#[derive(Default)]
struct ConversationFilter {
    /// Only the conversations with these peers.
    peers: Option<Vec<UserId>>,
    /// None at all.
    none: bool,
    group: Option<String>,
    mark: Option<f64>,
    unread: Option<bool>,
}

impl ConversationFilter {
    fn read(options: &JsValue) -> Result<Self, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(Self::default());
        }
        if js_sys::Array::is_array(options) {
            let peers = js_sys::Array::from(options)
                .iter()
                .filter_map(|id| ConversationId::parse(&id.as_string()?).ok())
                .map(|c| c.0)
                .collect();
            return Ok(Self {
                peers: Some(peers),
                ..Self::default()
            });
        }
        let o = Args::read(options, "options")?;
        Ok(Self {
            peers: None,
            none: !is_c2c(o.string("type")?) || o.bool("hasGroupAtInfo")? == Some(true),
            group: o.string("groupName")?.filter(|g| !g.is_empty()),
            mark: o.number("markType")?,
            unread: o.bool("hasUnreadCount")?,
        })
    }

    fn keeps(&self, c: &Conversation) -> bool {
        !self.none
            && self.peers.as_ref().is_none_or(|p| p.contains(&c.peer))
            && self
                .group
                .as_ref()
                .is_none_or(|g| c.conversation_groups.contains(g))
            && self.mark.is_none_or(|m| match m == 0.0 {
                true => c.marks == 0,
                false => mark_bit(m).is_some_and(|bit| c.marks & bit != 0),
            })
            && self.unread.is_none_or(|u| u == (c.unread > 0))
    }
}

/// The peers of a list of conversation IDs: at most [`MAX_USERS_PER_REQUEST`] of them.
fn conversation_peers(ids: &[String]) -> Result<Vec<UserId>, JsValue> {
    if ids.len() > MAX_USERS_PER_REQUEST {
        return Err(invalid(format!(
            "at most {MAX_USERS_PER_REQUEST} conversations at once"
        )));
    }
    ids.iter()
        .map(|id| {
            ConversationId::parse(id)
                .map(|c| c.0)
                .map_err(|e| invalid(e.0))
        })
        .collect()
}

/// `{ conversationID }`, as a conversation change resolves.
#[derive(Serialize)]
struct Changed {
    #[serde(rename = "conversationID")]
    conversation_id: ConversationId,
}

impl Changed {
    fn new(peer: UserId) -> Self {
        Self {
            conversation_id: ConversationId(peer),
        }
    }
}

/// Reads `{ conversationID }`.
fn conversation_of(options: &JsValue) -> Result<UserId, JsValue> {
    conversation_in(&Args::read(options, "options")?)
}

/// The peer of the `conversationID` of options or a message object already read.
fn conversation_in(o: &Args) -> Result<UserId, JsValue> {
    let id = o.need(o.string("conversationID")?, "conversationID")?;
    Ok(ConversationId::parse(&id).map_err(|e| invalid(e.0))?.0)
}

/// The object of a message just made, not sent yet.
fn created(item: &OutboxItem, me: &UserId) -> JsValue {
    let preview = item.preview(me);
    to_js(&JsMessage::new(
        &preview,
        me,
        ReadMarks::default(),
        Status::Unsent,
    ))
}

/// Sets one field of the app's object.
fn set(object: &JsValue, name: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(object, &name.into(), &value.into());
}

impl Chat {
    /// The object of a new message of type `kind` (text, face, location or custom).
    fn create(&self, options: &JsValue, kind: &str) -> Result<JsValue, JsValue> {
        let (client, me) = self.state.signed_in()?;
        let c = create_options(options)?;
        let element = element_of(kind, &field(options, "payload"))
            .ok_or_else(|| invalid(format!("{kind} is not made from a payload")))??;
        let mut item = client.draft(c.to, vec![element], c.cloud_custom_data);
        item.need_read_receipt = c.need_read_receipt;
        Ok(self.state.held.one(created(&item, &me)))
    }

    /// `findMessage(messageID)`: the message with that `ID` among the last 1,000 this instance
    /// heard of or read (received, sent, listed), as it is now; `null` for another. Tencent's
    /// looks in its memory alone as well.
    pub fn find_message(&self, id: JsValue) -> Result<JsValue, JsValue> {
        let id = id
            .as_string()
            .ok_or_else(|| invalid("messageID must be a string"))?;
        let Ok((client, me)) = self.state.signed_in() else {
            return Ok(JsValue::NULL);
        };
        Ok(match client.find_message(&id) {
            Some(m) => {
                let marks = client.known_read_marks(m.peer_of(&me));
                let fresh = to_js(&JsMessage::new(&m, &me, marks, Status::Success));
                self.state.held.one(fresh)
            }
            None => JsValue::NULL,
        })
    }

    /// `createForwardMessage({ to, payload: message, cloudCustomData? })`: a new message to
    /// `to` with the content of `message` (an object the SDK gave: sent, received or from
    /// history) and its `cloudCustomData` unless the options give one. 2454 for a message
    /// with nothing to forward (recalled, or its media not uploaded yet).
    pub fn create_forward_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let (client, me) = self.state.signed_in()?;
        let c = create_options(&options)?;
        let original = draft_of(&field(&options, "payload"), None)?;
        let ccd = c.cloud_custom_data.or(original.cloud_custom_data);
        let mut item = (client.draft_forward(c.to, original.elements, ccd)).map_err(sdk_error)?;
        item.need_read_receipt = c.need_read_receipt;
        Ok(self.state.held.one(created(&item, &me)))
    }

    fn create_media(&self, options: JsValue, kind: MediaKind) -> Result<JsValue, JsValue> {
        let (client, me) = self.state.signed_in()?;
        let c = create_options(&options)?;
        let payload = field(&options, "payload");
        let (blob, name) = file_of(&field(&payload, "file"))?;
        let second = field(&payload, "second").as_f64().map(|s| s.ceil() as u32);
        let file = MediaFile {
            kind,
            blob,
            name,
            second,
        };
        let on_progress = field(&options, "onProgress").dyn_into::<Function>().ok();
        let progress: Progress = Rc::new(move |percent| {
            if let Some(f) = &on_progress {
                let _ = f.call1(&JsValue::NULL, &JsValue::from(f64::from(percent) / 100.0));
            }
        });
        let (file_name, file_size) = (file.name.clone(), file.blob.size() as u64);
        let mut item = client
            .draft_media(c.to, file, c.cloud_custom_data, progress)
            .map_err(sdk_error)?;
        item.need_read_receipt = c.need_read_receipt;
        let preview = item.preview(&me);
        let mut message = JsMessage::new(&preview, &me, ReadMarks::default(), Status::Unsent);
        message.kind = match kind {
            MediaKind::Image => "TIMImageElem",
            MediaKind::Audio => "TIMSoundElem",
            MediaKind::File => "TIMFileElem",
            MediaKind::Video => "TIMVideoFileElem",
        };
        message.payload = Payload::Upload {
            file_name: &file_name,
            file_size,
        };
        Ok(self.state.held.one(to_js(&message)))
    }
}

/// The element of a text, face, location or custom message from its `payload`, in Tencent's
/// field names: what `createTextMessage` … `createCustomMessage` take and `modifyMessage`
/// reads back from the message object. `None` for the other types.
fn element_of(kind: &str, payload: &JsValue) -> Option<Result<Element, JsValue>> {
    let make: fn(&Args) -> Result<Element, JsValue> = match kind {
        MSG_TEXT => |p| {
            Ok(Element::Text(TextElem {
                text: p.need(p.string("text")?, "text")?,
            }))
        },
        MSG_FACE => |p| {
            Ok(Element::Face(FaceElem {
                index: p.need(p.i64("index")?, "index")?,
                data: p.string("data")?.unwrap_or_default(),
            }))
        },
        MSG_LOCATION => |p| {
            Ok(Element::Location(LocationElem {
                desc: p.string("description")?.unwrap_or_default(),
                latitude: p.need(p.number("latitude")?, "latitude")?,
                longitude: p.need(p.number("longitude")?, "longitude")?,
            }))
        },
        MSG_CUSTOM => |p| {
            Ok(Element::Custom(CustomElem {
                data: p.string("data")?.unwrap_or_default(),
                desc: p.string("description")?.unwrap_or_default(),
                ext: p.string("extension")?.unwrap_or_default(),
                sound: String::new(),
            }))
        },
        _ => return None,
    };
    Some(Args::read(payload, "payload").and_then(|p| make(&p)))
}

const MSG_TEXT: &str = "TIMTextElem";
const MSG_FACE: &str = "TIMFaceElem";
const MSG_LOCATION: &str = "TIMLocationElem";
const MSG_CUSTOM: &str = "TIMCustomElem";

impl Chat {
    /// `createTextMessage({ to, payload: { text } })`
    pub fn create_text_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create(&options, MSG_TEXT)
    }

    /// `createFaceMessage({ to, payload: { index, data } })`
    pub fn create_face_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create(&options, MSG_FACE)
    }

    /// `createLocationMessage({ to, payload: { description, longitude, latitude } })`
    pub fn create_location_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create(&options, MSG_LOCATION)
    }

    /// `createCustomMessage({ to, payload: { data, description, extension } })`
    pub fn create_custom_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create(&options, MSG_CUSTOM)
    }

    /// `createImageMessage({ to, payload: { file }, onProgress? })`: `file` is a `File`, a
    /// `Blob` or an `<input type=file>`. Throws code 94001 for a file over 28 MB.
    pub fn create_image_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Image)
    }

    /// `createAudioMessage({ to, payload: { file, second? }, onProgress? })`: the duration is
    /// read from the file unless `second` gives it.
    pub fn create_audio_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Audio)
    }

    /// `createFileMessage({ to, payload: { file }, onProgress? })` (up to 100 MB).
    pub fn create_file_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::File)
    }

    /// `createVideoMessage({ to, payload: { file }, onProgress? })`: the duration and a cover
    /// frame are taken from the video in the browser.
    pub fn create_video_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Video)
    }

    /// `cancelUploadMessage(message)`: stops a media message's upload; its `sendMessage`
    /// rejects with code 61006 and it can be sent again.
    pub fn cancel_upload_message(&self, message: JsValue) -> Result<JsValue, JsValue> {
        let client = self.state.client()?;
        let random = field(&message, "random").as_f64().unwrap_or(-1.0);
        if !(random >= 0.0 && client.cancel_upload(random as u32)) {
            return Err(invalid("no upload in progress for this message"));
        }
        ok(Empty {})
    }
}

#[wasm_bindgen]
impl Chat {
    /// `getTotalUnreadMessageCount()`: unread messages over all conversations.
    #[wasm_bindgen(js_name = getTotalUnreadMessageCount)]
    pub fn get_total_unread_message_count(&self) -> u32 {
        self.state
            .client
            .borrow()
            .as_ref()
            .map_or(0, |c| c.total_unread())
    }
}

impl Chat {
    /// `sendMessage(message, options?)`: resolves `{ code: 0, data: { message } }` once the
    /// server has it, `message` being the app's object, updated in place. `options`:
    /// `onlineUserOnly` (to the devices online now; not stored, pushed or counted unread; fails
    /// with 61001 offline) and `offlinePushInfo` (how a recipient with no device online is
    /// notified). Without a connection it waits
    /// in the outbox (`status` stays `unSend`) and resolves when it goes out after
    /// reconnecting; a logout meanwhile rejects it with code 61001. A media message is uploaded
    /// first, calling its `onProgress`; a refused, failed or cancelled one rejects (`status`
    /// `fail`) and can be sent again.
    pub fn send_message(&self, message: JsValue, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            send(&state, &message, &options).await.map_err(|e| {
                let status = match code_of(&e) {
                    Some(c) if c == codes::DISCONNECTED.0 => Status::Unsent,
                    _ => Status::Fail,
                };
                set(&message, "status", to_js(&status));
                failed_with(e, &message)
            })
        })
    }

    /// `resendMessage(message)`: sends a failed message again with the same random, so the
    /// server stores it once even if the first attempt had reached it.
    pub fn resend_message(&self, message: JsValue) -> Promise {
        self.send_message(message, JsValue::UNDEFINED)
    }

    /// `revokeMessage(message)`: recalls your own message (within the server's recall window);
    /// resolves with the message object, now `isRevoked` with you as its `revoker`, whether or
    /// not the recall's `MESSAGE_REVOKED` has arrived yet.
    pub fn revoke_message(&self, message: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let (peer, key) = message_ref(&message)?;
            let recalled = state.client()?.recall(&peer, key).await;
            recalled.map_err(|e| failed_with(sdk_error(e), &message))?;
            // The revoker is the sender: Tencent's `UserInfo` of the message's own fields.
            let revoker = js_sys::Object::new();
            set(&revoker, "userID", field(&message, "from"));
            set(&revoker, "nick", field(&message, "nick"));
            set(&revoker, "avatar", field(&message, "avatar"));
            set(&message, "isRevoked", true);
            set(&message, "revoker", field(&message, "from"));
            set(&message, "revokerInfo", revoker);
            ok_value(with_message(&message))
        })
    }

    /// `modifyMessage(message)`: edits a sent message the app has changed in place, as in
    /// Tencent's SDK: the `payload` of a text, face, location or custom message (your own
    /// only) and the `cloudCustomData` of any (yours or the peer's). Resolves with the same
    /// object, updated (`version`, `modifiedTime`); every device of both users hears
    /// `MESSAGE_MODIFIED`. Rejects with 2480 when the message was edited since the object's
    /// `version` (the newer version comes as `MESSAGE_MODIFIED`).
    pub fn modify_message(&self, message: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let (client, me) = state.signed_in()?;
            let edit = Args::read(&message, "message")?;
            let (peer, key) = message_key(&edit)?;
            let kind = edit.need(edit.string("type")?, "type")?;
            // The payload is the first element; any others stay as they are.
            let elements = match element_of(&kind, &field(&message, "payload")).transpose()? {
                Some(first) => {
                    let mut all = elements_of(&edit)?;
                    match all.first_mut() {
                        Some(slot) => *slot = first,
                        None => all.push(first),
                    }
                    Some(all)
                }
                None => None,
            };
            let edited = match client
                .modify(
                    &peer,
                    key,
                    edit.u32("version")?.unwrap_or_default(),
                    elements,
                    edit.string("cloudCustomData")?.unwrap_or_default(),
                )
                .await
            {
                Ok(m) => m,
                Err(e) => {
                    let conflict = e.code == protocol::ErrorCode::EDIT_CONFLICT;
                    let error = sdk_error(e);
                    // As in Tencent's SDK: `data.message` is the newest version on a conflict.
                    if conflict && let Ok(Some(newest)) = client.held_message(&peer, key).await {
                        let marks = client.read_marks(&peer).await.unwrap_or_default();
                        let newest = to_js(&JsMessage::new(&newest, &me, marks, Status::Success));
                        return Err(failed_with(error, &newest));
                    }
                    return Err(failed_with(error, &message));
                }
            };
            let marks = client.read_marks(&peer).await.map_err(sdk_error)?;
            let fresh = to_js(&JsMessage::new(&edited, &me, marks, Status::Success));
            ok_value(with_message(&state.held.update(&message, fresh)))
        })
    }

    /// `deleteMessage([messages])`: deletes messages of one conversation from this user's
    /// history, on the server and on all of its devices; the peer keeps its copy. Resolves
    /// `{ messageList }`: the same objects, each now `isDeleted`, as Tencent's SDK does.
    pub fn delete_message(&self, messages: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            let (peer, keys) = one_conversation(&messages, "deleteMessage")?;
            client
                .delete_messages(&peer, &keys)
                .await
                .map_err(sdk_error)?;
            let list = js_sys::Array::from(&messages);
            for object in list.iter() {
                set(&object, "isDeleted", JsValue::TRUE);
            }
            let answer = js_sys::Object::new();
            set(&answer, "messageList", list);
            ok_value(answer.into())
        })
    }

    /// `sendMessageReadReceipt([messages])`: tells the peers this user read these messages,
    /// those of the peers' that asked for a read receipt (`needReadReceipt`); 2114 when none
    /// did. The list may be a `MESSAGE_RECEIVED` event's, of several conversations. The
    /// senders' devices hear `MESSAGE_READ_RECEIPT_RECEIVED`.
    pub fn send_message_read_receipt(&self, messages: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            let refs = message_refs(&messages, "sendMessageReadReceipt")?;
            client.send_read_receipts(&refs).await.map_err(sdk_error)?;
            ok(Empty {})
        })
    }

    /// `getMessageReadReceiptList([messages])` resolves `{ messageList }`: the same objects, of
    /// one conversation, each with its `readReceiptInfo` as this device knows it now (as
    /// Tencent's SDK, which reads it from its store, for a one-to-one conversation).
    pub fn get_message_read_receipt_list(&self, messages: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client()?;
            let (peer, keys) = one_conversation(&messages, "getMessageReadReceiptList")?;
            let list = js_sys::Array::from(&messages);
            for (object, key) in list.iter().zip(keys) {
                let held = client.held_message(&peer, key).await.map_err(sdk_error)?;
                if let Some(m) = held {
                    set(&object, "readReceiptInfo", to_js(&ReadReceiptInfo::of(&m)));
                }
            }
            let answer = js_sys::Object::new();
            set(&answer, "messageList", list);
            ok_value(answer.into())
        })
    }

    /// `getMessageList({ conversationID, nextReqMessageID?, count? })` resolves
    /// `{ messageList (oldest first), nextReqMessageID, isCompleted }`.
    pub fn get_message_list(&self, options: JsValue) -> Promise {
        promise(message_page(self.state.clone(), options, false))
    }

    /// `getMessageListHopping({ conversationID, time?, count?, direction? })`: up to `count`
    /// (at most 15, the default) messages from the server next to `time` (seconds; none: now),
    /// sent at or before it (`direction` 0, the default) or at or after it (1), oldest first.
    /// Resolves `{ messageList, isCompleted, nextMessageTime }`: asked again from
    /// `nextMessageTime`, the next page goes on where this one ended ('' once complete).
    pub fn get_message_list_hopping(&self, options: JsValue) -> Promise {
        promise(message_page(self.state.clone(), options, true))
    }

    /// `getConversationList(options?)` resolves `{ conversationList, isSyncCompleted }`, most
    /// recent first: every conversation, or those whose IDs a list names, or those that an
    /// object's `type`, `markType`, `groupName`, `hasUnreadCount` and `hasGroupAtInfo` keep, as
    /// Tencent's. `isSyncCompleted` is false while the list is this browser's cache, before the
    /// sync with the server (`SDK_READY`) or while the connection is lost.
    pub fn get_conversation_list(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let filter = ConversationFilter::read(&options)?;
            let (client, me) = state.signed_in()?;
            let mut list = client.conversations().await.map_err(sdk_error)?;
            list.retain(|c| filter.keeps(c));
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct List<'a> {
                conversation_list: Vec<JsConversation<'a>>,
                is_sync_completed: bool,
            }
            ok(List {
                is_sync_completed: client.is_ready(),
                conversation_list: list
                    .iter()
                    .map(|c| JsConversation::new(c, &me, &client))
                    .collect(),
            })
        })
    }

    /// `getConversationProfile(conversationID)` resolves `{ conversation }`: a listed one, or,
    /// as in Tencent's SDK, a new one with no message yet and the peer's profile, for an app
    /// opening a chat with someone new (2501 when there is no such user).
    pub fn get_conversation_profile(&self, conversation_id: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let (client, me) = state.signed_in()?;
            let conversation_id = conversation_id
                .as_string()
                .ok_or_else(|| invalid("conversationID must be a string"))?;
            let peer = ConversationId::parse(&conversation_id)
                .map_err(|e| invalid(e.0))?
                .0;
            let found = client.conversation(&peer).await.map_err(sdk_error)?;
            #[derive(Serialize)]
            struct One<'a> {
                conversation: JsConversation<'a>,
            }
            ok(One {
                conversation: JsConversation::new(&found, &me, &client),
            })
        })
    }

    /// `sendTypingStatus({ conversationID, typing? })`: tells the peer's devices online now
    /// that you are typing (`typing` true, the default) or stopped, as TUIKit does (an
    /// online-only custom message the SDK hides; the peer hears `TYPING_STATUS_UPDATED`). Call
    /// it on every keystroke: it goes out at most every 3 seconds per conversation.
    pub fn send_typing_status(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let peer = conversation_of(&options)?;
            let typing = field(&options, "typing").as_bool().unwrap_or(true);
            let client = state.client()?;
            client.send_typing(&peer, typing).await.map_err(sdk_error)?;
            ok(Changed::new(peer))
        })
    }

    /// `pinConversation({ conversationID, isPinned })`: pins the conversation (first in the
    /// list) or unpins it, on all of this user's devices. Resolves `{ conversationID }`.
    pub fn pin_conversation(&self, options: JsValue) -> Promise {
        promise(change_conversation(self.state.clone(), options, false))
    }

    /// `setConversationDraft({ conversationID, draftText })`: keeps the text being written in
    /// the conversation for all of this user's devices (Tencent keeps it on one); an empty
    /// text clears it, and sending a message there clears it too. Resolves
    /// `{ conversationID }`.
    pub fn set_conversation_draft(&self, options: JsValue) -> Promise {
        promise(change_conversation(self.state.clone(), options, true))
    }

    /// `markConversation({ conversationIDList, markType, enableMark })`: sets (`enableMark`)
    /// or clears one mark (`TYPES.CONV_MARK_TYPE_STAR`, `_UNREAD`, `_FOLD`, `_HIDE`, or an
    /// app's own, a power of two from 2^32 to 2^63) on each conversation, for all of this
    /// user's devices; a conversation's `markList` holds its marks. Resolves
    /// `{ successConversationIDList, failureConversationIDList }`.
    pub fn mark_conversation(&self, options: JsValue) -> Promise {
        promise(change_each(self.state.clone(), options, Each::Mark))
    }

    /// `setConversationCustomData({ conversationIDList, customData })`: keeps the app's own
    /// data (at most 256 bytes; `''` clears it) as each conversation's `customData`, for all
    /// of this user's devices. Resolves `{ successConversationIDList,
    /// failureConversationIDList }`.
    pub fn set_conversation_custom_data(&self, options: JsValue) -> Promise {
        promise(change_each(self.state.clone(), options, Each::Data))
    }

    /// `createConversationGroup({ groupName, conversationIDList })`: a new group of this user's
    /// conversations (at most 20 groups, names of 1 to 32 bytes) with these in it, on all of
    /// this user's devices; `CONVERSATION_GROUP_LIST_UPDATED` and
    /// `CONVERSATION_IN_GROUP_UPDATED` follow. A group is there while a conversation is in it.
    pub fn create_conversation_group(&self, options: JsValue) -> Promise {
        promise(change_each(self.state.clone(), options, Each::CreateGroup))
    }

    /// `addConversationsToGroup({ groupName, conversationIDList })`.
    pub fn add_conversations_to_group(&self, options: JsValue) -> Promise {
        promise(change_each(self.state.clone(), options, Each::AddToGroup))
    }

    /// `deleteConversationsFromGroup({ groupName, conversationIDList })`.
    pub fn delete_conversations_from_group(&self, options: JsValue) -> Promise {
        promise(change_each(
            self.state.clone(),
            options,
            Each::RemoveFromGroup,
        ))
    }

    /// `deleteConversationGroup(groupName)`: its conversations leave it (and stay).
    pub fn delete_conversation_group(&self, name: JsValue) -> Promise {
        promise(change_each(self.state.clone(), name, Each::DeleteGroup))
    }

    /// `renameConversationGroup({ oldName, newName })`.
    pub fn rename_conversation_group(&self, options: JsValue) -> Promise {
        promise(change_each(self.state.clone(), options, Each::RenameGroup))
    }

    /// `getConversationGroupList()` resolves the names of this user's conversation groups.
    pub fn get_conversation_group_list(&self) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let groups = state.client()?.conversation_groups().await;
            let names: Vec<String> = groups
                .map_err(sdk_error)?
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            ok(names)
        })
    }

    /// `deleteConversation(conversationID)` or `deleteConversation({ conversationIDList,
    /// clearHistoryMessage? })`: the conversations leave this user's list on all of its
    /// devices until a newer message comes, with their messages unless `clearHistoryMessage`
    /// is false (the peer keeps its copy). Resolves `{ conversationID }` for the one ID,
    /// `{ conversationIDList }` for the list, as Tencent's SDK does.
    pub fn delete_conversation(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let one = options.as_string();
            let (ids, clear_history) = match one.clone() {
                Some(id) => (vec![id], true),
                None => {
                    let o = Args::read(&options, "options")?;
                    let ids = o.need(o.strings("conversationIDList")?, "conversationIDList")?;
                    (ids, o.bool("clearHistoryMessage")?.unwrap_or(true))
                }
            };
            let peers = conversation_peers(&ids)?;
            let client = state.client()?;
            for peer in &peers {
                client
                    .delete_conversation(peer, clear_history)
                    .await
                    .map_err(sdk_error)?;
            }
            if one.is_some() {
                return ok(Changed::new(
                    peers.into_iter().next().expect("one ID, checked"),
                ));
            }
            #[derive(Serialize)]
            struct Deleted {
                #[serde(rename = "conversationIDList")]
                conversation_id_list: Vec<String>,
            }
            ok(Deleted {
                conversation_id_list: ids,
            })
        })
    }

    /// `clearHistoryMessage(conversationID)`: the conversation's messages leave this user's
    /// history on all of its devices; the conversation stays in the list, read, with no last
    /// message (the peer keeps its copy). Resolves `{ conversationID }`.
    pub fn clear_history_message(&self, conversation_id: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let id = (conversation_id.as_string())
                .ok_or_else(|| invalid("conversationID must be a string"))?;
            let peer = ConversationId::parse(&id).map_err(|e| invalid(e.0))?.0;
            state
                .client()?
                .clear_history(&peer)
                .await
                .map_err(sdk_error)?;
            ok(Changed::new(peer))
        })
    }

    /// `setMessageRead({ conversationID })`: clears the unread count here and on the user's
    /// other devices.
    pub fn set_message_read(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let peer = conversation_of(&options)?;
            state.client()?.mark_read(&peer).await.map_err(sdk_error)?;
            let read = field(&options, "conversationID");
            state.held.read(&|c| if read == c { u64::MAX } else { 0 });
            ok(Empty {})
        })
    }

    /// `setAllMessageRead({ scope? })`: `setMessageRead` for every conversation with unread
    /// messages. `TYPES.READ_ALL_GROUP_MSG` has nothing to do: Duet has no groups.
    pub fn set_all_message_read(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read_optional(&options, "options")?;
            let client = state.client()?;
            match o.string("scope")?.as_deref() {
                None | Some(events::READ_ALL | events::READ_ALL_C2C) => {
                    client.mark_all_read().await.map_err(sdk_error)?;
                    state.held.read(&|_| u64::MAX);
                }
                Some(events::READ_ALL_GROUP) => {}
                Some(_) => return Err(invalid("options.scope must be one of TYPES.READ_ALL_*")),
            }
            ok(Empty {})
        })
    }
}

/// A page of `getMessageList` or, `hopping`, of `getMessageListHopping`: one path, so that
/// the two share their reading of the options and the page's shape.
async fn message_page(
    state: Rc<State>,
    options: JsValue,
    hopping: bool,
) -> Result<JsValue, JsValue> {
    let o = Args::read(&options, "options")?;
    let (client, me) = state.signed_in()?;
    let peer = conversation_in(&o)?;
    let (list, complete, next) = if hopping {
        let newer = match o.u32("direction")?.unwrap_or(0) {
            0 => false,
            1 => true,
            _ => return Err(invalid("options.direction must be 0 (older) or 1 (newer)")),
        };
        let count = o.u32("count")?.unwrap_or(15).clamp(1, 15);
        let time = o.u64("time")?.unwrap_or(0);
        let (list, complete, next) =
            (client.messages_at(&peer, time, newer, count).await).map_err(sdk_error)?;
        (list, complete, Next::Time(next))
    } else {
        let next = o.string("nextReqMessageID")?;
        let before = match next.as_deref().filter(|s| !s.is_empty()) {
            Some(k) => Some(MessageKey::parse(k).map_err(|e| invalid(e.to_string()))?),
            None => None,
        };
        let count = o.u32("count")?.unwrap_or(15).clamp(1, 100);
        let (mut list, complete) =
            (client.messages(&peer, before, count).await).map_err(sdk_error)?;
        let next = list.last().map(|m| m.key.to_string()).unwrap_or_default();
        list.reverse();
        (list, complete, Next::Id(next))
    };
    let marks = client.read_marks(&peer).await.map_err(sdk_error)?;
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Time {
        At(u64),
        None(&'static str),
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Page<'a> {
        message_list: Vec<JsMessage<'a>>,
        #[serde(rename = "nextReqMessageID", skip_serializing_if = "Option::is_none")]
        next_req_message_id: Option<String>,
        is_completed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_message_time: Option<Time>,
    }
    let (next_req_message_id, next_message_time) = match next {
        Next::Id(id) => (Some(id), None),
        Next::Time(_) if complete => (None, Some(Time::None(""))),
        Next::Time(s) => (None, Some(Time::At(s))),
    };
    let page = to_js(&Page {
        message_list: (list.iter())
            .map(|m| JsMessage::new(m, &me, marks, Status::Success))
            .collect(),
        next_req_message_id,
        is_completed: complete,
        next_message_time,
    });
    state.held.each(&field(&page, "messageList"));
    ok_value(page)
}

/// Where the page after a [`message_page`] starts: `getMessageList`'s `nextReqMessageID`, or
/// `getMessageListHopping`'s `nextMessageTime`.
enum Next {
    Id(String),
    Time(u64),
}

/// Sends the app's message object and updates it in place.
async fn send(state: &Rc<State>, message: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
    let (client, me) = state.signed_in()?;
    let options = Args::read_optional(options, "sendMessage options")?;
    let push = match options.object("offlinePushInfo")? {
        Some(info) => Some(push_info(&info)?),
        None => None,
    };
    let item = draft_of(message, push)?;
    let sent = match options.bool("onlineUserOnly")?.unwrap_or_default() {
        true => client.send_online(item).await,
        false => client.send(item).await,
    }
    .map_err(sdk_error)?;
    let marks = ReadMarks::default();
    let fresh = to_js(&JsMessage::new(&sent, &me, marks, Status::Success));
    ok_value(with_message(&state.held.update(message, fresh)))
}

/// `error` with `data: { message }`, as Tencent's SDK rejects a call about a message.
fn failed_with(error: JsValue, message: &JsValue) -> JsValue {
    set(&error, "data", with_message(message));
    error
}

/// `{ message }` around the app's own object.
fn with_message(message: &JsValue) -> JsValue {
    let data = js_sys::Object::new();
    set(&data, "message", message.clone());
    data.into()
}

/// The blob and file name of a `File`, a `Blob` or an `<input type=file>` with a file chosen.
fn file_of(value: &JsValue) -> Result<(web_sys::Blob, String), JsValue> {
    if let Some(input) = value.dyn_ref::<web_sys::HtmlInputElement>() {
        let file = input
            .files()
            .and_then(|f| f.get(0))
            .ok_or_else(|| invalid("payload.file: the input has no file chosen"))?;
        let name = file.name();
        return Ok((file.into(), name));
    }
    if let Some(file) = value.dyn_ref::<web_sys::File>() {
        return Ok((file.clone().into(), file.name()));
    }
    if let Some(blob) = value.dyn_ref::<web_sys::Blob>() {
        return Ok((blob.clone(), "file".to_owned()));
    }
    Err(invalid(
        "payload.file must be a File, a Blob or an <input type=file>",
    ))
}
