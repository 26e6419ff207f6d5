//! PNG: truecolour and grey, with or without alpha, and palette PNG8
//! through the quantizer.

use std::borrow::Cow;

use image::RgbaImage;

use super::quantize::quantize;
use super::{dots_per_metre, gray_bytes, rgb_bytes, EncodeOptions};
use crate::render::modifier::PixelType;
use crate::render::Error;

fn png_error(error: png::EncodingError) -> Error {
    Error::Encode(error.to_string())
}

/// A PNG encoder with the settings shared by every PNG reply.
fn png_encoder(
    out: &mut Vec<u8>,
    width: u32,
    height: u32,
    print_res: Option<u32>,
) -> png::Encoder<'static, &mut Vec<u8>> {
    let mut encoder = png::Encoder::new(out, width, height);
    // Balanced is 3-5x slower and only sometimes smaller (performance.md).
    encoder.set_compression(png::Compression::Fast);
    if let Some(dpi) = print_res {
        let ppm = dots_per_metre(dpi);
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
    }
    encoder
}

pub(super) fn encode_png(
    image: &RgbaImage,
    pixel: PixelType,
    alpha: bool,
    print_res: Option<u32>,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let gray = pixel == PixelType::Gray;
    let (color, data) = match (gray, alpha) {
        (false, false) => (png::ColorType::Rgb, Cow::Owned(rgb_bytes(image, false))),
        (false, true) => (png::ColorType::Rgba, Cow::Borrowed(image.as_raw().as_slice())),
        (true, false) => (png::ColorType::Grayscale, Cow::Owned(gray_bytes(image, false))),
        (true, true) => (png::ColorType::GrayscaleAlpha, Cow::Owned(gray_bytes(image, true))),
    };
    let mut out = Vec::new();
    let mut encoder = png_encoder(&mut out, width, height, print_res);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

pub(super) fn encode_png8(
    image: &RgbaImage,
    options: &EncodeOptions,
    pixel: PixelType,
    alpha: bool,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let indexed = quantize(image, &options.quantize, alpha, pixel == PixelType::Gray);
    // The smallest bit depth that holds every index.
    let bits: u8 = match indexed.palette.len() {
        0..=2 => 1,
        3..=4 => 2,
        5..=16 => 4,
        _ => 8,
    };
    let data = if bits == 8 {
        indexed.indices
    } else {
        let per_byte = usize::from(8 / bits);
        let row_bytes = (width as usize).div_ceil(per_byte);
        let mut packed = vec![0u8; row_bytes * height as usize];
        for (src, dst) in indexed
            .indices
            .chunks_exact(width as usize)
            .zip(packed.chunks_exact_mut(row_bytes))
        {
            for (x, &index) in src.iter().enumerate() {
                let shift = 8 - bits * (x % per_byte) as u8 - bits;
                dst[x / per_byte] |= index << shift;
            }
        }
        packed
    };
    let palette: Vec<u8> = indexed.palette.iter().flatten().copied().collect();
    let mut out = Vec::new();
    let mut encoder = png_encoder(&mut out, width, height, options.print_res);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(match bits {
        1 => png::BitDepth::One,
        2 => png::BitDepth::Two,
        4 => png::BitDepth::Four,
        _ => png::BitDepth::Eight,
    });
    encoder.set_palette(palette);
    if indexed.transparent.is_some() {
        // tRNS lists alpha for the first entries; the transparent one is
        // entry 0, so one byte says it all.
        encoder.set_trns(vec![0u8]);
    }
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::testing::*;
    use crate::render::modifier::Format;
    use std::io::Cursor;

    #[test]
    fn png_keeps_alpha_only_when_asked() {
        let image = with_hole(40, 30);
        let plain = encoded(&image, &options(Format::Png));
        assert_eq!(plain[25], 2, "colour type RGB");
        let back = decoded(&plain);
        assert_eq!(back.get_pixel(1, 1)[3], 255);
        assert_eq!(back.get_pixel(20, 20), image.get_pixel(20, 20));

        let alpha = encoded(&image, &options(Format::PngAlpha));
        assert_eq!(alpha[25], 6, "colour type RGBA");
        assert_eq!(decoded(&alpha), image);

        let gray = encoded(&image, &with_type(Format::Png, PixelType::Gray));
        assert_eq!(gray[25], 0, "colour type grey");
        let gray_alpha = encoded(&image, &with_type(Format::PngAlpha, PixelType::Gray));
        assert_eq!(gray_alpha[25], 4, "colour type grey + alpha");
        assert_eq!(decoded(&gray_alpha).get_pixel(2, 2)[3], 0);
    }

    #[test]
    fn png_print_resolution_is_phys_in_pixels_per_metre() {
        let mut o = options(Format::Png);
        o.print_res = Some(300);
        let bytes = encoded(&gradient(8, 8), &o);
        let reader = png::Decoder::new(Cursor::new(bytes)).read_info().expect("png");
        let dims = reader.info().pixel_dims.expect("pHYs");
        assert_eq!((dims.xppu, dims.yppu, dims.unit), (11_811, 11_811, png::Unit::Meter));
    }
}
