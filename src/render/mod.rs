//! Images: inspection, and rendering `urlModifier` commands. The only module
//! that names the `image` crate or any codec.
//!
//! [`probe`] reads a source's format and dimensions when it enters the
//! catalog. [`modifier::parse`] turns a `urlModifier` into a typed
//! [`Modifier`]; rendering decodes the source, applies it in Image Serving's
//! order and encodes the reply, all behind size limits checked before any
//! pixel buffer is allocated.

pub mod modifier;

mod decode;
mod encode;
mod filters;
mod pipeline;
pub(crate) mod plan;

pub use modifier::Modifier;
pub use pipeline::{estimate, render, RenderConfig, Rendered};
pub use plan::PlanLimits;

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Why an image could not be read. All of these are the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not an image in a supported format.
    #[error("not a supported image format")]
    UnknownFormat,
    /// The header is unreadable or declares nonsense.
    #[error("unreadable image: {0}")]
    Corrupt(String),
    /// Width, height or pixel count is beyond the configured limits.
    #[error("image of {width}x{height} is larger than allowed")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// The `urlModifier` is malformed or asks for something unsupported.
    #[error(transparent)]
    Modifier(#[from] modifier::ModifierError),
    /// The reply would exceed the configured reply size limit.
    #[error("the reply image would be {width}x{height}, larger than the limit of {limit}")]
    ReplyTooLarge {
        /// Computed reply width.
        width: u64,
        /// Computed reply height.
        height: u64,
        /// The limit that was exceeded, described.
        limit: String,
    },
    /// The encoder failed (not the caller's fault).
    #[error("encoding failed: {0}")]
    Encode(String),
}

impl Error {
    /// Whether the request (its modifier or its source image) is at fault,
    /// rather than the service.
    pub fn is_client(&self) -> bool {
        !matches!(self, Error::Encode(_))
    }
}

/// Size caps applied before any pixel is decoded.
#[derive(Clone, Copy, Debug)]
pub struct ImageLimits {
    /// Largest width or height accepted.
    pub max_side: u32,
    /// Largest width × height accepted (Scene7's MaxSavePixels is 100 Mpx).
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_side: 65_535,
            max_pixels: 100_000_000,
        }
    }
}

/// What the catalog records about an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Lower-case format name as IPS reports it (`jpeg`, `png`, `gif`, `tiff`, `webp`).
    pub format: &'static str,
}

/// Sniffs the format from the bytes (never from a file name) and reads the
/// dimensions from the header, without decoding pixels.
pub fn probe(bytes: &[u8], limits: ImageLimits) -> Result<ImageInfo, Error> {
    let format = image::guess_format(bytes).map_err(|_| Error::UnknownFormat)?;
    let name = format_name(format).ok_or(Error::UnknownFormat)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut caps = Limits::default();
    caps.max_image_width = Some(limits.max_side);
    caps.max_image_height = Some(limits.max_side);
    reader.limits(caps);
    let (width, height) = reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => Error::TooLarge { width: 0, height: 0 },
        other => Error::Corrupt(other.to_string()),
    })?;
    if width == 0 || height == 0 {
        return Err(Error::Corrupt(format!("zero-sized image ({width}x{height})")));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::TooLarge { width, height });
    }
    Ok(ImageInfo {
        width,
        height,
        format: name,
    })
}

/// MIME type of a stored file, by its catalog format name.
pub fn mime_for(format: &str) -> &'static str {
    match format {
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "tiff" => "image/tiff",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

fn format_name(format: ImageFormat) -> Option<&'static str> {
    Some(match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::Gif => "gif",
        ImageFormat::Tiff => "tiff",
        ImageFormat::WebP => "webp",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::new(width, height);
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    #[test]
    fn probes_format_and_size_from_content() {
        let info = probe(&png(64, 48), ImageLimits::default()).expect("probe");
        assert_eq!(
            info,
            ImageInfo {
                width: 64,
                height: 48,
                format: "png"
            }
        );
    }

    #[test]
    fn refuses_non_images_and_oversized_headers() {
        assert!(matches!(
            probe(b"<html></html>", ImageLimits::default()),
            Err(Error::UnknownFormat)
        ));
        assert!(matches!(probe(b"", ImageLimits::default()), Err(Error::UnknownFormat)));
        let tight = ImageLimits {
            max_side: 100,
            max_pixels: 1_000,
        };
        assert!(matches!(probe(&png(64, 48), tight), Err(Error::TooLarge { .. })));
        let mut truncated = png(64, 48);
        truncated.truncate(20);
        assert!(probe(&truncated, ImageLimits::default()).is_err());
    }
}
