//! Reactions on messages: `addMessageReaction`, `removeMessageReaction`,
//! `getMessageReactions`, `getAllUserListOfMessageReaction`, in Tencent's shapes.

use super::args::Args;
use super::convert::{field, invalid, ok, promise, sdk_error};
use super::messages::message_ref;
use super::shapes::{JsMessageReactions, JsReactionUser};
use super::{Chat, Empty, State};
use js_sys::Promise;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Users listed per reaction when the app does not say (Tencent's default).
const DEFAULT_USERS_PER_REACTION: usize = 10;
/// Most messages one `getMessageReactions` names.
const MAX_MESSAGES: u32 = 100;
/// Most users one `getAllUserListOfMessageReaction` gives (Tencent's bound and default).
const MAX_USERS_PER_PAGE: u32 = 100;

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
        promise(read(self.state.clone(), options, false))
    }

    /// `getAllUserListOfMessageReaction({ message, reactionID, nextSeq, count? })` resolves
    /// `{ userList: [{ userID, nick, avatar }], nextSeq, isCompleted }`: the users who reacted
    /// with `reactionID`, `count` of them (1 to 100, 100 unless said) from `nextSeq` (0 first,
    /// then the `nextSeq` the last page gave; 0 once complete), as this device holds them. A
    /// message this device does not hold, or a reaction no one made, has no users.
    pub fn get_all_user_list_of_message_reaction(&self, options: JsValue) -> Promise {
        promise(read(self.state.clone(), options, true))
    }
}

/// `getMessageReactions` (`users` false) and `getAllUserListOfMessageReaction` (`users`
/// true): one function, so the package carries one bridge for both.
async fn read(state: Rc<State>, options: JsValue, users: bool) -> Result<JsValue, JsValue> {
    let args = Args::read(&options, "options")?;
    let list = match users {
        true => js_sys::Array::of1(&field(&options, "message")),
        false => {
            let list = field(&options, "messageList");
            if !js_sys::Array::is_array(&list) {
                return Err(invalid("options: expected { messageList }"));
            }
            js_sys::Array::from(&list)
        }
    };
    if list.length() > MAX_MESSAGES {
        return Err(invalid(format!("at most {MAX_MESSAGES} messages at once")));
    }
    let (reaction_id, next, count) = match users {
        true => (
            args.need(args.string("reactionID")?, "reactionID")?,
            args.u32("nextSeq")?.unwrap_or_default() as usize,
            match args.u32("count")? {
                None => MAX_USERS_PER_PAGE,
                Some(n @ 1..=MAX_USERS_PER_PAGE) => n,
                Some(_) => return Err(invalid("options.count must be 1 to 100")),
            } as usize,
        ),
        false => (String::new(), 0, 0),
    };
    let (client, me) = state.signed_in()?;
    let mut held = Vec::new();
    for message in list.iter() {
        let (peer, key) = message_ref(&message)?;
        if let Some(m) = client.held_message(&peer, key).await.map_err(sdk_error)? {
            held.push(m);
        }
    }
    let reactors = client.reactors(&held).await.map_err(sdk_error)?;
    if users {
        let users = held
            .iter()
            .flat_map(|m| &m.reactions)
            .find(|r| r.id == reaction_id)
            .map_or(&[][..], |r| &r.users[next.min(r.users.len())..]);
        let page = &users[..users.len().min(count)];
        let is_completed = page.len() == users.len();
        let reactors = reactors.first().map_or(&[][..], Vec::as_slice);
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<'a> {
            user_list: Vec<JsReactionUser<'a>>,
            next_seq: usize,
            is_completed: bool,
        }
        return ok(Page {
            user_list: page
                .iter()
                .map(|u| JsReactionUser::new(u, reactors))
                .collect(),
            next_seq: if is_completed { 0 } else { next + page.len() },
            is_completed,
        });
    }
    let max_users = field(&options, "maxUserCountPerReaction")
        .as_f64()
        .map_or(DEFAULT_USERS_PER_REACTION, |n| n.max(0.0) as usize);
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Reactions<'a> {
        result_list: Vec<JsMessageReactions<'a>>,
    }
    ok(Reactions {
        result_list: held
            .iter()
            .zip(&reactors)
            .map(|(m, reactors)| JsMessageReactions::new(m, &me, max_users, reactors))
            .collect(),
    })
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
