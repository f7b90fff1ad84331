//! Editing one's own nickname and avatar URL; peers see them on new messages (R4.4).

use super::app::AppState;
use super::input_value;
use crate::sdk::Sdk;
use yew::prelude::*;

#[component]
pub fn ProfileForm() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let (nick, avatar) = (use_node_ref(), use_node_ref());
    let saved = use_state(|| false);
    let profile = state.profile.clone();
    let onsubmit = {
        let (nick, avatar, saved) = (nick.clone(), avatar.clone(), saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            sdk.set_profile(
                input_value(&nick).trim().to_owned(),
                input_value(&avatar).trim().to_owned(),
            );
            saved.set(true);
        })
    };
    let oninput = {
        let saved = saved.clone();
        Callback::from(move |_: InputEvent| saved.set(false))
    };
    let current = |f: fn(&protocol::Profile) -> &String| {
        profile.as_ref().map(|p| f(p).clone()).unwrap_or_default()
    };
    // Keyed by the stored profile so the fields show it once it arrives.
    let key = format!("{:?}", profile);
    html! {
        <section class="profile" aria-label="Profile">
            <h2>{ "Your profile" }</h2>
            <form {key} {onsubmit}>
                <label>{ "Nickname" }<input ref={nick} value={current(|p| &p.nick)} maxlength="64" oninput={oninput.clone()} /></label>
                <label>{ "Avatar URL" }<input ref={avatar} type="url" value={current(|p| &p.avatar)} placeholder="https://…" {oninput} /></label>
                <button type="submit">{ "Save profile" }</button>
                if *saved && profile.is_some() { <p role="status">{ "Saved." }</p> }
            </form>
        </section>
    }
}
