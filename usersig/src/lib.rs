//! UserSig tickets, compatible with Tencent's TLSSigAPIv2, so that an app backend can sign with
//! any of Tencent's public signing libraries and Duet accepts the result unchanged (R6.1).
//!
//! A ticket is the JSON object
//! `{"TLS.ver":"2.0","TLS.identifier","TLS.sdkappid","TLS.time","TLS.expire","TLS.sig"}`
//! (plus an optional `TLS.userbuf`), zlib-deflated, base64-encoded, with `+ / =` replaced by
//! `* - _`. `TLS.sig` is base64(HMAC-SHA256(secret key, content)) where content is
//! `"TLS.identifier:{id}\nTLS.sdkappid:{appid}\nTLS.time:{time}\nTLS.expire:{expire}\n"`, followed
//! by `"TLS.userbuf:{userbuf}\n"` when a userbuf is present.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::io::Read as _;

type HmacSha256 = Hmac<Sha256>;

/// Decodes with or without padding: signers in other languages differ on it.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A real ticket is a few hundred bytes; anything that inflates past this is refused.
const MAX_TICKET_JSON: u64 = 8 * 1024;

/// Why a UserSig was refused. Each fault has its own variant so callers can map it to a
/// distinct error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserSigError {
    #[error("UserSig is malformed: {0}")]
    Malformed(String),
    #[error("UserSig was issued for SDKAppID {got}, not {expected}")]
    WrongApp { expected: u64, got: u64 },
    #[error("UserSig was issued for {got:?}, not {expected:?}")]
    WrongIdentifier { expected: String, got: String },
    #[error("UserSig signature does not verify")]
    BadSignature,
    #[error("UserSig expired at {expired_at} (Unix seconds)")]
    Expired { expired_at: u64 },
    #[error(
        "UserSig was issued at {issued_at} (Unix seconds), more than {MAX_CLOCK_SKEW_SECS} s from now; check the signing clock"
    )]
    IssuedInFuture { issued_at: u64 },
}

/// How far ahead of this clock a ticket's issue time may be, for clocks that differ a little.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// The verified content of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub identifier: String,
    pub sdk_app_id: u64,
    /// Issue time, Unix seconds.
    pub time: u64,
    /// Validity in seconds from `time`.
    pub expire: u64,
    /// Base64 userbuf, when the ticket carries one.
    pub userbuf: Option<String>,
}

impl Ticket {
    /// Unix second after which the ticket is no longer valid.
    pub fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }
}

/// Signs and verifies UserSigs for one app.
#[derive(Clone)]
pub struct UserSigKey {
    sdk_app_id: u64,
    key: Vec<u8>,
}

impl std::fmt::Debug for UserSigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSigKey")
            .field("sdk_app_id", &self.sdk_app_id)
            .finish_non_exhaustive()
    }
}

impl UserSigKey {
    pub fn new(sdk_app_id: u64, secret_key: impl Into<Vec<u8>>) -> Self {
        Self {
            sdk_app_id,
            key: secret_key.into(),
        }
    }

    pub fn sdk_app_id(&self) -> u64 {
        self.sdk_app_id
    }

    fn mac(&self, ticket: &Ticket) -> HmacSha256 {
        let mut content = format!(
            "TLS.identifier:{}\nTLS.sdkappid:{}\nTLS.time:{}\nTLS.expire:{}\n",
            ticket.identifier, ticket.sdk_app_id, ticket.time, ticket.expire
        );
        if let Some(buf) = &ticket.userbuf {
            content.push_str(&format!("TLS.userbuf:{buf}\n"));
        }
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(content.as_bytes());
        mac
    }

    /// Signs a ticket for `identifier`, valid for `expire` seconds from `now` (Unix seconds).
    pub fn sign(&self, identifier: &str, expire: u64, now: u64) -> String {
        let ticket = Ticket {
            identifier: identifier.to_owned(),
            sdk_app_id: self.sdk_app_id,
            time: now,
            expire,
            userbuf: None,
        };
        let sig = STANDARD.encode(self.mac(&ticket).finalize().into_bytes());
        let doc = serde_json::json!({
            "TLS.ver": "2.0",
            "TLS.identifier": identifier,
            "TLS.sdkappid": self.sdk_app_id,
            "TLS.time": now,
            "TLS.expire": expire,
            "TLS.sig": sig,
        });
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, doc.to_string().as_bytes()).expect("write to Vec");
        let compressed = z.finish().expect("finish to Vec");
        escape(&STANDARD.encode(compressed))
    }

    /// Verifies `user_sig` for a sign-in as `identifier` at time `now` (Unix seconds).
    ///
    /// Checks, in order: well-formedness, the app id, the identifier, the signature, the expiry,
    /// an issue time beyond [`MAX_CLOCK_SKEW_SECS`] ahead; the first fault found is returned.
    pub fn verify(
        &self,
        user_sig: &str,
        identifier: &str,
        now: u64,
    ) -> Result<Ticket, UserSigError> {
        let (ticket, sig) = decode(user_sig)?;
        if ticket.sdk_app_id != self.sdk_app_id {
            return Err(UserSigError::WrongApp {
                expected: self.sdk_app_id,
                got: ticket.sdk_app_id,
            });
        }
        if ticket.identifier != identifier {
            return Err(UserSigError::WrongIdentifier {
                expected: identifier.to_owned(),
                got: ticket.identifier,
            });
        }
        self.mac(&ticket)
            .verify_slice(&sig)
            .map_err(|_| UserSigError::BadSignature)?;
        if ticket.expires_at() < now {
            return Err(UserSigError::Expired {
                expired_at: ticket.expires_at(),
            });
        }
        if ticket.time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(UserSigError::IssuedInFuture {
                issued_at: ticket.time,
            });
        }
        Ok(ticket)
    }
}

fn escape(b64: &str) -> String {
    b64.chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

fn unescape(sig: &str) -> String {
    sig.chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect()
}

/// Reads a field that signers write either as a JSON number or as a decimal string.
fn number(doc: &Value, field: &str) -> Result<u64, UserSigError> {
    match doc.get(field) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| UserSigError::Malformed(format!("{field} is missing or not a number")))
}

fn string<'a>(doc: &'a Value, field: &str) -> Result<&'a str, UserSigError> {
    doc.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| UserSigError::Malformed(format!("{field} is missing or not a string")))
}

/// Decodes a ticket without checking it: its claimed content and the signature bytes.
pub fn decode(user_sig: &str) -> Result<(Ticket, Vec<u8>), UserSigError> {
    let malformed = |what: &str| UserSigError::Malformed(what.to_owned());
    if user_sig.is_empty() || user_sig.len() > 4096 {
        return Err(malformed("length must be 1 to 4096 bytes"));
    }
    let compressed = LENIENT
        .decode(unescape(user_sig))
        .map_err(|_| malformed("not base64"))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_TICKET_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|_| malformed("not zlib data"))?;
    if json.len() as u64 > MAX_TICKET_JSON {
        return Err(malformed("ticket too large"));
    }
    let doc: Value = serde_json::from_slice(&json).map_err(|_| malformed("not a JSON ticket"))?;
    if string(&doc, "TLS.ver")? != "2.0" {
        return Err(malformed("TLS.ver is not 2.0"));
    }
    let sig = STANDARD
        .decode(string(&doc, "TLS.sig")?)
        .map_err(|_| malformed("TLS.sig is not base64"))?;
    let ticket = Ticket {
        identifier: string(&doc, "TLS.identifier")?.to_owned(),
        sdk_app_id: number(&doc, "TLS.sdkappid")?,
        time: number(&doc, "TLS.time")?,
        expire: number(&doc, "TLS.expire")?,
        userbuf: doc
            .get("TLS.userbuf")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    Ok((ticket, sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn key() -> UserSigKey {
        UserSigKey::new(1_400_000_001, "secret")
    }

    #[test]
    fn sign_then_verify() {
        let sig = key().sign("alice", 3600, NOW);
        assert!(!sig.contains(['+', '/', '=']));
        let t = key().verify(&sig, "alice", NOW + 3600).unwrap();
        assert_eq!(
            (t.identifier.as_str(), t.time, t.expire),
            ("alice", NOW, 3600)
        );
    }

    #[test]
    fn each_fault_has_its_own_error() {
        let sig = key().sign("alice", 3600, NOW);
        assert_eq!(
            key().verify(&sig, "alice", NOW + 3601),
            Err(UserSigError::Expired {
                expired_at: NOW + 3600
            })
        );
        assert!(matches!(
            key().verify(&sig, "bob", NOW),
            Err(UserSigError::WrongIdentifier { .. })
        ));
        let other_app = UserSigKey::new(1_400_000_002, "secret");
        assert!(matches!(
            other_app.verify(&sig, "alice", NOW),
            Err(UserSigError::WrongApp { .. })
        ));
        let other_key = UserSigKey::new(1_400_000_001, "not the secret");
        assert_eq!(
            other_key.verify(&sig, "alice", NOW),
            Err(UserSigError::BadSignature)
        );
        assert!(matches!(
            key().verify("@@@", "alice", NOW),
            Err(UserSigError::Malformed(_))
        ));
        assert!(matches!(
            key().verify("", "alice", NOW),
            Err(UserSigError::Malformed(_))
        ));
        let ahead = key().sign("alice", 3600, NOW + MAX_CLOCK_SKEW_SECS + 1);
        assert_eq!(
            key().verify(&ahead, "alice", NOW),
            Err(UserSigError::IssuedInFuture {
                issued_at: NOW + MAX_CLOCK_SKEW_SECS + 1
            })
        );
        let slightly = key().sign("alice", 3600, NOW + MAX_CLOCK_SKEW_SECS);
        assert!(key().verify(&slightly, "alice", NOW).is_ok());
    }

    #[test]
    fn tampered_content_fails_signature() {
        // Re-encode the ticket with a longer expiry but the old signature.
        let (mut t, sig) = decode(&key().sign("alice", 60, NOW)).unwrap();
        t.expire = 10_000_000;
        let doc = serde_json::json!({
            "TLS.ver": "2.0", "TLS.identifier": t.identifier, "TLS.sdkappid": t.sdk_app_id,
            "TLS.time": t.time, "TLS.expire": t.expire, "TLS.sig": STANDARD.encode(sig),
        });
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, doc.to_string().as_bytes()).unwrap();
        let forged = escape(&STANDARD.encode(z.finish().unwrap()));
        assert_eq!(
            key().verify(&forged, "alice", NOW),
            Err(UserSigError::BadSignature)
        );
    }
}
