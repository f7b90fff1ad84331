//! Editing one's own profile: nickname and avatar URL (peers see them on new messages, R4.4),
//! a few words about oneself, who may add one as a friend, a status that says what one is up
//! to, and whether others see when one is online.

use super::app::AppState;
use crate::sdk::Sdk;
use protocol::ProfileDetails;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Tencent's default `AllowType`: a friend request waits for an answer.
const NEED_CONFIRM: &str = "AllowType_Type_NeedConfirm";

#[component]
pub fn ProfileForm() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let profile = state.profile.clone();
    // The fields, filled from the stored profile whenever it arrives or changes.
    let nick = use_state(String::new);
    let avatar = use_state(String::new);
    let signature = use_state(String::new);
    let allow_type = use_state(|| NEED_CONFIRM.to_owned());
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
        let (signature, allow_type) = (signature.clone(), allow_type.clone());
        use_effect_with(profile.clone(), move |profile| {
            if let Some(p) = profile {
                nick.set(p.nick.clone());
                avatar.set(p.avatar.clone());
                signature.set(p.details.self_signature.clone().unwrap_or_default());
                let allow = p.details.allow_type.as_deref().unwrap_or(NEED_CONFIRM);
                allow_type.set(allow.to_owned());
            }
        });
    }
    let onsubmit = {
        let sdk = sdk.clone();
        let (nick, avatar, saved) = (nick.clone(), avatar.clone(), saved.clone());
        let (signature, allow_type) = (signature.clone(), allow_type.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let details = ProfileDetails {
                self_signature: Some(signature.trim().to_owned()),
                allow_type: Some((*allow_type).clone()),
                ..ProfileDetails::default()
            };
            sdk.set_profile(nick.trim().to_owned(), avatar.trim().to_owned(), details);
            saved.set(true);
        })
    };
    let choose = {
        let (allow_type, saved) = (allow_type.clone(), saved.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                allow_type.set(select.value());
                saved.set(false);
            }
        })
    };
    let option = |value: &'static str, label: &'static str| {
        html! { <option {value} selected={*allow_type == value}>{ label }</option> }
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
    let own = state.me.as_ref().and_then(|me| state.status_of(me));
    let hidden = own.is_some_and(|s| s.hidden);
    // The status field, filled from the status the server last told.
    let custom = use_state(String::new);
    {
        let custom = custom.clone();
        let told = own.map(|s| s.custom_status.clone()).unwrap_or_default();
        use_effect_with(told, move |told| custom.set(told.clone()));
    }
    let set_status = {
        let (sdk, custom) = (sdk.clone(), custom.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            sdk.set_custom_status(custom.trim().to_owned());
        })
    };
    let edit_status = {
        let custom = custom.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                custom.set(input.value());
            }
        })
    };
    let hide = {
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                sdk.hide_status(input.checked());
            }
        })
    };
    html! {
        <section class="profile" aria-label="Profile">
            <h2>{ "Your profile" }</h2>
            <form {onsubmit}>
                <label>{ "Nickname" }<input value={(*nick).clone()} maxlength="64" oninput={edit(&nick)} /></label>
                <label>{ "Avatar URL" }<input type="url" value={(*avatar).clone()} placeholder="https://…" oninput={edit(&avatar)} /></label>
                <label>{ "About me" }<input value={(*signature).clone()} maxlength="500" oninput={edit(&signature)} /></label>
                <label>{ "Friend requests" }
                    <select onchange={choose}>
                        { option(NEED_CONFIRM, "Ask me first") }
                        { option("AllowType_Type_AllowAny", "Accept everyone") }
                        { option("AllowType_Type_DenyAny", "Refuse everyone") }
                    </select>
                </label>
                <button type="submit">{ "Save profile" }</button>
                if *saved && profile.is_some() { <p role="status">{ "Saved." }</p> }
            </form>
            <h2>{ "Status" }</h2>
            <form onsubmit={set_status}>
                <label>{ "What you are up to" }
                    <input value={(*custom).clone()} maxlength="100" placeholder="In a meeting" oninput={edit_status} />
                </label>
                <button type="submit">{ "Set status" }</button>
            </form>
            <h2>{ "Privacy" }</h2>
            <label class="check">
                <input type="checkbox" checked={hidden} onchange={hide} />
                { "Hide when I am online and when I was last seen" }
            </label>
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
