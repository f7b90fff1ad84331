//! Editing one's own nickname and avatar URL; peers see them on new messages (R4.4).

use super::app::AppState;
use crate::sdk::Sdk;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[component]
pub fn ProfileForm() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let profile = state.profile.clone();
    // The fields, filled from the stored profile whenever it arrives or changes.
    let nick = use_state(String::new);
    let avatar = use_state(String::new);
    let saved = use_state(|| false);
    let notifications = use_state(|| None::<Result<String, String>>);
    let enable = {
        let (sdk, notifications) = (sdk.clone(), notifications.clone());
        Callback::from(move |_| {
            let (sdk, notifications) = (sdk.clone(), notifications.clone());
            wasm_bindgen_futures::spawn_local(async move {
                notifications.set(Some(sdk.enable_notifications().await));
            });
        })
    };
    {
        let (nick, avatar) = (nick.clone(), avatar.clone());
        use_effect_with(profile.clone(), move |profile| {
            if let Some(p) = profile {
                nick.set(p.nick.clone());
                avatar.set(p.avatar.clone());
            }
        });
    }
    let onsubmit = {
        let (nick, avatar, saved) = (nick.clone(), avatar.clone(), saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            sdk.set_profile(nick.trim().to_owned(), avatar.trim().to_owned());
            saved.set(true);
        })
    };
    let edit = |field: &UseStateHandle<String>| {
        let (field, saved) = (field.clone(), saved.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                field.set(input.value());
                saved.set(false);
            }
        })
    };
    html! {
        <section class="profile" aria-label="Profile">
            <h2>{ "Your profile" }</h2>
            <form {onsubmit}>
                <label>{ "Nickname" }<input value={(*nick).clone()} maxlength="64" oninput={edit(&nick)} /></label>
                <label>{ "Avatar URL" }<input type="url" value={(*avatar).clone()} placeholder="https://…" oninput={edit(&avatar)} /></label>
                <button type="submit">{ "Save profile" }</button>
                if *saved && profile.is_some() { <p role="status">{ "Saved." }</p> }
            </form>
            <h2>{ "Notifications" }</h2>
            <p>{ "Get a notification here when a message arrives while Duet is closed." }</p>
            <button type="button" onclick={enable}>{ "Enable notifications" }</button>
            {
                match &*notifications {
                    Some(Ok(text)) => html! { <p role="status">{ text.clone() }</p> },
                    Some(Err(text)) => html! { <p role="alert" class="failed">{ text.clone() }</p> },
                    None => html! {},
                }
            }
        </section>
    }
}
