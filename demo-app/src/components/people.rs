//! Friends and blocked users: add and remove either, open a chat with a friend, and answer
//! friend requests.

use super::app::AppState;
use super::edit_text::EditText;
use super::take_user_id;
use crate::sdk::Sdk;
use crate::state::friend_name;
use protocol::{Relation, RelationEntry};
use yew::prelude::*;

#[component]
pub fn People() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    // Requests shown here are read, on every device of the user.
    use_effect_with(state.unread_requests(), move |unread| {
        if *unread > 0 {
            sdk.read_requests();
        }
    });
    html! {
        <section class="people" aria-label="People">
            <Requests />
            <RelationList relation={Relation::Friend} entries={state.friends.clone()} />
            <RelationList relation={Relation::Blacklist} entries={state.blacklist.clone()} />
            <RelationList relation={Relation::Muted} entries={state.muted.clone()} />
        </section>
    }
}

/// Friend requests to this user, to accept or refuse, and its own waiting for an answer, to
/// withdraw.
#[component]
fn Requests() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let all = &state.applications;
    if all.received.is_empty() && all.sent.is_empty() {
        return html! {};
    }
    let received = all.received.iter().map(|e| {
        let user = e.user_id.clone();
        let answer = |accept: bool| {
            let (sdk, user) = (sdk.clone(), user.clone());
            Callback::from(move |_| sdk.answer_request(user.clone(), accept))
        };
        html! {
            <li>
                <span class="who">{ user.to_string() }</span>
                if !e.fields.wording.is_empty() { <q class="wording">{ e.fields.wording.clone() }</q> }
                <button type="button" onclick={answer(true)} aria-label={format!("Accept {user}")}>{ "Accept" }</button>
                <button type="button" onclick={answer(false)} aria-label={format!("Refuse {user}")}>{ "Refuse" }</button>
            </li>
        }
    });
    let sent = all.sent.iter().map(|e| {
        let (sdk, user) = (sdk.clone(), e.user_id.clone());
        let who = user.clone();
        let withdraw =
            Callback::from(move |_| sdk.change_relation(Relation::ApplicationSent, who.clone(), false));
        html! {
            <li>
                <span class="who">{ format!("Waiting for {user}") }</span>
                <button type="button" onclick={withdraw} aria-label={format!("Withdraw the request to {user}")}>{ "Withdraw" }</button>
            </li>
        }
    });
    html! {
        <div class="relation requests">
            <h2>{ "Friend requests" }</h2>
            <ul>{ for received }{ for sent }</ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ListProps {
    relation: Relation,
    entries: Vec<RelationEntry>,
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
        // Shown by `Requests`, with their answers; listed plainly here they would read so.
        Relation::ApplicationSent | Relation::ApplicationReceived => (
            "Friend requests",
            "Ask user",
            "Ask",
            "Withdraw",
            "No friend requests.",
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
    let rows = props.entries.iter().map(|entry| {
        html! { <RelationRow key={entry.user_id.to_string()} {relation} entry={entry.clone()} {remove} /> }
    });
    html! {
        <div class="relation">
            <h2>{ title }</h2>
            <form {onsubmit}>
                <label>{ field }<input ref={input} required=true placeholder="user ID" autocomplete="off" /></label>
                <button type="submit">{ add }</button>
            </form>
            if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
            if props.entries.is_empty() { <p class="empty">{ empty }</p> }
            <ul>{ for rows }</ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    relation: Relation,
    entry: RelationEntry,
    /// The remove button's words.
    remove: &'static str,
}

/// One user of a list; a friend's row opens a chat and edits its remark in place.
#[component]
fn RelationRow(props: &RowProps) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let editing = use_state(|| false);
    let (relation, user, remove) = (props.relation, &props.entry.user_id, props.remove);
    let (sdk_remove, who) = (sdk.clone(), user.clone());
    let on_remove =
        Callback::from(move |_| sdk_remove.change_relation(relation, who.clone(), false));
    if *editing {
        let (sdk, who) = (sdk.clone(), user.clone());
        let save = Callback::from(move |remark: String| {
            sdk.update_friend(who.clone(), remark.trim().to_owned())
        });
        let done = {
            let editing = editing.clone();
            Callback::from(move |()| editing.set(false))
        };
        return html! {
            <li>
                <EditText current={props.entry.fields.remark.clone()} label={format!("Remark for {user}")}
                    may_be_empty=true {save} {done} />
            </li>
        };
    }
    let (sdk_chat, who) = (sdk.clone(), user.clone());
    let on_chat = Callback::from(move |_| sdk_chat.open(who.clone()));
    let on_remark = Callback::from(move |_| editing.set(true));
    html! {
        <li>
            <span class="who">{ friend_name(std::slice::from_ref(&props.entry), user) }</span>
            if relation == Relation::Friend {
                <button type="button" onclick={on_chat} aria-label={format!("Chat with {user}")}>{ "Chat" }</button>
                <button type="button" onclick={on_remark} aria-label={format!("Set a remark for {user}")}>{ "Remark" }</button>
            }
            <button type="button" onclick={on_remove} aria-label={format!("{remove} {user}")}>{ remove }</button>
        </li>
    }
}
