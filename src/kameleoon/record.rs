//! The `Image` object as Kameleoon's OpenAPI defines it, made from an image
//! row and its asset.

use crate::catalog::KameleoonImage;

/// `Image.format`: Kameleoon's enum. A stored format outside it (a TIFF put
/// there over IPS) has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `PNG`.
    Png,
    /// `JPEG`.
    Jpeg,
    /// `GIF`.
    Gif,
    /// `WEB` (WebP, as the enum spells it).
    Web,
}

impl Format {
    fn of(stored: Option<&str>) -> Option<Format> {
        match stored? {
            "png" => Some(Format::Png),
            "jpeg" => Some(Format::Jpeg),
            "gif" => Some(Format::Gif),
            "webp" => Some(Format::Web),
            _ => None,
        }
    }

    /// The enum's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Web => "WEB",
        }
    }
}

/// An image, field by field as the API names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// `id`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `fileName`.
    pub file_name: String,
    /// `format`.
    pub format: Option<Format>,
    /// `width`, pixels.
    pub width: u32,
    /// `height`, pixels.
    pub height: u32,
    /// `size`, bytes.
    pub size: u64,
    /// `fileWeight`, kilobytes, rounded up.
    pub file_weight: u64,
    /// `date`: when it was made.
    pub date: String,
    /// `siteId`.
    pub site_id: i64,
    /// `createdById`: the account that made it.
    pub created_by_id: Option<i64>,
    /// `path`: its Image Serving path, `/is/image/<company>/<asset>`.
    pub path: String,
    /// `source`.
    pub source: String,
    /// `sourceUrl`: the whole Image Serving URL.
    pub source_url: String,
    /// `shared`: never, here.
    pub shared: bool,
    /// `tags`.
    pub tags: Vec<String>,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `altText`.
    pub alt_text: String,
    /// `description`.
    pub description: String,
}

impl Image {
    /// The image a row describes; URLs start with `base`.
    pub(super) fn from_row(row: KameleoonImage, base: &str) -> Image {
        let path = format!(
            "/is/image/{}/{}",
            url_segment(&row.company),
            url_segment(&row.asset.name)
        );
        Image {
            id: row.id,
            format: Format::of(row.asset.format.as_deref()),
            width: row.asset.width.unwrap_or(0),
            height: row.asset.height.unwrap_or(0),
            size: row.asset.byte_size,
            file_weight: row.asset.byte_size.div_ceil(1024),
            date: row.created_at,
            site_id: row.site,
            created_by_id: row.created_by,
            source_url: format!("{base}{path}"),
            path,
            name: row.name,
            file_name: row.file_name,
            source: row.source,
            shared: false,
            tags: row.tags,
            keywords: row.keywords,
            alt_text: row.alt_text,
            description: row.description,
        }
    }
}

/// Percent-encodes what may not stand in a URL path segment as it is.
fn url_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_segments() {
        assert_eq!(Format::of(Some("webp")).map(Format::as_str), Some("WEB"));
        assert_eq!(Format::of(Some("jpeg")).map(Format::as_str), Some("JPEG"));
        assert_eq!(Format::of(Some("tiff")), None);
        assert_eq!(url_segment("a b/ü-1"), "a%20b%2F%C3%BC-1");
    }
}
