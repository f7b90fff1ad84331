//! The sign-in form: a user id, and a UserSig unless the server's development endpoint signs
//! one (`npm start` turns it on; production backends sign UserSigs themselves).

use super::input_value;
use crate::sdk::Sdk;
use yew::prelude::*;

#[component]
pub fn SignIn() -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let user = use_node_ref();
    let sig = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let dev = sdk.config().dev_usersig;
    let onsubmit = {
        let (sdk, user, sig, error, busy) = (
            sdk.clone(),
            user.clone(),
            sig.clone(),
            error.clone(),
            busy.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (id, sig) = (input_value(&user), input_value(&sig));
            let (sdk, error, busy) = (sdk.clone(), error.clone(), busy.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = sdk.sign_in(id, Some(sig)).await;
                busy.set(false);
                if let Err(e) = result {
                    error.set(Some(e));
                }
            });
        })
    };
    html! {
        <main class="signin">
            <h1>{ "Duet" }</h1>
            <p class="lead">{ "One-to-one chat. Sign in with any user ID to try it; open another window to chat with yourself as someone else." }</p>
            <form {onsubmit}>
                <label>{ "User ID" }
                    <input ref={user} name="user" required=true autocomplete="username" autofocus=true />
                </label>
                if !dev {
                    <label>{ "UserSig" }
                        <input ref={sig} name="usersig" required=true />
                    </label>
                }
                <button type="submit" disabled={*busy}>{ if *busy { "Signing in…" } else { "Sign in" } }</button>
                if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
            </form>
            if dev {
                <p class="hint">{ "Development server: it signs a UserSig for any user ID. Production backends sign UserSigs themselves." }</p>
            }
        </main>
    }
}
