//! WebP: lossy through libwebp, lossless through the `image` crate.

use std::borrow::Cow;

use image::RgbaImage;

use super::{luma, rgb_bytes};
use crate::render::modifier::{Compression, PixelType, Quality};
use crate::render::Error;

pub(super) fn encode_webp(
    image: &RgbaImage,
    pixel: PixelType,
    alpha: bool,
    compression: Option<Compression>,
    quality: Quality,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    // The format's ceiling, checked here for a clear message.
    if width > 16_383 || height > 16_383 {
        return Err(Error::Encode(format!("a {width}x{height} image is too large for WebP")));
    }
    let lossless = match compression {
        None | Some(Compression::Lossy) => false,
        Some(Compression::Lossless) => true,
        Some(other) => {
            return Err(Error::Encode(format!(
                "WebP with {other:?} compression is not supported"
            )))
        }
    };
    // WebP has no grey mode: grey is stored as equal RGB.
    let gray = pixel == PixelType::Gray;
    let data: Cow<'_, [u8]> = match (alpha, gray) {
        (true, false) => Cow::Borrowed(image.as_raw().as_slice()),
        (true, true) => Cow::Owned(
            image
                .as_raw()
                .chunks_exact(4)
                .flat_map(|px| {
                    let l = luma(px[0], px[1], px[2]);
                    [l, l, l, px[3]]
                })
                .collect(),
        ),
        (false, _) => Cow::Owned(rgb_bytes(image, gray)),
    };
    if lossless {
        let color = if alpha {
            image::ExtendedColorType::Rgba8
        } else {
            image::ExtendedColorType::Rgb8
        };
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .encode(&data, width, height, color)
            .map_err(|e| Error::Encode(e.to_string()))?;
        Ok(out)
    } else {
        let encoder = if alpha {
            webp::Encoder::from_rgba(&data, width, height)
        } else {
            webp::Encoder::from_rgb(&data, width, height)
        };
        let memory = encoder
            .encode_simple(false, f32::from(quality.quality.clamp(1, 100)))
            .map_err(|e| Error::Encode(format!("libwebp: {e:?}")))?;
        Ok(memory.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::testing::*;
    use crate::render::modifier::Format;
    use image::ImageFormat;

    #[test]
    fn webp_lossy_and_lossless() {
        let image = with_hole(64, 48);
        let lossy = encoded(&image, &options(Format::Webp));
        assert_eq!(&lossy[..4], b"RIFF");
        let back = decoded(&lossy);
        assert!(mean_error(&back, &image) < 6.0);
        assert_eq!(back.get_pixel(2, 2)[3], 255);

        let lossy_alpha = decoded(&encoded(&image, &options(Format::WebpAlpha)));
        assert_eq!(lossy_alpha.get_pixel(2, 2)[3], 0);

        let lossless = encoded(&image, &with_compression(Format::WebpAlpha, Compression::Lossless));
        assert_eq!(decoded(&lossless), image);
        let opaque = gradient(64, 48);
        let lossless = encoded(&opaque, &with_compression(Format::Webp, Compression::Lossless));
        assert_eq!(decoded(&lossless), opaque);
        assert_eq!(image::guess_format(&lossless).expect("format"), ImageFormat::WebP);
    }
}
