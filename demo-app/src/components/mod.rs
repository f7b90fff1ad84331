//! One component per file. [`app::App`] holds the state (a reducer) and provides it and the
//! SDK as contexts; the others read them.

pub mod app;
pub mod avatar;
pub mod banner;
pub mod chat_view;
pub mod composer;
pub mod conversation_list;
pub mod edit_text;
pub mod message_item;
pub mod people;
pub mod profile_form;
pub mod reactions;
pub mod search;
pub mod sign_in;
pub mod time;

use protocol::UserId;
use web_sys::{HtmlInputElement, HtmlTextAreaElement, KeyboardEvent};
use yew::{NodeRef, TargetCast, UseStateHandle};

/// Whether the person said yes to `question`, asked before what cannot be undone.
pub fn confirmed(question: &str) -> bool {
    web_sys::window().is_some_and(|w| w.confirm_with_message(question).unwrap_or(false))
}

/// In a text area of several lines, Enter submits its form, as chat apps send with it;
/// Shift+Enter is a new line, and Enter that ends an input method's composition (a Chinese or
/// Japanese word being chosen) only ends it.
pub fn enter_submits(e: &KeyboardEvent) {
    if e.key() != "Enter" || e.shift_key() || e.is_composing() {
        return;
    }
    e.prevent_default();
    if let Some(form) = e
        .target_dyn_into::<HtmlTextAreaElement>()
        .and_then(|t| t.form())
    {
        let _ = form.request_submit();
    }
}

/// The text in an input.
pub fn input_value(input: &NodeRef) -> String {
    input
        .cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The user id typed into `input`: clears the field and the error, or shows why it is not one.
pub fn take_user_id(input: &NodeRef, error: &UseStateHandle<Option<String>>) -> Option<UserId> {
    let el = input.cast::<HtmlInputElement>()?;
    match UserId::parse(el.value().trim()) {
        Ok(user) => {
            error.set(None);
            el.set_value("");
            Some(user)
        }
        Err(e) => {
            error.set(Some(e.to_string()));
            None
        }
    }
}
