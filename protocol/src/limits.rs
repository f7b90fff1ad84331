//! What a message body must satisfy before it is accepted. The server applies these rules with
//! its configured limits to every send, whatever a client claims; the SDK applies the same rules
//! first so that a user learns of a fault without a round trip.

use crate::element::{Element, image_type};
use crate::error::ErrorCode;
use crate::media::MAX_MEDIA_SECONDS;

const MB: u64 = 1024 * 1024;

/// Size limits for message bodies and the media they describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest developer payload of one message, summed over its elements (R1.1: 12 KB).
    pub body_max_bytes: usize,
    /// Most elements in one message.
    pub max_elements: usize,
    /// Largest declared image (R1.4) and audio (R1.5) size.
    pub image_max_bytes: u64,
    pub audio_max_bytes: u64,
    /// Largest declared file (R1.6) and video (R1.7) size.
    pub file_max_bytes: u64,
    pub video_max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_max_bytes: 12 * 1024,
            max_elements: 16,
            image_max_bytes: 28 * MB,
            audio_max_bytes: 28 * MB,
            file_max_bytes: 100 * MB,
            video_max_bytes: 100 * MB,
        }
    }
}

/// Why a body was refused: a code from [`ErrorCode`] and a message naming the fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub code: ErrorCode,
    pub message: String,
}

fn bad(message: String) -> Rejection {
    Rejection {
        code: ErrorCode::BAD_MSG_BODY,
        message,
    }
}

/// Longest URL accepted in a media element.
pub const URL_MAX_BYTES: usize = 2048;

fn check_url(what: &str, url: &str) -> Result<(), Rejection> {
    if url.is_empty() {
        return Err(bad(format!("{what} is empty")));
    }
    if url.len() > URL_MAX_BYTES {
        return Err(bad(format!(
            "{what} is {} bytes; the limit is {URL_MAX_BYTES}",
            url.len()
        )));
    }
    let ok = url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/');
    if !ok || url.chars().any(char::is_control) {
        return Err(bad(format!(
            "{what} must be an http(s) URL or a server path, without control characters"
        )));
    }
    Ok(())
}

fn check_size(what: &str, size: u64, max: u64) -> Result<(), Rejection> {
    if size > max {
        return Err(bad(format!(
            "{what} declares {size} bytes; the limit is {max}"
        )));
    }
    Ok(())
}

/// A declared duration must be plausible: at least a second, at most [`MAX_MEDIA_SECONDS`].
fn check_seconds(what: &str, seconds: u32) -> Result<(), Rejection> {
    if !(1..=MAX_MEDIA_SECONDS).contains(&seconds) {
        return Err(bad(format!(
            "{what} is {seconds}; it must be 1 to {MAX_MEDIA_SECONDS}"
        )));
    }
    Ok(())
}

impl Limits {
    /// Checks a message body. On success returns its payload size in bytes (what counts
    /// against [`Limits::body_max_bytes`]).
    pub fn check_body(&self, elements: &[Element]) -> Result<usize, Rejection> {
        if elements.is_empty() {
            return Err(bad("a message needs at least one element".into()));
        }
        if elements.len() > self.max_elements {
            return Err(bad(format!(
                "a message holds at most {} elements, got {}",
                self.max_elements,
                elements.len()
            )));
        }
        for (i, e) in elements.iter().enumerate() {
            self.check_element(e).map_err(|r| Rejection {
                message: format!("element {i} ({}): {}", e.type_name(), r.message),
                ..r
            })?;
        }
        let total: usize = elements.iter().map(Element::payload_bytes).sum();
        if total > self.body_max_bytes {
            return Err(Rejection {
                code: ErrorCode::BODY_TOO_LARGE,
                message: format!(
                    "message body is {total} bytes; the limit is {}",
                    self.body_max_bytes
                ),
            });
        }
        Ok(total)
    }

    fn check_element(&self, e: &Element) -> Result<(), Rejection> {
        match e {
            Element::Text(t) if t.text.is_empty() => Err(bad("text is empty".into())),
            Element::Location(l) => {
                if !(l.latitude.is_finite() && (-90.0..=90.0).contains(&l.latitude)) {
                    return Err(bad("latitude must be a number from -90 to 90".into()));
                }
                if !(l.longitude.is_finite() && (-180.0..=180.0).contains(&l.longitude)) {
                    return Err(bad("longitude must be a number from -180 to 180".into()));
                }
                Ok(())
            }
            Element::Image(img) => {
                if img.image_info_array.is_empty() {
                    return Err(bad("ImageInfoArray is empty".into()));
                }
                for info in &img.image_info_array {
                    if !matches!(
                        info.kind,
                        image_type::ORIGINAL | image_type::LARGE | image_type::THUMB
                    ) {
                        return Err(bad(format!("image Type {} is not 1, 2 or 3", info.kind)));
                    }
                    check_url("image URL", &info.url)?;
                    check_size("image", info.size, self.image_max_bytes)?;
                }
                Ok(())
            }
            Element::Sound(s) => {
                check_url("sound Url", &s.url)?;
                check_seconds("sound Second", s.second)?;
                check_size("sound", s.size, self.audio_max_bytes)
            }
            Element::File(f) => {
                check_url("file Url", &f.url)?;
                if f.file_name.is_empty() || f.file_name.len() > 255 {
                    return Err(bad("FileName must be 1 to 255 bytes".into()));
                }
                check_size("file", f.file_size, self.file_max_bytes)
            }
            Element::Video(v) => {
                check_url("VideoUrl", &v.video_url)?;
                check_url("ThumbUrl", &v.thumb_url)?;
                check_seconds("VideoSecond", v.video_second)?;
                check_size("video", v.video_size, self.video_max_bytes)?;
                check_size("video cover", v.thumb_size, self.image_max_bytes)
            }
            Element::System(s) if s.text.is_empty() && s.data.is_empty() => {
                Err(bad("a system notification needs Text or Data".into()))
            }
            Element::Unknown(_) => Err(bad(format!(
                "MsgType must be one of {}",
                crate::element::TYPE_NAMES.join(", ")
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::*;

    fn text(s: &str) -> Element {
        Element::Text(TextElem { text: s.into() })
    }

    #[test]
    fn body_limit_is_inclusive() {
        let limits = Limits::default();
        assert_eq!(
            limits.check_body(&[text(&"a".repeat(12 * 1024))]),
            Ok(12 * 1024)
        );
        let err = limits
            .check_body(&[text(&"a".repeat(12 * 1024 + 1))])
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::BODY_TOO_LARGE);
    }

    #[test]
    fn location_ranges() {
        let loc = |latitude, longitude| {
            Element::Location(LocationElem {
                desc: String::new(),
                latitude,
                longitude,
            })
        };
        let limits = Limits::default();
        assert!(limits.check_body(&[loc(90.0, -180.0)]).is_ok());
        assert_eq!(
            limits.check_body(&[loc(90.5, 0.0)]).unwrap_err().code,
            ErrorCode::BAD_MSG_BODY
        );
        assert!(limits.check_body(&[loc(0.0, 181.0)]).is_err());
        assert!(limits.check_body(&[loc(f64::NAN, 0.0)]).is_err());
    }

    #[test]
    fn empty_and_media_faults() {
        let limits = Limits::default();
        assert!(limits.check_body(&[]).is_err());
        assert!(limits.check_body(&[text("")]).is_err());
        let file = |size, url: &str| {
            Element::File(FileElem {
                url: url.into(),
                uuid: String::new(),
                file_size: size,
                file_name: "a.bin".into(),
                download_flag: 2,
            })
        };
        assert!(limits.check_body(&[file(100 * MB, "https://x/a")]).is_ok());
        assert!(
            limits
                .check_body(&[file(100 * MB + 1, "https://x/a")])
                .is_err()
        );
        assert!(
            limits
                .check_body(&[file(1, "javascript:alert(1)")])
                .is_err()
        );
    }
}
