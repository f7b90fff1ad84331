//! The composer: text (Enter sends, Shift+Enter starts a new line), an emoji picker from the
//! app's set, senders for a location and the app's cards (red packet, rock-paper-scissors), and
//! an attach button for photos, voice clips, videos and files (sent with upload progress),
//! which may also be pasted into the field (a screenshot) or dropped on the composer. Offline,
//! a message waits in the outbox, shown as waiting, and goes out on reconnect. What is being
//! written is kept as the conversation's draft when the field loses focus, and shows again when
//! the conversation is opened, on any of the user's devices.

use super::app::Emojis;
use super::{enter_submits, input_value};
use crate::content::{Card, Hand, parse_money};
use crate::sdk::Sdk;
use duet_chat::reply::Quote;
use duet_chat::upload::MediaFile;
use protocol::element::{FaceElem, LocationElem, TextElem};
use protocol::media::MediaKind;
use protocol::{Element, Message, UserId};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What a chosen file is sent as, from the type the browser reports (the server checks the
/// bytes whatever this says).
fn kind_of(mime: &str) -> MediaKind {
    match mime {
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/bmp" => MediaKind::Image,
        m if m.starts_with("audio/") => MediaKind::Audio,
        m if m.starts_with("video/") => MediaKind::Video,
        _ => MediaKind::File,
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub peer: UserId,
    /// The conversation's draft, as last saved on any device; `None` when there is no
    /// conversation yet (nothing to keep a draft in).
    pub draft: Option<String>,
    /// The message the next one replies to, with the name its sender is shown by.
    pub replying: Option<(Message, String)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tray {
    None,
    Emoji,
    Location,
    RedPacket,
}

#[component]
pub fn Composer(props: &Props) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let emojis = use_context::<Emojis>().expect("emoji context");
    let tray = use_state(|| Tray::None);
    let error = use_state(|| None::<String>);
    let text = use_node_ref();
    // Opening a conversation shows its draft.
    {
        let (text, draft) = (text.clone(), props.draft.clone().unwrap_or_default());
        use_effect_with(props.peer.clone(), move |_| {
            if let Some(input) = text.cast::<HtmlTextAreaElement>() {
                input.set_value(&draft);
            }
        });
    }
    let on_input = {
        let (sdk, peer) = (sdk.clone(), props.peer.clone());
        Callback::from(move |_: InputEvent| sdk.typing(peer.clone()))
    };
    let on_blur = {
        let (sdk, peer, saved) = (sdk.clone(), props.peer.clone(), props.draft.clone());
        Callback::from(move |e: FocusEvent| {
            let (Some(saved), Some(input)) = (&saved, e.target_dyn_into::<HtmlTextAreaElement>())
            else {
                return;
            };
            if input.value() != *saved {
                sdk.save_draft(peer.clone(), input.value());
            }
        })
    };
    let (place, lat, lon) = (use_node_ref(), use_node_ref(), use_node_ref());
    let (amount, greeting) = (use_node_ref(), use_node_ref());

    let send = {
        let (sdk, peer, tray, error) =
            (sdk.clone(), props.peer.clone(), tray.clone(), error.clone());
        let quote = props
            .replying
            .as_ref()
            .map(|(m, sender)| Quote::of(m, sender).to_custom_data());
        Callback::from(move |element: Element| {
            error.set(None);
            tray.set(Tray::None);
            sdk.send(peer.clone(), element, quote.clone());
            if quote.is_some() {
                sdk.reply_to(None);
            }
        })
    };
    let cancel_reply = {
        let sdk = sdk.clone();
        Callback::from(move |_| sdk.reply_to(None))
    };
    let on_text = {
        let (send, text) = (send.clone(), text.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = text.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let body = input.value();
            if body.trim().is_empty() {
                return;
            }
            input.set_value("");
            send.emit(Element::Text(TextElem { text: body }));
        })
    };
    // Escape drops the reply being written; a reply chosen brings the field into focus.
    let on_key = {
        let (sdk, replying) = (sdk.clone(), props.replying.is_some());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" if replying => sdk.reply_to(None),
            _ => enter_submits(&e),
        })
    };
    {
        let text = text.clone();
        let replying = props.replying.as_ref().map(|(m, _)| m.key);
        use_effect_with(replying, move |replying| {
            if replying.is_some()
                && let Some(field) = text.cast::<HtmlTextAreaElement>()
            {
                let _ = field.focus();
            }
        });
    }
    let toggle = |which: Tray| {
        let tray = tray.clone();
        Callback::from(move |_| tray.set(if *tray == which { Tray::None } else { which }))
    };
    let faces = emojis.0.iter().map(|e| {
        let send = send.clone();
        let face = FaceElem { index: e.index, data: e.name.clone() };
        let onclick = Callback::from(move |_| send.emit(Element::Face(face.clone())));
        html! { <button type="button" class="face" aria-label={e.name.clone()} title={e.name.clone()} {onclick}>{ e.symbol.clone() }</button> }
    });
    let on_location = {
        let (send, error) = (send.clone(), error.clone());
        let (place, lat, lon) = (place.clone(), lat.clone(), lon.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (la, lo) = (
                input_value(&lat).trim().parse::<f64>(),
                input_value(&lon).trim().parse::<f64>(),
            );
            match (la, lo) {
                (Ok(latitude), Ok(longitude))
                    if latitude.abs() <= 90.0 && longitude.abs() <= 180.0 =>
                {
                    send.emit(Element::Location(LocationElem {
                        desc: input_value(&place),
                        latitude,
                        longitude,
                    }))
                }
                _ => error.set(Some(
                    "Latitude must be between -90 and 90, longitude between -180 and 180.".into(),
                )),
            }
        })
    };
    let on_red_packet = {
        let (send, error) = (send.clone(), error.clone());
        let (amount, greeting) = (amount.clone(), greeting.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_money(&input_value(&amount)) {
                Some(amount_cents) => {
                    let card = Card::RedPacket {
                        amount_cents,
                        greeting: input_value(&greeting),
                    };
                    send.emit(Element::Custom(card.to_element()))
                }
                None => error.set(Some("Enter an amount such as 8.88.".into())),
            }
        })
    };
    let on_rps = {
        let send = send.clone();
        Callback::from(move |_| {
            let hand = Hand::ALL[(js_sys::Math::random() * 3.0) as usize % 3];
            send.emit(Element::Custom(
                Card::RockPaperScissors { hand }.to_element(),
            ))
        })
    };
    // Files chosen, pasted (a screenshot) or dropped here are sent each as what it is.
    let send_files = {
        let (sdk, peer, error) = (sdk.clone(), props.peer.clone(), error.clone());
        Callback::from(move |files: web_sys::FileList| {
            error.set(None);
            for file in (0..files.length()).filter_map(|i| files.get(i)) {
                let media = MediaFile {
                    kind: kind_of(&file.type_()),
                    name: file.name(),
                    blob: file.into(),
                    second: None,
                };
                match media.check() {
                    Ok(()) => sdk.send_file(peer.clone(), media),
                    Err(e) => error.set(Some(e.message.clone())),
                }
            }
        })
    };
    let on_attach = {
        let send_files = send_files.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(files) = input.files() {
                send_files.emit(files);
            }
            input.set_value("");
        })
    };
    let on_paste = {
        let send_files = send_files.clone();
        Callback::from(move |e: Event| {
            let files = e
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(|e| e.clipboard_data())
                .and_then(|d| d.files())
                .filter(|f| f.length() > 0);
            // Text pastes as text; only files are taken.
            if let Some(files) = files {
                e.prevent_default();
                send_files.emit(files);
            }
        })
    };
    // Dropping needs the page's own handling of dragging over refused.
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = Callback::from(move |e: DragEvent| {
        let files = e
            .data_transfer()
            .and_then(|d| d.files())
            .filter(|f| f.length() > 0);
        if let Some(files) = files {
            e.prevent_default();
            send_files.emit(files);
        }
    });
    let expanded = |which: Tray| (*tray == which).to_string();
    html! {
        <div class="composer" ondragover={on_drag_over} ondrop={on_drop}>
            if *tray == Tray::Emoji {
                <div class="tray faces" role="group" aria-label="Emoji">{ for faces }</div>
            }
            if *tray == Tray::Location {
                <form class="tray" onsubmit={on_location} aria-label="Share a location">
                    <label>{ "Place" }<input ref={place} placeholder="Café Central" /></label>
                    <label>{ "Latitude" }<input ref={lat} inputmode="decimal" required=true placeholder="48.2104" /></label>
                    <label>{ "Longitude" }<input ref={lon} inputmode="decimal" required=true placeholder="16.3656" /></label>
                    <button type="submit">{ "Send location" }</button>
                </form>
            }
            if *tray == Tray::RedPacket {
                <form class="tray" onsubmit={on_red_packet} aria-label="Send a red packet">
                    <label>{ "Amount" }<input ref={amount} inputmode="decimal" required=true placeholder="8.88" /></label>
                    <label>{ "Greeting" }<input ref={greeting} placeholder="Best wishes" /></label>
                    <button type="submit">{ "Send red packet" }</button>
                </form>
            }
            if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
            if let Some((m, sender)) = &props.replying {
                <div class="replying" role="status">
                    <span>{ format!("Replying to {sender}: ") }<q>{ Quote::of(m, sender).message_abstract }</q></span>
                    <button type="button" class="link" onclick={cancel_reply}>{ "Cancel reply" }</button>
                </div>
            }
            <div class="tools">
                <button type="button" aria-label="Emoji" aria-expanded={expanded(Tray::Emoji)} onclick={toggle(Tray::Emoji)}>{ "😊" }</button>
                <button type="button" aria-label="Location" aria-expanded={expanded(Tray::Location)} onclick={toggle(Tray::Location)}>{ "📍" }</button>
                <button type="button" aria-label="Red packet" aria-expanded={expanded(Tray::RedPacket)} onclick={toggle(Tray::RedPacket)}>{ "🧧" }</button>
                <button type="button" aria-label="Rock-paper-scissors" onclick={on_rps}>{ "✊" }</button>
                <label class="attach" title="Attach a photo, voice clip, video or file">
                    <span aria-hidden="true">{ "📎" }</span>
                    <input type="file" class="sr-only" aria-label="Attach a file" onchange={on_attach} />
                </label>
            </div>
            <form class="text" onsubmit={on_text}>
                <textarea ref={text} aria-label="Message" placeholder="Message" rows="1" autocomplete="off" enterkeyhint="send" onblur={on_blur} oninput={on_input} onkeydown={on_key} onpaste={on_paste} />
                <button type="submit">{ "Send" }</button>
            </form>
        </div>
    }
}
