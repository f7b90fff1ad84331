//! Message elements (R1): the content kinds a message carries, in Tencent IM's wire shape
//! `{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}` so that the REST API's `MsgBody`
//! and the WebSocket protocol share one definition.
//!
//! Media elements (image, sound, file, video) carry URLs and the sizes the uploader declared; the
//! server checks those declarations against its limits ([`crate::limits`]).

use serde::Serialize;

/// Every element's Tencent `MsgType` name ([`Element::type_name`]).
pub const TYPE_NAMES: [&str; 9] = [
    "TIMTextElem",
    "TIMFaceElem",
    "TIMLocationElem",
    "TIMImageElem",
    "TIMSoundElem",
    "TIMFileElem",
    "TIMVideoFileElem",
    "TIMCustomElem",
    "DuetSystemElem",
];

/// One element of a message body. A message holds one or more.
/// Read by a one-pass decoder (`decode.rs`) rather than serde's derived one, which copies the
/// content into an intermediate tree whenever `MsgContent` comes before `MsgType`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "MsgType", content = "MsgContent")]
pub enum Element {
    /// R1.1 plain text.
    #[serde(rename = "TIMTextElem")]
    Text(TextElem),
    /// R1.2 a developer-defined emoji: an index into the app's set plus free data.
    #[serde(rename = "TIMFaceElem")]
    Face(FaceElem),
    /// R1.3 a location with a description.
    #[serde(rename = "TIMLocationElem")]
    Location(LocationElem),
    /// R1.4 an image with its renditions.
    #[serde(rename = "TIMImageElem")]
    Image(ImageElem),
    /// R1.5 a voice clip.
    #[serde(rename = "TIMSoundElem")]
    Sound(SoundElem),
    /// R1.6 a file of any format.
    #[serde(rename = "TIMFileElem")]
    File(FileElem),
    /// R1.7 a short video with a cover image.
    #[serde(rename = "TIMVideoFileElem")]
    Video(VideoElem),
    /// R1.8 a developer-defined payload (a red packet, a game move, …).
    #[serde(rename = "TIMCustomElem")]
    Custom(CustomElem),
    /// R1.9 a system notification. Only the app administrator may send one; clients show it as
    /// a notice, not as a user's words.
    #[serde(rename = "DuetSystemElem")]
    System(SystemElem),
    /// An element of a kind this build does not know, from a newer server. A client shows it as
    /// unsupported rather than failing to read its message, and the history and sync page
    /// around it; the server refuses one in anything it is sent ([`crate::limits`]).
    #[serde(untagged)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    Unknown(UnknownElem),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct TextElem {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct FaceElem {
    pub index: i64,
    #[serde(default)]
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct LocationElem {
    #[serde(default)]
    pub desc: String,
    /// Degrees, −90 to 90.
    pub latitude: f64,
    /// Degrees, −180 to 180.
    pub longitude: f64,
}

/// Rendition kind in [`ImageInfo::kind`], as Tencent numbers them.
pub mod image_type {
    pub const ORIGINAL: u8 = 1;
    pub const LARGE: u8 = 2;
    pub const THUMB: u8 = 3;
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct ImageElem {
    #[serde(rename = "UUID", default)]
    pub uuid: String,
    /// Tencent's numbering: 1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other.
    #[serde(default)]
    pub image_format: u32,
    pub image_info_array: Vec<ImageInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct ImageInfo {
    /// One of [`image_type`].
    #[serde(rename = "Type")]
    pub kind: u8,
    pub size: u64,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "URL")]
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct SoundElem {
    pub url: String,
    #[serde(rename = "UUID", default)]
    pub uuid: String,
    pub size: u64,
    /// Duration in seconds.
    pub second: u32,
    #[serde(rename = "Download_Flag", default = "download_flag")]
    pub download_flag: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct FileElem {
    pub url: String,
    #[serde(rename = "UUID", default)]
    pub uuid: String,
    pub file_size: u64,
    pub file_name: String,
    #[serde(rename = "Download_Flag", default = "download_flag")]
    pub download_flag: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct VideoElem {
    pub video_url: String,
    #[serde(rename = "VideoUUID", default)]
    pub video_uuid: String,
    pub video_size: u64,
    /// Duration in seconds.
    pub video_second: u32,
    #[serde(default)]
    pub video_format: String,
    #[serde(default = "download_flag")]
    pub video_download_flag: u32,
    pub thumb_url: String,
    #[serde(rename = "ThumbUUID", default)]
    pub thumb_uuid: String,
    #[serde(default)]
    pub thumb_size: u64,
    #[serde(default)]
    pub thumb_width: u32,
    #[serde(default)]
    pub thumb_height: u32,
    #[serde(default)]
    pub thumb_format: String,
    #[serde(default = "download_flag")]
    pub thumb_download_flag: u32,
}

/// Tencent's `Download_Flag` 2: the URL is downloadable as is.
pub(crate) fn download_flag() -> u32 {
    2
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct CustomElem {
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub desc: String,
    #[serde(default)]
    pub ext: String,
    #[serde(default)]
    pub sound: String,
}

/// See [`Element::Unknown`]: its `MsgType`; its content is not kept. It is written as
/// `{"MsgType": kind, "MsgContent": {}}`, which reads back as itself.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownElem {
    pub kind: String,
}

impl Serialize for UnknownElem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("MsgType", &self.kind)?;
        #[derive(Serialize)]
        struct Nothing {}
        map.serialize_entry("MsgContent", &Nothing {})?;
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "PascalCase")]
pub struct SystemElem {
    /// The notice shown to the user.
    pub text: String,
    /// App-defined data for the client to act on (e.g. a banner id).
    #[serde(default)]
    pub data: String,
}

impl Element {
    /// The bytes of developer-supplied content this element carries: what counts against the
    /// message body limit. Strings count their UTF-8 length; numbers count 8 bytes.
    pub fn payload_bytes(&self) -> usize {
        match self {
            Element::Text(e) => e.text.len(),
            Element::Face(e) => 8 + e.data.len(),
            Element::Location(e) => 16 + e.desc.len(),
            Element::Image(e) => {
                e.uuid.len()
                    + 8
                    + e.image_info_array
                        .iter()
                        .map(|i| 24 + i.url.len())
                        .sum::<usize>()
            }
            Element::Sound(e) => e.url.len() + e.uuid.len() + 16,
            Element::File(e) => e.url.len() + e.uuid.len() + e.file_name.len() + 8,
            Element::Video(e) => {
                e.video_url.len()
                    + e.video_uuid.len()
                    + e.video_format.len()
                    + e.thumb_url.len()
                    + e.thumb_uuid.len()
                    + e.thumb_format.len()
                    + 48
            }
            Element::Custom(e) => e.data.len() + e.desc.len() + e.ext.len() + e.sound.len(),
            Element::System(e) => e.text.len() + e.data.len(),
            Element::Unknown(e) => e.kind.len(),
        }
    }

    /// Whether a sent message's element of this kind may be edited (Tencent's `modifyMessage`
    /// rule): text, face, location and custom content is the sender's words; media and system
    /// notices are not rewritten after the fact.
    pub fn is_editable(&self) -> bool {
        matches!(
            self,
            Element::Text(_) | Element::Face(_) | Element::Location(_) | Element::Custom(_)
        )
    }

    /// The words a search looks in: a text, a location's description, a file's name, a custom
    /// element's description and extension (not its data, which is the app's machine-readable
    /// payload), a notice's text. Media carries none.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        let (a, b): (&str, &str) = match self {
            Element::Text(e) => (&e.text, ""),
            Element::Location(e) => (&e.desc, ""),
            Element::File(e) => (&e.file_name, ""),
            Element::Custom(e) => (&e.desc, &e.ext),
            Element::System(e) => (&e.text, ""),
            _ => ("", ""),
        };
        [a, b].into_iter().filter(|w| !w.is_empty())
    }

    /// The Tencent `MsgType` name of this element.
    pub fn type_name(&self) -> &str {
        match self {
            Element::Text(_) => "TIMTextElem",
            Element::Face(_) => "TIMFaceElem",
            Element::Location(_) => "TIMLocationElem",
            Element::Image(_) => "TIMImageElem",
            Element::Sound(_) => "TIMSoundElem",
            Element::File(_) => "TIMFileElem",
            Element::Video(_) => "TIMVideoFileElem",
            Element::Custom(_) => "TIMCustomElem",
            Element::System(_) => "DuetSystemElem",
            Element::Unknown(e) => &e.kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tencent_shape_round_trip() {
        let json = r#"{"MsgType":"TIMLocationElem","MsgContent":{"Desc":"Office","Latitude":22.5,"Longitude":113.9}}"#;
        let e: Element = serde_json::from_str(json).unwrap();
        assert_eq!(
            e,
            Element::Location(LocationElem {
                desc: "Office".into(),
                latitude: 22.5,
                longitude: 113.9
            })
        );
        assert_eq!(serde_json::to_string(&e).unwrap(), json);
    }

    #[test]
    fn media_defaults_and_names() {
        let json = r#"{"MsgType":"TIMFileElem","MsgContent":{"Url":"https://x/f","FileSize":10,"FileName":"a.pdf"}}"#;
        let e: Element = serde_json::from_str(json).unwrap();
        let Element::File(f) = &e else {
            panic!("not a file: {e:?}")
        };
        assert_eq!(f.download_flag, 2);
        assert_eq!(e.type_name(), "TIMFileElem");
    }

    #[test]
    fn an_unknown_kind_reads_as_unknown_and_writes_back_as_read() {
        let json = r#"{"MsgType":"TIMNewElem","MsgContent":{"Whatever":[1,{"x":null}]}}"#;
        let e: Element = serde_json::from_str(json).unwrap();
        assert_eq!(
            e,
            Element::Unknown(UnknownElem {
                kind: "TIMNewElem".into()
            })
        );
        assert_eq!(e.type_name(), "TIMNewElem");
        let written = serde_json::to_string(&e).unwrap();
        assert_eq!(written, r#"{"MsgType":"TIMNewElem","MsgContent":{}}"#);
        assert_eq!(serde_json::from_str::<Element>(&written).unwrap(), e);
    }
}
