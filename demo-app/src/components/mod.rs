//! One component per file. [`app::App`] holds the state (a reducer) and provides it and the
//! SDK as contexts; the others read them.

pub mod app;
pub mod avatar;
pub mod banner;
pub mod chat_view;
pub mod composer;
pub mod conversation_list;
pub mod message_item;
pub mod people;
pub mod profile_form;
pub mod sign_in;
pub mod time;
