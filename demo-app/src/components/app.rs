//! The root: loads the server's configuration and the emoji set, owns the state, and lays out
//! the signed-in screen (conversation list beside the chat, people or profile panel).

use super::banner::Banner;
use super::chat_view::ChatView;
use super::conversation_list::ConversationList;
use super::people::People;
use super::profile_form::ProfileForm;
use super::search::Search;
use super::sign_in::SignIn;
use crate::content::Emoji;
use crate::sdk::{Sdk, load_config};
use crate::state::{Action, Panel, State};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// The state as components read it.
pub type AppState = UseReducerHandle<State>;

/// The developer-defined emoji set (`www/emoji.json`).
#[derive(Clone, PartialEq)]
pub struct Emojis(pub Rc<Vec<Emoji>>);

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

async fn load_emojis() -> Vec<Emoji> {
    let Ok(response) = gloo_net::http::Request::get("/emoji.json").send().await else {
        return Vec::new();
    };
    crate::sdk::read_json(response).await.unwrap_or_default()
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let sdk = use_state(|| None::<Sdk>);
    let emojis = use_state(|| Emojis(Rc::new(Vec::new())));
    let failed = use_state(|| None::<String>);
    {
        let (sdk, emojis, failed, dispatch) = (
            sdk.clone(),
            emojis.clone(),
            failed.clone(),
            state.dispatcher(),
        );
        use_effect_with((), move |_| {
            follow_visibility(dispatch.clone());
            wasm_bindgen_futures::spawn_local(async move {
                emojis.set(Emojis(Rc::new(load_emojis().await)));
                match load_config().await {
                    Ok(config) => {
                        let client = Sdk::new(config, dispatch);
                        client.resume();
                        sdk.set(Some(client));
                    }
                    Err(e) => failed.set(Some(e)),
                }
            });
        });
    }
    let Some(sdk) = (*sdk).clone() else {
        let text = (*failed).clone().unwrap_or_else(|| "Loading…".into());
        return html! { <main class="boot"><h1>{ "Duet" }</h1><p role="status">{ text }</p></main> };
    };
    let body = if state.me.is_none() {
        html! { <SignIn /> }
    } else {
        html! { <Main /> }
    };
    html! {
        <ContextProvider<Sdk> context={sdk}>
            <ContextProvider<AppState> context={state}>
                <ContextProvider<Emojis> context={(*emojis).clone()}>
                    { body }
                </ContextProvider<Emojis>>
            </ContextProvider<AppState>>
        </ContextProvider<Sdk>>
    }
}

/// The signed-in screen.
#[component]
fn Main() -> Html {
    let state = use_context::<AppState>().expect("state context");
    let sdk = use_context::<Sdk>().expect("sdk context");
    let me = state.me.clone().map(|m| m.to_string()).unwrap_or_default();
    let nick = state
        .profile
        .as_ref()
        .map(|p| p.nick.clone())
        .filter(|n| !n.is_empty());
    let show = |panel: Panel| {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Show(panel)))
    };
    let pressed = |panel: Panel| (state.panel == panel).to_string();
    let new_requests = state.unread_requests();
    // "(3) Duet" while messages wait unread, as chat tabs show it from the tab bar.
    use_effect_with(state.unread_total, |unread| {
        set_title(*unread);
        || set_title(0)
    });
    let sign_out = {
        let sdk = sdk.clone();
        Callback::from(move |_| sdk.sign_out())
    };
    let content = match state.panel {
        Panel::People => html! { <People /> },
        Panel::Profile => html! { <ProfileForm /> },
        Panel::Search => html! { <Search /> },
        Panel::Chats if state.chat.is_some() => html! { <ChatView /> },
        Panel::Chats => html! {
            <section class="placeholder"><p>{ "Pick a conversation, or start one by user ID." }</p></section>
        },
    };
    // On a phone one pane shows at a time: the chat when one is open, else the list.
    let view = if state.chat.is_some() || state.panel != Panel::Chats {
        "detail"
    } else {
        "list"
    };
    html! {
        <div class="app" data-view={view}>
            <header class="top">
                <h1>{ "Duet" }</h1>
                <p class="me">
                    { "Signed in as " }<strong>{ nick.clone().unwrap_or_else(|| me.clone()) }</strong>
                    if nick.is_some() { <span class="id">{ format!(" ({me})") }</span> }
                </p>
                <div class="tabs">
                    <button type="button" aria-pressed={pressed(Panel::Chats)} onclick={show(Panel::Chats)}>{ "Chats" }</button>
                    <button type="button" aria-pressed={pressed(Panel::People)} onclick={show(Panel::People)}>{ "People" }
                        if new_requests > 0 {
                            <span class="badge">{ " " }{ new_requests }<span class="sr-only">{ if new_requests == 1 { " new friend request" } else { " new friend requests" } }</span></span>
                        }
                    </button>
                    <button type="button" aria-pressed={pressed(Panel::Profile)} onclick={show(Panel::Profile)}>{ "Profile" }</button>
                    <button type="button" aria-pressed={pressed(Panel::Search)} onclick={show(Panel::Search)}>{ "Search" }</button>
                    <button type="button" onclick={sign_out}>{ "Sign out" }</button>
                </div>
            </header>
            <Banner />
            <div class="panes">
                <ConversationList />
                <main class="detail">{ content }</main>
            </div>
        </div>
    }
}

/// The page's title: the app's name, after the number of unread messages when there are any.
fn set_title(unread: u32) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        match unread {
            0 => document.set_title("Duet"),
            n => document.set_title(&format!("({n}) Duet")),
        }
    }
}

/// Keeps [`State::hidden`] as the page is hidden and shown, from now on.
fn follow_visibility(dispatch: UseReducerDispatcher<State>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    dispatch.dispatch(Action::Hidden(document.hidden()));
    let page = document.clone();
    let changed =
        Closure::<dyn Fn()>::new(move || dispatch.dispatch(Action::Hidden(page.hidden())));
    let _ = document
        .add_event_listener_with_callback("visibilitychange", changed.as_ref().unchecked_ref());
    // Listens as long as the page lives.
    changed.forget();
}
