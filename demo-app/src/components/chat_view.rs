//! The open conversation: header with the peer and their friend/block buttons, the message log
//! (older pages load when scrolled to the top, without the view jumping), and the composer.
//! Incoming messages are marked read while the chat is open.

use super::app::AppState;
use super::avatar::Avatar;
use super::composer::Composer;
use super::confirmed;
use super::message_item::{MessageItem, anchor, display_name, show};
use super::time::Time;
use crate::sdk::Sdk;
use crate::state::{Action, Net, friend_name, listed};
use protocol::Relation;
use protocol::presence::Presence;
use protocol::{MessageKey, UserId};
use std::cell::RefCell;
use web_sys::Element;
use yew::prelude::*;

/// Within this many pixels of the top, the next older page loads.
const LOAD_MARGIN: i32 = 48;
/// Within this many pixels of the bottom, new messages keep the log scrolled down.
const STICK_MARGIN: i32 = 64;

/// Where the log is scrolled, kept across renders.
struct Scroll {
    /// The log's height before an older page was asked for, to keep what is in view in place
    /// when it lands above.
    height_before: Option<i32>,
    /// The log was at the bottom: new messages keep it there.
    stick: bool,
    /// The newest message when the log was last drawn, to tell a new one from an older page.
    last: Option<(MessageKey, u32)>,
}

/// Asks for the page before `first`, remembering the log's height.
fn load_older(el: &Element, scroll: &RefCell<Scroll>, sdk: &Sdk, peer: UserId, first: MessageKey) {
    scroll.borrow_mut().height_before = Some(el.scroll_height());
    sdk.load_older(peer, first);
}

#[component]
pub fn ChatView() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let log = use_node_ref();
    let scroll = use_mut_ref(|| Scroll {
        height_before: None,
        stick: true,
        last: None,
    });
    // A message came below while the person reads further up: a button says so (until
    // another chat opens).
    let below = use_state(|| false);
    {
        let below = below.clone();
        let peer = state.chat.as_ref().map(|c| c.peer.clone());
        use_effect_with(peer, move |_| below.set(false));
    }
    let Some(chat) = state.chat.clone() else {
        return html! {};
    };
    let me = state.me.clone().expect("signed in");
    let conversation = state.open_conversation().cloned();
    let unread = conversation.as_ref().map_or(0, |c| c.unread);
    let peer_read_up_to = conversation.as_ref().map_or(0, |c| c.peer_read_up_to);

    // Mark read while open and in sight, once the connection is up.
    {
        let (sdk, peer) = (sdk.clone(), chat.peer.clone());
        use_effect_with(
            (peer, unread, state.net == Net::Ready && !state.hidden),
            move |(peer, unread, seen)| {
                if *unread > 0 && *seen {
                    sdk.mark_read(peer.clone());
                }
            },
        );
    }

    // After each render: keep the view steady when older messages were added above, stay at
    // the bottom for new ones, and fetch more when the page does not fill the log.
    {
        let (log, scroll, sdk, below) = (log.clone(), scroll.clone(), sdk.clone(), below.clone());
        let first = chat.messages.first().map(|s| s.message.key);
        let last = chat
            .messages
            .last()
            .map(|s| (s.message.key, s.message.random));
        let last_is_theirs = chat.messages.last().is_some_and(|s| s.message.from != me);
        let more = (!chat.complete && !chat.loading).then(|| chat.peer.clone());
        use_effect_with((first, last, chat.loading, chat.complete), move |deps| {
            let Some(el) = log.cast::<Element>() else {
                return;
            };
            // A new message while scrolled up: the peer's is announced by the button; the
            // person's own (just sent) brings the log down to it.
            let came = {
                let mut scroll = scroll.borrow_mut();
                let seen = std::mem::replace(&mut scroll.last, deps.1);
                seen.is_some() && seen != deps.1 && !scroll.stick
            };
            match (came, last_is_theirs) {
                (true, true) => below.set(true),
                (true, false) => {
                    scroll.borrow_mut().stick = true;
                    below.set(false);
                }
                (false, _) => {}
            }
            // Once the page is in (not while its loading line shows).
            let loading = deps.2;
            let before = if loading {
                None
            } else {
                scroll.borrow_mut().height_before.take()
            };
            if let Some(before) = before {
                el.set_scroll_top(el.scroll_top() + el.scroll_height() - before);
            } else if scroll.borrow().stick && !loading {
                el.set_scroll_top(el.scroll_height());
            }
            if el.scroll_height() <= el.client_height()
                && let (Some(peer), Some(first)) = (more, first)
            {
                load_older(&el, &scroll, &sdk, peer, first);
            }
        });
    }

    // A message to show (a search result): once loaded, into view and focus; until then,
    // older pages load.
    {
        let (log, scroll, sdk, state) = (log.clone(), scroll.clone(), sdk.clone(), state.clone());
        let first = chat.messages.first().map(|s| s.message.key);
        let target = state.jump.map(|key| {
            let found = chat.messages.iter().find(|s| s.message.key == key);
            (key, found.map(|s| s.message.id()))
        });
        let more = (!chat.complete && !chat.loading).then(|| chat.peer.clone());
        let done = chat.complete && !chat.loading;
        use_effect_with((target, first, chat.loading), move |(target, first, _)| {
            let Some((_, found)) = target else { return };
            match found {
                Some(id) => {
                    scroll.borrow_mut().stick = false;
                    show(&anchor(id));
                    state.dispatch(Action::Jumped);
                }
                None => match (log.cast::<Element>(), more, first) {
                    (Some(el), Some(peer), Some(first)) => {
                        load_older(&el, &scroll, &sdk, peer, *first)
                    }
                    _ if done => state.dispatch(Action::Jumped),
                    _ => {}
                },
            }
        });
    }

    let onscroll = {
        let (log, scroll, sdk, below) = (log.clone(), scroll.clone(), sdk.clone(), below.clone());
        let first = chat.messages.first().map(|s| s.message.key);
        let more = (!chat.complete && !chat.loading).then(|| chat.peer.clone());
        Callback::from(move |_: Event| {
            let Some(el) = log.cast::<Element>() else {
                return;
            };
            let stick = el.scroll_height() - el.scroll_top() - el.client_height() < STICK_MARGIN;
            scroll.borrow_mut().stick = stick;
            if stick && *below {
                below.set(false);
            }
            if el.scroll_top() < LOAD_MARGIN
                && scroll.borrow().height_before.is_none()
                && let (Some(peer), Some(first)) = (more.clone(), first)
            {
                load_older(&el, &scroll, &sdk, peer, first);
            }
        })
    };

    let to_bottom = {
        let (log, scroll, below) = (log.clone(), scroll.clone(), below.clone());
        Callback::from(move |_| {
            if let Some(el) = log.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
            scroll.borrow_mut().stick = true;
            below.set(false);
        })
    };

    let peer = chat.peer.clone();
    let draft = conversation.as_ref().map(|c| c.draft.clone());
    let replying = state.replying.clone().map(|m| {
        let sender = display_name(&m.nick, &m.from);
        (m, sender)
    });
    let nick = conversation
        .as_ref()
        .map(|c| c.peer_nick.clone())
        .unwrap_or_default();
    let avatar = conversation
        .as_ref()
        .map(|c| c.peer_avatar.clone())
        .unwrap_or_default();
    // The remark this user gave a friend names it; else its nickname; else its ID.
    let named = friend_name(&state.friends, &peer);
    let title = if named != peer.as_str() || nick.is_empty() {
        named
    } else {
        format!("{nick} ({peer})")
    };
    let is_friend = listed(&state.friends, &peer);
    let asked = |list: &[protocol::RelationEntry]| list.iter().any(|e| e.user_id == peer);
    let (requested, requests_me) = (
        asked(&state.applications.sent),
        asked(&state.applications.received),
    );
    let is_blocked = listed(&state.blacklist, &peer);
    let is_muted = listed(&state.muted, &peer);
    let relation_button = |relation: Relation,
                           on: bool,
                           add_label: String,
                           remove_label: String| {
        let (sdk, peer) = (sdk.clone(), peer.clone());
        let onclick = Callback::from(move |_| sdk.change_relation(relation, peer.clone(), !on));
        html! { <button type="button" {onclick}>{ if on { remove_label } else { add_label } }</button> }
    };
    let back = {
        let sdk = sdk.clone();
        Callback::from(move |_| sdk.close())
    };
    // What cannot be undone is asked about first.
    let delete = {
        let (sdk, peer) = (sdk.clone(), peer.clone());
        let question = format!(
            "Delete the chat with {peer} from all your devices? It comes back with their next message."
        );
        Callback::from(move |_| {
            if confirmed(&question) {
                sdk.delete_conversation(peer.clone())
            }
        })
    };
    let clear = {
        let (sdk, peer) = (sdk.clone(), peer.clone());
        let question =
            format!("Clear your messages with {peer} from all your devices? {peer} keeps theirs.");
        Callback::from(move |_| {
            if confirmed(&question) {
                sdk.clear_history(peer.clone())
            }
        })
    };
    let presence = state.status_of(&peer).cloned();
    let presence_line = match &presence {
        Some(s) if s.presence == Presence::Online => {
            html! { <span class="presence-text">{ " online" }</span> }
        }
        Some(s) if s.presence == Presence::Offline && s.last_seen_ms > 0 => html! {
            <span class="presence-text">{ " last seen " }<Time ms={s.last_seen_ms} /></span>
        },
        _ => html! {},
    };
    let custom_status = match &presence {
        Some(s) if !s.custom_status.is_empty() => html! {
            <span class="custom-status">{ " · " }{ s.custom_status.clone() }</span>
        },
        _ => html! {},
    };
    let items = chat.messages.iter().map(|s| {
        html! { <MessageItem key={format!("{}-{}", s.message.from, s.message.random)} shown={s.clone()} me={me.clone()} peer={peer.clone()} {peer_read_up_to} /> }
    });
    html! {
        <section class="chat" aria-label={format!("Chat with {title}")}>
            <header class="chat-head">
                <button type="button" class="back" onclick={back} aria-label="Back to conversations">{ "←" }</button>
                <Avatar name={if nick.is_empty() { peer.to_string() } else { nick.clone() }} url={avatar} presence={presence.map(|s| s.presence)} />
                <h2>{ title.clone() }
                    { presence_line }
                    { custom_status }
                    if state.typing.as_ref().is_some_and(|(who, _)| who == &peer) {
                        <span class="typing" role="status">{ " typing…" }</span>
                    }
                </h2>
                <div class="actions">
                    if requested && !is_friend {
                        <button type="button" disabled=true>{ "Friend request sent" }</button>
                    } else {
                        { relation_button(Relation::Friend, is_friend, if requests_me { "Accept friend request".into() } else { "Add friend".into() }, "Remove friend".into()) }
                    }
                    { relation_button(Relation::Blacklist, is_blocked, format!("Block {peer}"), format!("Unblock {peer}")) }
                    { relation_button(Relation::Muted, is_muted, "Mute".into(), "Unmute".into()) }
                    <button type="button" onclick={clear} aria-label={format!("Clear the history with {peer}")}>{ "Clear history" }</button>
                    <button type="button" onclick={delete} aria-label={format!("Delete the chat with {peer}")}>{ "Delete chat" }</button>
                </div>
            </header>
            <div class="log" role="log" aria-label="Messages" aria-busy={chat.loading.to_string()} ref={log} {onscroll}>
                if chat.loading {
                    <p class="loading" role="status">{ "Loading older messages…" }</p>
                } else if chat.complete {
                    <p class="start">{ "This is the beginning of your conversation." }</p>
                }
                { for items }
                if *below {
                    <button type="button" class="new-below" onclick={to_bottom}>{ "↓ New messages" }</button>
                }
            </div>
            <Composer peer={peer.clone()} {draft} {replying} />
        </section>
    }
}
