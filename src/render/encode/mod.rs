//! Reply encoding: JPEG through libjpeg-turbo, the other formats through
//! their own crates, one module a format (`jpeg`, `png`, `gif`, `tiff`,
//! `webp`); here, the choice of encoder and the pixel conversions they share.
//!
//! Palette formats (`gif`, `gif-alpha`, `png8`, `png8-alpha`) go through
//! [`quantize`]: a palette built per `quantize=` (median cut refined by
//! k-means, the web-safe cube, or the Macintosh system palette, with forced
//! colours first), then exact nearest-colour mapping, optionally with
//! Floyd–Steinberg error diffusion. Everything is deterministic: the same
//! pixels and options give the same bytes.

mod gif;
mod jpeg;
mod png;
mod quantize;
mod tiff;
mod webp;

use image::RgbaImage;

use self::gif::encode_gif;
use self::jpeg::encode_jpeg;
use self::png::{encode_png, encode_png8};
use self::tiff::encode_tiff;
use self::webp::encode_webp;
use super::modifier::{Compression, Fmt, Format, PixelType, Quality, Quantize};
use super::Error;

/// Everything the encoder needs besides the pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodeOptions {
    /// Format, pixel type and compression.
    pub fmt: Fmt,
    /// JPEG (and lossy WebP / TIFF-JPEG) quality.
    pub quality: Quality,
    /// Palette settings for `gif`, `gif-alpha`, `png8`, `png8-alpha`.
    pub quantize: Quantize,
    /// Dots per inch to record, where the format can carry it.
    pub print_res: Option<u32>,
}

/// Encodes `image`. For formats without alpha the caller has already
/// flattened transparency; the alpha channel is then ignored.
///
/// Pixel types: `gray` is Rec. 601 luma everywhere; `cmyk` is the naive
/// k = 255 − max(r, g, b) separation, accepted by JPEG (stored inverted
/// with the Adobe marker, as Photoshop does) and TIFF only. `print_res` is
/// written as JFIF density (JPEG with RGB or grey), pHYs (PNG) or
/// X/YResolution in inches (TIFF); GIF and WebP cannot carry it.
pub fn encode(image: &RgbaImage, options: &EncodeOptions) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return Err(Error::Encode(format!("cannot encode an empty {width}x{height} image")));
    }
    let pixel = options.fmt.pixel_type.unwrap_or(PixelType::Rgb);
    let format = options.fmt.format;
    let compression = options.fmt.compression;
    let alpha = format.has_alpha();
    match format {
        Format::Tif | Format::TifAlpha | Format::Webp | Format::WebpAlpha => {}
        // `fmt=jpeg,rgb,none` is Image Serving's own spelling of the default.
        _ if matches!(compression, None | Some(Compression::None)) => {}
        _ => return Err(Error::Encode(format!("{format:?} takes no compression option"))),
    }
    if pixel == PixelType::Cmyk && !matches!(format, Format::Jpeg | Format::Pjpeg | Format::Tif | Format::TifAlpha) {
        return Err(Error::Encode(format!("{format:?} cannot hold CMYK pixels")));
    }
    match format {
        Format::Jpeg | Format::Pjpeg => encode_jpeg(image, options, pixel, format == Format::Pjpeg),
        Format::Png | Format::PngAlpha => encode_png(image, pixel, alpha, options.print_res),
        Format::Png8 | Format::Png8Alpha => encode_png8(image, options, pixel, alpha),
        Format::Gif | Format::GifAlpha => encode_gif(image, options, pixel, alpha),
        Format::Tif | Format::TifAlpha => encode_tiff(image, pixel, alpha, compression, options.print_res),
        Format::Webp | Format::WebpAlpha => encode_webp(image, pixel, alpha, compression, options.quality),
    }
}

/// Rec. 601 luma, as libjpeg computes it: 0.299 R + 0.587 G + 0.114 B.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((19_595 * u32::from(r) + 38_470 * u32::from(g) + 7_471 * u32::from(b) + 32_768) >> 16) as u8
}

/// Naive separation: k = 255 − max(r, g, b), c = (max − r) / max, and so on
/// (ink amounts, 255 = full ink).
#[inline]
fn rgb_to_cmyk(r: u8, g: u8, b: u8) -> [u8; 4] {
    let max = u32::from(r.max(g).max(b));
    if max == 0 {
        return [0, 0, 0, 255];
    }
    let ink = |v: u8| (((max - u32::from(v)) * 255 + max / 2) / max) as u8;
    [ink(r), ink(g), ink(b), (255 - max) as u8]
}

/// A pixels-per-metre value for `dpi`, rounded.
fn dots_per_metre(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// RGB (or grey as RGB when `gray`) without the alpha channel.
fn rgb_bytes(image: &RgbaImage, gray: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * 3);
    for px in image.as_raw().chunks_exact(4) {
        if gray {
            let l = luma(px[0], px[1], px[2]);
            out.extend_from_slice(&[l, l, l]);
        } else {
            out.extend_from_slice(&px[..3]);
        }
    }
    out
}

/// One grey sample per pixel, followed by alpha when `alpha`.
fn gray_bytes(image: &RgbaImage, alpha: bool) -> Vec<u8> {
    let per_pixel = if alpha { 2 } else { 1 };
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * per_pixel);
    for px in image.as_raw().chunks_exact(4) {
        out.push(luma(px[0], px[1], px[2]));
        if alpha {
            out.push(px[3]);
        }
    }
    out
}

/// CMYK ink samples (followed by alpha when `alpha`); `inverted` stores
/// 255 − ink, the Adobe JPEG convention.
fn cmyk_bytes(image: &RgbaImage, alpha: bool, inverted: bool) -> Vec<u8> {
    let flip = if inverted { 255 } else { 0 };
    let per_pixel = if alpha { 5 } else { 4 };
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * per_pixel);
    for px in image.as_raw().chunks_exact(4) {
        let [c, m, y, k] = rgb_to_cmyk(px[0], px[1], px[2]);
        out.extend_from_slice(&[c ^ flip, m ^ flip, y ^ flip, k ^ flip]);
        if alpha {
            out.push(px[3]);
        }
    }
    out
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn output_is_deterministic() {
        let image = with_hole(80, 60);
        let formats = [
            Format::Jpeg,
            Format::Pjpeg,
            Format::Png,
            Format::PngAlpha,
            Format::Png8,
            Format::Png8Alpha,
            Format::Gif,
            Format::GifAlpha,
            Format::Tif,
            Format::TifAlpha,
            Format::Webp,
            Format::WebpAlpha,
        ];
        for format in formats {
            let o = options(format);
            assert_eq!(encoded(&image, &o), encoded(&image, &o), "{format:?}");
        }
    }

    #[test]
    fn impossible_requests_are_errors_not_panics() {
        let empty = RgbaImage::new(0, 0);
        assert!(matches!(encode(&empty, &options(Format::Jpeg)), Err(Error::Encode(_))));
        assert!(matches!(
            encode(&RgbaImage::new(5, 0), &options(Format::Gif)),
            Err(Error::Encode(_))
        ));
        let image = gradient(8, 8);
        assert!(matches!(
            encode(&image, &with_type(Format::Png, PixelType::Cmyk)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&image, &with_compression(Format::Png, Compression::Lzw)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&image, &with_compression(Format::Webp, Compression::Zip)),
            Err(Error::Encode(_))
        ));
        assert!(encode(&image, &with_compression(Format::Jpeg, Compression::None)).is_ok());
        assert!(matches!(
            encode(&RgbaImage::new(70_000, 1), &options(Format::Gif)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&RgbaImage::new(17_000, 1), &options(Format::Webp)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&RgbaImage::new(66_000, 1), &options(Format::Jpeg)),
            Err(Error::Encode(_))
        ));
        // Every pixel transparent: a palette of the key colour alone.
        let clear = RgbaImage::new(4, 4);
        for format in [Format::GifAlpha, Format::Png8Alpha] {
            let back = decoded(&encoded(&clear, &options(format)));
            assert!(back.pixels().all(|p| p[3] == 0), "{format:?}");
        }
    }
}
