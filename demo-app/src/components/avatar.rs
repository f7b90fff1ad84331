//! A person's picture: their avatar URL when set, else their initial on a colour of their id.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Nickname or user id.
    pub name: AttrValue,
    pub url: AttrValue,
}

#[component]
pub fn Avatar(props: &Props) -> Html {
    if props.url.starts_with("https://")
        || props.url.starts_with("http://")
        || props.url.starts_with('/')
    {
        return html! { <img class="avatar" src={props.url.clone()} alt="" referrerpolicy="no-referrer" /> };
    }
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
}
