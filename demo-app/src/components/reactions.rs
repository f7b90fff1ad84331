//! The reactions under a message: one button per emoji with its count (pressed when this user
//! reacted so; pressing it adds or takes back the reaction), and, while the message's React
//! button has it open, a picker of the app's quick reactions. All of it buttons, so the
//! keyboard reaches everything.

use crate::sdk::Sdk;
use protocol::{Message, UserId};
use yew::prelude::*;

/// The reactions the picker offers.
const QUICK: [&str; 6] = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub message: Message,
    pub me: UserId,
    pub peer: UserId,
    /// The picker is open.
    pub picking: bool,
    /// Closes the picker (a reaction was picked).
    pub done: Callback<()>,
}

#[component]
pub fn Reactions(props: &Props) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let m = &props.message;
    if m.reactions.is_empty() && !props.picking {
        return html! {};
    }
    let toggle = |emoji: String, add: bool| {
        let (sdk, peer, key, done) = (sdk.clone(), props.peer.clone(), m.key, props.done.clone());
        Callback::from(move |_| {
            sdk.react(peer.clone(), key, emoji.clone(), add);
            done.emit(());
        })
    };
    let chips = m.reactions.iter().map(|r| {
        let mine = r.users.contains(&props.me);
        let count = r.users.len();
        let label = match mine {
            true => format!("{} {count}, yours: take it back", r.id),
            false => format!("{} {count}: react with it too", r.id),
        };
        html! {
            <button type="button" class="reaction" aria-pressed={mine.to_string()} aria-label={label}
                onclick={toggle(r.id.clone(), !mine)}>{ format!("{} {count}", r.id) }</button>
        }
    });
    let picker = props.picking.then(|| {
        let choices = QUICK.iter().map(|e| {
            let held = m.reactions.iter().any(|r| r.id == *e && r.users.contains(&props.me));
            html! {
                <button type="button" aria-label={format!("React with {e}")} disabled={held}
                    onclick={toggle((*e).to_owned(), true)}>{ *e }</button>
            }
        });
        html! { <div class="picker" role="group" aria-label="Pick a reaction">{ for choices }</div> }
    });
    html! {
        <div class="reactions" role="group" aria-label="Reactions">
            { for chips }
            { picker }
        </div>
    }
}
