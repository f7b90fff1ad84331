//! Image renditions, as Tencent IM makes them: the original, a large one (longest edge ≤ 720
//! px) and a thumbnail (≤ 198 px); a rendition that would not be smaller is the original.
//!
//! The dimensions are read from the header first, and an image of more pixels than the limit
//! is refused before anything is decoded, so a small file that would expand to a huge bitmap
//! (a decompression bomb) costs nothing. Decoding then runs under a memory limit that follows
//! from the pixel count, at most two decodes at a time.

use image::{DynamicImage, ImageFormat, ImageReader};
use protocol::media::{LARGE_EDGE, THUMB_EDGE};
use std::io::Cursor;

/// Largest width or height decoded.
pub const MAX_EDGE: u32 = 16_384;
/// Bytes a decoded pixel may take (16-bit RGBA), which bounds one decode's memory by its
/// pixel count.
const MAX_BYTES_PER_PIXEL: u64 = 8;
/// Images decoded at once across the server; an upload past that waits its turn, so a burst
/// of large images costs time, not memory.
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("the image is too large to process: {0}")]
    TooBig(String),
    #[error("the image cannot be decoded: {0}")]
    Undecodable(String),
}

/// A smaller copy; `bytes` is `None` when the original is small enough to serve as it.
#[derive(Debug)]
pub struct Rendition {
    pub bytes: Option<Vec<u8>>,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug)]
pub struct Renditions {
    pub width: u32,
    pub height: u32,
    pub large: Rendition,
    pub thumb: Rendition,
}

fn limits(max_pixels: u64) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_EDGE);
    l.max_image_height = Some(MAX_EDGE);
    l.max_alloc = Some(max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL));
    l
}

fn classify(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(l) => ImageError::TooBig(l.to_string()),
        other => ImageError::Undecodable(other.to_string()),
    }
}

/// Decodes `bytes` on a blocking thread, at most two at a time, and makes the renditions.
pub async fn renditions_async(bytes: Vec<u8>, max_pixels: u64) -> Result<Renditions, ImageError> {
    let _turn = DECODES
        .acquire()
        .await
        .map_err(|e| ImageError::Undecodable(e.to_string()))?;
    tokio::task::spawn_blocking(move || renditions(&bytes, max_pixels))
        .await
        .map_err(|e| ImageError::Undecodable(e.to_string()))?
}

/// Reads the dimensions from the header and refuses an image of more than `max_pixels` before
/// decoding anything; then decodes it and makes the large and thumbnail renditions.
pub fn renditions(bytes: &[u8], max_pixels: u64) -> Result<Renditions, ImageError> {
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ImageError::Undecodable(e.to_string()))
    };
    let (width, height) = reader()?.into_dimensions().map_err(classify)?;
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_EDGE || height > MAX_EDGE || pixels > max_pixels {
        return Err(ImageError::TooBig(format!(
            "{width}×{height} pixels; the limit is {max_pixels} pixels, at most {MAX_EDGE} a side"
        )));
    }
    let mut reader = reader()?;
    reader.limits(limits(max_pixels));
    let img = reader.decode().map_err(classify)?;
    Ok(Renditions {
        width: img.width(),
        height: img.height(),
        large: shrink(&img, LARGE_EDGE)?,
        thumb: shrink(&img, THUMB_EDGE)?,
    })
}

/// A copy whose longest edge is at most `edge`: JPEG, or PNG when it has transparent pixels.
fn shrink(img: &DynamicImage, edge: u32) -> Result<Rendition, ImageError> {
    if img.width().max(img.height()) <= edge {
        return Ok(Rendition {
            bytes: None,
            width: img.width(),
            height: img.height(),
        });
    }
    let small = img.thumbnail(edge, edge);
    let mut out = Cursor::new(Vec::new());
    let transparent = small.color().has_alpha() && small.to_rgba8().pixels().any(|p| p[3] < 255);
    let written = if transparent {
        small.write_to(&mut out, ImageFormat::Png)
    } else {
        DynamicImage::ImageRgb8(small.to_rgb8()).write_to(&mut out, ImageFormat::Jpeg)
    };
    written.map_err(|e| ImageError::Undecodable(e.to_string()))?;
    Ok(Rendition {
        bytes: Some(out.into_inner()),
        width: small.width(),
        height: small.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_MAX: u64 = 40_000_000;

    #[test]
    fn images_over_the_pixel_limit_are_refused_from_the_header() {
        assert!(matches!(
            renditions(&png(300, 200), 300 * 200 - 1),
            Err(ImageError::TooBig(_))
        ));
        assert!(renditions(&png(300, 200), 300 * 200).is_ok());
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(width, height));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn renditions_keep_the_aspect_ratio_within_their_edge() {
        let r = renditions(&png(1600, 900), TEST_MAX).unwrap();
        assert_eq!((r.width, r.height), (1600, 900));
        assert_eq!((r.large.width, r.large.height), (720, 405));
        assert_eq!((r.thumb.width, r.thumb.height), (198, 111));
        let large = image::load_from_memory(r.large.bytes.as_ref().unwrap()).unwrap();
        assert_eq!((large.width(), large.height()), (720, 405));
    }

    #[test]
    fn renditions_are_png_only_when_transparent() {
        let encode = |img: DynamicImage| {
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, ImageFormat::Png).unwrap();
            out.into_inner()
        };
        let opaque = image::RgbaImage::from_pixel(800, 400, image::Rgba([1, 2, 3, 255]));
        let clear = image::RgbaImage::from_pixel(800, 400, image::Rgba([1, 2, 3, 0]));
        let format = |img| {
            let r = renditions(&encode(DynamicImage::ImageRgba8(img)), TEST_MAX).unwrap();
            image::guess_format(&r.thumb.bytes.unwrap()).unwrap()
        };
        assert_eq!(format(opaque), ImageFormat::Jpeg);
        assert_eq!(format(clear), ImageFormat::Png);
    }

    #[test]
    fn small_images_are_their_own_renditions() {
        let r = renditions(&png(100, 50), TEST_MAX).unwrap();
        assert!(r.large.bytes.is_none() && r.thumb.bytes.is_none());
        assert_eq!((r.thumb.width, r.thumb.height), (100, 50));
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        assert!(matches!(
            renditions(b"\x89PNG\r\n\x1a\nnot really", TEST_MAX),
            Err(ImageError::Undecodable(_))
        ));
    }
}
