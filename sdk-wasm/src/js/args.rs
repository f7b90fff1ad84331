//! The app's arguments: a call's options, a message payload or a message object the SDK made,
//! read field by field from the JavaScript object, each call taking the fields it needs. A
//! missing or mistyped field is named in the error (`options.userID is missing`, code 60006).
//!
//! Why not serde: serde compiles a JSON reader into every type it reads, so some thirty option
//! types carried some thirty readers, and each call went through `JSON.stringify` first. Here
//! a field is one `Reflect.get` and a check of its type; only the fields that hold protocol
//! types (a message's `elements`, a profile's custom fields) go through their serde decoders.

use super::convert::{from_js, invalid};
use protocol::UserId;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Numbers a JavaScript number holds exactly: ±(2⁵³ − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// The app's object, and its name in errors (`options`, `message`, `payload`, …).
pub(super) struct Args {
    object: JsValue,
    what: &'static str,
}

impl Args {
    /// `value`, which must be an object.
    pub(super) fn read(value: &JsValue, what: &'static str) -> Result<Args, JsValue> {
        if !value.is_object() {
            return Err(invalid(format!("{what}: expected an object")));
        }
        Ok(Args {
            object: value.clone(),
            what,
        })
    }

    /// `value`, or no fields when the app passed `undefined` or `null` (optional options).
    pub(super) fn read_optional(value: &JsValue, what: &'static str) -> Result<Args, JsValue> {
        match value.is_undefined() || value.is_null() {
            true => Ok(Args {
                object: JsValue::UNDEFINED,
                what,
            }),
            false => Args::read(value, what),
        }
    }

    /// The field, `None` when absent, `undefined` or `null`.
    fn get(&self, name: &str) -> Option<JsValue> {
        if !self.object.is_object() {
            return None;
        }
        let value = js_sys::Reflect::get(&self.object, &JsValue::from_str(name)).ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn wrong(&self, name: &str, expected: &str) -> JsValue {
        invalid(format!("{}.{name} must be {expected}", self.what))
    }

    /// A field the call cannot do without.
    pub(super) fn need<T>(&self, value: Option<T>, name: &str) -> Result<T, JsValue> {
        value.ok_or_else(|| self.missing(name))
    }

    /// (Out of [`Args::need`], so that it is compiled once rather than once per field type.)
    fn missing(&self, name: &str) -> JsValue {
        invalid(format!("{}.{name} is missing", self.what))
    }

    pub(super) fn string(&self, name: &str) -> Result<Option<String>, JsValue> {
        self.get(name)
            .map(|v| v.as_string().ok_or_else(|| self.wrong(name, "a string")))
            .transpose()
    }

    pub(super) fn bool(&self, name: &str) -> Result<Option<bool>, JsValue> {
        self.get(name)
            .map(|v| v.as_bool().ok_or_else(|| self.wrong(name, "true or false")))
            .transpose()
    }

    /// A finite number.
    pub(super) fn number(&self, name: &str) -> Result<Option<f64>, JsValue> {
        self.get(name)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| self.wrong(name, "a number"))
            })
            .transpose()
    }

    /// A whole number from `min` to `max`. (The bounds are whole, and shown as integers: the
    /// package has no float formatting.)
    pub(super) fn whole(&self, name: &str, min: f64, max: f64) -> Result<Option<f64>, JsValue> {
        self.get(name)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.fract() == 0.0 && (min..=max).contains(n))
                    .ok_or_else(|| {
                        let range = format!("a whole number from {} to {}", min as i64, max as i64);
                        self.wrong(name, &range)
                    })
            })
            .transpose()
    }

    pub(super) fn u8(&self, name: &str) -> Result<Option<u8>, JsValue> {
        Ok(self.whole(name, 0.0, u8::MAX.into())?.map(|n| n as u8))
    }

    pub(super) fn u32(&self, name: &str) -> Result<Option<u32>, JsValue> {
        Ok(self.whole(name, 0.0, u32::MAX.into())?.map(|n| n as u32))
    }

    pub(super) fn u64(&self, name: &str) -> Result<Option<u64>, JsValue> {
        Ok(self.whole(name, 0.0, MAX_SAFE)?.map(|n| n as u64))
    }

    pub(super) fn i64(&self, name: &str) -> Result<Option<i64>, JsValue> {
        Ok(self.whole(name, -MAX_SAFE, MAX_SAFE)?.map(|n| n as i64))
    }

    /// A list of strings.
    pub(super) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, JsValue> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        if !js_sys::Array::is_array(&value) {
            return Err(self.wrong(name, "a list of strings"));
        }
        js_sys::Array::from(&value)
            .iter()
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| self.wrong(name, "a list of strings"))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// A field of a protocol type (a message's `elements`, a profile's custom fields), through
    /// its serde decoder.
    pub(super) fn decoded<T: DeserializeOwned>(
        &self,
        name: &str,
        what: &str,
    ) -> Result<Option<T>, JsValue> {
        self.get(name).map(|v| from_js(&v, what)).transpose()
    }

    /// A field that is an object of its own (`offlinePushInfo`).
    pub(super) fn object(&self, name: &'static str) -> Result<Option<Args>, JsValue> {
        self.get(name).map(|v| Args::read(&v, name)).transpose()
    }

    /// A user ID the call cannot do without, checked.
    pub(super) fn user(&self, name: &str) -> Result<UserId, JsValue> {
        user_id(self.need(self.string(name)?, name)?)
    }

    /// `userIDList`, each checked.
    pub(super) fn users(&self) -> Result<Vec<UserId>, JsValue> {
        user_ids(self.need(self.strings("userIDList")?, "userIDList")?)
    }
}

/// A user ID the app gave, checked.
pub(super) fn user_id(id: String) -> Result<UserId, JsValue> {
    UserId::parse(id).map_err(|e| invalid(e.to_string()))
}

pub(super) fn user_ids(ids: Vec<String>) -> Result<Vec<UserId>, JsValue> {
    ids.into_iter().map(user_id).collect()
}
