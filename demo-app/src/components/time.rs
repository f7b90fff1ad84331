//! Message times as people read them: the clock time today, the date before.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Milliseconds since the Unix epoch.
    pub ms: u64,
}

#[component]
pub fn Time(props: &Props) -> Html {
    let date = js_sys::Date::new(&(props.ms as f64).into());
    let today = js_sys::Date::new_0();
    let same_day = date.get_full_year() == today.get_full_year()
        && date.get_month() == today.get_month()
        && date.get_date() == today.get_date();
    let text = if same_day {
        format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
    } else {
        format!(
            "{}-{:02}-{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date()
        )
    };
    let iso: String = date.to_iso_string().into();
    html! { <time datetime={iso}>{ text }</time> }
}
