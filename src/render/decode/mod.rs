//! Source decoding into RGBA8, with shrink-on-load and region decode for
//! JPEG (libjpeg-turbo) and the `image` crate for every other format.
//!
//! The format is sniffed from the first bytes, never taken from a name. The
//! header is read and checked against [`ImageLimits`] before any pixel buffer
//! exists. EXIF orientation is not applied: the stored pixel grid is what
//! `crop=`, `rect=` and the other commands address.
//!
//! `jpeg` decodes JPEG through libjpeg-turbo, `generic` every other format
//! through the `image` crate; here, the request and result types, sniffing,
//! and the checks both share.

mod generic;
mod jpeg;

use image::{ImageFormat, RgbaImage};

use super::{Error, ImageLimits};
use generic::decode_with_image;
use jpeg::decode_jpeg;

/// Bytes of an RGBA8 image of `w` × `h`.
pub(super) fn rgba_bytes(w: u32, h: u32) -> u64 {
    u64::from(w) * u64::from(h) * 4
}

/// A rectangle in full-resolution source pixels, inside the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width, > 0.
    pub w: u32,
    /// Height, > 0.
    pub h: u32,
}

/// What the pipeline needs from the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeRequest {
    /// Only this part of the source is needed (`None`: all of it). The
    /// decoder may return more (e.g. aligned to JPEG blocks), never less.
    /// A region reaching outside the source is clamped to it.
    pub region: Option<Region>,
    /// The decoded region may be scaled down (JPEG DCT scaling: 1/2, 1/4,
    /// 1/8) as long as it stays at least this many pixels wide and high
    /// (`None`: full resolution). Precisely: the scale 1/d is allowed when
    /// `region.w >= min_w * d` and `region.h >= min_h * d`, so the requested
    /// area itself still spans at least that many decoded pixels.
    pub min_size: Option<(u32, u32)>,
}

/// Decoded pixels and where they sit in the source.
///
/// The geometry is exact: decoded pixel (i, j) starts at source pixel
/// (`covers.x + i * scale_denom`, `covers.y + j * scale_denom`) and stands
/// for a `scale_denom`² block of it, and
/// `image.width() == covers.w.div_ceil(scale_denom)`,
/// `image.height() == covers.h.div_ceil(scale_denom)` (the last column or
/// row may stand for a partial block at the source's right or bottom edge).
#[derive(Debug)]
pub struct Decoded {
    /// RGBA8 pixels, not premultiplied.
    pub image: RgbaImage,
    /// The source rectangle (full-resolution pixels) that `image` covers;
    /// `image` may be smaller than it when decoded scaled down.
    pub covers: Region,
    /// The DCT scale denominator: 1, 2, 4 or 8 (always 1 except for JPEG).
    pub scale_denom: u32,
    /// Full-resolution source width.
    pub source_width: u32,
    /// Full-resolution source height.
    pub source_height: u32,
    /// True when every pixel is known to be opaque (a format without alpha,
    /// or an alpha channel that turned out to be 255 everywhere).
    pub opaque: bool,
}

/// Decodes `bytes` (format sniffed from content), refusing anything beyond
/// `limits` before allocating pixels.
///
/// - JPEG goes through libjpeg-turbo, straight into RGBA, DCT-scaled when
///   `min_size` allows it. A `region` is decoded alone (only its rows and
///   block columns; `covers` is then the region widened left to a block
///   boundary and rounded out to the scale) unless libjpeg-turbo cannot crop
///   the file, when the whole image is. Any libjpeg warning (truncated or damaged
///   data) is an error, so a damaged file fails the same way every time. CMYK
///   and YCCK are converted naively to RGB, treating data with an Adobe APP14
///   marker as inverted (Photoshop's convention). 12- and 16-bit JPEGs are
///   refused as [`Error::Corrupt`] (libjpeg-turbo's 8-bit path rejects them).
/// - PNG, GIF, TIFF and WebP go through the `image` crate at full size: the
///   whole image is returned (`covers` = the source, whatever `region` says),
///   first frame only for animations, converted to RGBA8.
pub fn decode(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Decoded, Error> {
    match sniff(bytes).ok_or(Error::UnknownFormat)? {
        ImageFormat::Jpeg => decode_jpeg(bytes, request, limits),
        other => decode_with_image(bytes, other, limits),
    }
}

/// The memory a decode takes, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// The most held at once while decoding: the pixels and the decoder's
    /// own buffers.
    pub peak: u64,
    /// What the decoded image keeps once the decoder is done.
    pub pixels: u64,
    /// Whether the source has an alpha channel (resampling then works on a
    /// premultiplied copy).
    pub alpha: bool,
}

/// The memory decoding `bytes` for `request` takes, from the headers alone
/// (refusing what [`decode`] would refuse for its size).
pub fn footprint(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Footprint, Error> {
    match sniff(bytes).ok_or(Error::UnknownFormat)? {
        ImageFormat::Jpeg => jpeg::footprint(bytes, request, limits),
        other => generic::footprint(bytes, other, limits),
    }
}

/// The format from the magic bytes; `None` for anything not supported.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| bytes.starts_with(*m))
    {
        // Classic and BigTIFF, either byte order.
        Some(ImageFormat::Tiff)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Refuses a zero or over-limit size; called before any pixel allocation.
fn check_size(width: u32, height: u32, limits: &ImageLimits) -> Result<(), Error> {
    if width == 0 || height == 0 {
        return Err(Error::Corrupt(format!("zero-sized image ({width}x{height})")));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::TooLarge { width, height });
    }
    Ok(())
}

/// The request's region, clamped to the source (the whole source if none).
fn clamp_region(region: Option<Region>, width: u32, height: u32) -> Region {
    let Some(r) = region else {
        return Region {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
    };
    let x = r.x.min(width - 1);
    let y = r.y.min(height - 1);
    Region {
        x,
        y,
        w: r.w.clamp(1, width - x),
        h: r.h.clamp(1, height - y),
    }
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn oversized_headers_are_refused_before_decoding() {
        // A PNG signature and an IHDR declaring 100000 × 100000 RGBA.
        let mut header = 100_000u32.to_be_bytes().repeat(2);
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &header[..]),
            (b"IDAT", &[0x78, 0x01, 0, 0]),
            (b"IEND", &[]),
        ] {
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        }
        let started = std::time::Instant::now();
        let result = full_result(&png);
        assert!(
            matches!(
                result,
                Err(Error::TooLarge {
                    width: 100_000,
                    height: 100_000
                })
            ),
            "{result:?}"
        );
        assert!(started.elapsed().as_millis() < 500);

        let tight = ImageLimits {
            max_side: 1000,
            max_pixels: 100_000,
        };
        let request = DecodeRequest::default();
        assert!(matches!(
            decode(&jpeg(400, 300), &request, &tight),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            decode(&jpeg(1200, 30), &request, &tight),
            Err(Error::TooLarge { .. })
        ));
        assert!(decode(&jpeg(300, 300), &request, &tight).is_ok());
    }

    #[test]
    fn non_images_are_unknown() {
        for bytes in [
            &b""[..],
            b"<html><body>not an image</body></html>",
            b"\xFF\xD8",
            b"BM\x00\x00",
        ] {
            assert!(matches!(full_result(bytes), Err(Error::UnknownFormat)), "{bytes:?}");
        }
    }

    #[test]
    fn regions_outside_the_source_are_clamped() {
        let r = clamp_region(
            Some(Region {
                x: 630,
                y: 500,
                w: 100,
                h: 100,
            }),
            640,
            480,
        );
        assert_eq!(
            r,
            Region {
                x: 630,
                y: 479,
                w: 10,
                h: 1
            }
        );
    }
}
