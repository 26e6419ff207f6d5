//! Test pictures, JPEG writers and checks the decoders' tests share.

use std::io::Cursor;

use image::{ImageFormat, RgbaImage};
use turbojpeg::{Compressor, PixelFormat, Subsamp};

use super::{decode, DecodeRequest, Decoded, Region};
use crate::render::{Error, ImageLimits};

/// A smooth test picture (JPEG-friendly: no sharp edges).
pub(super) fn picture(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([
            (x * 255 / width.max(2)) as u8,
            (y * 255 / height.max(2)) as u8,
            ((x + y) * 255 / (width + height)) as u8,
            255,
        ])
    })
}

pub(super) fn jpeg_with(image: &RgbaImage, subsamp: Subsamp, progressive: bool) -> Vec<u8> {
    let mut compressor = Compressor::new().expect("compressor");
    compressor.set_quality(90).expect("quality");
    compressor.set_subsamp(subsamp).expect("subsamp");
    compressor.set_progressive(progressive).expect("progressive");
    let source = turbojpeg::Image {
        pixels: image.as_raw().as_slice(),
        width: image.width() as usize,
        pitch: image.width() as usize * 4,
        height: image.height() as usize,
        format: PixelFormat::RGBA,
    };
    compressor.compress_to_vec(source).expect("compress")
}

pub(super) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    jpeg_with(&picture(width, height), Subsamp::Sub2x2, false)
}

pub(super) fn encoded(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

pub(super) fn full(bytes: &[u8]) -> Decoded {
    decode(bytes, &DecodeRequest::default(), &ImageLimits::default()).expect("decode")
}

pub(super) fn scaled(bytes: &[u8], region: Option<Region>, min_size: (u32, u32)) -> Decoded {
    let request = DecodeRequest {
        region,
        min_size: Some(min_size),
    };
    decode(bytes, &request, &ImageLimits::default()).expect("decode")
}

/// The documented geometry: size = ceil(covers / denom), covers inside
/// the source.
pub(super) fn assert_geometry(d: &Decoded) {
    assert_eq!(d.image.width(), d.covers.w.div_ceil(d.scale_denom), "{d:?}");
    assert_eq!(d.image.height(), d.covers.h.div_ceil(d.scale_denom), "{d:?}");
    assert!(d.covers.x + d.covers.w <= d.source_width && d.covers.y + d.covers.h <= d.source_height);
}

/// Largest channel difference between a w×h window of `a` at `a_at` and
/// one of `b` at `b_at`.
pub(super) fn max_difference(
    a: &RgbaImage,
    a_at: (u32, u32),
    b: &RgbaImage,
    b_at: (u32, u32),
    (w, h): (u32, u32),
) -> u8 {
    let ((ax, ay), (bx, by)) = (a_at, b_at);
    let mut worst = 0;
    for y in 0..h {
        for x in 0..w {
            let (p, q) = (a.get_pixel(ax + x, ay + y), b.get_pixel(bx + x, by + y));
            for c in 0..4 {
                worst = worst.max(p[c].abs_diff(q[c]));
            }
        }
    }
    worst
}

pub(super) fn mean_rgb(image: &RgbaImage) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for px in image.pixels() {
        for c in 0..3 {
            sum[c] += f64::from(px[c]);
        }
    }
    let n = f64::from(image.width() * image.height());
    sum.map(|s| s / n)
}

pub(super) fn full_result(bytes: &[u8]) -> Result<Decoded, Error> {
    decode(bytes, &DecodeRequest::default(), &ImageLimits::default())
}
