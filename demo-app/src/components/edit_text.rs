//! Text edited in place, where it is shown: a message's words (several lines) or a friend's
//! remark (one line). Enter or Save keeps a change, Escape or Cancel leaves the text as it was.

use super::enter_submits;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The text as it is now, which the field starts with.
    pub current: String,
    /// The field's accessible name.
    pub label: AttrValue,
    /// A text area of several lines (Shift+Enter for a new one) rather than one line.
    #[prop_or_default]
    pub multiline: bool,
    /// Whether an empty text is a change to keep (a remark taken away) rather than nothing.
    #[prop_or_default]
    pub may_be_empty: bool,
    /// Called with the new text when it differs from `current`.
    pub save: Callback<String>,
    /// Called when the editing ends, saved or not.
    pub done: Callback<()>,
}

#[component]
pub fn EditText(props: &Props) -> Html {
    let field = use_node_ref();
    {
        // A line's text is set once, here: a `value` attribute would put it back over what
        // is typed whenever the list around it renders again.
        let (field, current) = (field.clone(), props.current.clone());
        use_effect_with((), move |_| {
            if let Some(f) = field.cast::<HtmlInputElement>() {
                f.set_value(&current);
                f.select();
            }
            if let Some(f) = field.cast::<web_sys::HtmlElement>() {
                let _ = f.focus();
            }
        });
    }
    let onsubmit = {
        let (field, save, done) = (field.clone(), props.save.clone(), props.done.clone());
        let (current, may_be_empty) = (props.current.clone(), props.may_be_empty);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = field
                .cast::<HtmlTextAreaElement>()
                .map(|f| f.value())
                .or_else(|| field.cast::<HtmlInputElement>().map(|f| f.value()))
                .unwrap_or_default();
            let wanted = may_be_empty || !text.trim().is_empty();
            if wanted && text != current {
                save.emit(text);
            }
            done.emit(());
        })
    };
    let (done, multiline) = (props.done.clone(), props.multiline);
    let onkeydown = Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
        "Escape" => done.emit(()),
        // One line's Enter submits by itself.
        _ if multiline => enter_submits(&e),
        _ => {}
    });
    let cancel = props.done.reform(|_| ());
    let (label, current) = (props.label.clone(), props.current.clone());
    html! {
        <form class="edit" {onsubmit}>
            if props.multiline {
                <textarea ref={field} aria-label={label} rows="1" defaultvalue={current} {onkeydown} />
            } else {
                <input ref={field} aria-label={label} autocomplete="off" {onkeydown} />
            }
            <div class="actions">
                <button type="submit">{ "Save" }</button>
                <button type="button" onclick={cancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}
