//! The SDK client as the components use it (a Yew context): each call the app makes runs the
//! SDK core's ([`Client`]) as a task whose outcome is dispatched as an [`Action`]. SDK events
//! are turned into actions here too, so the state has one way in. The behaviour (sign-in retry,
//! uploads, the outbox, relations, profiles) is the core's; this only shows it.
//!
//! A tab is a device: its device id and sign-in live in `sessionStorage`, so a reload resumes the
//! same sign-in (showing the cached conversations and history at once, before the server
//! answers) and another tab can sign in as someone else.

use crate::content::refusal;
use crate::state::{Action, Net, State, Status};
use duet_chat::cache::OutboxItem;
use duet_chat::cache::indexeddb::IndexedDbCache;
use duet_chat::client::{Client, Listener};
use duet_chat::error::{SdkError, codes};
use duet_chat::event::Event;
use duet_chat::session::Login;
use duet_chat::upload::{MediaFile, Progress};
use protocol::element::TextElem;
use protocol::frame::ConversationChange;
use protocol::mark;
use protocol::{
    DeviceId, Element, ErrorCode, Message, MessageKey, ProfileDetails, Relation, UserId,
};
use serde::Deserialize;
use std::cell::RefCell;
use std::future::Future;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::UseReducerDispatcher;

/// Messages per history page.
const PAGE: u32 = 20;
/// Messages a search shows.
const SEARCH_PAGE: u32 = 50;

/// What the server tells a web client (`GET /duet/config`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerConfig {
    #[serde(rename = "SDKAppID")]
    pub sdk_app_id: u64,
    /// The development UserSig endpoint is on: no UserSig needs to be typed.
    #[serde(rename = "devUserSig")]
    pub dev_usersig: bool,
}

#[derive(Clone)]
pub struct Sdk {
    inner: Rc<Inner>,
}

impl PartialEq for Sdk {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    config: ServerConfig,
    dispatch: UseReducerDispatcher<State>,
    client: RefCell<Option<Client<IndexedDbCache>>>,
    /// The number of the last typing signal heard.
    typing_signals: std::cell::Cell<u64>,
    /// The peers whose presence this tab follows (the SDK follows them again on reconnect).
    followed: RefCell<std::collections::HashSet<UserId>>,
}

/// What `sessionStorage` keeps for a reload.
mod saved {
    const USER: &str = "duet.user";
    const SIG: &str = "duet.usersig";
    const DEVICE: &str = "duet.device";
    const OPEN: &str = "duet.open";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    fn get(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    fn set(key: &str, value: Option<&str>) {
        if let Some(s) = storage() {
            let _ = match value {
                Some(v) => s.set_item(key, v),
                None => s.remove_item(key),
            };
        }
    }

    pub fn sign_in() -> Option<(String, String)> {
        Some((get(USER)?, get(SIG)?))
    }

    pub fn set_sign_in(value: Option<(&str, &str)>) {
        set(USER, value.map(|v| v.0));
        set(SIG, value.map(|v| v.1));
        if value.is_none() {
            set(OPEN, None);
        }
    }

    /// This tab's device id, made once.
    pub fn device() -> String {
        get(DEVICE).unwrap_or_else(|| {
            let id = format!("web-{:08x}", (js_sys::Math::random() * 4e9) as u32);
            set(DEVICE, Some(&id));
            id
        })
    }

    pub fn open() -> Option<String> {
        get(OPEN)
    }

    pub fn set_open(peer: Option<&str>) {
        set(OPEN, peer);
    }
}

fn spawn(task: impl Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(task);
}

fn server_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Fetches the server's configuration.
pub async fn load_config() -> Result<ServerConfig, String> {
    let response = gloo_net::http::Request::get("/duet/config")
        .send()
        .await
        .map_err(|e| format!("cannot reach the server: {e}"))?;
    read_json(response)
        .await
        .map_err(|e| format!("unexpected configuration: {e}"))
}

/// A JSON answer's body, read by the SDK's JSON reader (the demo's one JSON code, as the
/// package's).
pub async fn read_json<T: serde::de::DeserializeOwned>(
    response: gloo_net::http::Response,
) -> Result<T, String> {
    let text = response.text().await.map_err(|e| e.to_string())?;
    duet_chat::json::from_str(&text).map_err(|e| e.to_string())
}

/// Asks the development endpoint for a UserSig.
async fn dev_usersig(user: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Reply {
        #[serde(rename = "userSig")]
        user_sig: Option<String>,
        error: Option<String>,
    }
    #[derive(serde::Serialize)]
    struct Asked<'a> {
        #[serde(rename = "userID")]
        user_id: &'a str,
    }
    let body = duet_chat::json::to_string(&Asked { user_id: user }).map_err(|e| e.to_string())?;
    let response = gloo_net::http::Request::post("/duet/dev/usersig")
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("cannot reach the server: {e}"))?;
    let reply: Reply = read_json(response).await?;
    reply
        .user_sig
        .ok_or_else(|| reply.error.unwrap_or_else(|| "no UserSig".to_owned()))
}

impl Sdk {
    pub fn new(config: ServerConfig, dispatch: UseReducerDispatcher<State>) -> Self {
        Self {
            inner: Rc::new(Inner {
                config,
                dispatch,
                client: RefCell::new(None),
                typing_signals: Default::default(),
                followed: Default::default(),
            }),
        }
    }

    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    fn dispatch(&self, action: Action) {
        self.inner.dispatch.dispatch(action);
    }

    fn notice(&self, text: impl Into<String>) {
        self.dispatch(Action::Notice(Some(text.into())));
    }

    fn client(&self) -> Option<Client<IndexedDbCache>> {
        self.inner.client.borrow().clone()
    }

    /// Runs `call` on the client when signed in; its failure becomes the notice.
    fn call<T: 'static, F: Future<Output = Result<T, SdkError>> + 'static>(
        &self,
        call: impl FnOnce(Client<IndexedDbCache>) -> F,
        then: impl FnOnce(&Sdk, T) + 'static,
    ) {
        let Some(client) = self.client() else { return };
        let sdk = self.clone();
        let call = call(client);
        spawn(async move {
            match call.await {
                Ok(value) => then(&sdk, value),
                Err(e) => sdk.notice(format!("{} (code {})", e.message, e.code.0)),
            }
        });
    }

    /// Signs in with a UserSig, or without one when the development endpoint is on. Resolves
    /// with a message for the sign-in form when it fails.
    pub async fn sign_in(&self, user: String, user_sig: Option<String>) -> Result<(), String> {
        let user = UserId::parse(user.trim()).map_err(|e| e.to_string())?;
        let sig = match user_sig.filter(|s| !s.trim().is_empty()) {
            Some(sig) => sig.trim().to_owned(),
            None if self.inner.config.dev_usersig => dev_usersig(user.as_str()).await?,
            None => return Err("Enter the UserSig your backend signed for this user.".into()),
        };
        self.start(user, sig, true).await
    }

    /// Resumes the sign-in this tab had before a reload, if any; a notification's `?open=peer`
    /// opens that chat, as does a click on one while this page is open (`www/sw.js` tells it).
    pub fn resume(&self) {
        self.open_from_notifications();
        let search = web_sys::window().and_then(|w| w.location().search().ok());
        if let Some(peer) = search.as_deref().and_then(|s| s.strip_prefix("?open=")) {
            let peer = js_sys::decode_uri_component(peer)
                .ok()
                .and_then(|p| p.as_string());
            saved::set_open(peer.as_deref());
        }
        let Some((user, sig)) = saved::sign_in() else {
            return;
        };
        let Ok(user) = UserId::parse(user) else {
            return;
        };
        let sdk = self.clone();
        spawn(async move {
            if let Err(e) = sdk.start(user, sig, false).await {
                sdk.notice(e);
            }
        });
    }

    /// Opens the chat that a clicked notification names: the service worker posts
    /// `{ open: peer }` to this page when it is open.
    fn open_from_notifications(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let sdk = self.clone();
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let peer = js_sys::Reflect::get(&e.data(), &"open".into()).ok();
                if let Some(peer) = peer
                    .and_then(|p| p.as_string())
                    .and_then(|p| UserId::parse(p).ok())
                {
                    sdk.open(peer);
                }
            });
        let container = window.navigator().service_worker();
        let listener = on_message.as_ref().unchecked_ref();
        let _ = container.add_event_listener_with_callback("message", listener);
        // Listens as long as the page lives.
        on_message.forget();
    }

    /// Opens the user's cache and shows what it holds, then signs in; after a reload the
    /// client keeps trying while the server cannot be reached. `fresh`: a sign-in from the
    /// form, which reports a refusal instead of showing the app.
    async fn start(&self, user: UserId, sig: String, fresh: bool) -> Result<(), String> {
        if self.client().is_some() {
            return Err("Already signed in.".into());
        }
        let weak = Rc::downgrade(&self.inner);
        let listener: Listener = Rc::new(move |event| {
            if let Some(inner) = Weak::upgrade(&weak) {
                Sdk { inner }.on_event(event);
            }
        });
        let client = Client::browser(self.inner.config.sdk_app_id, &server_url(), &user, listener)
            .await
            .map_err(|e| format!("This browser's storage is not available: {}", e.message))?;
        let login = Login {
            sdk_app_id: self.inner.config.sdk_app_id,
            user_id: user.clone(),
            user_sig: sig.clone(),
            device: DeviceId::parse(saved::device()).map_err(|e| e.to_string())?,
        };
        let signed_in = if fresh {
            client.login(login).await.map_err(|e| match e.code {
                codes::DISCONNECTED => format!("Cannot reach the server: {}", e.message),
                _ => format!("Sign-in refused: {} (code {})", e.message, e.code.0),
            })
        } else {
            // A reload: show the cache before the network answers.
            self.show_signed_in(&user, &client).await;
            client.login_when_reachable(login).await.map_err(|e| {
                self.sign_out_locally();
                format!("Sign-in refused: {} (code {})", e.message, e.code.0)
            })
        };
        signed_in?;
        saved::set_sign_in(Some((user.as_str(), &sig)));
        if fresh {
            self.show_signed_in(&user, &client).await;
        }
        self.dispatch(Action::Net(Net::Syncing));
        Ok(())
    }

    /// Shows the signed-in app from the cache: conversations, and the chat open before a
    /// reload.
    async fn show_signed_in(&self, user: &UserId, client: &Client<IndexedDbCache>) {
        *self.inner.client.borrow_mut() = Some(client.clone());
        self.dispatch(Action::SignedIn(user.clone()));
        if let Ok(list) = client.conversations().await {
            let unread_total = client.total_unread();
            self.dispatch(Action::Conversations { list, unread_total });
        }
        if let Some(peer) = saved::open().and_then(|p| UserId::parse(p).ok()) {
            self.open(peer);
        }
    }

    pub fn sign_out(&self) {
        let client = self.inner.client.borrow_mut().take();
        self.sign_out_locally();
        if let Some(client) = client {
            spawn(async move { client.logout().await });
        }
    }

    fn sign_out_locally(&self) {
        self.inner.client.borrow_mut().take();
        self.inner.followed.borrow_mut().clear();
        saved::set_sign_in(None);
        self.dispatch(Action::SignedOut);
    }

    /// A notification for each peer's newest message among `list`, when the page is hidden
    /// ([`crate::notify`]): after the first sync only (not the messages that waited), from
    /// peers not muted.
    fn notify(&self, list: &[Message]) {
        let Some(client) = self.client().filter(|c| c.is_ready()) else {
            return;
        };
        let me = client.me();
        let mut told: Vec<&UserId> = Vec::new();
        for m in list.iter().rev() {
            let theirs = Some(&m.from) != me.as_ref() && !client.is_muted(&m.from);
            if theirs && !told.contains(&&m.from) {
                told.push(&m.from);
                spawn(crate::notify::tell(m.clone()));
            }
        }
    }

    fn on_event(&self, event: Event) {
        match event {
            Event::MessageReceived(list) => {
                self.notify(&list);
                self.dispatch(Action::Received(list))
            }
            Event::MessageSent(m) => self.dispatch(Action::Sent(m)),
            Event::SendFailed { to, random, error } => {
                let reason = refusal(error.code, to.as_str(), &error.message);
                let status = Status::Failed { reason };
                self.dispatch(Action::Status { to, random, status });
            }
            Event::MessageRevoked { peer, key, .. } => self.dispatch(Action::Revoked { peer, key }),
            Event::MessagesDeleted { peer, keys } => self.dispatch(Action::Deleted { peer, keys }),
            // The message with its reactions now: shown as an edit is.
            Event::MessageModified(m) | Event::ReactionsUpdated(m, _) => {
                self.dispatch(Action::Modified(m))
            }
            Event::UserStatusUpdated(status) => self.dispatch(Action::Statuses(vec![status])),
            Event::Typing {
                peer,
                typing: false,
            } => self.dispatch(Action::Typing { peer, signal: None }),
            Event::Typing { peer, typing: true } => {
                let signal = self.inner.typing_signals.get() + 1;
                self.inner.typing_signals.set(signal);
                self.dispatch(Action::Typing {
                    peer: peer.clone(),
                    signal: Some(signal),
                });
                // No news for twice the sender's interval: it stopped, or left.
                let sdk = self.clone();
                let over = (2 * duet_chat::typing::THROTTLE_MS) as u32;
                spawn(async move {
                    gloo_timers::future::TimeoutFuture::new(over).await;
                    sdk.dispatch(Action::TypingOver { peer, signal });
                });
            }
            // The conversation list that follows carries it; the demo asks for no per-message
            // read receipts.
            Event::MessageReadByPeer { .. } | Event::ReadReceiptsReceived(_) => {}
            Event::ConversationListUpdated(list) => {
                self.follow(list.iter().map(|c| c.peer.clone()).collect());
                // The client has counted this list before telling of it.
                let unread_total = self.client().map_or(0, |c| c.total_unread());
                self.dispatch(Action::Conversations { list, unread_total })
            }
            Event::ProfileUpdated(p) => self.dispatch(Action::Profile(p)),
            Event::RelationsUpdated(relation, entries) => {
                self.dispatch(Action::Relations { relation, entries })
            }
            Event::FriendListUpdated(friends) => self.dispatch(Action::Relations {
                relation: Relation::Friend,
                entries: friends.into_iter().map(|f| f.entry).collect(),
            }),
            Event::FriendApplicationsUpdated(all) => self.dispatch(Action::Applications(all)),
            // The demo shows neither friend nor conversation groups.
            Event::FriendGroupsChanged | Event::FriendGroupsUpdated(_) => {}
            Event::ConversationGroupsUpdated(_) | Event::ConversationGroupUpdated { .. } => {}
            // The demo has no setting for quiet hours.
            Event::ReceiveOptUpdated(_) => {}
            Event::SdkReady => {
                self.dispatch(Action::Net(Net::Ready));
                self.refresh_relation(Relation::Friend);
                self.refresh_relation(Relation::Blacklist);
                self.refresh_relation(Relation::Muted);
                self.call(
                    |c| async move { c.friend_applications().await },
                    |sdk, all| sdk.dispatch(Action::Applications(all)),
                );
                self.refresh_profile();
                // This user's own status says whether it hid its presence.
                if let Some(me) = self.client().and_then(|c| c.me()) {
                    self.call(
                        |c| async move { c.statuses(vec![me]).await },
                        |sdk, list| sdk.dispatch(Action::Statuses(list)),
                    );
                }
            }
            Event::KickedOut(cause) => {
                self.inner.client.borrow_mut().take();
                saved::set_sign_in(None);
                self.dispatch(Action::Kicked(cause));
            }
            Event::Disconnected => self.dispatch(Action::Net(Net::Offline)),
            // The offline banner already says the app is reconnecting.
            Event::Reconnecting => {}
            Event::Error(e) => self.notice(format!("{} (code {})", e.message, e.code.0)),
        }
    }

    fn refresh_relation(&self, relation: Relation) {
        self.call(
            move |c| async move { c.relations(relation).await },
            move |sdk, entries| sdk.dispatch(Action::Relations { relation, entries }),
        );
    }

    fn refresh_profile(&self) {
        self.call(
            |c| async move { c.my_profile().await },
            |sdk, profile| sdk.dispatch(Action::Profile(profile)),
        );
    }

    /// Adds or removes a friend or a blocked user; a per-user refusal becomes the notice.
    pub fn change_relation(&self, relation: Relation, user: UserId, add: bool) {
        self.call(
            move |c| async move { c.change_relations(relation, vec![user], add).await },
            |sdk, results| {
                for r in results.iter().filter(|r| r.code.0 != 0) {
                    match r.code {
                        ErrorCode::FRIEND_APPLICATION_PENDING => {
                            sdk.notice(format!("Friend request sent to {}", r.user_id))
                        }
                        code => {
                            sdk.notice(format!("{}: {} (code {})", r.user_id, r.message, code.0))
                        }
                    }
                }
            },
        );
    }

    /// Sets the remark that names a friend here and on this user's other devices.
    pub fn update_friend(&self, user: UserId, remark: String) {
        let fields = protocol::RelationFields {
            remark,
            ..Default::default()
        };
        self.call(
            move |c| async move { c.update_friend(user, fields).await },
            |_, ()| {},
        );
    }

    /// Marks every friend request to this user read, on all of its devices.
    pub fn read_requests(&self) {
        self.call(
            |c| async move { c.read_applications().await },
            |_, ()| {}, // `FriendApplicationsUpdated` clears the count on every device
        );
    }

    /// Accepts a friend request (the friendship is made both ways) or refuses it.
    pub fn answer_request(&self, user: UserId, accept: bool) {
        self.call(
            move |c| async move {
                match accept {
                    true => c.accept_application(user, true, Default::default()).await,
                    false => c
                        .change_relations(Relation::ApplicationReceived, vec![user], false)
                        .await
                        .map(drop),
                }
            },
            |_, ()| {},
        );
    }

    pub fn set_profile(&self, nick: String, avatar: String, details: ProfileDetails) {
        self.call(
            |c| async move { c.set_profile(Some(nick), Some(avatar), details).await },
            |sdk, p| sdk.dispatch(Action::Profile(p)),
        );
    }

    /// Opens the chat with `peer`: its newest page (from the cache, or history when the cache
    /// has less), and what waits in the outbox for it.
    pub fn open(&self, peer: UserId) {
        saved::set_open(Some(peer.as_str()));
        self.dispatch(Action::Open(peer.clone()));
        let Some(client) = self.client() else { return };
        let sdk = self.clone();
        spawn(async move {
            sdk.load_page(&client, peer, None).await;
            if let Ok(outbox) = client.outbox().await {
                let queued = outbox.into_iter().map(|i| (i, Status::Queued)).collect();
                sdk.dispatch(Action::Unsent(queued));
            }
        });
    }

    pub fn close(&self) {
        saved::set_open(None);
        self.dispatch(Action::Close);
    }

    /// Deletes the chat with `peer`, with its messages, from this user's list on all of its
    /// devices, and closes it.
    pub fn delete_conversation(&self, peer: UserId) {
        self.close();
        self.call(
            move |c| async move { c.delete_conversation(&peer, true).await },
            |_, ()| {},
        );
    }

    /// Clears the chat with `peer` of its messages on all of this user's devices; it stays in
    /// the list (`MessagesDeleted` empties the view, this one's too).
    pub fn clear_history(&self, peer: UserId) {
        self.call(
            move |c| async move { c.clear_history(&peer).await },
            |_, ()| {},
        );
    }

    /// Loads the page of the chat with `peer` older than `before`.
    pub fn load_older(&self, peer: UserId, before: MessageKey) {
        let Some(client) = self.client() else { return };
        self.dispatch(Action::LoadingOlder);
        let sdk = self.clone();
        spawn(async move { sdk.load_page(&client, peer, Some(before)).await });
    }

    async fn load_page(
        &self,
        client: &Client<IndexedDbCache>,
        peer: UserId,
        before: Option<MessageKey>,
    ) {
        match client.messages(&peer, before, PAGE).await {
            Ok((messages, complete)) => self.dispatch(Action::Page {
                peer,
                messages,
                complete,
            }),
            Err(e) => {
                // Leave the chat usable; the next scroll retries.
                self.dispatch(Action::Page {
                    peer,
                    messages: Vec::new(),
                    complete: false,
                });
                self.notice(format!(
                    "Could not load messages: {} (code {})",
                    e.message, e.code.0
                ));
            }
        }
    }

    pub fn mark_read(&self, peer: UserId) {
        let Some(client) = self.client() else { return };
        // Best effort: the next message or visit marks it again.
        spawn(async move { drop(client.mark_read(&peer).await) });
    }

    /// Sends a message to `to`; it shows at once as sending.
    pub fn send(&self, to: UserId, element: Element, cloud_custom_data: Option<String>) {
        if let Some(client) = self.client() {
            self.resend(client.draft(to, vec![element], cloud_custom_data));
        }
    }

    /// Sends a file as an image, voice, file or video message: it shows at once with its
    /// upload progress, then is sent like any message.
    pub fn send_file(&self, to: UserId, file: MediaFile) {
        let Some(client) = self.client() else { return };
        let name = file.name.clone();
        let uploading = move |percent| Status::Uploading {
            percent,
            name: name.clone(),
        };
        let last = Rc::new(std::cell::Cell::new(u32::MAX));
        let sdk = self.clone();
        let target = Rc::new(RefCell::new(None::<(UserId, u32)>));
        let progress: Progress = {
            let (target, uploading) = (target.clone(), uploading.clone());
            Rc::new(move |percent| {
                if percent != last.replace(percent)
                    && let Some((to, random)) = target.borrow().clone()
                {
                    let status = uploading(percent);
                    sdk.dispatch(Action::Status { to, random, status });
                }
            })
        };
        match client.draft_media(to, file, None, progress) {
            Ok(item) => {
                *target.borrow_mut() = Some((item.to.clone(), item.random));
                self.dispatch(Action::Unsent(vec![(item.clone(), uploading(0))]));
                self.deliver(client, item);
            }
            Err(e) => self.notice(format!("{} (code {})", e.message, e.code.0)),
        }
    }

    /// Stops a media message's upload; it can be sent again.
    pub fn cancel_upload(&self, random: u32) {
        if let Some(client) = self.client() {
            client.cancel_upload(random);
        }
    }

    /// Sends again a message that failed (a media message uploads again if it had not been),
    /// with its random, so the server stores it once.
    pub fn retry(&self, item: OutboxItem) {
        self.resend(item);
    }

    fn resend(&self, item: OutboxItem) {
        let Some(client) = self.client() else { return };
        // Offline it waits in the outbox and goes out on reconnect.
        let status = match client.session() {
            Some(_) => Status::Sending,
            None => Status::Queued,
        };
        self.dispatch(Action::Unsent(vec![(item.clone(), status)]));
        self.deliver(client, item);
    }

    /// Sends `item`; the outcome updates the message shown.
    fn deliver(&self, client: Client<IndexedDbCache>, item: OutboxItem) {
        let sdk = self.clone();
        spawn(async move {
            let (to, random) = (item.to.clone(), item.random);
            let file = client.media_file(random).map(|f| f.name);
            let status = match client.send(item).await {
                Ok(m) => return sdk.dispatch(Action::Sent(m)),
                Err(e) if e.code == codes::DISCONNECTED => Status::Queued,
                Err(e) => {
                    let reason = refusal(e.code, to.as_str(), &e.message);
                    Status::Failed {
                        reason: match file {
                            Some(name) => format!("{name}: {reason}"),
                            None => reason,
                        },
                    }
                }
            };
            sdk.dispatch(Action::Status { to, random, status });
        });
    }

    /// Deletes a message from this user's history on all its devices (the peer keeps it).
    pub fn delete(&self, peer: UserId, key: MessageKey) {
        self.call(
            move |c| async move { c.delete_messages(&peer, &[key]).await },
            |_, ()| {}, // `MessagesDeleted` takes it off every device's view, this one's too
        );
    }

    /// Turns on notifications for this browser (the SDK asks for permission, registers
    /// `/sw.js` and subscribes). Resolves with a line for the profile panel.
    pub async fn enable_notifications(&self) -> Result<String, String> {
        let client = self.client().ok_or("Sign in first.")?;
        client.enable_web_push("/sw.js").await.map_err(|e| {
            let mut line = e.message.clone();
            if let Some(first) = line.get(..1) {
                line.replace_range(..1, &first.to_uppercase());
            }
            format!("{line}.")
        })?;
        Ok("Notifications are on for this browser.".into())
    }

    /// Edits an own text message to `text`, from the version shown.
    pub fn edit(&self, peer: UserId, message: &Message, text: String) {
        let (key, version) = (message.key, message.version);
        let mut elements = message.elements.clone();
        if let Some(first) = elements.first_mut() {
            *first = Element::Text(TextElem { text });
        }
        let data = message.cloud_custom_data.clone().unwrap_or_default();
        self.call(
            move |c| async move { c.modify(&peer, key, version, Some(elements), data).await },
            |sdk, m| sdk.dispatch(Action::Modified(m)),
        );
    }

    /// Makes the next message in the open chat a reply quoting `message` (or no reply).
    pub fn reply_to(&self, message: Option<Message>) {
        self.dispatch(Action::ReplyTo(message));
    }

    /// Tells `peer` this user is typing (the SDK sends it at most every few seconds).
    pub fn typing(&self, peer: UserId) {
        self.call(
            move |c| async move { c.send_typing(&peer, true).await },
            |_, ()| {},
        );
    }

    /// Pins the conversation with `peer` to the top of the list, or unpins it, on every device.
    pub fn pin(&self, peer: UserId, pinned: bool) {
        let pin = ConversationChange {
            pinned: Some(pinned),
            ..Default::default()
        };
        self.change_conversation(peer, pin);
    }

    /// Stars the conversation with `peer` (Tencent's star mark), or takes the star away, on
    /// every device.
    pub fn star(&self, peer: UserId, starred: bool) {
        let (mark, unmark) = match starred {
            true => (mark::STAR, 0),
            false => (0, mark::STAR),
        };
        let star = ConversationChange {
            mark,
            unmark,
            ..Default::default()
        };
        self.change_conversation(peer, star);
    }

    /// Keeps what is being written to `peer` for the user's other devices.
    pub fn save_draft(&self, peer: UserId, text: String) {
        let draft = ConversationChange {
            draft: Some(text),
            ..Default::default()
        };
        self.change_conversation(peer, draft);
    }

    fn change_conversation(&self, peer: UserId, change: ConversationChange) {
        self.call(
            move |c| async move { c.set_conversation(&peer, change).await },
            |_, ()| {}, // the conversation list that follows shows it
        );
    }

    /// Follows the presence of those of `peers` not followed yet (as many as the server
    /// allows a connection), for the dots on their pictures.
    fn follow(&self, peers: Vec<UserId>) {
        let new: Vec<UserId> = {
            let mut followed = self.inner.followed.borrow_mut();
            let room = protocol::presence::MAX_STATUS_SUBSCRIPTIONS.saturating_sub(followed.len());
            let new: Vec<UserId> = peers
                .into_iter()
                .filter(|p| !followed.contains(p))
                .take(room)
                .collect();
            followed.extend(new.iter().cloned());
            new
        };
        if new.is_empty() || self.client().is_none_or(|c| c.session().is_none()) {
            // Offline: the next conversation list after reconnecting tries again.
            self.inner
                .followed
                .borrow_mut()
                .retain(|p| !new.contains(p));
            return;
        }
        let retry = new.clone();
        let sdk = self.clone();
        let Some(client) = self.client() else { return };
        spawn(async move {
            match client.follow_statuses(new, true).await {
                Ok(list) => sdk.dispatch(Action::Statuses(list)),
                Err(_) => sdk
                    .inner
                    .followed
                    .borrow_mut()
                    .retain(|p| !retry.contains(p)),
            }
        });
    }

    /// Sets this user's custom status (empty clears it); its followers and devices are told.
    pub fn set_custom_status(&self, custom: String) {
        self.call(
            move |c| async move { c.set_custom_status(custom).await },
            |sdk, list| sdk.dispatch(Action::Statuses(list)),
        );
    }

    /// Hides this user's presence from everyone, or shows it again.
    pub fn hide_status(&self, hidden: bool) {
        let Some(me) = self.client().and_then(|c| c.me()) else {
            return;
        };
        self.call(
            move |c| async move {
                c.hide_status(hidden).await?;
                c.statuses(vec![me]).await
            },
            |sdk, list| sdk.dispatch(Action::Statuses(list)),
        );
    }

    /// Adds (`add`) or takes back this user's reaction `emoji` on a message with `peer`.
    pub fn react(&self, peer: UserId, key: MessageKey, emoji: String, add: bool) {
        self.call(
            move |c| async move { c.react(&peer, key, emoji, add).await },
            |_, _| {}, // `ReactionsUpdated` shows it on every device, this one too
        );
    }

    /// Searches this user's messages for `words`: all of its history on the server, or what
    /// this device holds while offline.
    pub fn search(&self, words: String) {
        let Some(client) = self.client() else { return };
        self.dispatch(Action::Search(Some(words.clone())));
        let sdk = self.clone();
        spawn(async move {
            let query = protocol::search::SearchQuery {
                keywords: words
                    .split_whitespace()
                    .map(str::to_owned)
                    .take(5)
                    .collect(),
                match_all: true,
                ..Default::default()
            };
            let found = match client.session() {
                Some(_) => client.search_cloud(&query, 0, SEARCH_PAGE).await,
                None => client.search_local(&query, 0, SEARCH_PAGE).await,
            };
            match found {
                Ok((messages, _)) => sdk.dispatch(Action::Found { words, messages }),
                Err(e) => {
                    sdk.dispatch(Action::Search(None));
                    sdk.notice(format!("{} (code {})", e.message, e.code.0));
                }
            }
        });
    }

    /// Opens the chat a found message is in, and brings it into view.
    pub fn jump_to(&self, message: &Message) {
        let Some(me) = self.client().and_then(|c| c.me()) else {
            return;
        };
        let peer = message.peer_of(&me).clone();
        self.open(peer.clone());
        self.dispatch(Action::JumpTo {
            peer,
            key: message.key,
        });
    }

    /// Recalls an own message.
    pub fn recall(&self, peer: UserId, key: MessageKey) {
        let revoked = peer.clone();
        self.call(
            move |c| async move { c.recall(&peer, key).await },
            move |sdk, ()| sdk.dispatch(Action::Revoked { peer: revoked, key }),
        );
    }
}
