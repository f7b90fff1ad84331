//! One message in the chat log, rendered for what it is: text with clickable links (always as
//! text, never as HTML), a face from the app's emoji set, a location with a map link, the
//! app's cards, media, a centred system notice, or "message recalled". Own messages show their
//! status, with Resend when sending failed and Edit (text, in place: Enter saves, Escape
//! cancels) and Recall once sent; an edited message says so. Sent messages can be replied to
//! and reacted to.

use super::app::Emojis;
use super::avatar::Avatar;
use super::confirmed;
use super::edit_text::EditText;
use super::reactions::Reactions;
use super::time::Time;
use crate::content::{Card, Segment, UNSUPPORTED, find_face, money, segments};
use crate::sdk::Sdk;
use crate::state::{Shown, Status};
use duet_chat::reply::Quote;
use protocol::element::{CustomElem, ImageElem, LocationElem, image_type};
use protocol::{Element, UserId};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub shown: Shown,
    pub me: UserId,
    pub peer: UserId,
    /// The peer has read up to this message number.
    pub peer_read_up_to: u64,
}

#[component]
pub fn MessageItem(props: &Props) -> Html {
    let sdk = use_context::<Sdk>().expect("sdk context");
    let emojis = use_context::<Emojis>().expect("emoji context");
    let picking = use_state(|| false);
    let editing = use_state(|| false);
    let m = &props.shown.message;
    if let Some(Element::System(s)) = m.elements.first() {
        return html! {
            <div class="msg system" role="note" aria-label="System notice">
                <span class="label">{ "Notice" }</span>
                <p>{ s.text.clone() }</p>
                <Time ms={m.time_ms} />
            </div>
        };
    }
    let out = m.from == props.me;
    if m.recalled {
        let who = if out {
            "You recalled a message".to_owned()
        } else {
            format!(
                "{} recalled a message",
                display_name(m.nick.as_str(), &m.from)
            )
        };
        return html! { <div class="msg recalled"><p>{ who }</p></div> };
    }
    let name = display_name(&m.nick, &m.from);
    let content = match m.elements.first() {
        Some(Element::Text(t)) if *editing => {
            let (sdk, peer, message) = (sdk.clone(), props.peer.clone(), m.clone());
            let done = {
                let editing = editing.clone();
                Callback::from(move |()| editing.set(false))
            };
            let save = Callback::from(move |text: String| {
                sdk.edit(peer.clone(), &message, text);
            });
            html! { <EditText current={t.text.clone()} label="Edit message" multiline=true {save} {done} /> }
        }
        Some(Element::Text(t)) => text(&t.text),
        Some(Element::Face(f)) => match find_face(&emojis.0, f.index, &f.data) {
            Some(e) => {
                html! { <span class="face" role="img" aria-label={e.name.clone()} title={e.name.clone()}>{ e.symbol.clone() }</span> }
            }
            None => html! { <span class="face unknown">{ format!("[face {}]", f.data) }</span> },
        },
        Some(Element::Location(l)) => location(l),
        Some(Element::Custom(c)) => custom(c),
        Some(Element::Image(i)) => image(i),
        Some(Element::Sound(s)) => html! {
            <div class="audio">
                <audio controls=true preload="none" src={s.url.clone()} aria-label="Voice message"></audio>
                <span class="meta">{ format!("{} s", s.second) }</span>
            </div>
        },
        Some(Element::File(f)) => html! {
            <div class="card file">
                <span class="icon" aria-hidden="true">{ "📄" }</span>
                <span class="name">{ f.file_name.clone() }</span>
                <span class="meta">{ size(f.file_size) }</span>
                <a href={f.url.clone()} download={f.file_name.clone()} rel="noopener">{ "Download" }</a>
            </div>
        },
        Some(Element::Video(v)) => html! {
            <video class="video" controls=true preload="none" src={v.video_url.clone()} poster={v.thumb_url.clone()}
                width={v.thumb_width.min(320).to_string()} aria-label={format!("Video, {} s", v.video_second)}></video>
        },
        Some(Element::Unknown(_)) => html! {
            <p class="unsupported">{ UNSUPPORTED }</p>
        },
        Some(Element::System(_)) | None => html! {},
    };
    let read = m.key.id != 0 && m.key.id <= props.peer_read_up_to;
    let start_editing = {
        let editing = editing.clone();
        Callback::from(move |()| editing.set(true))
    };
    let status = out.then(|| status(&sdk, &props.shown, &props.peer, read, start_editing));
    let quote = Quote::from_custom_data(m.cloud_custom_data.as_deref()).map(|q| {
        let target = anchor(&q.message_id);
        let jump = Callback::from(move |_| {
            show(&target);
        });
        html! {
            <button type="button" class="quote" onclick={jump}
                aria-label={format!("Reply to {}: {}. Show that message", q.message_sender, q.message_abstract)}>
                <span class="from">{ q.message_sender.clone() }</span>
                <span class="abstract">{ q.message_abstract.clone() }</span>
            </button>
        }
    });
    // Sent messages can be replied to and reacted to.
    let reply = (m.key.id != 0).then(|| {
        let (sdk, message) = (sdk.clone(), m.clone());
        let onclick = Callback::from(move |_| sdk.reply_to(Some(message.clone())));
        let react = {
            let picking = picking.clone();
            Callback::from(move |_| picking.set(!*picking))
        };
        html! {
            <>
                <button type="button" class="link reply" {onclick}>{ "Reply" }</button>
                <button type="button" class="link reply" aria-expanded={picking.to_string()} onclick={react}>{ "React" }</button>
            </>
        }
    });
    let done = {
        let picking = picking.clone();
        Callback::from(move |()| picking.set(false))
    };
    html! {
        <div class={classes!("msg", if out { "out" } else { "in" })} id={anchor(&m.id())} tabindex="-1">
            <Avatar name={name.clone()} url={m.avatar.clone()} />
            <div class="bubble">
                { quote }
                <div class="meta"><span class="from">{ name }</span>{ " " }<Time ms={m.time_ms} />
                    if m.edited_ms > 0 {
                        <span class="edited" title="This message was edited">{ " · edited" }</span>
                    }
                    { reply }
                </div>
                <div class="content">{ content }</div>
                if m.key.id != 0 {
                    <Reactions message={m.clone()} me={props.me.clone()} peer={props.peer.clone()} picking={*picking} {done} />
                }
                { status }
            </div>
        </div>
    }
}

/// The element ID of the message with `id` in the chat log.
pub fn anchor(id: &str) -> String {
    format!("msg-{id}")
}

/// Brings the message with element ID `anchor` into view and focus, when it is loaded;
/// whether it is.
pub fn show(anchor: &str) -> bool {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(anchor))
    else {
        return false;
    };
    el.scroll_into_view();
    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
    true
}

/// How a message's sender is named: its nickname when it had one, else its ID.
pub fn display_name(nick: &str, id: &UserId) -> String {
    if nick.is_empty() {
        id.to_string()
    } else {
        nick.to_owned()
    }
}

fn text(text: &str) -> Html {
    let parts = segments(text).into_iter().map(|s| match s {
        Segment::Text(t) => html! { { t } },
        Segment::Link(url) => html! {
            <a href={url.to_owned()} target="_blank" rel="noopener noreferrer nofollow">{ url }</a>
        },
    });
    html! { <p class="text">{ for parts }</p> }
}

fn location(l: &LocationElem) -> Html {
    let map = format!(
        "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}",
        lat = l.latitude,
        lon = l.longitude
    );
    html! {
        <div class="card location">
            <span class="icon" aria-hidden="true">{ "📍" }</span>
            <strong>{ if l.desc.is_empty() { "Location".to_owned() } else { l.desc.clone() } }</strong>
            <span class="meta">{ format!("{:.5}, {:.5}", l.latitude, l.longitude) }</span>
            <a href={map} target="_blank" rel="noopener noreferrer">{ "Open map" }</a>
        </div>
    }
}

fn custom(c: &CustomElem) -> Html {
    match Card::parse(c) {
        Some(Card::RedPacket {
            amount_cents,
            greeting,
        }) => html! {
            <div class="card red-packet" role="group" aria-label="Red packet">
                <span class="icon" aria-hidden="true">{ "🧧" }</span>
                <strong>{ "Red packet" }</strong>
                <span class="amount">{ money(amount_cents) }</span>
                <span>{ greeting }</span>
            </div>
        },
        Some(Card::RockPaperScissors { hand }) => html! {
            <div class="card rps" role="group" aria-label="Rock-paper-scissors">
                <span class="icon" aria-hidden="true">{ hand.symbol() }</span>
                <strong>{ "Rock-paper-scissors" }</strong>
                <span>{ format!("threw {}", hand.name()) }</span>
            </div>
        },
        None => html! {
            <div class="card custom">
                <strong>{ "Custom message" }</strong>
                <span>{ if c.desc.is_empty() { c.data.clone() } else { c.desc.clone() } }</span>
            </div>
        },
    }
}

fn image(i: &ImageElem) -> Html {
    let find = |kind: u8| i.image_info_array.iter().find(|x| x.kind == kind);
    let Some(thumb) = find(image_type::THUMB)
        .or_else(|| find(image_type::LARGE))
        .or_else(|| find(image_type::ORIGINAL))
    else {
        return html! { <span>{ "[image]" }</span> };
    };
    let full = find(image_type::ORIGINAL).unwrap_or(thumb);
    html! {
        <a class="image" href={full.url.clone()} target="_blank" rel="noopener" title="Open full size">
            <img src={thumb.url.clone()} width={thumb.width.to_string()} height={thumb.height.to_string()}
                alt={format!("Image, {}×{}", full.width, full.height)} loading="lazy" />
        </a>
    }
}

/// Bytes as "1.2 MB".
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn status(sdk: &Sdk, shown: &Shown, peer: &UserId, read: bool, edit: Callback<()>) -> Html {
    match &shown.status {
        Status::Uploading { percent, name } => {
            let (sdk, random) = (sdk.clone(), shown.message.random);
            let cancel = Callback::from(move |_| sdk.cancel_upload(random));
            html! {
                <div class="status uploading">
                    <span>{ format!("Uploading {name}… {percent}%") }</span>
                    <progress max="100" value={percent.to_string()} aria-label={format!("Uploading {name}")}></progress>
                    <button type="button" class="link" onclick={cancel}>{ "Cancel" }</button>
                </div>
            }
        }
        Status::Sending => html! { <p class="status">{ "Sending…" }</p> },
        Status::Queued => html! { <p class="status pending">{ "Waiting for connection" }</p> },
        Status::Sent => {
            let key = shown.message.key;
            let recall = {
                let (sdk, peer) = (sdk.clone(), peer.clone());
                Callback::from(move |_| {
                    if confirmed(&format!(
                        "Recall this message? {peer} will no longer see it."
                    )) {
                        sdk.recall(peer.clone(), key)
                    }
                })
            };
            let delete = {
                let (sdk, peer) = (sdk.clone(), peer.clone());
                Callback::from(move |_| {
                    let question =
                        format!("Delete this message from all your devices? {peer} keeps it.");
                    if confirmed(&question) {
                        sdk.delete(peer.clone(), key)
                    }
                })
            };
            let edit = match shown.message.elements.first() {
                Some(Element::Text(_)) => {
                    let onclick = edit.reform(|_| ());
                    html! { <button type="button" class="link" {onclick}>{ "Edit" }</button> }
                }
                _ => html! {},
            };
            html! {
                <p class={classes!("status", "sent", read.then_some("read"))}>{ if read { "Read" } else { "Sent" } }
                    { edit }
                    <button type="button" class="link" onclick={recall}>{ "Recall" }</button>
                    <button type="button" class="link" onclick={delete} title="Delete from your devices">{ "Delete" }</button>
                </p>
            }
        }
        Status::Failed { reason } => {
            let resend = shown.outgoing.clone().map(|item| {
                let sdk = sdk.clone();
                let onclick = Callback::from(move |_| sdk.retry(item.clone()));
                html! { <button type="button" class="link" {onclick}>{ "Resend" }</button> }
            });
            html! { <p class="status failed" role="alert">{ reason.clone() }{ resend }</p> }
        }
    }
}
