//! Searching one's messages: every word must be found; the whole history on the server, or
//! what this device holds while offline. A result opens its chat and shows the message there.

use super::app::AppState;
use super::input_value;
use super::message_item::display_name;
use super::time::Time;
use crate::content::preview;
use crate::sdk::Sdk;
use yew::prelude::*;

#[component]
pub fn Search() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let input = use_node_ref();
    let onsubmit = {
        let (sdk, input) = (sdk.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let words = input_value(&input).trim().to_owned();
            if !words.is_empty() {
                sdk.search(words);
            }
        })
    };
    let me = state.me.clone();
    let results = state.search.as_ref().map(|search| match &search.found {
        None => html! { <p role="status">{ format!("Searching for “{}”…", search.words) }</p> },
        Some(found) if found.is_empty() => {
            html! { <p role="status">{ format!("Nothing found for “{}”.", search.words) }</p> }
        }
        Some(found) => {
            let items = found.iter().map(|m| {
                let peer = me.as_ref().map(|me| m.peer_of(me).to_string()).unwrap_or_default();
                let from = display_name(&m.nick, &m.from);
                let onclick = {
                    let (sdk, m) = (sdk.clone(), m.clone());
                    Callback::from(move |_| sdk.jump_to(&m))
                };
                html! {
                    <li>
                        <button type="button" class="result" {onclick}
                            aria-label={format!("Show the message from {from} in the chat with {peer}: {}", preview(m))}>
                            <span class="who">{ format!("{from} · chat with {peer}") }</span>
                            <span class="when"><Time ms={m.time_ms} /></span>
                            <span class="last">{ preview(m) }</span>
                        </button>
                    </li>
                }
            });
            html! {
                <>
                    <p role="status">{ format!("{} found for “{}”", found.len(), search.words) }</p>
                    <ul class="results" aria-label="Search results">{ for items }</ul>
                </>
            }
        }
    });
    html! {
        <section class="search" aria-label="Message search">
            <form role="search" {onsubmit}>
                <label>{ "Search messages" }
                    <input ref={input} type="search" name="q" required=true maxlength="100"
                        placeholder="words to find" autocomplete="off" />
                </label>
                <button type="submit">{ "Search" }</button>
            </form>
            { results }
        </section>
    }
}
