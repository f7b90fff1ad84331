//! Media messages from the browser (R1.4–R1.7): the file is checked against its kind's limit,
//! a video's duration and cover frame are read with a `<video>` element and a canvas, an
//! audio's duration with an `<audio>` element; then the file (and cover) are uploaded to the
//! server's `/media` with progress and cancel, and the answer becomes the message element.
//! Both the JavaScript API and Rust apps (the demo) send media through [`media_element`].
//!
//! The browser is driven by a few functions in `js/media.js` (an upload, a duration, a cover),
//! which take a fraction of the module that typed bindings of XHR, media elements and canvas
//! took; what is uploaded where, the limits and the errors stay here.

use crate::error::{SdkError, browser_reason, codes};
use js_sys::{Array, Promise};
use protocol::limits::Limits;
use protocol::media::{MAX_MEDIA_SECONDS, MediaKind, Uploaded, element};
use protocol::{Element, ErrorCode, UserId};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

#[wasm_bindgen(module = "/js/media.js")]
extern "C" {
    /// An upload under way: `done` settles with `[status, responseText]`.
    type Upload;
    #[wasm_bindgen(method, getter)]
    fn done(this: &Upload) -> Promise;
    #[wasm_bindgen(method)]
    fn abort(this: &Upload);
    #[wasm_bindgen(catch)]
    fn post(
        url: &str,
        headers: Array,
        blob: &Blob,
        progress: &Closure<dyn FnMut(u32)>,
    ) -> Result<Upload, JsValue>;
    /// The duration in seconds of an audio file, NaN when it cannot be read.
    #[wasm_bindgen(js_name = audioDuration)]
    fn audio_duration(blob: &Blob) -> Promise;
    /// `[seconds, cover JPEG]` of a video.
    #[wasm_bindgen(js_name = videoCover)]
    fn video_cover(blob: &Blob) -> Promise;
}

/// Who uploads, to which server.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's base URL (`ws(s)://` or `http(s)://`).
    pub server: String,
    pub user: UserId,
    pub user_sig: String,
}

/// A file to send as a media message.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub kind: MediaKind,
    pub blob: Blob,
    pub name: String,
    /// The duration of audio, if the app knows it (a recorder's); otherwise it is read from
    /// the file.
    pub second: Option<u32>,
}

impl MediaFile {
    /// Refuses a file over its kind's limit before any byte is sent (the server enforces its
    /// own, configured limits regardless).
    pub fn check(&self) -> Result<(), SdkError> {
        let max = self.kind.max_bytes(&Limits::default());
        let size = self.blob.size() as u64;
        if size > max {
            return Err(SdkError::new(
                ErrorCode::MEDIA_TOO_LARGE,
                format!(
                    "{} is {size} bytes; a {} may be at most {max}",
                    self.name,
                    self.kind.as_str()
                ),
            ));
        }
        if size == 0 {
            return Err(SdkError::new(
                ErrorCode::INVALID_ARGUMENT,
                "the file is empty",
            ));
        }
        Ok(())
    }
}

/// Upload progress, 0 to 100.
pub type Progress = Rc<dyn Fn(u32)>;

/// Cancels the upload it was given to; the send then fails with [`codes::UPLOAD_CANCELLED`].
#[derive(Clone, Default)]
pub struct Cancel {
    request: Rc<RefCell<Option<Upload>>>,
    cancelled: Rc<Cell<bool>>,
}

impl Cancel {
    pub fn cancel(&self) {
        self.cancelled.set(true);
        if let Some(upload) = self.request.borrow().as_ref() {
            upload.abort();
        }
    }

    fn check(&self) -> Result<(), SdkError> {
        if self.cancelled.get() {
            return Err(cancelled());
        }
        Ok(())
    }
}

fn cancelled() -> SdkError {
    SdkError::new(codes::UPLOAD_CANCELLED, "the upload was cancelled")
}

/// A file the browser cannot read as its kind of media.
fn unreadable(e: JsValue) -> SdkError {
    SdkError::new(ErrorCode::MEDIA_TYPE_MISMATCH, browser_reason(&e))
}

/// Uploads the file (and a video's cover) and returns the message element for it.
pub async fn media_element(
    target: &Target,
    file: &MediaFile,
    progress: Progress,
    cancel: &Cancel,
) -> Result<Element, SdkError> {
    file.check()?;
    let (second, cover) = match file.kind {
        MediaKind::Image | MediaKind::File => (0, None),
        MediaKind::Audio => (seconds(file).await?, None),
        MediaKind::Video => {
            let probed = Array::from(
                &JsFuture::from(video_cover(&file.blob))
                    .await
                    .map_err(unreadable)?,
            );
            let second = whole_seconds(probed.get(0).as_f64().unwrap_or(f64::NAN)).unwrap_or(1);
            let cover: Blob = probed.get(1).unchecked_into();
            cancel.check()?;
            let quiet: Progress = Rc::new(|_| {});
            let cover =
                upload(target, MediaKind::Image, &cover, "cover.jpg", quiet, cancel).await?;
            (second, Some(cover))
        }
    };
    cancel.check()?;
    let uploaded = upload(target, file.kind, &file.blob, &file.name, progress, cancel).await?;
    element(file.kind, &uploaded, second, cover.as_ref())
        .map_err(|e| SdkError::new(codes::PROTOCOL, e))
}

/// The HTTP base URL of a server given as `ws(s)://` or `http(s)://`.
pub(crate) fn http_base(server: &str) -> String {
    let base = server.trim_end_matches('/');
    if let Some(rest) = base.strip_prefix("ws://") {
        format!("http://{rest}")
    } else if let Some(rest) = base.strip_prefix("wss://") {
        format!("https://{rest}")
    } else {
        base.to_owned()
    }
}

/// `POST /media` with progress.
async fn upload(
    target: &Target,
    kind: MediaKind,
    blob: &Blob,
    name: &str,
    progress: Progress,
    cancel: &Cancel,
) -> Result<Uploaded, SdkError> {
    let url = format!(
        "{}/media?kind={}&name={}",
        http_base(&target.server),
        kind.as_str(),
        String::from(js_sys::encode_uri_component(name))
    );
    let headers = Array::of4(
        &"x-duet-user".into(),
        &target.user.as_str().into(),
        &"x-duet-usersig".into(),
        &target.user_sig.as_str().into(),
    );
    let on_progress = Closure::<dyn FnMut(u32)>::new(move |percent| progress(percent));
    let request = post(&url, headers, blob, &on_progress).map_err(|e| {
        SdkError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("cannot upload: {}", browser_reason(&e)),
        )
    })?;
    let done = request.done();
    *cancel.request.borrow_mut() = Some(request);
    let answer = JsFuture::from(done).await.map(|a| Array::from(&a));
    cancel.request.borrow_mut().take();
    drop(on_progress);
    if cancel.cancelled.get() {
        return Err(cancelled());
    }
    let (status, text) = match &answer {
        Ok(a) => (
            a.get(0).as_f64().unwrap_or(0.0) as u16,
            a.get(1).as_string().unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    };
    if status == 0 {
        return Err(SdkError::new(
            codes::UPLOAD_FAILED,
            "the upload did not reach the server",
        ));
    }
    if status == 200 {
        return crate::json::from_str(&text)
            .map_err(|e| SdkError::new(codes::PROTOCOL, format!("unexpected upload answer: {e}")));
    }
    struct Fail {
        code: u32,
        info: String,
    }
    protocol::read_fields!(Fail {
        code: "ErrorCode",
        info: "ErrorInfo",
    });
    Err(match crate::json::from_str::<Fail>(&text) {
        Ok(f) => SdkError::new(ErrorCode(f.code), f.info),
        Err(_) => SdkError::new(
            codes::UPLOAD_FAILED,
            format!("upload failed with HTTP {status}"),
        ),
    })
}

/// Whole seconds, at least 1, at most [`MAX_MEDIA_SECONDS`].
fn whole_seconds(duration: f64) -> Option<u32> {
    (duration.is_finite() && duration > 0.0)
        .then(|| (duration.ceil() as u32).clamp(1, MAX_MEDIA_SECONDS))
}

/// An audio's duration: the one the app gave, or the one the browser reads from the file.
async fn seconds(file: &MediaFile) -> Result<u32, SdkError> {
    if let Some(s) = file.second.filter(|s| (1..=MAX_MEDIA_SECONDS).contains(s)) {
        return Ok(s);
    }
    let found = JsFuture::from(audio_duration(&file.blob))
        .await
        .map_err(unreadable)?;
    found.as_f64().and_then(whole_seconds).ok_or_else(|| {
        SdkError::new(
            ErrorCode::INVALID_ARGUMENT,
            "the duration cannot be read from this file; pass payload.second",
        )
    })
}
