//! A notification for a message that comes while the page is hidden (another tab in front,
//! the window minimised): the page is online, so the server sends no push, and without this
//! the message would go unnoticed. Shown as the pushed ones are, by the service worker that
//! "Enable notifications" (the profile panel) registered, so only once the person allowed
//! them, and with the same tag: one notification per chat, a newer message replacing the
//! older one's, and a click on it brings the page forward (`www/sw.js`).

use crate::content::preview;
use protocol::{ConversationId, Message};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Tells of `message` if the page is hidden and notifications are allowed.
pub async fn tell(message: Message) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hidden = window.document().is_some_and(|d| d.hidden());
    if !hidden || Notification::permission() != NotificationPermission::Granted {
        return;
    }
    let lookup = window.navigator().service_worker().get_registration();
    let Ok(found) = JsFuture::from(lookup).await else {
        return;
    };
    let Ok(registration) = found.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
        return; // no worker registered: notifications were never enabled here
    };
    let title = match message.nick.as_str() {
        "" => message.from.as_str(),
        nick => nick,
    };
    let conversation = ConversationId(message.from.clone()).to_string();
    let options = NotificationOptions::new();
    options.set_body(&preview(&message));
    options.set_tag(&conversation);
    if !message.avatar.is_empty() {
        options.set_icon(&message.avatar);
    }
    let data = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&data, &"conversationID".into(), &conversation.into());
    options.set_data(&data);
    if let Ok(shown) = registration.show_notification_with_options(title, &options) {
        let _ = JsFuture::from(shown).await;
    }
}
