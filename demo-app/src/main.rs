//! Duet's demo web client, a Yew app on the SDK's Rust core (`duet_chat::client::Client`),
//! built by `scripts/build-demo.sh` into `www/app` and served by duet-server at `/`.
//!
//! - [`state`]: the whole app state and the one place it changes (actions in, new state out).
//! - [`content`]: what a message shows (links, cards, faces) and refusals in plain words.
//! - `sdk` (browser): the SDK client as a Yew context; SDK events become actions.
//! - `notify` (browser): a notification for a message that comes while the page is hidden.
//! - `components` (browser): one component per file, reading state and the SDK from contexts.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only the tests use it

mod content;
mod state;

#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod notify;
#[cfg(target_arch = "wasm32")]
mod sdk;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<components::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The demo runs in the browser: `npm start` builds it and serves it at /.");
}
