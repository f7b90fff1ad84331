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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<UploadedImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
