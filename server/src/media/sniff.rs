//! What uploaded bytes are, decided from the bytes alone (never the client's word): which kinds
//! may carry them, what `Content-Type` they are served with, whether a browser may show them
//! inline, and a file name that is safe in a URL and a `Content-Disposition` header.

use protocol::media::MediaKind;

/// Served for anything not recognised, or recognised as something a browser could run.
pub const OPAQUE: &str = "application/octet-stream";

/// Image types the server decodes and makes renditions of.
const IMAGES: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
];

/// The content type of `head` (the first bytes of an upload) if it may be uploaded as `kind`.
pub fn content_type(kind: MediaKind, head: &[u8]) -> Result<String, String> {
    let sniffed = infer::get(head).map(|t| t.mime_type());
    let found = sniffed.unwrap_or("unrecognised data");
    match kind {
        MediaKind::Image if sniffed.is_some_and(|m| IMAGES.contains(&m)) => Ok(found.to_owned()),
        // Browsers record voice as audio/webm, which sniffs as video/webm.
        MediaKind::Audio
            if sniffed.is_some_and(|m| m.starts_with("audio/") || m == "video/webm") =>
        {
            Ok(found.to_owned())
        }
        MediaKind::Video if sniffed.is_some_and(|m| m.starts_with("video/")) => {
            Ok(found.to_owned())
        }
        MediaKind::File => Ok(sniffed.filter(|m| inline(m)).unwrap_or(OPAQUE).to_owned()),
        _ => Err(format!(
            "the bytes are {found}, not a supported {} format",
            kind.as_str()
        )),
    }
}

/// A browser may show this type in place: images, audio and video, which cannot run script.
/// Everything else is downloaded (`Content-Disposition: attachment`).
pub fn inline(content_type: &str) -> bool {
    IMAGES.contains(&content_type)
        || content_type.starts_with("audio/")
        || content_type.starts_with("video/")
}

/// Tencent's image format number: 1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other.
pub fn tencent_image_format(content_type: &str) -> u32 {
    match content_type {
        "image/jpeg" => 1,
        "image/gif" => 2,
        "image/png" => 3,
        "image/bmp" => 4,
        _ => 255,
    }
}

/// The file name to store and serve: the last path part, without control characters or
/// characters that mean something to a shell, a path or a header; at most 200 bytes; "file" if
/// nothing is left.
/// Characters that reorder text, with which `invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && !"\"*:<>?|%#;".contains(*c))
        .collect();
    let mut trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    while trimmed.len() > 200 {
        let mut end = 200;
        while !trimmed.is_char_boundary(end) {
            end -= 1;
        }
        trimmed = &trimmed[..end];
    }
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const HTML: &[u8] = b"<!doctype html><script>alert(1)</script>";

    #[test]
    fn bytes_decide_the_type_not_the_name() {
        assert_eq!(content_type(MediaKind::Image, PNG).unwrap(), "image/png");
        assert!(content_type(MediaKind::Image, HTML).is_err());
        assert!(content_type(MediaKind::Video, PNG).is_err());
        assert_eq!(content_type(MediaKind::File, HTML).unwrap(), OPAQUE);
        assert_eq!(content_type(MediaKind::File, PNG).unwrap(), "image/png");
        // PDF is recognised but could run script in a viewer: served opaque, as a download.
        assert_eq!(
            content_type(MediaKind::File, b"%PDF-1.7\n").unwrap(),
            OPAQUE
        );
        assert!(!inline("text/html") && !inline(OPAQUE) && inline("image/png"));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("a\"b\r\nc;d.txt"), "abcd.txt");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name("résumé 2026.pdf"), "résumé 2026.pdf");
        assert!(safe_file_name(&"é".repeat(300)).len() <= 200);
        assert_eq!(safe_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(safe_file_name("a\u{2066}b\u{200F}.txt"), "ab.txt");
    }
}
