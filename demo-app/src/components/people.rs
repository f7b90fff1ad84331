//! Friends and blocked users: add and remove either, and open a chat with a friend.

use super::app::AppState;
use super::take_user_id;
use crate::sdk::Sdk;
use protocol::{Relation, UserId};
use yew::prelude::*;

#[component]
pub fn People() -> Html {
    let state = use_context::<AppState>().expect("state context");
    html! {
        <section class="people" aria-label="People">
            <RelationList relation={Relation::Friend} users={state.friends.clone()} />
            <RelationList relation={Relation::Blacklist} users={state.blacklist.clone()} />
            <RelationList relation={Relation::Muted} users={state.muted.clone()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ListProps {
    relation: Relation,
    users: Vec<UserId>,
}

#[component]
fn RelationList(props: &ListProps) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let input = use_node_ref();
    let error = use_state(|| None::<String>);
    let relation = props.relation;
    let (title, field, add, remove, empty) = match relation {
        Relation::Friend => (
            "Friends",
            "Add friend",
            "Add",
            "Remove friend",
            "No friends yet.",
        ),
        Relation::Blacklist => (
            "Blocked",
            "Block user",
            "Block",
            "Unblock",
            "Nobody is blocked.",
        ),
        Relation::Muted => (
            "Muted (no notifications)",
            "Mute user",
            "Mute",
            "Unmute",
            "Nobody is muted.",
        ),
    };
    let onsubmit = {
        let (sdk, input, error) = (sdk.clone(), input.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(user) = take_user_id(&input, &error) {
                sdk.change_relation(relation, user, true);
            }
        })
    };
    let rows = props.users.iter().map(|user| {
        let (sdk_remove, who) = (sdk.clone(), user.clone());
        let on_remove = Callback::from(move |_| sdk_remove.change_relation(relation, who.clone(), false));
        let (sdk_chat, who) = (sdk.clone(), user.clone());
        let on_chat = Callback::from(move |_| sdk_chat.open(who.clone()));
        html! {
            <li>
                <span class="who">{ user.to_string() }</span>
                if relation == Relation::Friend {
                    <button type="button" onclick={on_chat} aria-label={format!("Chat with {user}")}>{ "Chat" }</button>
                }
                <button type="button" onclick={on_remove} aria-label={format!("{remove} {user}")}>{ remove }</button>
            </li>
        }
    });
    html! {
        <div class="relation">
            <h2>{ title }</h2>
            <form {onsubmit}>
                <label>{ field }<input ref={input} required=true placeholder="user ID" autocomplete="off" /></label>
                <button type="submit">{ add }</button>
            </form>
            if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
            if props.users.is_empty() { <p class="empty">{ empty }</p> }
            <ul>{ for rows }</ul>
        </div>
    }
}
