//! Web Push in the browser: asks for permission to notify, registers the app's service worker,
//! and subscribes through the Push API with the server's VAPID key (`GET /duet/push/vapid`).
//! The subscription, as JSON, is the token of a `webpush` registration. Each step is a function
//! in `js/push.js`; their order and the errors are decided here.

use crate::error::{SdkError, browser_reason, codes};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/push.js")]
extern "C" {
    #[wasm_bindgen(js_name = askPermission)]
    fn ask_permission() -> Promise;
    fn register(path: &str) -> Promise;
    #[wasm_bindgen(js_name = publicKey)]
    fn public_key(url: &str) -> Promise;
    fn subscribe(registration: &JsValue, key: &str) -> Promise;
}

/// A step that failed: push cannot be turned on here, and the browser's reason why.
fn unavailable(what: &'static str) -> impl Fn(JsValue) -> SdkError {
    move |e| {
        SdkError::new(
            codes::PUSH_UNAVAILABLE,
            format!("{what}: {}", browser_reason(&e)),
        )
    }
}

/// Subscribes this browser to push from `server` (its base URL) with the service worker at
/// `worker_path`; the subscription as JSON.
pub async fn web_push_token(server: &str, worker_path: &str) -> Result<String, SdkError> {
    let permission = JsFuture::from(ask_permission())
        .await
        .map_err(unavailable("notifications are not available here"))?;
    if permission.as_string().as_deref() != Some("granted") {
        return Err(SdkError::new(
            codes::PUSH_UNAVAILABLE,
            "notifications are blocked for this site in the browser's settings",
        ));
    }
    let registration = JsFuture::from(register(worker_path))
        .await
        .map_err(unavailable("the service worker did not start"))?;
    let url = format!("{}/duet/push/vapid", crate::upload::http_base(server));
    let key = JsFuture::from(public_key(&url))
        .await
        .map_err(|_| SdkError::new(codes::DISCONNECTED, "the server's push key did not arrive"))?
        .as_string()
        .ok_or_else(|| SdkError::new(codes::PROTOCOL, "the server's push key is unreadable"))?;
    let subscription = JsFuture::from(subscribe(&registration, &key))
        .await
        .map_err(unavailable("the browser's push service refused"))?;
    subscription
        .as_string()
        .ok_or_else(|| SdkError::new(codes::PUSH_UNAVAILABLE, "the subscription cannot be read"))
}
