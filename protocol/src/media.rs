//! Media uploads (R1.4–R1.7): what kind of media a file is uploaded as, its size limit, and
//! what the server answers (`POST /media`, docs/protocol.md "Media"). The answer carries what
//! the message element needs, so a client turns it into a `TIMImageElem`, `TIMSoundElem`,
//! `TIMFileElem` or `TIMVideoFileElem` without a second look at the file.

use crate::element::ImageInfo;
use crate::limits::Limits;
use serde::{Deserialize, Serialize};

/// What a file is uploaded as. It decides the size limit, and what the bytes must be: an image
/// must decode as one; audio and video must sniff as such; a file may be anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Audio,
    File,
    Video,
}

impl MediaKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "image" => Self::Image,
            "audio" => Self::Audio,
            "file" => Self::File,
            "video" => Self::Video,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Audio => "audio",
            Self::File => "file",
            Self::Video => "video",
        }
    }

    /// The largest upload of this kind (inclusive).
    pub fn max_bytes(self, limits: &Limits) -> u64 {
        match self {
            Self::Image => limits.image_max_bytes,
            Self::Audio => limits.audio_max_bytes,
            Self::File => limits.file_max_bytes,
            Self::Video => limits.video_max_bytes,
        }
    }
}

/// The server's answer to an upload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    /// The content's id (its SHA-256, hex): the same bytes always get the same id.
    pub uuid: String,
    /// Where to download it: absolute, with the (sanitised) file name as the last segment.
    pub url: String,
    pub size: u64,
    /// The type sniffed from the bytes (`application/octet-stream` when unknown).
    pub content_type: String,
    /// The file name as stored: path parts, control and unsafe characters removed.
    pub file_name: String,
    /// Images only: Tencent's format number (1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other) and the
    /// original, large (≤ 720 px) and thumbnail (≤ 198 px) renditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<UploadedImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadedImage {
    pub image_format: u32,
    pub image_info_array: Vec<ImageInfo>,
}

/// The longest edge of the large and thumbnail renditions, as Tencent IM makes them.
pub const LARGE_EDGE: u32 = 720;
pub const THUMB_EDGE: u32 = 198;

/// Longest voice message or video, in seconds; the duration a client declares must be within
/// 1 and this.
pub const MAX_MEDIA_SECONDS: u32 = 3 * 3600;

/// Tencent's `Download_Flag` for a URL downloadable as it is.
const DOWNLOADABLE: u32 = 2;

/// The message element for an upload. `second` is the duration of audio and video; `cover` is
/// a video's uploaded cover image. Fails when an image answer lacks its renditions or a video
/// lacks its cover.
pub fn element(
    kind: MediaKind,
    upload: &Uploaded,
    second: u32,
    cover: Option<&Uploaded>,
) -> Result<crate::Element, String> {
    use crate::element::*;
    Ok(match kind {
        MediaKind::Image => {
            let image = upload
                .image
                .clone()
                .ok_or("the upload has no image renditions")?;
            Element::Image(ImageElem {
                uuid: upload.uuid.clone(),
                image_format: image.image_format,
                image_info_array: image.image_info_array,
            })
        }
        MediaKind::Audio => Element::Sound(SoundElem {
            url: upload.url.clone(),
            uuid: upload.uuid.clone(),
            size: upload.size,
            second,
            download_flag: DOWNLOADABLE,
        }),
        MediaKind::File => Element::File(FileElem {
            url: upload.url.clone(),
            uuid: upload.uuid.clone(),
            file_size: upload.size,
            file_name: upload.file_name.clone(),
            download_flag: DOWNLOADABLE,
        }),
        MediaKind::Video => {
            let cover = cover.ok_or("a video needs a cover image")?;
            let thumb = cover
                .image
                .as_ref()
                .and_then(|i| {
                    i.image_info_array
                        .iter()
                        .find(|x| x.kind == image_type::ORIGINAL)
                })
                .ok_or("the cover upload is not an image")?;
            Element::Video(VideoElem {
                video_url: upload.url.clone(),
                video_uuid: upload.uuid.clone(),
                video_size: upload.size,
                video_second: second,
                video_format: subtype(&upload.content_type),
                video_download_flag: DOWNLOADABLE,
                thumb_url: thumb.url.clone(),
                thumb_uuid: cover.uuid.clone(),
                thumb_size: thumb.size,
                thumb_width: thumb.width,
                thumb_height: thumb.height,
                thumb_format: subtype(&cover.content_type),
                thumb_download_flag: DOWNLOADABLE,
            })
        }
    })
}

/// `webm` of `video/webm`: the format name Tencent's elements carry.
fn subtype(content_type: &str) -> String {
    let after_slash = content_type
        .bytes()
        .rposition(|b| b == b'/')
        .map_or(0, |i| i + 1);
    content_type[after_slash..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Element;
    use crate::element::image_type;
    use crate::limits::Limits;

    fn uploaded(content_type: &str, image: Option<UploadedImage>) -> Uploaded {
        Uploaded {
            uuid: "u".into(),
            url: "http://h/media/u/x".into(),
            size: 10,
            content_type: content_type.into(),
            file_name: "x".into(),
            image,
        }
    }

    #[test]
    fn elements_from_uploads_pass_the_body_checks() {
        let info = |kind| ImageInfo {
            kind,
            size: 10,
            width: 4,
            height: 3,
            url: "http://h/media/u/x".into(),
        };
        let image = UploadedImage {
            image_format: 3,
            image_info_array: vec![info(image_type::ORIGINAL), info(image_type::THUMB)],
        };
        let cover = uploaded("image/jpeg", Some(image.clone()));
        let limits = Limits::default();
        for (kind, up) in [
            (MediaKind::Image, uploaded("image/png", Some(image))),
            (MediaKind::Audio, uploaded("audio/mpeg", None)),
            (MediaKind::File, uploaded("application/octet-stream", None)),
            (MediaKind::Video, uploaded("video/webm", None)),
        ] {
            let e = element(kind, &up, 3, Some(&cover)).unwrap();
            limits.check_body(std::slice::from_ref(&e)).unwrap();
            if let Element::Video(v) = e {
                assert_eq!((v.video_format.as_str(), v.thumb_width), ("webm", 4));
            }
        }
        assert!(element(MediaKind::Video, &uploaded("video/mp4", None), 3, None).is_err());
        assert!(element(MediaKind::Image, &uploaded("image/png", None), 0, None).is_err());
    }

    #[test]
    fn a_format_is_what_follows_the_last_slash_of_the_content_type() {
        assert_eq!(subtype("video/mp4"), "mp4");
        assert_eq!(subtype("webm"), "webm");
        assert_eq!(subtype("video/"), "");
    }
}
