//! Reactions on messages: `addMessageReaction`, `removeMessageReaction`,
//! `getMessageReactions`, in Tencent's shapes.

use super::convert::{field, invalid, ok, promise, sdk_error};
use super::messages::message_ref;
use super::shapes::JsMessageReactions;
use super::{Chat, Empty, State};
use js_sys::Promise;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Users listed per reaction when the app does not say (Tencent's default).
const DEFAULT_USERS_PER_REACTION: usize = 10;
/// Most messages one `getMessageReactions` names.
const MAX_MESSAGES: u32 = 100;

impl Chat {
    /// `addMessageReaction(message, reactionID)`: adds your reaction (an emoji, or an ID your
    /// app maps to one) to a sent message; every device of both users hears
    /// `MESSAGE_REACTIONS_UPDATED`. Rejects with 23007 when you reacted so already, 23005 when
    /// the message has 20 reactions, 20007 when the peer blacklisted you.
    pub fn add_message_reaction(&self, message: JsValue, reaction_id: JsValue) -> Promise {
        promise(react(self.state.clone(), message, reaction_id, true))
    }

    /// `removeMessageReaction(message, reactionID)`: takes your reaction back; 23008 when you
    /// had none.
    pub fn remove_message_reaction(&self, message: JsValue, reaction_id: JsValue) -> Promise {
        promise(react(self.state.clone(), message, reaction_id, false))
    }

    /// `getMessageReactions({ messageList, maxUserCountPerReaction? })` resolves
    /// `{ resultList: [{ messageID, conversationID, reactionList }] }`, each reaction with its
    /// `totalUserCount`, up to `maxUserCountPerReaction` users and `reactedByMyself`, as this
    /// device holds them (kept current by sync).
    pub fn get_message_reactions(&self, options: JsValue) -> Promise {
        let state = self.state.clone();
        promise(async move {
            let list = field(&options, "messageList");
            if !js_sys::Array::is_array(&list) {
                return Err(invalid("options: expected { messageList }"));
            }
            let max_users = field(&options, "maxUserCountPerReaction")
                .as_f64()
                .map_or(DEFAULT_USERS_PER_REACTION, |n| n.max(0.0) as usize);
            let list = js_sys::Array::from(&list);
            if list.length() > MAX_MESSAGES {
                return Err(invalid(format!("at most {MAX_MESSAGES} messages at once")));
            }
            let (client, me) = state.signed_in()?;
            let mut held = Vec::new();
            for message in list.iter() {
                let (peer, key) = message_ref(&message)?;
                if let Some(m) = client.held_message(&peer, key).await.map_err(sdk_error)? {
                    held.push(m);
                }
            }
            let reactors = client.reactors(&held).await.map_err(sdk_error)?;
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Result<'a> {
                result_list: Vec<JsMessageReactions<'a>>,
            }
            ok(Result {
                result_list: held
                    .iter()
                    .zip(&reactors)
                    .map(|(m, reactors)| JsMessageReactions::new(m, &me, max_users, reactors))
                    .collect(),
            })
        })
    }
}

async fn react(
    state: Rc<State>,
    message: JsValue,
    reaction_id: JsValue,
    add: bool,
) -> Result<JsValue, JsValue> {
    let (peer, key) = message_ref(&message)?;
    let reaction_id = reaction_id
        .as_string()
        .ok_or_else(|| invalid("reactionID must be a string"))?;
    if reaction_id.is_empty() {
        return Err(invalid("reactionID is empty"));
    }
    state
        .client()?
        .react(&peer, key, reaction_id, add)
        .await
        .map_err(sdk_error)?;
    ok(Empty {})
}
