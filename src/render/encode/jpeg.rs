//! JPEG through libjpeg-turbo: subsampling, progressive scans, CMYK, and
//! the JFIF density.

use image::RgbaImage;
use turbojpeg::{Compressor, PixelFormat, Subsamp};

use super::{cmyk_bytes, EncodeOptions};
use crate::render::modifier::PixelType;
use crate::render::Error;

pub(super) fn encode_jpeg(
    image: &RgbaImage,
    options: &EncodeOptions,
    pixel: PixelType,
    progressive: bool,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let turbo_error = |e: turbojpeg::Error| Error::Encode(e.to_string());
    let mut compressor = Compressor::new().map_err(turbo_error)?;
    compressor
        .set_quality(i32::from(options.quality.quality.clamp(1, 100)))
        .map_err(turbo_error)?;
    let subsamp = match pixel {
        // From RGB pixels, libjpeg-turbo computes the luma itself.
        PixelType::Gray => Subsamp::Gray,
        // Image Serving ignores the chroma flag for CMYK.
        PixelType::Cmyk => Subsamp::Sub2x2,
        PixelType::Rgb if options.quality.full_chroma => Subsamp::None,
        PixelType::Rgb => Subsamp::Sub2x2,
    };
    compressor.set_subsamp(subsamp).map_err(turbo_error)?;
    compressor.set_progressive(progressive).map_err(turbo_error)?;
    let cmyk;
    let (pixels, format) = if pixel == PixelType::Cmyk {
        // libjpeg-turbo always writes the Adobe marker for CMYK, so the
        // samples go in inverted, as readers expect with that marker.
        cmyk = cmyk_bytes(image, false, true);
        (cmyk.as_slice(), PixelFormat::CMYK)
    } else {
        // Straight from the RGBA buffer: libjpeg-turbo skips the alpha byte.
        (image.as_raw().as_slice(), PixelFormat::RGBA)
    };
    let source = turbojpeg::Image {
        pixels,
        width: width as usize,
        pitch: width as usize * 4,
        height: height as usize,
        format,
    };
    let mut jpeg = compressor.compress_to_vec(source).map_err(turbo_error)?;
    if let Some(dpi) = options.print_res {
        set_jfif_density(&mut jpeg, dpi);
    }
    Ok(jpeg)
}

/// Records `dpi` in the JFIF APP0 segment libjpeg writes right after SOI
/// (`FF D8 FF E0 len "JFIF\0" version units Xdensity Ydensity …`); the
/// `turbojpeg` crate has no setter for it. CMYK JPEGs carry no JFIF segment
/// and stay without a density.
fn set_jfif_density(jpeg: &mut [u8], dpi: u32) {
    if jpeg.len() < 18 || jpeg[..4] != [0xFF, 0xD8, 0xFF, 0xE0] || &jpeg[6..11] != b"JFIF\0" {
        return;
    }
    // 16-bit fields; unit 1 = dots per inch.
    let [hi, lo] = (dpi.clamp(1, 65_535) as u16).to_be_bytes();
    jpeg[13..18].copy_from_slice(&[1, hi, lo, hi, lo]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::luma;
    use crate::render::encode::testing::*;
    use crate::render::modifier::{Format, Quality};

    /// Component count and (h, v) sampling factors from the first SOFn.
    fn sof(jpeg: &[u8]) -> (u8, Vec<(u8, u8)>) {
        let mut i = 2;
        loop {
            let (marker, len) = (jpeg[i + 1], usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]])));
            if matches!(marker, 0xC0..=0xC3) {
                let count = jpeg[i + 9];
                let factors = (0..usize::from(count))
                    .map(|k| {
                        let f = jpeg[i + 11 + 3 * k];
                        (f >> 4, f & 15)
                    })
                    .collect();
                return (marker, factors);
            }
            i += 2 + len;
        }
    }

    #[test]
    fn jpeg_goes_straight_from_rgba_with_the_asked_subsampling() {
        let image = gradient(96, 64);
        let default = encoded(&image, &options(Format::Jpeg));
        assert_eq!(&default[..2], &[0xFF, 0xD8]);
        assert_eq!(sof(&default), (0xC0, vec![(2, 2), (1, 1), (1, 1)]));
        assert!(mean_error(&decoded(&default), &image) < 3.0);

        let mut full_chroma = options(Format::Jpeg);
        full_chroma.quality = Quality {
            quality: 85,
            full_chroma: true,
        };
        assert_eq!(sof(&encoded(&image, &full_chroma)).1, vec![(1, 1); 3]);

        let gray = encoded(&image, &with_type(Format::Jpeg, PixelType::Gray));
        assert_eq!(sof(&gray).1.len(), 1);
        let back = decoded(&gray);
        let px = back.get_pixel(40, 30);
        let want = luma(
            image.get_pixel(40, 30)[0],
            image.get_pixel(40, 30)[1],
            image.get_pixel(40, 30)[2],
        );
        assert!(px[0].abs_diff(want) <= 3 && px[0] == px[1] && px[1] == px[2]);

        let progressive = encoded(&image, &options(Format::Pjpeg));
        assert_eq!(sof(&progressive).0, 0xC2);
        assert!(mean_error(&decoded(&progressive), &image) < 3.0);
    }

    #[test]
    fn jpeg_quality_and_density() {
        let image = gradient(96, 64);
        let mut low = options(Format::Jpeg);
        low.quality.quality = 10;
        assert!(encoded(&image, &low).len() < encoded(&image, &options(Format::Jpeg)).len());
        let mut dense = options(Format::Jpeg);
        dense.print_res = Some(300);
        let bytes = encoded(&image, &dense);
        assert_eq!(&bytes[6..11], b"JFIF\0");
        assert_eq!(&bytes[13..18], &[1, 0x01, 0x2C, 0x01, 0x2C]);
        assert!(mean_error(&decoded(&bytes), &image) < 3.0);
    }

    #[test]
    fn cmyk_jpeg_round_trips_through_the_decoder() {
        let image = gradient(64, 48);
        let bytes = encoded(&image, &with_type(Format::Jpeg, PixelType::Cmyk));
        assert_eq!(sof(&bytes).1.len(), 4);
        let request = crate::render::decode::DecodeRequest::default();
        let back = crate::render::decode::decode(&bytes, &request, &crate::render::ImageLimits::default())
            .expect("decode")
            .image;
        assert!(mean_error(&back, &image) < 4.0, "{}", mean_error(&back, &image));
    }
}
