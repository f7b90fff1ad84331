//! The JavaScript API: a thin `#[wasm_bindgen]` binding of [`Client`], shaped like Tencent's
//! web SDK (`@tencentcloud/chat`) so its users feel at home. `js/index.js` wraps it as the
//! package's default export `DuetChat` with `create`, `EVENT` and `TYPES`.
//!
//! Promises resolve with `{ code: 0, data }` and reject with an `Error` carrying a numeric
//! `code` (the server's codes, or the SDK's in [`crate::error::codes`]). Behaviour lives in the
//! client; this layer reads the app's arguments and shapes the answers ([`shapes`]). The
//! methods that take arguments are reached through one export ([`calls`]).

mod args;
mod calls;
mod convert;
mod events;
mod held;
mod messages;
mod people;
mod reactions;
mod search;
mod shapes;

use crate::cache::indexeddb::IndexedDbCache;
use crate::client::{Client, Listener};
use crate::error::{SdkError, codes};
use crate::event::Event;
use crate::session::Login;
use args::Args;
use convert::{ok, promise, sdk_error};
use js_sys::{Function, Promise};
use protocol::{DeviceId, UserId};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// One SDK instance (`DuetChat.create(...)`).
#[wasm_bindgen]
pub struct Chat {
    state: Rc<State>,
}

struct State {
    sdk_app_id: u64,
    server: String,
    /// The app's listeners, in the order added (a handful: a list is smaller in the module
    /// than a map).
    handlers: RefCell<Vec<Listening>>,
    client: RefCell<Option<Client<IndexedDbCache>>>,
    /// The message objects given to the app, kept one per message.
    held: held::Held,
    /// Tencent's readiness (`isReady`): from `SDK_READY`, once a sign-in has synced, to
    /// `SDK_NOT_READY`, when it ends (a logout, a kick). A dropped connection leaves it
    /// ready, as in Tencent's SDK: `NET_STATE_CHANGE` tells of it, sends wait in the outbox,
    /// and the sync after the reconnect is not announced as `SDK_READY` again.
    ready: Cell<bool>,
    /// A `login` is under way, from its start to its answer.
    signing_in: Cell<bool>,
    /// The unread total last told (`TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`, which tells only a
    /// change, as Tencent's); 0 at each sign-in's start.
    told_unread: Cell<u32>,
}

/// Marks a `login` under way until it ends, however it ends.
struct SigningIn<'a>(&'a Cell<bool>);

impl<'a> SigningIn<'a> {
    fn start(flag: &'a Cell<bool>) -> Self {
        flag.set(true);
        Self(flag)
    }
}

impl Drop for SigningIn<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// A listener: the event's name, the handler, and the `this` it is called with (Tencent's
/// `context`).
struct Listening(String, Function, JsValue);

impl State {
    fn client(&self) -> Result<Client<IndexedDbCache>, JsValue> {
        self.client
            .borrow()
            .clone()
            .ok_or_else(|| sdk_error(SdkError::new(codes::STATE, "log in first")))
    }

    /// The client and its signed-in user.
    fn signed_in(&self) -> Result<(Client<IndexedDbCache>, UserId), JsValue> {
        let client = self.client()?;
        let me = client
            .me()
            .ok_or_else(|| sdk_error(SdkError::new(codes::STATE, "log in first")))?;
        Ok((client, me))
    }

    fn on_event(&self, event: Event) {
        let Ok((client, me)) = self.signed_in() else {
            return;
        };
        let readiness = match event {
            Event::SdkReady => !self.ready.replace(true),
            Event::KickedOut(_) => self.ready.replace(false),
            _ => false,
        };
        let unread = match event {
            Event::ConversationListUpdated(_) => Some(client.total_unread()),
            _ => None,
        };
        let unread = unread.filter(|&total| self.told_unread.replace(total) != total);
        let news = events::News { readiness, unread };
        for events::Emit(name, data) in events::emits(event, &me, &client, &self.held, news) {
            self.dispatch(name, &data);
        }
    }

    /// Calls the listeners of the event `name` with `{ name, data }`.
    fn dispatch(&self, name: &str, data: &JsValue) {
        // Those listening when the event came, whatever they add or remove meanwhile.
        let handlers: Vec<(Function, JsValue)> = (self.handlers.borrow().iter())
            .filter(|Listening(n, ..)| n == name)
            .map(|Listening(_, h, this)| (h.clone(), this.clone()))
            .collect();
        let event = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&event, &"name".into(), &name.into());
        let _ = js_sys::Reflect::set(&event, &"data".into(), data);
        for (h, this) in handlers {
            let _ = h.call1(&this, &event);
        }
    }
}

#[wasm_bindgen]
impl Chat {
    /// `new Chat({ SDKAppID, server })`; `DuetChat.create` calls this. Tencent's name for a
    /// private deployment's server, `proxyServer`, is taken for `server`, so that a port only
    /// changes the address.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Chat, JsValue> {
        let o = Args::read(&options, "options")?;
        let server = match o.string("server")? {
            Some(server) => Some(server),
            None => o.string("proxyServer")?,
        };
        Ok(Chat {
            state: Rc::new(State {
                sdk_app_id: o.need(o.u64("SDKAppID")?, "SDKAppID")?,
                server: o.need(server, "server")?,
                handlers: RefCell::default(),
                client: RefCell::new(None),
                held: held::Held::new(),
                ready: Cell::new(false),
                signing_in: Cell::new(false),
                told_unread: Cell::new(0),
            }),
        })
    }

    /// `on(eventName, handler, context?)`: `handler` is called with `{ name, data }`, `this`
    /// being `context`. A listener that could never be called is not kept, and a warning
    /// says so: an event name that is not a string (code written for Tencent's SDK listens
    /// to its group events, which are `undefined` here) or a handler that is not a function.
    pub fn on(&self, event: JsValue, handler: JsValue, context: JsValue) {
        match (event.as_string(), handler.dyn_into::<Function>()) {
            (Some(name), Ok(handler)) => {
                (self.state.handlers.borrow_mut()).push(Listening(name, handler, context))
            }
            _ => crate::log::warn(
                "on() was given no event name or no function: the listener will never be called",
            ),
        }
    }

    /// `off(eventName, handler)`: removes the listeners `on` added with them.
    pub fn off(&self, event: JsValue, handler: JsValue) {
        let name = event.as_string();
        (self.state.handlers.borrow_mut())
            .retain(|Listening(n, h, _)| !(Some(n) == name.as_ref() && JsValue::eq(h, &handler)));
    }

    /// `isReady()`: signed in and synced at least once, until a logout or a kick (as
    /// Tencent's: a dropped connection leaves it true).
    #[wasm_bindgen(js_name = isReady)]
    pub fn is_ready(&self) -> bool {
        self.state.ready.get()
    }

    /// `getLoginUser()`: the signed-in user's ID, `''` when none. (A `JsValue`, not a
    /// `String`: wasm-bindgen returns a string through a shim of its own.)
    #[wasm_bindgen(js_name = getLoginUser)]
    pub fn get_login_user(&self) -> JsValue {
        let me = self.state.client.borrow().as_ref().and_then(|c| c.me());
        JsValue::from_str(me.as_ref().map_or("", |u| u.as_str()))
    }

    /// `setLogLevel(level)`, Tencent's levels 0 (everything) to 4 (nothing); see
    /// [`crate::log`]. One level for the page.
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&self, level: JsValue) -> Result<(), JsValue> {
        (level.as_f64())
            .filter(|l| l.fract() == 0.0 && (0.0..=255.0).contains(l))
            .and_then(|l| crate::log::set_level(l as u8))
            .ok_or_else(|| convert::invalid("level must be a whole number from 0 to 4"))
    }

    /// `registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin })`, as written for Tencent's
    /// SDK. Duet uploads media itself and needs no plugin: whatever is given is not used.
    #[wasm_bindgen(js_name = registerPlugin)]
    pub fn register_plugin(&self, _plugins: JsValue) {}
}

impl Chat {
    /// `getServerTime()`: the server's time, milliseconds since the Unix epoch, as Tencent's
    /// gives it: this device's clock set by the server's at sign-in (this device's alone before).
    pub(super) fn get_server_time(&self, _: JsValue) -> Result<JsValue, JsValue> {
        let client = self.state.client.borrow();
        let ms = match client.as_ref() {
            Some(c) => c.server_time_ms(),
            None => crate::runtime::now_ms(),
        };
        Ok(JsValue::from(ms as f64))
    }

    /// `login({ userID, userSig })`. Resolves when the server accepted the sign-in; offline
    /// messages then arrive as `MESSAGE_RECEIVED`, followed by `SDK_READY`.
    pub fn login(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let o = Args::read(&options, "login options")?;
            let user = o.user("userID")?;
            let user_sig = o.need(o.string("userSig")?, "userSig")?;
            // As Tencent's: a sign-in while one is under way is refused with 2025 (an app
            // whose view starts it twice, as React's strict mode does, is told), and the same
            // user's once it is done resolves `{ repeatLogin: true }`. (A client kicked out by
            // the server has no user and is replaced.)
            if state.signing_in.get() {
                let e = SdkError::new(codes::REPEAT_LOGIN, "a sign-in is under way");
                return Err(sdk_error(e));
            }
            let signed_in = state.client.borrow().as_ref().and_then(|c| c.me());
            if let Some(me) = signed_in {
                if me != user {
                    let e = SdkError::new(
                        codes::STATE,
                        "already logged in as another user; call logout first",
                    );
                    return Err(sdk_error(e));
                }
                crate::log::warn("login: this user is logged in already");
                #[derive(serde::Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Repeat {
                    repeat_login: bool,
                }
                return ok(Repeat { repeat_login: true });
            }
            let _under_way = SigningIn::start(&state.signing_in);
            state.told_unread.set(0);
            let weak = Rc::downgrade(&state);
            let listener: Listener = Rc::new(move |e| {
                if let Some(s) = weak.upgrade() {
                    s.on_event(e);
                }
            });
            let client = Client::browser(state.sdk_app_id, &state.server, &user, listener)
                .await
                .map_err(sdk_error)?;
            let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            let device = DeviceId::parse(format!("web-{random:08x}")).expect("valid device id");
            let login = Login {
                sdk_app_id: state.sdk_app_id,
                user_id: user,
                user_sig,
                device,
            };
            // Held before the sign-in ends, so that the events it starts reach the app.
            *state.client.borrow_mut() = Some(client.clone());
            if let Err(e) = client.login(login).await {
                state.client.borrow_mut().take();
                return Err(sdk_error(e));
            }
            ok(Empty {})
        })
    }

    /// Signs out; the cached history stays for the next sign-in.
    pub fn logout(&self) -> Promise {
        self.end(false)
    }

    /// Signs out, tells `SDK_DESTROY` (`{ SDKAppID }`) and forgets every listener, as
    /// Tencent's does.
    pub fn destroy(&self) -> Promise {
        self.end(true)
    }
}

impl Chat {
    /// Ends the sign-in, if any (`SDK_NOT_READY` when it was ready); with `destroy`, then
    /// `SDK_DESTROY` and no listeners.
    fn end(&self, destroy: bool) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let client = state.client.borrow_mut().take();
            state.held.clear();
            if state.ready.replace(false) {
                state.dispatch(events::NOT_READY, &JsValue::NULL);
            }
            if let Some(c) = client {
                c.logout().await;
            }
            if destroy {
                let data = js_sys::Object::new();
                let id = JsValue::from(state.sdk_app_id as f64);
                let _ = js_sys::Reflect::set(&data, &"SDKAppID".into(), &id);
                state.dispatch(events::DESTROY, &data);
                state.handlers.borrow_mut().clear();
            }
            ok(Empty {})
        })
    }
}

/// `{}`: the data of an answer with nothing to say.
#[derive(serde::Serialize)]
struct Empty {}
