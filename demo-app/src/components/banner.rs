//! The connection banner (connecting, syncing until SDK_READY, offline and reconnecting), the
//! kicked-out notice, and the notice of the last problem.

use super::app::AppState;
use crate::sdk::Sdk;
use crate::state::{Action, Net};
use protocol::frame::KickCause;
use yew::prelude::*;

#[component]
pub fn Banner() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let dismiss = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Notice(None)))
    };
    let notice = state.notice.clone().map(|text| {
        html! {
            <div class="notice" role="alert">
                <span>{ text }</span>
                <button type="button" onclick={dismiss}>{ "Dismiss" }</button>
            </div>
        }
    });
    if let Some(cause) = state.kicked {
        let again = Callback::from(move |_| sdk.sign_out());
        let why = match cause {
            KickCause::SignedInElsewhere => {
                "You were signed out: this account signed in again in another window with this tab's device."
            }
            KickCause::AccountDeleted => {
                "You were signed out: this account was deleted, and what this browser kept of it is gone."
            }
            KickCause::UserSigExpired => "You were signed out: your sign-in expired.",
            KickCause::KickedByBackend => "You were signed out by the app's administrator.",
        };
        return html! {
            <>
                <div class="banner kicked" role="alert">
                    <span>{ why }</span>
                    <button type="button" onclick={again}>{ "Sign in again" }</button>
                </div>
                { notice }
            </>
        };
    }
    let status = match state.net {
        Net::Connecting => Some(("connecting", "Connecting…")),
        Net::Syncing => Some(("syncing", "Syncing messages…")),
        Net::Offline => Some((
            "offline",
            "Offline — reconnecting… Messages you send now go out when the connection is back.",
        )),
        Net::Ready => None,
    };
    html! {
        <>
            <div class="banner-slot" role="status">
                if let Some((class, text)) = status {
                    <div class={classes!("banner", class)}>{ text }</div>
                }
            </div>
            { notice }
        </>
    }
}
