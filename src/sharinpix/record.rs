//! The `Image` and `Album` objects as SharinPix's documents show them, made
//! from catalog rows. Renderings (`thumbnails`, `external_urls`) point at
//! the service's own Image Serving, the documents' Cloudinary transforms
//! given as Image Serving commands: `c_fit,h_1920,w_1920` is
//! `wid=1920&hei=1920` (fit inside, keeping the aspect ratio), `c_fill` of
//! 200 or 100 is `wid=…&hei=…&fit=crop` (fill, cropping the overflow).

use serde_json::{Map, Value};

use super::FormParams;
use crate::catalog::{SharinPixAlbum, SharinPixImage};

/// An image's rendering URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urls {
    /// The stored file (`original_url`, `thumbnails.original`).
    pub original: String,
    /// Fit in 1920 × 1920 (`full`, `full_no_sharinpix`).
    pub full: String,
    /// Filled to 200 × 200 (`large`).
    pub large: String,
    /// Filled to 100 × 100 (`mini`).
    pub mini: String,
    /// 300 wide (`fill100`).
    pub fill100: String,
    /// Fit in 2000 × 2000 (`fit2000`).
    pub fit2000: String,
}

impl Urls {
    fn of(base: &str, company: &str, asset: &str) -> Urls {
        let at = |commands: &str| {
            let url = format!("{base}/is/image/{}/{}", encode(company), encode(asset));
            if commands.is_empty() {
                url
            } else {
                format!("{url}?{commands}")
            }
        };
        Urls {
            original: at(""),
            full: at("wid=1920&hei=1920"),
            large: at("wid=200&hei=200&fit=crop"),
            mini: at("wid=100&hei=100&fit=crop"),
            fill100: at("wid=300"),
            fit2000: at("wid=2000&hei=2000"),
        }
    }
}

/// A path segment, percent-encoded where a URL needs it.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An image, field by field as the API names them.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// `id` and `public_id`.
    pub id: String,
    /// `album_id`.
    pub album_id: String,
    /// `group_id`: the image it was duplicated from.
    pub group_id: Option<String>,
    /// `filename`.
    pub filename: String,
    /// `format` as Cloudinary names it (`jpg`, `png`, …).
    pub format: String,
    /// `size`, bytes.
    pub size: u64,
    /// `width`, `original_width`.
    pub width: u32,
    /// `height`, `original_height`.
    pub height: u32,
    /// `infos`: what the stored file gives, under what was recorded.
    pub infos: Map<String, Value>,
    /// `metadatas`.
    pub metadatas: Map<String, Value>,
    /// `created_at`.
    pub created_at: String,
    /// `updated_at`.
    pub updated_at: String,
    /// Renderings.
    pub urls: Urls,
}

fn object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Cloudinary's name for a stored format.
pub(super) fn format_name(stored: Option<&str>) -> String {
    match stored.unwrap_or_default() {
        "jpeg" => "jpg".to_owned(),
        "tiff" => "tif".to_owned(),
        other => other.to_owned(),
    }
}

impl Image {
    /// The image a row describes; `base` is the service's URL.
    pub(super) fn from_row(row: &SharinPixImage, base: &str) -> Image {
        let a = &row.asset;
        let format = format_name(a.format.as_deref());
        let mut infos = default_infos(row, &format);
        infos.extend(object(&row.infos));
        Image {
            id: row.id.clone(),
            album_id: row.album.clone(),
            group_id: row.group_id.clone(),
            filename: row.filename.clone(),
            format,
            size: a.byte_size,
            width: a.width.unwrap_or(0),
            height: a.height.unwrap_or(0),
            infos,
            metadatas: object(&row.metadatas),
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
            urls: Urls::of(base, &row.company, &a.name),
        }
    }
}

/// `infos` as an upload of the stored file would have it: a duplicate
/// copies its source's, so these are the original's facts.
fn default_infos(row: &SharinPixImage, format: &str) -> Map<String, Value> {
    let a = &row.asset;
    let mut m = Map::new();
    m.insert("bytes".into(), a.byte_size.into());
    m.insert("created_at".into(), row.created_at.clone().into());
    m.insert(
        "etag".into(),
        a.content_hash.chars().take(32).collect::<String>().into(),
    );
    m.insert("format".into(), format.into());
    m.insert("height".into(), a.height.unwrap_or(0).into());
    m.insert("resource_type".into(), "image".into());
    m.insert("tags".into(), Value::Array(vec![row.album.clone().into()]));
    m.insert("type".into(), "authenticated".into());
    m.insert("width".into(), a.width.unwrap_or(0).into());
    m.insert("original_filename".into(), row.filename.clone().into());
    m
}

/// The `infos` a copy of `image` records: the source's, whole.
pub(super) fn copied_infos(image: &Image) -> String {
    Value::Object(image.infos.clone()).to_string()
}

/// An album, with up to four of its images as `thumbnails`.
#[derive(Clone, Debug, PartialEq)]
pub struct Album {
    /// `id` and `public_id`.
    pub id: String,
    /// `organization_id`.
    pub organization_id: String,
    /// `images_count`.
    pub images_count: u64,
    /// `thumbnails`: its first images.
    pub thumbnails: Vec<Image>,
    /// `upload_form.url`: where a file for the album is posted.
    pub upload_url: String,
    /// `upload_form.params` the upload is checked against (none if the
    /// organization has no secret to sign them with).
    pub upload_params: Option<FormParams>,
    /// `created_at`.
    pub created_at: String,
}

/// How many images an album's `thumbnails` shows.
pub(super) const ALBUM_THUMBNAILS: u64 = 4;

impl Album {
    pub(super) fn from_rows(
        album: &SharinPixAlbum,
        images: &[SharinPixImage],
        upload_params: Option<FormParams>,
        base: &str,
    ) -> Album {
        Album {
            id: album.id.clone(),
            organization_id: album.org.clone(),
            images_count: album.images_count,
            thumbnails: images.iter().map(|i| Image::from_row(i, base)).collect(),
            upload_url: format!("{base}/api/v1/albums/{}/upload", encode(&album.id)),
            upload_params,
            created_at: album.created_at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_image_serving_renderings() {
        let u = Urls::of("http://h:1", "Sharin Co", "4c44-01");
        assert_eq!(u.original, "http://h:1/is/image/Sharin%20Co/4c44-01");
        assert_eq!(
            u.mini,
            "http://h:1/is/image/Sharin%20Co/4c44-01?wid=100&hei=100&fit=crop"
        );
        assert_eq!(format_name(Some("jpeg")), "jpg");
    }
}
