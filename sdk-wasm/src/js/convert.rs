//! Values across the boundary, through JSON, the SDK's one serialization format (the wire, the
//! cache and here): [`crate::json`] on the Rust side, the browser's own `JSON.parse` /
//! `JSON.stringify` on the JavaScript side.

use crate::error::SdkError;
use js_sys::{JSON, Promise};
use protocol::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::{JsCast, JsValue};

/// The promise of an answer, for the app.
pub(super) fn promise(answer: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    boxed_promise(Box::pin(answer))
}

/// The promise machinery compiled once, for every call, rather than once per call's future.
fn boxed_promise(answer: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(answer)
}

/// A Rust value as a plain JavaScript value.
pub(super) fn to_js<T: Serialize>(value: &T) -> JsValue {
    parse(crate::json::to_string(value).ok())
}

/// JSON text as a JavaScript value: the part of [`to_js`] that does not depend on the type,
/// compiled once.
fn parse(text: Option<String>) -> JsValue {
    text.and_then(|text| JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// A JavaScript value (options from the app) as `T`; `what` names it in the error.
pub(super) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    crate::json::from_str(&json_text(value, what)?).map_err(|e| unreadable(e, what))
}

fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| invalid(format!("invalid {what}")))
}

fn unreadable(e: crate::json::Error, what: &str) -> JsValue {
    invalid(format!("invalid {what}: {e}"))
}

/// A field of a JavaScript object, `undefined` when absent (for what JSON cannot carry: files,
/// functions, the app's own objects).
pub(super) fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// An `Error` with the SDK's numeric `code`, as promises reject.
pub(super) fn sdk_error(e: SdkError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let _ = js_sys::Reflect::set(&err, &"code".into(), &JsValue::from(e.code.0));
    err.into()
}

pub(super) fn invalid(message: impl Into<String>) -> JsValue {
    sdk_error(SdkError::new(ErrorCode::INVALID_ARGUMENT, message))
}

/// The numeric `code` of a rejection made by [`sdk_error`].
pub(super) fn code_of(error: &JsValue) -> Option<u32> {
    error
        .dyn_ref::<js_sys::Error>()
        .and_then(|e| field(e, "code").as_f64())
        .map(|c| c as u32)
}

/// `{ code: 0, data }`, as every promise resolves.
pub(super) fn ok<T: Serialize>(data: T) -> Result<JsValue, JsValue> {
    ok_value(to_js(&data))
}

/// `{ code: 0, data }` around a value that is already JavaScript (the app's own message object).
pub(super) fn ok_value(data: JsValue) -> Result<JsValue, JsValue> {
    let answer = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&answer, &"code".into(), &JsValue::from(0));
    let _ = js_sys::Reflect::set(&answer, &"data".into(), &data);
    Ok(answer.into())
}
