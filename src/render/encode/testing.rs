//! Test images, options and measurements the encoders' tests share.

use image::RgbaImage;

use super::{encode, EncodeOptions};
use crate::render::modifier::{Compression, Fmt, Format, PixelType, Quantize, DEFAULT_QUALITY};

/// A smooth gradient with every channel moving.
pub(super) fn gradient(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([
            (x * 255 / (width - 1)) as u8,
            (y * 255 / (height - 1)) as u8,
            ((x + y) * 255 / (width + height - 2)) as u8,
            255,
        ])
    })
}

/// The gradient with a transparent square in the top-left corner.
pub(super) fn with_hole(width: u32, height: u32) -> RgbaImage {
    let mut image = gradient(width, height);
    for y in 0..8 {
        for x in 0..8 {
            image.put_pixel(x, y, image::Rgba([10, 20, 30, 0]));
        }
    }
    image
}

pub(super) fn options(format: Format) -> EncodeOptions {
    EncodeOptions {
        fmt: Fmt {
            format,
            pixel_type: None,
            compression: None,
        },
        quality: DEFAULT_QUALITY,
        quantize: Quantize::default(),
        print_res: None,
    }
}

pub(super) fn with_type(format: Format, pixel_type: PixelType) -> EncodeOptions {
    let mut o = options(format);
    o.fmt.pixel_type = Some(pixel_type);
    o
}

pub(super) fn with_compression(format: Format, compression: Compression) -> EncodeOptions {
    let mut o = options(format);
    o.fmt.compression = Some(compression);
    o
}

pub(super) fn encoded(image: &RgbaImage, options: &EncodeOptions) -> Vec<u8> {
    encode(image, options).expect("encode")
}

pub(super) fn decoded(bytes: &[u8]) -> RgbaImage {
    image::load_from_memory(bytes).expect("decode").to_rgba8()
}

/// Mean absolute difference over RGB.
pub(super) fn mean_error(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| (0..3).map(|c| u64::from(p[c].abs_diff(q[c]))).sum::<u64>())
        .sum();
    total as f64 / (f64::from(a.width() * a.height()) * 3.0)
}

pub(super) fn distinct(image: &RgbaImage) -> Vec<[u8; 4]> {
    let mut colours: Vec<[u8; 4]> = image.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    colours
}
