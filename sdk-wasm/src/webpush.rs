//! Web Push in the browser: asks for permission to notify, registers the app's service worker,
//! and subscribes through the Push API with the server's VAPID key (`GET /duet/push/vapid`).
//! The subscription, as JSON, is the token of a `webpush` registration.

use crate::error::{SdkError, codes};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Subscribes this browser to push from `server` (its base URL) with the service worker at
/// `worker_path`; the subscription as JSON.
pub async fn subscribe(server: &str, worker_path: &str) -> Result<String, SdkError> {
    let unavailable = |what: &str, e: JsValue| {
        let message = match js_sys::Reflect::get(&e, &"message".into()).map(|m| m.as_string()) {
            Ok(Some(reason)) => format!("{what}: {reason}"),
            _ => what.to_owned(),
        };
        SdkError::new(codes::PUSH_UNAVAILABLE, message)
    };
    let window = web_sys::window()
        .ok_or_else(|| SdkError::new(codes::PUSH_UNAVAILABLE, "push needs a browser window"))?;
    let permission = web_sys::Notification::request_permission()
        .map_err(|e| unavailable("notifications are not available here", e))?;
    let granted = JsFuture::from(permission)
        .await
        .map_err(|e| unavailable("notifications are not available here", e))?;
    if granted.as_string().as_deref() != Some("granted") {
        return Err(SdkError::new(
            codes::PUSH_UNAVAILABLE,
            "notifications are blocked for this site in the browser's settings",
        ));
    }
    let registration = JsFuture::from(window.navigator().service_worker().register(worker_path))
        .await
        .map_err(|e| unavailable("the service worker did not start", e))?;
    let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
    let key = vapid_key(&window, server).await?;
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&key.into());
    let subscribing = registration
        .push_manager()
        .and_then(|m| m.subscribe_with_options(&options))
        .map_err(|e| unavailable("push is not available here", e))?;
    let subscription = JsFuture::from(subscribing)
        .await
        .map_err(|e| unavailable("the browser's push service refused", e))?;
    js_sys::JSON::stringify(&subscription)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| SdkError::new(codes::PUSH_UNAVAILABLE, "the subscription cannot be read"))
}

/// The server's VAPID public key (base64url).
async fn vapid_key(window: &web_sys::Window, server: &str) -> Result<String, SdkError> {
    let url = format!("{}/duet/push/vapid", crate::upload::http_base(server));
    let unreachable =
        |_| SdkError::new(codes::DISCONNECTED, "the server's push key did not arrive");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(unreachable)?
        .unchecked_into();
    let body = JsFuture::from(response.json().map_err(unreachable)?).await;
    body.ok()
        .and_then(|b| js_sys::Reflect::get(&b, &"publicKey".into()).ok())
        .and_then(|k| k.as_string())
        .ok_or_else(|| SdkError::new(codes::PROTOCOL, "the server's push key is unreadable"))
}
