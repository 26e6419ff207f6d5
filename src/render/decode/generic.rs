//! Every format but JPEG (PNG, GIF, TIFF, WebP) through the `image` crate,
//! at full size, within explicit allocation and size limits.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{check_size, rgba_bytes, Decoded, Footprint, Region};
use crate::render::{Error, ImageLimits};

/// Maps an `image` error; `size` is the declared size when known.
fn image_error(error: ImageError, size: Option<(u32, u32)>) -> Error {
    match error {
        ImageError::Limits(_) => {
            let (width, height) = size.unwrap_or((0, 0));
            Error::TooLarge { width, height }
        }
        ImageError::Unsupported(_) => Error::UnknownFormat,
        other => Error::Corrupt(other.to_string()),
    }
}

/// What [`decode_with_image`] takes: the decoder's buffer and the RGBA8
/// copy made from it at once, then the copy alone.
pub(super) fn footprint(bytes: &[u8], format: ImageFormat, limits: &ImageLimits) -> Result<Footprint, Error> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut caps = Limits::default();
    caps.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(caps);
    let decoder = reader.into_decoder().map_err(|e| image_error(e, None))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let pixels = rgba_bytes(width, height);
    // A lossy WebP is decoded through its own planes and an RGB copy first
    // (measured up to about 4 bytes per pixel beyond the output).
    let planes = if format == ImageFormat::WebP { pixels } else { 0 };
    Ok(Footprint {
        peak: decoder.total_bytes() + pixels + planes,
        alpha: decoder.color_type().has_alpha(),
        pixels,
    })
}

pub(super) fn decode_with_image(bytes: &[u8], format: ImageFormat, limits: &ImageLimits) -> Result<Decoded, Error> {
    // Room for the decoder's own buffer (up to 16-bit RGBA) and no more.
    let budget = limits.max_pixels.saturating_mul(8);
    let mut caps = Limits::default();
    caps.max_alloc = Some(budget);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Width and height caps come after the header is read, so that a refusal
    // can name the declared size; max_alloc already bounds the header parse.
    reader.limits(caps.clone());
    let mut decoder = reader.into_decoder().map_err(|e| image_error(e, None))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let size = Some((width, height));
    caps.max_image_width = Some(limits.max_side);
    caps.max_image_height = Some(limits.max_side);
    decoder.set_limits(caps).map_err(|e| image_error(e, size))?;
    if decoder.total_bytes() > budget {
        return Err(Error::TooLarge { width, height });
    }
    let has_alpha = decoder.color_type().has_alpha();
    // The decoders are pure Rust and fuzzed; a panic on hostile bytes would
    // still be a bug of theirs, so it is reported as a damaged file instead.
    let decoded = catch_unwind(AssertUnwindSafe(|| DynamicImage::from_decoder(decoder)))
        .map_err(|_| Error::Corrupt("the decoder failed on this file".into()))?
        .map_err(|e| image_error(e, size))?;
    let image = decoded.into_rgba8();
    if image.dimensions() != (width, height) {
        return Err(Error::Corrupt("decoded size differs from the header".into()));
    }
    let opaque = !has_alpha || image.as_raw().chunks_exact(4).all(|px| px[3] == 255);
    Ok(Decoded {
        image,
        covers: Region {
            x: 0,
            y: 0,
            w: width,
            h: height,
        },
        scale_denom: 1,
        source_width: width,
        source_height: height,
        opaque,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::decode::testing::*;
    use crate::render::decode::{decode, DecodeRequest};
    use image::RgbaImage;

    #[test]
    fn other_formats_round_trip() {
        let picture = picture(64, 48);
        for format in [ImageFormat::Png, ImageFormat::Tiff, ImageFormat::WebP] {
            let d = full(&encoded(&picture, format));
            assert_eq!(d.image, picture, "{format:?}");
            assert_eq!((d.scale_denom, d.source_width, d.source_height), (1, 64, 48));
            assert_eq!(
                d.covers,
                Region {
                    x: 0,
                    y: 0,
                    w: 64,
                    h: 48
                }
            );
            assert!(d.opaque, "{format:?}");
        }
        // GIF is a palette format: a few flat colours survive exactly.
        let flat = RgbaImage::from_fn(32, 16, |x, _| {
            image::Rgba(if x < 16 { [200, 10, 10, 255] } else { [0, 0, 255, 255] })
        });
        let d = full(&encoded(&flat, ImageFormat::Gif));
        assert_eq!(d.image, flat);
        // A region does not crop these: the whole image comes back.
        let request = DecodeRequest {
            region: Some(Region {
                x: 5,
                y: 5,
                w: 10,
                h: 10,
            }),
            min_size: Some((1, 1)),
        };
        let d = decode(&encoded(&picture, ImageFormat::Png), &request, &ImageLimits::default()).expect("decode");
        assert_eq!((d.image.dimensions(), d.scale_denom), ((64, 48), 1));
    }

    #[test]
    fn sixteen_bit_and_alpha_pngs_become_rgba8() {
        let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(8, 8, |x, y| {
            image::Rgb([(x * 8000) as u16, (y * 8000) as u16, 65_535])
        });
        let mut out = Cursor::new(Vec::new());
        deep.write_to(&mut out, ImageFormat::Png).expect("encode");
        let d = full(out.get_ref());
        assert_eq!(*d.image.get_pixel(7, 0), image::Rgba([218, 0, 255, 255]));
        assert!(d.opaque);

        let mut clear = picture(16, 16);
        clear.put_pixel(3, 4, image::Rgba([1, 2, 3, 0]));
        let d = full(&encoded(&clear, ImageFormat::Png));
        assert_eq!(d.image.get_pixel(3, 4)[3], 0);
        assert!(!d.opaque);
    }

    #[test]
    fn animated_gifs_give_their_first_frame() {
        let mut bytes = Vec::new();
        {
            let palette = [255, 0, 0, 0, 0, 255];
            let mut encoder = gif::Encoder::new(&mut bytes, 4, 4, &palette).expect("gif");
            for index in [0u8, 1] {
                let frame = gif::Frame {
                    width: 4,
                    height: 4,
                    delay: 10,
                    buffer: std::borrow::Cow::Owned(vec![index; 16]),
                    ..gif::Frame::default()
                };
                encoder.write_frame(&frame).expect("frame");
            }
        }
        let d = full(&bytes);
        assert_eq!(*d.image.get_pixel(2, 2), image::Rgba([255, 0, 0, 255]));
        assert!(d.opaque);
    }
}
