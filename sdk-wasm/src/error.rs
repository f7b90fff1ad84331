//! The SDK's error: a numeric code and a message. Server refusals keep the server's code
//! (`docs/protocol.md`); faults on this side have codes of their own, listed here.

use protocol::ErrorCode;

/// SDK-side codes: Tencent's SDK's where it has one for the case, else in a range the server
/// never uses.
pub mod codes {
    use protocol::ErrorCode;
    /// There is no connection to the server (offline, or not signed in).
    pub const DISCONNECTED: ErrorCode = ErrorCode(61001);
    /// The local cache failed.
    pub const CACHE: ErrorCode = ErrorCode(61002);
    /// The server sent something this SDK cannot read.
    pub const PROTOCOL: ErrorCode = ErrorCode(61003);
    /// The call is not valid in this state (e.g. login twice).
    pub const STATE: ErrorCode = ErrorCode(61004);
    /// A media upload did not reach the server (network failure); the message can be resent.
    pub const UPLOAD_FAILED: ErrorCode = ErrorCode(61005);
    /// The app cancelled a media upload; the message can be resent.
    pub const UPLOAD_CANCELLED: ErrorCode = ErrorCode(61006);
    /// The server did not answer a request in time. A send that timed out stays in the outbox
    /// and goes out again (once) after reconnecting.
    pub const TIMEOUT: ErrorCode = ErrorCode(61007);
    /// Web Push cannot be turned on here: notifications blocked, no service worker or no push
    /// service in this browser.
    pub const PUSH_UNAVAILABLE: ErrorCode = ErrorCode(61008);
    /// A message with nothing to forward: recalled, or its media not uploaded yet (Tencent's
    /// `MSG_FORWARD_INVALID_ELEMENTS`).
    pub const FORWARD_EMPTY: ErrorCode = ErrorCode(2454);
    /// No message to send a read receipt for: none is from the peer asking for one (Tencent's
    /// `READ_RECEIPT_MSG_LIST_EMPTY`).
    pub const READ_RECEIPT_EMPTY: ErrorCode = ErrorCode(2114);
    /// No user of that ID (Tencent's `USER_OR_GRP_NOT_FOUND`).
    pub const NO_USER: ErrorCode = ErrorCode(2501);
    /// `login` while a sign-in is under way (Tencent's `REPEAT_LOGIN`).
    pub const REPEAT_LOGIN: ErrorCode = ErrorCode(2025);
}

/// An error, boxed: a `Result` carrying it is then no wider than its value (or one word), which
/// the SDK's many results, passed up through every `?`, are compiled around. Unboxed it made
/// the browser module 3 KB larger, gzipped. Its [`Details`] are read through it (`e.code`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} (code {})", self.0.message, self.0.code.0)]
pub struct SdkError(Box<Details>);

/// What an [`SdkError`] says.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub code: ErrorCode,
    pub message: String,
}

impl std::ops::Deref for SdkError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl SdkError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(Details {
            code,
            message: message.into(),
        }))
    }

    pub fn disconnected() -> Self {
        Self::new(codes::DISCONNECTED, "not connected to the server")
    }
}

impl From<crate::cache::CacheError> for SdkError {
    fn from(e: crate::cache::CacheError) -> Self {
        Self::new(codes::CACHE, e.to_string())
    }
}

/// Why the browser refused something: a `DOMException`'s name and message
/// (`NotFoundError: …`), a plain `Error`'s message, or a thrown string.
#[cfg(target_arch = "wasm32")]
pub(crate) fn browser_reason(e: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) if error.name() == "Error" => error.message().into(),
        Some(error) => error.to_string().into(),
        None => e
            .as_string()
            .unwrap_or_else(|| "the browser gave no reason".into()),
    }
}
