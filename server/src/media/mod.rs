//! The files of media messages (R1.4–R1.7), documented in docs/protocol.md "Media":
//!
//! - `POST /media?kind=image|audio|file|video&name=…` with the user's `X-Duet-User` and
//!   `X-Duet-UserSig` headers streams a file in. The size limit of its kind is enforced from
//!   `Content-Length` before reading and again while streaming; the bytes decide the type;
//!   images get renditions. The answer ([`Uploaded`]) carries what the message element needs.
//! - `GET /media/{uuid}/{name}` serves it: range requests, a strong `ETag`, the sniffed type,
//!   `nosniff`, a sandboxing CSP, and `Content-Disposition: attachment` for anything a browser
//!   could run.
//!
//! [`store`] keeps the bytes, [`sniff`] decides what they are, [`images`] makes renditions,
//! [`range`] reads `Range` headers.

pub mod images;
pub mod range;
pub mod sniff;
pub mod store;

use crate::AppState;
use crate::chat::Chat;
use crate::config::MediaConfig;
use crate::rate::KeyedBuckets;
use crate::shared_budgets::Unsent;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use protocol::element::{ImageInfo, image_type};
use protocol::media::{MediaKind, Uploaded, UploadedImage};
use protocol::{ErrorCode, UserId};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::{MediaError, Stored};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Characters left as they are in a URL path segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Media responses run nothing and embed nothing, even when opened directly.
const MEDIA_CSP: &str = "default-src 'none'; sandbox";

pub(crate) fn fail(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    let body = json!({ "ActionStatus": "FAIL", "ErrorCode": code.0, "ErrorInfo": message.into() });
    (status, Json(body)).into_response()
}

fn media_fail(e: MediaError) -> Response {
    match e {
        MediaError::TooLarge { max } => fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::MEDIA_TOO_LARGE,
            format!("the upload is over the limit of {max} bytes for its kind"),
        ),
        MediaError::Refused(why) => fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MEDIA_TYPE_MISMATCH,
            why,
        ),
        MediaError::Interrupted(e) => fail(
            StatusCode::BAD_REQUEST,
            ErrorCode::INVALID_ARGUMENT,
            format!("the upload was cut off: {e}"),
        ),
        MediaError::Io(e) => {
            tracing::error!(error = %e, "media storage failed");
            fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::INTERNAL,
                "media storage failed",
            )
        }
    }
}

/// Users whose upload budgets are tracked at once.
const MAX_UPLOADERS: usize = 100_000;

/// Each user's upload budget: how many uploads it may start, and how many bytes it may upload
/// per hour. An upload reserves its declared size (or its kind's limit, when undeclared) and
/// gives back what it did not use.
pub struct UploadLimits {
    count: Mutex<KeyedBuckets<UserId>>,
    bytes: Mutex<KeyedBuckets<UserId>>,
    /// What this node spent, for the other nodes of a cluster.
    unsent: Arc<Unsent>,
}

impl UploadLimits {
    pub fn new(config: &MediaConfig, unsent: Arc<Unsent>) -> Self {
        let per_hour = config.upload_bytes_per_hour.min(u64::from(u32::MAX));
        Self {
            count: Mutex::new(KeyedBuckets::new(
                config.uploads_per_sec,
                config.upload_burst,
                MAX_UPLOADERS,
            )),
            bytes: Mutex::new(KeyedBuckets::new(
                (per_hour / 3600).max(1) as u32,
                per_hour as u32,
                MAX_UPLOADERS,
            )),
            unsent,
        }
    }

    /// Starts an upload of up to `reserve` bytes, or says why not.
    fn start(&self, user: &UserId, reserve: u64) -> Result<(), &'static str> {
        let now = Instant::now();
        let counted = self.count.lock().is_ok_and(|mut b| b.try_take(user, now));
        if !counted {
            return Err("too many uploads; retry in a moment");
        }
        self.unsent.upload(user);
        let reserved = self
            .bytes
            .lock()
            .is_ok_and(|mut b| b.try_take_n(user, reserve, now));
        if !reserved {
            return Err("this user's upload volume for the hour is used up; retry later");
        }
        Ok(())
    }

    /// Gives back the part of a reservation of `reserved` bytes an upload did not use.
    fn finish(&self, user: &UserId, reserved: u64, used: u64) {
        if let Ok(mut b) = self.bytes.lock() {
            b.give_back(user, reserved.saturating_sub(used));
        }
        self.unsent.upload_bytes(user, used);
    }

    /// Charges `user`'s count of uploads with `n` started on another node.
    pub(crate) fn charge_count(&self, user: &UserId, n: u64, now: Instant) {
        if let Ok(mut b) = self.count.lock() {
            b.charge(user, n, now);
        }
    }

    /// Charges `user`'s bytes with `n` uploaded on another node.
    pub(crate) fn charge_bytes(&self, user: &UserId, n: u64, now: Instant) {
        if let Ok(mut b) = self.bytes.lock() {
            b.charge(user, n, now);
        }
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The base of download URLs: the configured public URL (set it in production), else this
/// request's host, with the scheme a proxy names in `X-Forwarded-Proto` when that is `http` or
/// `https`. A host that is not a plain host name or address is replaced by `localhost`.
pub(crate) fn public_base(chat: &Chat, headers: &HeaderMap) -> String {
    if let Some(url) = &chat.config.media.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let proto = match header_str(headers, "x-forwarded-proto").map(str::trim) {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let host = crate::www::request_host(headers).unwrap_or("localhost");
    format!("{proto}://{host}")
}

fn download_url(base: &str, uuid: &str, name: &str) -> String {
    format!(
        "{base}/media/{uuid}/{}",
        utf8_percent_encode(name, PATH_SEGMENT)
    )
}

/// `POST /media?kind=…&name=…`.
pub async fn upload(
    State(app): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let chat = &app.chat;
    let user = header_str(&headers, "x-duet-user").map(UserId::parse);
    let sig = header_str(&headers, "x-duet-usersig");
    let (Some(Ok(user)), Some(sig)) = (user, sig) else {
        return fail(
            StatusCode::UNAUTHORIZED,
            ErrorCode::NOT_LOGGED_IN,
            "send the uploader's X-Duet-User and X-Duet-UserSig headers",
        );
    };
    if let Err(e) = chat
        .authenticate(chat.identity.sdk_app_id, &user, sig)
        .await
    {
        return fail(StatusCode::UNAUTHORIZED, e.code, e.message);
    }
    let Some(kind) = query.get("kind").and_then(|k| MediaKind::parse(k)) else {
        return fail(
            StatusCode::BAD_REQUEST,
            ErrorCode::INVALID_ARGUMENT,
            "kind must be image, audio, file or video",
        );
    };
    let max = kind.max_bytes(&chat.config.limits);
    let declared = header_str(&headers, "content-length").and_then(|l| l.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return media_fail(MediaError::TooLarge { max });
    }
    let reserve = declared.unwrap_or(max);
    if let Err(why) = app.upload_limits.start(&user, reserve) {
        return fail(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RATE_LIMITED, why);
    }
    let file_name = sniff::safe_file_name(query.get("name").map_or("", String::as_str));
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let now = chat.clock.now_ms();
    let sniffer = move |head: &[u8]| sniff::content_type(kind, head);
    let put = chat.media.put(Box::pin(stream), max, &sniffer, now).await;
    let used = put.as_ref().map_or(0, |s| s.meta.size);
    app.upload_limits.finish(&user, reserve, used);
    let stored = match put {
        Ok(s) => s,
        Err(e) => return media_fail(e),
    };
    let base = public_base(&app.chat, &headers);
    let image = if kind == MediaKind::Image {
        match image_renditions(&app, &stored, &base, &file_name).await {
            Ok(image) => Some(image),
            Err(response) => {
                if stored.created {
                    let _ = chat.media.remove(&stored.uuid).await;
                }
                return response;
            }
        }
    } else {
        None
    };
    tracing::debug!(%user, kind = kind.as_str(), size = stored.meta.size, "media stored");
    crate::metrics::media_uploaded(stored.meta.size);
    Json(Uploaded {
        url: download_url(&base, &stored.uuid, &file_name),
        uuid: stored.uuid,
        size: stored.meta.size,
        content_type: stored.meta.content_type,
        file_name,
        image,
    })
    .into_response()
}

/// Decodes a stored image and stores its large and thumbnail renditions.
async fn image_renditions(
    app: &AppState,
    original: &Stored,
    base: &str,
    file_name: &str,
) -> Result<UploadedImage, Response> {
    let media = &app.chat.media;
    let (_, mut file) = media
        .open(&original.uuid)
        .await
        .map_err(media_fail)?
        .ok_or_else(|| media_fail(MediaError::Io(std::io::ErrorKind::NotFound.into())))?;
    let mut bytes = Vec::with_capacity(original.meta.size as usize);
    file.read_to_end(&mut bytes)
        .await
        .map_err(|e| media_fail(e.into()))?;
    let made = images::renditions_async(bytes, app.chat.config.media.image_max_pixels)
        .await
        .map_err(|e| match e {
            images::ImageError::TooBig(m) => fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::MEDIA_IMAGE_TOO_BIG,
                format!("the image is too large to process: {m}"),
            ),
            images::ImageError::Undecodable(m) => fail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::MEDIA_TYPE_MISMATCH,
                format!("not a readable image: {m}"),
            ),
        })?;
    let mut infos = vec![ImageInfo {
        kind: image_type::ORIGINAL,
        size: original.meta.size,
        width: made.width,
        height: made.height,
        url: download_url(base, &original.uuid, file_name),
    }];
    for (kind, label, r) in [
        (image_type::LARGE, "large", made.large),
        (image_type::THUMB, "thumb", made.thumb),
    ] {
        let (size, url) = match r.bytes {
            None => (original.meta.size, infos[0].url.clone()),
            Some(bytes) => {
                let size = bytes.len() as u64;
                let chunk = futures_util::stream::once(async { Ok(bytes.into()) });
                let sniffer = |head: &[u8]| sniff::content_type(MediaKind::Image, head);
                let now = app.chat.clock.now_ms();
                let s = media
                    .put(Box::pin(chunk), u64::MAX, &sniffer, now)
                    .await
                    .map_err(media_fail)?;
                let ext = if s.meta.content_type == "image/png" {
                    "png"
                } else {
                    "jpg"
                };
                (size, download_url(base, &s.uuid, &format!("{label}.{ext}")))
            }
        };
        infos.push(ImageInfo {
            kind,
            size,
            width: r.width,
            height: r.height,
            url,
        });
    }
    Ok(UploadedImage {
        image_format: sniff::tencent_image_format(&original.meta.content_type),
        image_info_array: infos,
    })
}

/// `GET /media/{uuid}`.
pub async fn download(
    State(app): State<AppState>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(&app, &uuid, None, &headers).await
}

/// `GET /media/{uuid}/{name}`: the name is what a download is saved as.
pub async fn download_named(
    State(app): State<AppState>,
    Path((uuid, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    serve(&app, &uuid, Some(&name), &headers).await
}

async fn serve(app: &AppState, uuid: &str, name: Option<&str>, headers: &HeaderMap) -> Response {
    let (meta, mut file) = match app.chat.media.open(uuid).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return fail(
                StatusCode::NOT_FOUND,
                ErrorCode::MEDIA_NOT_FOUND,
                "no such media (or it expired)",
            );
        }
        Err(e) => return media_fail(e),
    };
    let etag = format!("\"{uuid}\"");
    let mut response = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::ACCEPT_RANGES, "bytes")
        // Content-addressed: the bytes behind this URL never change.
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, MEDIA_CSP);
    if header_str(headers, "if-none-match").is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("valid response");
    }
    let name = sniff::safe_file_name(name.unwrap_or(uuid));
    let disposition = if sniff::inline(&meta.content_type) {
        "inline"
    } else {
        "attachment"
    };
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let disposition = format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&name, PATH_SEGMENT)
    );
    response = response
        .header(header::CONTENT_TYPE, &meta.content_type)
        .header(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
        );
    let stale = header_str(headers, "if-range").is_some_and(|v| v.trim() != etag);
    let range = if stale {
        None
    } else {
        header_str(headers, "range")
    };
    let (status, start, len) = match range::parse(range, meta.size) {
        range::Served::Whole => (StatusCode::OK, 0, meta.size),
        range::Served::Part { start, end } => {
            response = response.header(
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{}", meta.size),
            );
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        range::Served::Unsatisfiable => {
            return response
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{}", meta.size))
                .body(Body::empty())
                .expect("valid response");
        }
    };
    if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
        return media_fail(e.into());
    }
    // 256 KB reads: the default 4 KB makes downloads CPU-bound at a fraction of disk speed.
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), 256 * 1024);
    crate::metrics::media_served(len);
    response
        .status(status)
        .header(header::CONTENT_LENGTH, len)
        .body(Body::from_stream(stream))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared_budgets::SharedBudgets;

    fn node() -> SharedBudgets {
        let config = crate::config::Config::new("unused".into());
        let unsent = Arc::new(Unsent::default());
        unsent.share();
        SharedBudgets {
            rest: Arc::new(crate::rest::RestLimits::new(&config.rest, unsent.clone())),
            uploads: Arc::new(UploadLimits::new(&config.media, unsent.clone())),
            unsent,
        }
    }

    /// What a user uploads through one node counts on the others once told: the count of
    /// uploads (a burst of 20) and the bytes (2 GiB an hour).
    #[test]
    fn a_users_uploads_on_one_node_count_on_the_others() {
        let (a, b) = (node(), node());
        let alice = UserId::parse("alice").unwrap();
        for _ in 0..20 {
            a.uploads.start(&alice, 1).unwrap();
            a.uploads.finish(&alice, 1, 1);
        }
        b.charge(&a.take_unsent().expect("a spent"));
        assert!(
            b.uploads.start(&alice, 1).is_err(),
            "b counts a's twenty uploads"
        );
        assert!(a.take_unsent().is_none(), "told once");

        let (a, b) = (node(), node());
        a.uploads.start(&alice, 2 << 30).unwrap();
        a.uploads.finish(&alice, 2 << 30, (2 << 30) - 1000);
        b.charge(&a.take_unsent().unwrap());
        assert!(
            b.uploads.start(&alice, 1000).is_ok(),
            "a left 1,000 bytes of the hour"
        );
        assert!(b.uploads.start(&alice, 1000).is_err(), "and b spent them");
    }
}
