//! Media messages from the browser (R1.4–R1.7): the file is checked against its kind's limit,
//! a video's duration and cover frame are read with a `<video>` element and a canvas, an
//! audio's duration with an `<audio>` element; then the file (and cover) are uploaded to the
//! server's `/media` with progress and cancel, and the answer becomes the message element.
//! Both the JavaScript API and Rust apps (the demo) send media through [`media_element`].

use crate::error::{SdkError, codes};
use futures_channel::oneshot;
use protocol::limits::Limits;
use protocol::media::{MAX_MEDIA_SECONDS, MediaKind, Uploaded, element};
use protocol::{Element, ErrorCode, UserId};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, HtmlCanvasElement, HtmlMediaElement, XmlHttpRequest};

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
    request: Rc<RefCell<Option<XmlHttpRequest>>>,
    cancelled: Rc<Cell<bool>>,
}

impl Cancel {
    pub fn cancel(&self) {
        self.cancelled.set(true);
        if let Some(xhr) = self.request.borrow().as_ref() {
            let _ = xhr.abort();
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

fn js_error(what: &str, e: wasm_bindgen::JsValue) -> SdkError {
    SdkError::new(
        ErrorCode::INVALID_ARGUMENT,
        format!(
            "{what}: {}",
            e.as_string().unwrap_or_else(|| format!("{e:?}"))
        ),
    )
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
        MediaKind::Audio => (seconds(file, "audio").await?, None),
        MediaKind::Video => {
            let (second, cover) = video_probe(&file.blob).await?;
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
    let xhr = XmlHttpRequest::new().map_err(|e| js_error("cannot upload", e))?;
    xhr.open_with_async("POST", &url, true)
        .map_err(|e| js_error("cannot upload", e))?;
    xhr.set_request_header("x-duet-user", target.user.as_str())
        .and_then(|_| xhr.set_request_header("x-duet-usersig", &target.user_sig))
        .map_err(|e| js_error("cannot upload", e))?;
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let done_tx = Rc::new(RefCell::new(Some(done_tx)));
    let finish = {
        let done_tx = done_tx.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = done_tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        })
    };
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress((e.loaded() / e.total() * 100.0).floor() as u32);
            }
        });
    let f = finish.as_ref().unchecked_ref();
    xhr.set_onloadend(Some(f));
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    *cancel.request.borrow_mut() = Some(xhr.clone());
    xhr.send_with_opt_blob(Some(blob))
        .map_err(|e| js_error("cannot upload", e))?;
    let _ = done_rx.await;
    cancel.request.borrow_mut().take();
    drop((finish, on_progress));
    if cancel.cancelled.get() {
        return Err(cancelled());
    }
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return Err(SdkError::new(
            codes::UPLOAD_FAILED,
            "the upload did not reach the server",
        ));
    }
    if status == 200 {
        return serde_json::from_str(&text)
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
    Err(match serde_json::from_str::<Fail>(&text) {
        Ok(f) => SdkError::new(ErrorCode(f.code), f.info),
        Err(_) => SdkError::new(
            codes::UPLOAD_FAILED,
            format!("upload failed with HTTP {status}"),
        ),
    })
}

/// Waits for a media element's event.
async fn event(target: &web_sys::EventTarget, name: &str) -> Result<(), SdkError> {
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let make = |ok: bool| {
        let tx = tx.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(ok);
            }
        })
    };
    let (on_ok, on_err) = (make(true), make(false));
    let _ = target.add_event_listener_with_callback(name, on_ok.as_ref().unchecked_ref());
    let _ = target.add_event_listener_with_callback("error", on_err.as_ref().unchecked_ref());
    let ok = rx.await.unwrap_or(false);
    let _ = target.remove_event_listener_with_callback(name, on_ok.as_ref().unchecked_ref());
    let _ = target.remove_event_listener_with_callback("error", on_err.as_ref().unchecked_ref());
    if ok {
        Ok(())
    } else {
        Err(SdkError::new(
            ErrorCode::MEDIA_TYPE_MISMATCH,
            "the browser cannot read this media file",
        ))
    }
}

fn load_media(tag: &str, blob: &Blob) -> Result<(HtmlMediaElement, String), SdkError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| SdkError::new(codes::STATE, "no document"))?;
    let el: HtmlMediaElement = document
        .create_element(tag)
        .map_err(|e| js_error("cannot read the file", e))?
        .unchecked_into();
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|e| js_error("cannot read the file", e))?;
    el.set_muted(true);
    el.set_preload("auto");
    el.set_src(&url);
    Ok((el, url))
}

/// Whole seconds, at least 1, at most [`MAX_MEDIA_SECONDS`].
fn whole_seconds(duration: f64) -> Option<u32> {
    (duration.is_finite() && duration > 0.0)
        .then(|| (duration.ceil() as u32).clamp(1, MAX_MEDIA_SECONDS))
}

/// The media's duration in seconds, once loaded. Recordings made in the browser (WebM) report
/// an infinite duration until played through; seeking far past the end makes the browser find
/// the real one.
async fn duration(el: &HtmlMediaElement) -> Option<f64> {
    if !el.duration().is_finite() {
        el.set_current_time(1e101);
        event(el, "seeked").await.ok()?;
        el.set_current_time(0.0);
        event(el, "seeked").await.ok()?;
    }
    Some(el.duration()).filter(|d| d.is_finite())
}

/// The duration the app gave, or the one the browser reads from the file.
async fn seconds(file: &MediaFile, tag: &str) -> Result<u32, SdkError> {
    if let Some(s) = file.second.filter(|s| (1..=MAX_MEDIA_SECONDS).contains(s)) {
        return Ok(s);
    }
    let (el, url) = load_media(tag, &file.blob)?;
    let found = match event(&el, "loadedmetadata").await {
        Ok(()) => duration(&el).await,
        Err(e) => {
            let _ = web_sys::Url::revoke_object_url(&url);
            return Err(e);
        }
    };
    let _ = web_sys::Url::revoke_object_url(&url);
    found.and_then(whole_seconds).ok_or_else(|| {
        SdkError::new(
            ErrorCode::INVALID_ARGUMENT,
            "the duration cannot be read from this file; pass payload.second",
        )
    })
}

/// A video's duration and a JPEG of an early frame (its cover).
async fn video_probe(blob: &Blob) -> Result<(u32, Blob), SdkError> {
    let (el, url) = load_media("video", blob)?;
    let result = async {
        event(&el, "loadeddata").await?;
        let length = duration(&el).await.ok_or_else(|| {
            SdkError::new(
                ErrorCode::MEDIA_TYPE_MISMATCH,
                "cannot read the video's duration",
            )
        })?;
        let second = whole_seconds(length).unwrap_or(1);
        el.set_current_time(0.1_f64.min(length / 2.0));
        event(&el, "seeked").await?;
        let video: web_sys::HtmlVideoElement = el.clone().unchecked_into();
        let (w, h) = (video.video_width().max(1), video.video_height().max(1));
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("document");
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .map_err(|e| js_error("cannot make a cover", e))?
            .unchecked_into();
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .ok_or_else(|| SdkError::new(codes::STATE, "no canvas"))?
            .unchecked_into();
        ctx.draw_image_with_html_video_element(&video, 0.0, 0.0)
            .map_err(|e| js_error("cannot make a cover", e))?;
        let (tx, rx) = oneshot::channel::<Option<Blob>>();
        let tx = RefCell::new(Some(tx));
        let on_blob = Closure::<dyn FnMut(Option<Blob>)>::new(move |b: Option<Blob>| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(b);
            }
        });
        canvas
            .to_blob_with_type(on_blob.as_ref().unchecked_ref(), "image/jpeg")
            .map_err(|e| js_error("cannot make a cover", e))?;
        let cover = rx.await.ok().flatten().ok_or_else(|| {
            SdkError::new(ErrorCode::MEDIA_TYPE_MISMATCH, "cannot make a cover image")
        })?;
        Ok((second, cover))
    }
    .await;
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}
