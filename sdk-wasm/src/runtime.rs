//! The few things that differ between the browser and native runs: spawning a local task,
//! sleeping, the clock, a random number, lower case, and reading and writing floats. Everything
//! else in the SDK is the same code on both.

use std::future::Future;

/// Runs a task on the local executor (the browser's, or tokio's `LocalSet` natively).
pub(crate) fn spawn(task: impl Future<Output = ()> + 'static) {
    #[cfg(target_arch = "wasm32")]
    spawn_boxed(Box::pin(task));
    #[cfg(not(target_arch = "wasm32"))]
    {
        tokio::task::spawn_local(task);
    }
}

/// The executor's task wrapper compiled once, for every task, rather than once per task type.
#[cfg(target_arch = "wasm32")]
fn spawn_boxed(task: std::pin::Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task);
}

pub(crate) async fn sleep_ms(ms: u32) {
    #[cfg(target_arch = "wasm32")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(target_arch = "wasm32"))]
    tokio::time::sleep(std::time::Duration::from_millis(ms.into())).await;
}

/// A random number in 0..1 (for jitter and message randoms; not for secrets).
pub(crate) fn unit_random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Math::random();
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::hash::{BuildHasher, RandomState};
        RandomState::new().hash_one(std::time::SystemTime::now()) as f64 / u64::MAX as f64
    }
}

/// This device's clock, milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now() as u64;
    #[cfg(not(target_arch = "wasm32"))]
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Text in lower case, by Unicode's default case mapping, for search: in the browser,
/// JavaScript's `toLowerCase` (the browser has the tables; Rust's would add 3 KB to the
/// package, gzipped), natively `str::to_lowercase`.
pub(crate) fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(text).to_lower_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    text.to_lowercase()
}

/// The `f64` nearest to a JSON number's text (already checked against JSON's grammar): in the
/// browser, JavaScript's `parseFloat` (Rust's parser would add its tables to the package),
/// natively `str::parse`.
pub(crate) fn parse_float(text: &str) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::parse_float(text);
    #[cfg(not(target_arch = "wasm32"))]
    text.parse().unwrap_or(f64::NAN)
}

/// A finite float as JSON writes it, the shortest text that reads back as the same number: in
/// the browser JavaScript's (`JSON.stringify`), natively Rust's.
pub(crate) fn write_float(n: f64, out: &mut String) {
    #[cfg(target_arch = "wasm32")]
    if let Ok(text) = js_sys::JSON::stringify(&n.into()) {
        out.push_str(&String::from(text));
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::fmt::Write;
        let _ = write!(out, "{n:?}");
    }
}
