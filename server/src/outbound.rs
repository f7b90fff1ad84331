//! Requests the server makes to other services (push vendors, the app's backend): their
//! answers read as JSON, and never more of one than [`ANSWER_MAX_BYTES`].

use reqwest::StatusCode;

/// Longest answer read from a service; push vendors and webhooks answer a few hundred bytes.
const ANSWER_MAX_BYTES: usize = 64 * 1024;

/// A service's answer: its status and its body as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl Answer {
    /// Whether the service says to try again later: rate limited or failing.
    pub fn transient(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS || self.status.is_server_error()
    }

    /// `body[key]` as text, whether the service sent it as a string or a number.
    pub fn text(&self, key: &str) -> String {
        match &self.body[key] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// Sends `request` and reads the answer, at most [`ANSWER_MAX_BYTES`] of it (a longer one is
/// cut there, and is then no JSON). `None` when no answer came (network, timeout); `service`
/// names the other end in the log.
pub async fn exchange(service: &str, request: reqwest::RequestBuilder) -> Option<Answer> {
    let mut response = request
        .send()
        .await
        .inspect_err(|e| tracing::debug!(service, error = %e, "request failed"))
        .ok()?;
    let status = response.status();
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() <= ANSWER_MAX_BYTES => {
                bytes.extend_from_slice(&chunk)
            }
            Ok(Some(_)) => {
                tracing::warn!(service, "answer longer than {ANSWER_MAX_BYTES} bytes");
                break;
            }
            Ok(None) => break,
            Err(e) => {
                tracing::debug!(service, error = %e, "answer cut off");
                return None;
            }
        }
    }
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Some(Answer { status, body })
}
