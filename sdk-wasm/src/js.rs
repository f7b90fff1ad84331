//! The JavaScript API: a thin `#[wasm_bindgen]` layer over [`Client`], shaped like Tencent's
//! web SDK (`@tencentcloud/chat`) so its users feel at home. `js/index.js` wraps it as the
//! package's default export `DuetChat` with `create`, `EVENT` and `TYPES`.
//!
//! Promises resolve with `{ code: 0, data }` and reject with an `Error` carrying a numeric
//! `code` (the server's codes, or the SDK's in [`crate::error::codes`]).

use crate::cache::indexeddb::IndexedDbCache;
use crate::cache::{Cache, Namespace, OutboxItem};
use crate::client::{Backoff, Client, Listener};
use crate::error::{SdkError, codes};
use crate::event::Event;
use crate::session::Login;
use crate::upload::{self, Cancel, MediaFile, Progress, Target};
use crate::websocket::WebSocketConnector;
use js_sys::{Function, Promise};
use protocol::element::{CustomElem, FaceElem, LocationElem, TextElem};
use protocol::frame::{KickCause, Reply, Request, UserResult};
use protocol::media::MediaKind;
use protocol::{Conversation, DeviceId, Element, ErrorCode, Message, MessageKey, Relation, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Event names, as Tencent's web SDK spells them.
pub mod event_names {
    pub const SDK_READY: &str = "sdkStateReady";
    pub const SDK_NOT_READY: &str = "sdkStateNotReady";
    pub const MESSAGE_RECEIVED: &str = "onMessageReceived";
    pub const MESSAGE_MODIFIED: &str = "onMessageModified";
    pub const MESSAGE_REVOKED: &str = "onMessageRevoked";
    pub const MESSAGE_READ_BY_PEER: &str = "onMessageReadByPeer";
    pub const CONVERSATION_LIST_UPDATED: &str = "onConversationListUpdated";
    pub const TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: &str = "onTotalUnreadMessageCountUpdated";
    pub const PROFILE_UPDATED: &str = "onProfileUpdated";
    pub const FRIEND_LIST_UPDATED: &str = "onFriendListUpdated";
    pub const BLACKLIST_UPDATED: &str = "blacklistUpdated";
    pub const KICKED_OUT: &str = "kickedOut";
    pub const NET_STATE_CHANGE: &str = "netStateChange";
    pub const ERROR: &str = "error";
}

/// Values of `KICKED_OUT`'s `type` and `NET_STATE_CHANGE`'s `state`, as in Tencent's `TYPES`.
mod type_values {
    pub const KICKED_OUT_MULT_DEVICE: &str = "multipleDevice";
    pub const KICKED_OUT_REST_API: &str = "REST_API_Kick";
    pub const KICKED_OUT_USERSIG_EXPIRED: &str = "userSigExpired";
    pub const NET_STATE_CONNECTING: &str = "connecting";
    pub const NET_STATE_CONNECTED: &str = "connected";
    pub const NET_STATE_DISCONNECTED: &str = "disconnected";
}

/// The `EVENT` and `TYPES` constants of the package.
#[wasm_bindgen(js_name = constants)]
pub fn constants() -> JsValue {
    use event_names::*;
    use type_values::*;
    let value = json!({
        "EVENT": {
            "SDK_READY": SDK_READY, "SDK_NOT_READY": SDK_NOT_READY,
            "MESSAGE_RECEIVED": MESSAGE_RECEIVED, "MESSAGE_MODIFIED": MESSAGE_MODIFIED,
            "MESSAGE_REVOKED": MESSAGE_REVOKED, "MESSAGE_READ_BY_PEER": MESSAGE_READ_BY_PEER,
            "CONVERSATION_LIST_UPDATED": CONVERSATION_LIST_UPDATED,
            "TOTAL_UNREAD_MESSAGE_COUNT_UPDATED": TOTAL_UNREAD_MESSAGE_COUNT_UPDATED,
            "PROFILE_UPDATED": PROFILE_UPDATED, "FRIEND_LIST_UPDATED": FRIEND_LIST_UPDATED,
            "BLACKLIST_UPDATED": BLACKLIST_UPDATED, "KICKED_OUT": KICKED_OUT,
            "NET_STATE_CHANGE": NET_STATE_CHANGE, "ERROR": ERROR,
        },
        "TYPES": {
            "MSG_TEXT": "TIMTextElem", "MSG_FACE": "TIMFaceElem", "MSG_LOCATION": "TIMLocationElem",
            "MSG_CUSTOM": "TIMCustomElem", "MSG_IMAGE": "TIMImageElem", "MSG_AUDIO": "TIMSoundElem",
            "MSG_FILE": "TIMFileElem", "MSG_VIDEO": "TIMVideoFileElem", "MSG_SYSTEM": "DuetSystemElem",
            "CONV_C2C": "C2C",
            "KICKED_OUT_MULT_DEVICE": KICKED_OUT_MULT_DEVICE, "KICKED_OUT_REST_API": KICKED_OUT_REST_API,
            "KICKED_OUT_USERSIG_EXPIRED": KICKED_OUT_USERSIG_EXPIRED,
            "NET_STATE_CONNECTED": NET_STATE_CONNECTED, "NET_STATE_CONNECTING": NET_STATE_CONNECTING,
            "NET_STATE_DISCONNECTED": NET_STATE_DISCONNECTED,
        },
    });
    to_js(&value)
}

#[derive(Deserialize)]
struct CreateOptions {
    #[serde(rename = "SDKAppID")]
    sdk_app_id: u64,
    server: String,
}

#[derive(Deserialize)]
struct LoginOptions {
    #[serde(rename = "userID")]
    user_id: String,
    #[serde(rename = "userSig")]
    user_sig: String,
}

type Handlers = Rc<RefCell<HashMap<String, Vec<Function>>>>;

/// One SDK instance (`DuetChat.create(...)`).
#[wasm_bindgen]
pub struct Chat {
    state: Rc<State>,
}

struct State {
    sdk_app_id: u64,
    server: String,
    handlers: Handlers,
    client: RefCell<Option<Client<IndexedDbCache>>>,
    me: RefCell<Option<UserId>>,
    /// Total unread over all conversations, as of the last conversation-list update.
    total_unread: std::cell::Cell<u32>,
    /// How far this user and each peer have read each conversation, as of the last
    /// conversation-list update; `None` until first needed or updated.
    read_marks: RefCell<Option<HashMap<UserId, ReadMarks>>>,
    /// The signed-in user's UserSig, for media uploads.
    user_sig: RefCell<Option<String>>,
    /// Media messages created and not yet sent, by their local ID: `sendMessage` uploads the
    /// file, `cancelUploadMessage` stops it, a failed one stays here to be sent again.
    media: RefCell<HashMap<String, PendingMedia>>,
}

/// A media message waiting for `sendMessage`.
struct PendingMedia {
    to: UserId,
    random: u32,
    file: MediaFile,
    cloud_custom_data: Option<String>,
    on_progress: Option<Function>,
    cancel: Cancel,
}

fn sdk_error(e: SdkError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let _ = js_sys::Reflect::set(&err, &"code".into(), &JsValue::from(e.code.0));
    err.into()
}

fn invalid(message: impl Into<String>) -> JsValue {
    sdk_error(SdkError::new(ErrorCode::INVALID_ARGUMENT, message))
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn ok(data: Value) -> Result<JsValue, JsValue> {
    Ok(to_js(&json!({ "code": 0, "data": data })))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(format!("invalid {what}: {e}")))
}

/// A message as the app sees it: Tencent's message object.
fn js_message(m: &Message, me: &UserId, status: &str) -> Value {
    let peer = m.peer_of(me);
    let (kind, payload) = match m.elements.first() {
        Some(e) => (e.type_name(), js_payload(e)),
        None => ("TIMTextElem", json!({ "text": "" })),
    };
    json!({
        "ID": m.key.to_string(),
        "type": kind,
        "payload": payload,
        "conversationID": format!("C2C{peer}"),
        "conversationType": "C2C",
        "from": m.from,
        "to": m.to,
        "flow": if &m.from == me { "out" } else { "in" },
        "time": m.time_ms / 1000,
        "sequence": m.key.id,
        "random": m.random,
        "status": status,
        "isRead": &m.from == me,
        "isPeerRead": false,
        "isRevoked": m.recalled,
        "nick": m.nick,
        "avatar": m.avatar,
        "cloudCustomData": m.cloud_custom_data.clone().unwrap_or_default(),
        "elements": m.elements,
    })
}

fn js_payload(e: &Element) -> Value {
    match e {
        Element::Text(t) => json!({ "text": t.text }),
        Element::Face(f) => json!({ "index": f.index, "data": f.data }),
        Element::Location(l) => {
            json!({ "description": l.desc, "longitude": l.longitude, "latitude": l.latitude })
        }
        Element::Custom(c) => json!({ "data": c.data, "description": c.desc, "extension": c.ext }),
        Element::System(s) => json!({ "text": s.text, "data": s.data }),
        Element::Image(i) => json!({
            "uuid": i.uuid,
            "imageFormat": i.image_format,
            "imageInfoArray": i.image_info_array.iter().map(|x| json!({
                "type": x.kind, "size": x.size, "width": x.width, "height": x.height, "url": x.url,
            })).collect::<Vec<_>>(),
        }),
        Element::Sound(a) => json!({
            "url": a.url, "uuid": a.uuid, "size": a.size, "second": a.second,
            "downloadFlag": a.download_flag,
        }),
        Element::File(f) => json!({
            "fileUrl": f.url, "uuid": f.uuid, "fileName": f.file_name, "fileSize": f.file_size,
            "downloadFlag": f.download_flag,
        }),
        Element::Video(v) => json!({
            "videoUrl": v.video_url, "videoUUID": v.video_uuid, "videoSize": v.video_size,
            "videoSecond": v.video_second, "videoFormat": v.video_format,
            "thumbUrl": v.thumb_url, "thumbUUID": v.thumb_uuid, "thumbSize": v.thumb_size,
            "thumbWidth": v.thumb_width, "thumbHeight": v.thumb_height,
        }),
    }
}

fn js_conversation(c: &Conversation, me: &UserId) -> Value {
    json!({
        "conversationID": format!("C2C{}", c.peer),
        "type": "C2C",
        "unreadCount": c.unread,
        "lastMessage": c.last_message.as_ref().map(|m| js_message(m, me, "success")),
        "userProfile": { "userID": c.peer, "nick": c.peer_nick, "avatar": c.peer_avatar },
        "updatedTime": c.updated_ms / 1000,
    })
}

/// How far a conversation is read: by this user (`mine`) and by the peer.
#[derive(Clone, Copy, Default)]
struct ReadMarks {
    mine: u64,
    peer: u64,
}

fn read_marks(list: &[Conversation]) -> HashMap<UserId, ReadMarks> {
    list.iter()
        .map(|c| {
            let marks = ReadMarks {
                mine: c.read_up_to,
                peer: c.peer_read_up_to,
            };
            (c.peer.clone(), marks)
        })
        .collect()
}

fn peer_of_conversation(id: &str) -> Result<UserId, JsValue> {
    let peer = id
        .strip_prefix("C2C")
        .ok_or_else(|| invalid(format!("conversationID {id:?} is not a C2C conversation")))?;
    UserId::parse(peer).map_err(|e| invalid(e.to_string()))
}

fn random_u32() -> u32 {
    (js_sys::Math::random() * 4_294_967_295.0) as u32
}

impl State {
    fn emit(&self, name: &str, data: Value) {
        let handlers = self
            .handlers
            .borrow()
            .get(name)
            .cloned()
            .unwrap_or_default();
        let event = to_js(&json!({ "name": name, "data": data }));
        for h in handlers {
            let _ = h.call1(&JsValue::NULL, &event);
        }
    }

    fn on_event(&self, event: Event) {
        use event_names::*;
        let Some(me) = self.me.borrow().clone() else {
            return;
        };
        match event {
            Event::MessageReceived(list) => {
                let msgs: Vec<Value> = list.iter().map(|m| js_message(m, &me, "success")).collect();
                self.emit(MESSAGE_RECEIVED, Value::Array(msgs));
            }
            Event::MessageSent(m) => {
                self.emit(MESSAGE_MODIFIED, json!([js_message(&m, &me, "success")]))
            }
            // Message objects, as Tencent's SDK gives them; when this device holds none of the
            // messages concerned, the ID and conversation, which is all there is to say.
            Event::MessageRevoked { peer, key, message } => {
                let data = match message {
                    Some(m) => json!([js_message(&m, &me, "success")]),
                    None => {
                        json!([{ "ID": key.to_string(), "conversationID": format!("C2C{peer}"), "isRevoked": true }])
                    }
                };
                self.emit(MESSAGE_REVOKED, data)
            }
            Event::MessageReadByPeer {
                peer,
                up_to,
                messages,
            } => {
                let data = if messages.is_empty() {
                    json!([{ "conversationID": format!("C2C{peer}"), "ID": up_to.to_string(), "isPeerRead": true }])
                } else {
                    let list = messages.iter().map(|m| {
                        let mut v = js_message(m, &me, "success");
                        v["isPeerRead"] = json!(true);
                        v
                    });
                    Value::Array(list.collect())
                };
                self.emit(MESSAGE_READ_BY_PEER, data)
            }
            Event::ConversationListUpdated(list) => {
                let total: u32 = list.iter().map(|c| c.unread).sum();
                self.total_unread.set(total);
                *self.read_marks.borrow_mut() = Some(read_marks(&list));
                let convs: Vec<Value> = list.iter().map(|c| js_conversation(c, &me)).collect();
                self.emit(CONVERSATION_LIST_UPDATED, Value::Array(convs));
                self.emit(TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, json!(total));
            }
            Event::ProfileUpdated(p) => self.emit(
                PROFILE_UPDATED,
                json!([{ "userID": p.user_id, "nick": p.nick, "avatar": p.avatar }]),
            ),
            Event::RelationsUpdated(relation, list) => {
                let name = match relation {
                    Relation::Friend => FRIEND_LIST_UPDATED,
                    Relation::Blacklist => BLACKLIST_UPDATED,
                };
                self.emit(name, relation_list(relation, &list))
            }
            Event::SdkReady => {
                self.emit(
                    NET_STATE_CHANGE,
                    json!({ "state": type_values::NET_STATE_CONNECTED }),
                );
                self.emit(SDK_READY, Value::Null);
            }
            Event::KickedOut(cause) => {
                let kind = match cause {
                    KickCause::SignedInElsewhere => type_values::KICKED_OUT_MULT_DEVICE,
                    KickCause::AccountDeleted => type_values::KICKED_OUT_REST_API,
                    KickCause::UserSigExpired => type_values::KICKED_OUT_USERSIG_EXPIRED,
                };
                self.emit(KICKED_OUT, json!({ "type": kind }))
            }
            Event::Disconnected => {
                self.emit(
                    NET_STATE_CHANGE,
                    json!({ "state": type_values::NET_STATE_DISCONNECTED }),
                );
                self.emit(SDK_NOT_READY, Value::Null);
            }
            Event::Reconnecting => self.emit(
                NET_STATE_CHANGE,
                json!({ "state": type_values::NET_STATE_CONNECTING }),
            ),
            Event::Error(e) => self.emit(ERROR, json!({ "code": e.code.0, "message": e.message })),
        }
    }

    fn client(&self) -> Result<Client<IndexedDbCache>, JsValue> {
        self.client
            .borrow()
            .clone()
            .ok_or_else(|| sdk_error(SdkError::new(codes::STATE, "log in first")))
    }

    fn session(&self) -> Result<crate::session::Session<IndexedDbCache>, JsValue> {
        self.client()?
            .session()
            .ok_or_else(|| sdk_error(SdkError::disconnected()))
    }

    async fn request(&self, request: Request) -> Result<Reply, JsValue> {
        self.session()?.request(request).await.map_err(sdk_error)
    }

    fn me(&self) -> Result<UserId, JsValue> {
        self.me
            .borrow()
            .clone()
            .ok_or_else(|| sdk_error(SdkError::new(codes::STATE, "log in first")))
    }
}

#[wasm_bindgen]
impl Chat {
    /// `new Chat({ SDKAppID, server })`; `DuetChat.create` calls this.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Chat, JsValue> {
        let o: CreateOptions = from_js(options, "options: expected { SDKAppID, server }")?;
        Ok(Chat {
            state: Rc::new(State {
                sdk_app_id: o.sdk_app_id,
                server: o.server,
                handlers: Rc::default(),
                client: RefCell::new(None),
                me: RefCell::new(None),
                total_unread: std::cell::Cell::new(0),
                read_marks: RefCell::new(None),
                user_sig: RefCell::new(None),
                media: RefCell::new(HashMap::new()),
            }),
        })
    }

    pub fn on(&self, event: String, handler: Function) {
        self.state
            .handlers
            .borrow_mut()
            .entry(event)
            .or_default()
            .push(handler);
    }

    pub fn off(&self, event: String, handler: Function) {
        if let Some(list) = self.state.handlers.borrow_mut().get_mut(&event) {
            list.retain(|h| h != &handler);
        }
    }

    /// `login({ userID, userSig })`. Resolves when the server accepted the sign-in; offline
    /// messages then arrive as `MESSAGE_RECEIVED`, followed by `SDK_READY`.
    pub fn login(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let o: LoginOptions = from_js(options, "login options: expected { userID, userSig }")?;
            let user = UserId::parse(o.user_id).map_err(|e| invalid(e.to_string()))?;
            if state.client.borrow().is_some() {
                return Err(sdk_error(SdkError::new(
                    codes::STATE,
                    "already logged in; call logout first",
                )));
            }
            let ns = Namespace {
                sdk_app_id: state.sdk_app_id,
                user: user.clone(),
            };
            let cache = Rc::new(
                IndexedDbCache::open(&ns)
                    .await
                    .map_err(|e| sdk_error(e.into()))?,
            );
            let weak = Rc::downgrade(&state);
            let listener: Listener = Rc::new(move |e| {
                if let Some(s) = weak.upgrade() {
                    s.on_event(e);
                }
            });
            let connector = Box::new(WebSocketConnector::new(&state.server));
            let client = Client::new(connector, cache, listener, Backoff::default());
            *state.me.borrow_mut() = Some(user.clone());
            *state.user_sig.borrow_mut() = Some(o.user_sig.clone());
            let device =
                DeviceId::parse(format!("web-{:08x}", random_u32())).expect("valid device id");
            let login = Login {
                sdk_app_id: state.sdk_app_id,
                user_id: user,
                user_sig: o.user_sig,
                device,
            };
            if let Err(e) = client.login(login).await {
                state.me.borrow_mut().take();
                return Err(sdk_error(e));
            }
            *state.client.borrow_mut() = Some(client);
            ok(json!({}))
        })
    }

    /// Signs out; the cached history stays for the next sign-in.
    pub fn logout(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let client = state.client.borrow_mut().take();
            if let Some(c) = client {
                c.logout().await;
            }
            state.me.borrow_mut().take();
            state.read_marks.borrow_mut().take();
            state.user_sig.borrow_mut().take();
            for (_, pending) in state.media.borrow_mut().drain() {
                pending.cancel.cancel();
            }
            ok(json!({}))
        })
    }

    /// Signs out and forgets every listener.
    pub fn destroy(&self) -> Promise {
        self.state.handlers.borrow_mut().clear();
        self.logout()
    }

    #[wasm_bindgen(js_name = isReady)]
    pub fn is_ready(&self) -> bool {
        self.state
            .client
            .borrow()
            .as_ref()
            .is_some_and(|c| c.is_ready())
    }

    fn create(
        &self,
        to: JsValue,
        element: Element,
        cloud_custom_data: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let me = self.state.me()?;
        let to: String = from_js(to, "to")?;
        let to = UserId::parse(to).map_err(|e| invalid(e.to_string()))?;
        let item = OutboxItem {
            to,
            random: random_u32(),
            elements: vec![element],
            cloud_custom_data,
            created_ms: js_sys::Date::now() as u64,
        };
        let m = item.preview(&me);
        let mut v = js_message(&m, &me, "unSend");
        v["ID"] = json!(format!("local-{}-{}", m.random, m.time_ms));
        Ok(to_js(&v))
    }

    /// `createTextMessage({ to, payload: { text } })`
    #[wasm_bindgen(js_name = createTextMessage)]
    pub fn create_text_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(Deserialize)]
        struct P {
            text: String,
        }
        let (to, p, ccd) = options_of::<P>(options)?;
        self.create(to, Element::Text(TextElem { text: p.text }), ccd)
    }

    /// `createFaceMessage({ to, payload: { index, data } })`
    #[wasm_bindgen(js_name = createFaceMessage)]
    pub fn create_face_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(Deserialize)]
        struct P {
            index: i64,
            #[serde(default)]
            data: String,
        }
        let (to, p, ccd) = options_of::<P>(options)?;
        self.create(
            to,
            Element::Face(FaceElem {
                index: p.index,
                data: p.data,
            }),
            ccd,
        )
    }

    /// `createLocationMessage({ to, payload: { description, longitude, latitude } })`
    #[wasm_bindgen(js_name = createLocationMessage)]
    pub fn create_location_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(Deserialize)]
        struct P {
            #[serde(default)]
            description: String,
            longitude: f64,
            latitude: f64,
        }
        let (to, p, ccd) = options_of::<P>(options)?;
        let e = LocationElem {
            desc: p.description,
            latitude: p.latitude,
            longitude: p.longitude,
        };
        self.create(to, Element::Location(e), ccd)
    }

    /// `createCustomMessage({ to, payload: { data, description, extension } })`
    #[wasm_bindgen(js_name = createCustomMessage)]
    pub fn create_custom_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        #[derive(Deserialize)]
        struct P {
            #[serde(default)]
            data: String,
            #[serde(default)]
            description: String,
            #[serde(default)]
            extension: String,
        }
        let (to, p, ccd) = options_of::<P>(options)?;
        let e = CustomElem {
            data: p.data,
            desc: p.description,
            ext: p.extension,
            sound: String::new(),
        };
        self.create(to, Element::Custom(e), ccd)
    }

    /// `sendMessage(message)`: resolves `{ code: 0, data: { message } }` once the server has it.
    /// Offline, the message waits in the outbox and the promise rejects with code 61001; it is
    /// sent, once, after reconnecting (`MESSAGE_MODIFIED` then reports it sent). A media message
    /// is uploaded first, calling its `onProgress`; a failed or cancelled upload rejects and
    /// the message can be sent again.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(&self, message: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let result = send(state, message.clone()).await;
            // As Tencent's SDK does, the app's message object tells how it went; one waiting
            // in the outbox stays unsent.
            let status = match &result {
                Ok(_) => "success",
                Err(e)
                    if js_sys::Reflect::get(e, &"code".into()).ok()
                        == Some(JsValue::from(codes::DISCONNECTED.0)) =>
                {
                    "unSend"
                }
                Err(_) => "fail",
            };
            let _ = js_sys::Reflect::set(&message, &"status".into(), &status.into());
            result
        })
    }

    /// `getMessageList({ conversationID, nextReqMessageID?, count? })` resolves
    /// `{ messageList (oldest first), nextReqMessageID, isCompleted }`.
    #[wasm_bindgen(js_name = getMessageList)]
    pub fn get_message_list(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                #[serde(rename = "conversationID")]
                conversation_id: String,
                #[serde(rename = "nextReqMessageID", default)]
                next: Option<String>,
                #[serde(default = "fifteen")]
                count: u32,
            }
            fn fifteen() -> u32 {
                15
            }
            let o: O = from_js(
                options,
                "options: expected { conversationID, nextReqMessageID?, count? }",
            )?;
            let me = state.me()?;
            let peer = peer_of_conversation(&o.conversation_id)?;
            let before = match o.next.as_deref().filter(|s| !s.is_empty()) {
                Some(k) => Some(MessageKey::parse(k).map_err(|e| invalid(e.to_string()))?),
                None => None,
            };
            let count = o.count.clamp(1, 100);
            let client = state.client()?;
            let (mut list, complete) = client
                .messages(&peer, before, count)
                .await
                .map_err(sdk_error)?;
            let next = list.last().map(|m| m.key.to_string());
            list.reverse();
            if state.read_marks.borrow().is_none() {
                let list = client
                    .cache()
                    .conversations()
                    .await
                    .map_err(|e| sdk_error(e.into()))?;
                *state.read_marks.borrow_mut() = Some(read_marks(&list));
            }
            let marks = state
                .read_marks
                .borrow()
                .as_ref()
                .and_then(|m| m.get(&peer).copied())
                .unwrap_or_default();
            let message_list: Vec<Value> = list
                .iter()
                .map(|m| {
                    let mut v = js_message(m, &me, "success");
                    v["isPeerRead"] = json!(m.from == me && m.key.id <= marks.peer);
                    v["isRead"] = json!(m.from == me || m.key.id <= marks.mine);
                    v
                })
                .collect();
            ok(json!({
                "messageList": message_list,
                "nextReqMessageID": next.unwrap_or_default(),
                "isCompleted": complete,
            }))
        })
    }

    /// `getConversationList()` resolves `{ conversationList }`, most recent first.
    #[wasm_bindgen(js_name = getConversationList)]
    pub fn get_conversation_list(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let me = state.me()?;
            let client = state.client()?;
            let list = client
                .cache()
                .conversations()
                .await
                .map_err(|e| sdk_error(e.into()))?;
            let convs: Vec<Value> = list.iter().map(|c| js_conversation(c, &me)).collect();
            ok(json!({ "conversationList": convs }))
        })
    }

    /// `setMessageRead({ conversationID })`: clears the unread count here and on the user's
    /// other devices.
    #[wasm_bindgen(js_name = setMessageRead)]
    pub fn set_message_read(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                #[serde(rename = "conversationID")]
                conversation_id: String,
            }
            let o: O = from_js(options, "options: expected { conversationID }")?;
            let peer = peer_of_conversation(&o.conversation_id)?;
            let session = state
                .client()?
                .session()
                .ok_or_else(|| sdk_error(SdkError::disconnected()))?;
            session.mark_read(&peer).await.map_err(sdk_error)?;
            ok(json!({}))
        })
    }
}

#[wasm_bindgen]
impl Chat {
    /// `resendMessage(message)`: sends a failed message again with the same random, so the
    /// server stores it once even if the first attempt had reached it.
    #[wasm_bindgen(js_name = resendMessage)]
    pub fn resend_message(&self, message: JsValue) -> Promise {
        self.send_message(message)
    }

    /// `createImageMessage({ to, payload: { file }, onProgress? })`: `file` is a `File`, a
    /// `Blob` or an `<input type=file>`. Throws code 94001 for a file over 28 MB.
    #[wasm_bindgen(js_name = createImageMessage)]
    pub fn create_image_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Image)
    }

    /// `createAudioMessage({ to, payload: { file, second? }, onProgress? })`: the duration is
    /// read from the file unless `second` gives it.
    #[wasm_bindgen(js_name = createAudioMessage)]
    pub fn create_audio_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Audio)
    }

    /// `createFileMessage({ to, payload: { file }, onProgress? })` (up to 100 MB).
    #[wasm_bindgen(js_name = createFileMessage)]
    pub fn create_file_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::File)
    }

    /// `createVideoMessage({ to, payload: { file }, onProgress? })`: the duration and a cover
    /// frame are taken from the video in the browser.
    #[wasm_bindgen(js_name = createVideoMessage)]
    pub fn create_video_message(&self, options: JsValue) -> Result<JsValue, JsValue> {
        self.create_media(options, MediaKind::Video)
    }

    /// `cancelUploadMessage(message)`: stops a media message's upload; its `sendMessage`
    /// rejects with code 61006 and it can be sent again.
    #[wasm_bindgen(js_name = cancelUploadMessage)]
    pub fn cancel_upload_message(&self, message: JsValue) -> Result<JsValue, JsValue> {
        let id = js_sys::Reflect::get(&message, &"ID".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        match self.state.media.borrow().get(&id) {
            Some(p) => p.cancel.cancel(),
            None => return Err(invalid("no upload in progress for this message")),
        }
        ok(json!({}))
    }

    /// `revokeMessage(message)`: recalls your own message (within the server's recall window).
    #[wasm_bindgen(js_name = revokeMessage)]
    pub fn revoke_message(&self, message: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let (peer, key) = message_ref(message)?;
            state.request(Request::Recall { peer, key }).await?;
            ok(json!({ "message": { "ID": key.to_string(), "isRevoked": true } }))
        })
    }

    /// `deleteMessage([messages])`: removes messages from this device's cache only.
    #[wasm_bindgen(js_name = deleteMessage)]
    pub fn delete_message(&self, messages: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let list: Vec<JsValue> = js_sys::Array::from(&messages).iter().collect();
            let cache = state.client()?.cache().clone();
            for m in list {
                let (peer, key) = message_ref(m)?;
                cache
                    .delete_message(&peer, key)
                    .await
                    .map_err(|e| sdk_error(e.into()))?;
            }
            ok(json!({}))
        })
    }

    /// `getTotalUnreadMessageCount()`: unread messages over all conversations.
    #[wasm_bindgen(js_name = getTotalUnreadMessageCount)]
    pub fn get_total_unread_message_count(&self) -> u32 {
        self.state.total_unread.get()
    }

    /// `getConversationProfile(conversationID)` resolves `{ conversation }`.
    #[wasm_bindgen(js_name = getConversationProfile)]
    pub fn get_conversation_profile(&self, conversation_id: String) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let me = state.me()?;
            let peer = peer_of_conversation(&conversation_id)?;
            let list = state
                .client()?
                .cache()
                .conversations()
                .await
                .map_err(|e| sdk_error(e.into()))?;
            let found = list
                .iter()
                .find(|c| c.peer == peer)
                .ok_or_else(|| invalid(format!("no conversation {conversation_id}")))?;
            ok(json!({ "conversation": js_conversation(found, &me) }))
        })
    }

    /// `getUserProfile({ userIDList })` resolves `[{ userID, nick, avatar }]`.
    #[wasm_bindgen(js_name = getUserProfile)]
    pub fn get_user_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let users = user_list(options)?;
            let Reply::Profiles { profiles } = state.request(Request::ProfileGet { users }).await?
            else {
                return Err(sdk_error(SdkError::new(
                    codes::PROTOCOL,
                    "unexpected reply",
                )));
            };
            let list: Vec<Value> = profiles
                .iter()
                .map(|p| json!({ "userID": p.user_id, "nick": p.nick, "avatar": p.avatar }))
                .collect();
            ok(Value::Array(list))
        })
    }

    /// `updateMyProfile({ nick?, avatar? })`
    #[wasm_bindgen(js_name = updateMyProfile)]
    pub fn update_my_profile(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            #[derive(Deserialize)]
            struct O {
                nick: Option<String>,
                avatar: Option<String>,
            }
            let o: O = from_js(options, "options: expected { nick?, avatar? }")?;
            let Reply::Profiles { profiles } = state
                .request(Request::ProfileSet {
                    nick: o.nick,
                    avatar: o.avatar,
                })
                .await?
            else {
                return Err(sdk_error(SdkError::new(
                    codes::PROTOCOL,
                    "unexpected reply",
                )));
            };
            ok(json!(profiles.first().map(
                |p| json!({ "userID": p.user_id, "nick": p.nick, "avatar": p.avatar })
            )))
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
            let o: O = from_js(options, "options: expected { to }")?;
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

impl Chat {
    fn create_media(&self, options: JsValue, kind: MediaKind) -> Result<JsValue, JsValue> {
        let me = self.state.me()?;
        let get =
            |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let to = get(&options, "to")
            .as_string()
            .ok_or_else(|| invalid("options: expected { to, payload: { file } }"))?;
        let to = UserId::parse(to).map_err(|e| invalid(e.to_string()))?;
        let payload = get(&options, "payload");
        let (blob, name) = file_of(&get(&payload, "file"))?;
        let second = get(&payload, "second").as_f64().map(|s| s.ceil() as u32);
        let file = MediaFile {
            kind,
            blob,
            name,
            second,
        };
        file.check().map_err(sdk_error)?;
        let on_progress = get(&options, "onProgress").dyn_into::<Function>().ok();
        let cloud_custom_data = get(&options, "cloudCustomData").as_string();
        let random = random_u32();
        let created_ms = js_sys::Date::now() as u64;
        let preview = OutboxItem {
            to: to.clone(),
            random,
            elements: vec![],
            cloud_custom_data: cloud_custom_data.clone(),
            created_ms,
        }
        .preview(&me);
        let id = format!("local-{random}-{created_ms}");
        let mut v = js_message(&preview, &me, "unSend");
        v["ID"] = json!(id);
        v["type"] = json!(match kind {
            MediaKind::Image => "TIMImageElem",
            MediaKind::Audio => "TIMSoundElem",
            MediaKind::File => "TIMFileElem",
            MediaKind::Video => "TIMVideoFileElem",
        });
        v["payload"] = json!({ "fileName": file.name, "fileSize": file.blob.size() as u64 });
        self.state.media.borrow_mut().insert(
            id,
            PendingMedia {
                to,
                random,
                file,
                cloud_custom_data,
                on_progress,
                cancel: Cancel::default(),
            },
        );
        Ok(to_js(&v))
    }

    fn list(&self, relation: Relation) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let Reply::Relations { entries, .. } =
                state.request(Request::RelationList { relation }).await?
            else {
                return Err(sdk_error(SdkError::new(
                    codes::PROTOCOL,
                    "unexpected reply",
                )));
            };
            state
                .client()?
                .cache()
                .set_relations(relation, &entries)
                .await
                .map_err(|e| sdk_error(e.into()))?;
            ok(relation_list(relation, &entries))
        })
    }

    fn change_list(&self, relation: Relation, options: JsValue, add: bool) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move { change(state, relation, user_list(options)?, add).await })
    }
}

/// Sends a message object made by a `create…Message` method.
async fn send(state: Rc<State>, message: JsValue) -> Result<JsValue, JsValue> {
    let id = js_sys::Reflect::get(&message, &"ID".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if state.media.borrow().contains_key(&id) {
        return send_media(state, id).await;
    }
    #[derive(Deserialize)]
    struct Outgoing {
        to: String,
        random: u32,
        elements: Vec<Element>,
        #[serde(rename = "cloudCustomData", default)]
        cloud_custom_data: String,
    }
    let o: Outgoing = from_js(message, "message: use one made by a create…Message method")?;
    let me = state.me()?;
    let client = state.client()?;
    let item = OutboxItem {
        to: UserId::parse(o.to).map_err(|e| invalid(e.to_string()))?,
        random: o.random,
        elements: o.elements,
        cloud_custom_data: Some(o.cloud_custom_data).filter(|c| !c.is_empty()),
        created_ms: js_sys::Date::now() as u64,
    };
    let result = client.send(item).await;
    let sent = result.map_err(sdk_error)?;
    ok(json!({ "message": js_message(&sent, &me, "success") }))
}

/// The blob and file name of a `File`, a `Blob`, or an `<input type=file>` with a file chosen.
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

/// Uploads a pending media message and sends it.
async fn send_media(state: Rc<State>, id: String) -> Result<JsValue, JsValue> {
    let me = state.me()?;
    let client = state.client()?;
    let (file, on_progress, cancel, to, random, cloud_custom_data) = {
        let media = state.media.borrow();
        let p = media.get(&id).expect("checked by the caller");
        let cancel = Cancel::default();
        (
            p.file.clone(),
            p.on_progress.clone(),
            cancel,
            p.to.clone(),
            p.random,
            p.cloud_custom_data.clone(),
        )
    };
    if let Some(p) = state.media.borrow_mut().get_mut(&id) {
        p.cancel = cancel.clone();
    }
    let target = Target {
        server: state.server.clone(),
        user: me.clone(),
        user_sig: state.user_sig.borrow().clone().unwrap_or_default(),
    };
    let progress: Progress = Rc::new(move |percent| {
        if let Some(f) = &on_progress {
            let _ = f.call1(&JsValue::NULL, &JsValue::from(f64::from(percent) / 100.0));
        }
    });
    let element = upload::media_element(&target, &file, progress, &cancel)
        .await
        .map_err(sdk_error)?;
    let item = OutboxItem {
        to,
        random,
        elements: vec![element],
        cloud_custom_data,
        created_ms: js_sys::Date::now() as u64,
    };
    let result = client.send(item).await;
    // Sent, or in the outbox to go out on reconnect: it is an ordinary message from here on. A
    // refusal keeps it, to be sent again.
    if result.is_ok()
        || result
            .as_ref()
            .is_err_and(|e| e.code == codes::DISCONNECTED)
    {
        state.media.borrow_mut().remove(&id);
    }
    let sent = result.map_err(sdk_error)?;
    ok(json!({ "message": js_message(&sent, &me, "success") }))
}

/// Adds or removes users; resolves `{ successUserIDList, failureUserIDList: [{ userID, code, message }] }`.
async fn change(
    state: Rc<State>,
    relation: Relation,
    users: Vec<UserId>,
    add: bool,
) -> Result<JsValue, JsValue> {
    let results = state
        .session()?
        .change_relations(relation, users, add)
        .await
        .map_err(sdk_error)?;
    let (ok_list, failed): (Vec<UserResult>, Vec<UserResult>) =
        results.into_iter().partition(|r| r.code.0 == 0);
    ok(json!({
        "successUserIDList": ok_list.iter().map(|r| r.user_id.to_string()).collect::<Vec<_>>(),
        "failureUserIDList": failed.iter().map(|r| json!({ "userID": r.user_id, "code": r.code.0, "message": r.message })).collect::<Vec<_>>(),
    }))
}

/// A friend list (`[{ userID }]`) or blacklist (`[userID]`) as Tencent's SDK shows it.
fn relation_list(relation: Relation, entries: &[protocol::RelationEntry]) -> Value {
    let list = entries.iter().map(|e| match relation {
        Relation::Friend => json!({ "userID": e.user_id }),
        Relation::Blacklist => json!(e.user_id),
    });
    Value::Array(list.collect())
}

/// Reads `{ userIDList: [...] }`.
fn user_list(options: JsValue) -> Result<Vec<UserId>, JsValue> {
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

/// The peer and key of a message object the SDK made.
fn message_ref(message: JsValue) -> Result<(UserId, MessageKey), JsValue> {
    #[derive(Deserialize)]
    struct M {
        #[serde(rename = "ID")]
        id: String,
        #[serde(rename = "conversationID")]
        conversation_id: String,
    }
    let m: M = from_js(message, "message: use one the SDK returned")?;
    let key =
        MessageKey::parse(&m.id).map_err(|_| invalid("this message has not been sent yet"))?;
    Ok((peer_of_conversation(&m.conversation_id)?, key))
}

/// Reads `{ to, payload, cloudCustomData? }`.
fn options_of<P: serde::de::DeserializeOwned>(
    options: JsValue,
) -> Result<(JsValue, P, Option<String>), JsValue> {
    #[derive(Deserialize)]
    struct O<P> {
        to: String,
        payload: P,
        #[serde(rename = "cloudCustomData", default)]
        cloud_custom_data: Option<String>,
    }
    let o: O<P> = from_js(options, "options: expected { to, payload }")?;
    Ok((JsValue::from(o.to), o.payload, o.cloud_custom_data))
}
