//! Duet's browser SDK (npm package `duet-chat`).
//!
//! The core is plain Rust so it runs and is tested natively as well as in the browser:
//!
//! - [`cache`]: the local store (messages per conversation, recent contacts, the sync cursor,
//!   the outbox of unsent messages, profiles, friend lists and blacklists), behind the
//!   [`cache::Cache`] trait with an in-memory and an IndexedDB implementation and one
//!   conformance suite for both.
//!
//! - [`sequence`]: which sync-log entries this device has applied, the cursor, and holes.
//! - [`session`]: one signed-in connection: requests, pushes, the sync engine, the outbox.
//! - [`client`]: the SDK's one API: sign-in and reconnect with backoff, messages (drafts,
//!   send with the outbox, media, history, read, recall, delete), conversations, friends,
//!   blacklist, profiles and the event stream.
//! - [`event`], [`error`], [`log`]: what the app hears, the SDK's error codes, and what it
//!   writes to the console.
//! - [`json`]: the reader and writer of every JSON value the SDK reads and writes.
//! - `keyed`: maps kept as sorted lists, built from pairs.
//! - [`typing`], [`reply`]: typing indicators and quoting replies, in TUIKit's shapes.
//! - [`upload`] (browser only): media files to message elements (limits, duration, video
//!   cover, upload with progress and cancel).
//!
//! - [`js`] (browser only, feature `js`): the JavaScript API, a thin `#[wasm_bindgen]` layer
//!   over [`client::Client`], which Rust apps (the demo) use directly.

pub mod cache;
pub mod client;
pub mod error;
pub mod event;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;
pub mod json;
mod keyed;
pub mod log;
pub mod reply;
mod runtime;
pub mod sequence;
pub mod session;
pub mod typing;
#[cfg(target_arch = "wasm32")]
pub mod upload;
#[cfg(target_arch = "wasm32")]
pub mod webpush;
#[cfg(target_arch = "wasm32")]
pub mod websocket;

/// The module's allocator: Talc, smaller and faster than Rust's default for wasm (dlmalloc). The
/// module is single-threaded (no atomics), which Talc's wasm allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
