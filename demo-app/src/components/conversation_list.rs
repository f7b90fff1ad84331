//! The conversation list (recent contacts): peer picture and name, last message preview (or
//! the draft being written), time and unread badge, pinned ones first, then most recent first,
//! updated live, with a dot for the peer's presence; a pin and a star toggle on each; and a
//! form to start a chat by user id.

use super::app::AppState;
use super::avatar::Avatar;
use super::take_user_id;
use super::time::Time;
use crate::content::preview;
use crate::sdk::Sdk;
use protocol::presence::Presence;
use protocol::{Conversation, UserId, mark};
use yew::prelude::*;

#[component]
pub fn ConversationList() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let peer_input = use_node_ref();
    let error = use_state(|| None::<String>);
    let start = {
        let (sdk, peer_input, error) = (sdk.clone(), peer_input.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(peer) = take_user_id(&peer_input, &error) {
                sdk.open(peer);
            }
        })
    };
    let open_peer = state.chat.as_ref().map(|c| c.peer.clone());
    let me = state.me.clone();
    let entries = state.conversations.iter().map(|c| {
        let current = open_peer.as_ref() == Some(&c.peer);
        let presence = state.status_of(&c.peer).map(|s| s.presence);
        html! { <Entry conversation={c.clone()} {current} me={me.clone()} {presence} /> }
    });
    html! {
        <nav class="conversations" aria-label="Conversations">
            <form class="new-chat" onsubmit={start}>
                <label>{ "Chat with" }
                    <input ref={peer_input} name="peer" required=true placeholder="user ID" autocomplete="off" />
                </label>
                <button type="submit">{ "Start chat" }</button>
                if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
            </form>
            if state.conversations.is_empty() {
                <p class="empty">{ "No conversations yet." }</p>
            }
            <ul>{ for entries }</ul>
        </nav>
    }
}

#[derive(Properties, PartialEq)]
struct EntryProps {
    conversation: Conversation,
    current: bool,
    me: Option<UserId>,
    presence: Option<Presence>,
}

#[component]
fn Entry(props: &EntryProps) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let c = &props.conversation;
    let (shown, name) = if c.peer_nick.is_empty() {
        (c.peer.to_string(), c.peer.to_string())
    } else {
        (c.peer_nick.clone(), format!("{} ({})", c.peer_nick, c.peer))
    };
    let onclick = {
        let (sdk, peer) = (sdk.clone(), c.peer.clone());
        Callback::from(move |_| sdk.open(peer.clone()))
    };
    let on_pin = {
        let (sdk, peer, pinned) = (sdk.clone(), c.peer.clone(), c.pinned);
        Callback::from(move |_: Event| sdk.pin(peer.clone(), !pinned))
    };
    let starred = c.marks & mark::STAR != 0;
    let on_star = {
        let peer = c.peer.clone();
        Callback::from(move |_: Event| sdk.star(peer.clone(), !starred))
    };
    let last = c.last_message.as_ref().map(|m| {
        let mine = props.me.as_ref() == Some(&m.from);
        format!("{}{}", if mine { "You: " } else { "" }, preview(m))
    });
    html! {
        <li>
            <button type="button" class={classes!("entry", props.current.then_some("current"))}
                aria-current={props.current.then_some("true")} {onclick}>
                <Avatar name={shown} url={c.peer_avatar.clone()} presence={props.presence} />
                <span class="who">{ name }</span>
                if let Some(m) = &c.last_message { <span class="when"><Time ms={m.time_ms} /></span> }
                if c.draft.is_empty() {
                    <span class="last">{ last.unwrap_or_default() }</span>
                } else {
                    <span class="last"><span class="draft">{ "Draft: " }</span>{ c.draft.clone() }</span>
                }
                if c.unread > 0 {
                    <span class="badge" title="unread">{ c.unread.to_string() }<span class="sr-only">{ " unread" }</span></span>
                }
            </button>
            // A checkbox, not a button: the entry is the conversation's one button.
            <input type="checkbox" class="pin" checked={c.pinned} onchange={on_pin}
                aria-label={format!("Pin {}", c.peer)} title={if c.pinned { "Unpin" } else { "Pin to the top" }} />
            <input type="checkbox" class="star" checked={starred} onchange={on_star}
                aria-label={format!("Star {}", c.peer)} title={if starred { "Remove the star" } else { "Star" }} />
        </li>
    }
}
