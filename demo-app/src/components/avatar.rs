//! A person's picture: their avatar URL when set, else their initial on a colour of their id;
//! with a dot for their presence when it is known (green online, grey offline).

use protocol::presence::Presence;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Nickname or user id.
    pub name: AttrValue,
    pub url: AttrValue,
    /// Shown as a dot when known.
    #[prop_or_default]
    pub presence: Option<Presence>,
}

#[component]
pub fn Avatar(props: &Props) -> Html {
    let picture = if props.url.starts_with("https://")
        || props.url.starts_with("http://")
        || props.url.starts_with('/')
    {
        html! { <img class="avatar" src={props.url.clone()} alt="" referrerpolicy="no-referrer" /> }
    } else {
        let initial = props
            .name
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default();
        let hue = props
            .name
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
            % 360;
        html! {
            <span class="avatar" aria-hidden="true" style={format!("background: hsl({hue} 55% 45%)")}>{ initial }</span>
        }
    };
    let (class, label) = match props.presence {
        Some(Presence::Online) => ("online", "Online"),
        Some(Presence::Offline) => ("offline", "Offline"),
        Some(Presence::Unknown) | None => return picture,
    };
    html! {
        <span class="avatar-wrap">
            { picture }
            <span class={classes!("presence", class)} title={label}><span class="sr-only">{ label }</span></span>
        </span>
    }
}
