//! Test images and measurements the filters' tests share.

use image::{Rgba as Px, RgbaImage};

use super::adjust;
use super::noise::SplitMix64;
use crate::render::modifier::{Adjust, Rgba};

pub(super) const RED: Rgba = Rgba {
    r: 255,
    g: 0,
    b: 0,
    a: 255,
};

/// Every pixel distinct: R from x, G from y, B from the index.
pub(super) fn distinct(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        Px([(x * 30 + 5) as u8, (y * 30 + 7) as u8, (y * w + x) as u8, 255])
    })
}

pub(super) fn solid(w: u32, h: u32, px: [u8; 4]) -> RgbaImage {
    RgbaImage::from_pixel(w, h, Px(px))
}

/// Four coloured quadrants with a gradient over them, so colour and
/// brightness both vary.
pub(super) fn quadrants(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        let base: [u8; 3] = match (x < w / 2, y < h / 2) {
            (true, true) => [200, 40, 40],
            (false, true) => [40, 180, 60],
            (true, false) => [50, 60, 190],
            (false, false) => [210, 200, 30],
        };
        let g = ((x + y) * 40 / (w + h)) as u8;
        Px([
            base[0].saturating_add(g),
            base[1].saturating_add(g),
            base[2].saturating_add(g),
            255,
        ])
    })
}

/// Deterministic pseudo-random opaque image.
pub(super) fn noisy(w: u32, h: u32, seed: u64) -> RgbaImage {
    let mut rng = SplitMix64(seed);
    RgbaImage::from_fn(w, h, |_, _| {
        let v = rng.next_u64().to_le_bytes();
        Px([v[0], v[1], v[2], 255])
    })
}

pub(super) fn mean(img: &RgbaImage, c: usize) -> f64 {
    let n = (img.width() * img.height()) as f64;
    img.pixels().map(|p| f64::from(p.0[c])).sum::<f64>() / n
}

pub(super) fn variance(img: &RgbaImage, c: usize) -> f64 {
    let m = mean(img, c);
    let n = (img.width() * img.height()) as f64;
    img.pixels().map(|p| (f64::from(p.0[c]) - m).powi(2)).sum::<f64>() / n
}

pub(super) fn px(img: &RgbaImage, x: u32, y: u32) -> [u8; 4] {
    img.get_pixel(x, y).0
}

pub(super) fn adjusted(img: &RgbaImage, a: Adjust) -> RgbaImage {
    let mut out = img.clone();
    adjust(&mut out, &a, 7);
    assert_eq!(out.dimensions(), img.dimensions());
    out
}
