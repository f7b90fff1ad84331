//! The message objects this instance gave the app, by `ID`. As in Tencent's SDK, a message is
//! one object while the app may hold it: `getMessageList`, the message events and
//! `findMessage` give the object the app already has, brought up to date in place (`status`,
//! `isPeerRead`, `isRead`, `isRevoked`, an edit), so an app that keeps the objects and draws
//! them again on an event shows the change. The newest [`KEPT`] are held, in a JavaScript
//! `Map` in the order last given (Tencent's holds every message it loaded).
//!
//! Written here rather than as a JavaScript snippet, though that is 0.3 KB smaller gzipped:
//! with a fifth snippet, wasm-bindgen's test runner (0.2.130) stalls loading its page about
//! every other run (`wasm-pack test`).

use super::convert::field;
use js_sys::{Array, Map, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Message objects held at most: `findMessage`'s reach as well.
const KEPT: u32 = 1000;

pub(super) struct Held(Map);

impl Held {
    pub(super) fn new() -> Self {
        Self(Map::new())
    }

    /// `fresh`, a message object just made, as the object the app holds for its `ID`: that
    /// object updated with `fresh`, or else `fresh`, held from now on.
    pub(super) fn one(&self, fresh: JsValue) -> JsValue {
        let held = self.0.get(&field(&fresh, "ID"));
        self.update(&held, fresh)
    }

    /// `target`, the app's object for a message, updated with `fresh` and held from now on; or
    /// `fresh` in its place when there is none, or when the app froze it (a store such as
    /// Redux's freezes what it keeps), as a frozen object cannot be written to.
    pub(super) fn update(&self, target: &JsValue, fresh: JsValue) -> JsValue {
        let object = match target.dyn_ref::<Object>() {
            Some(target) if !Object::is_frozen(target) => {
                Object::assign(target, fresh.unchecked_ref::<Object>());
                target.clone().into()
            }
            _ => fresh,
        };
        self.keep(&object);
        object
    }

    /// Each object of the array `list` as [`Held::one`] gives it, in place.
    pub(super) fn each(&self, list: &JsValue) {
        let list: &Array = list.unchecked_ref();
        for i in 0..list.length() {
            list.set(i, self.one(list.get(i)));
        }
    }

    /// Holds `object`, the app's own (sent or edited), for its `ID`, as the newest.
    pub(super) fn keep(&self, object: &JsValue) {
        let id = field(object, "ID");
        self.0.delete(&id);
        self.0.set(&id, object);
        if self.0.size() > KEPT
            && let Some(Ok(oldest)) = self.0.keys().into_iter().next()
        {
            self.0.delete(&oldest);
        }
    }

    /// Marks read the held messages the peer sent that the user has read: those whose
    /// `sequence` is at most `read_up_to` of their `conversationID` (`u64::MAX`: all of them).
    /// As in Tencent's SDK, this follows a read on any of the user's devices.
    pub(super) fn read(&self, read_up_to: &dyn Fn(&str) -> u64) {
        self.0.for_each(&mut |object, _| {
            if field(&object, "isRead").is_truthy()
                || field(&object, "flow") != "in"
                || Object::is_frozen(object.unchecked_ref::<Object>())
            {
                return;
            }
            let conversation = field(&object, "conversationID").as_string();
            let sequence = field(&object, "sequence").as_f64().unwrap_or(f64::INFINITY);
            if sequence <= read_up_to(conversation.as_deref().unwrap_or_default()) as f64 {
                let _ = Reflect::set(&object, &"isRead".into(), &JsValue::TRUE);
            }
        });
    }

    /// Forgets every object: the user signed out.
    pub(super) fn clear(&self) {
        self.0.clear();
    }
}
