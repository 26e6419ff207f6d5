//! Rotation by any angle (exact pixel permutations for quarter turns,
//! bilinear on premultiplied values otherwise) and flips.

use image::RgbaImage;

use super::{premultiplied, store_premultiplied};
use crate::render::modifier::{Flip, Rgba};

/// A rotation, normalised: whole quarter turns are kept apart because they
/// are exact pixel permutations.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Turn {
    /// Clockwise quarter turns, 0…3.
    Quarter(u8),
    /// Any other angle.
    Free { sin: f64, cos: f64 },
}

fn turn(degrees: f64) -> Turn {
    // A non-finite angle has no meaning; treating it as no rotation keeps
    // the function total (the parser refuses such values anyway).
    if !degrees.is_finite() {
        return Turn::Quarter(0);
    }
    let mut d = degrees.rem_euclid(360.0);
    // `rem_euclid` may round a tiny negative angle up to exactly 360.
    if d >= 360.0 {
        d = 0.0;
    }
    if d % 90.0 == 0.0 {
        // d is one of 0, 90, 180, 270 exactly.
        return Turn::Quarter((d / 90.0) as u8);
    }
    let r = d.to_radians();
    Turn::Free {
        sin: r.sin(),
        cos: r.cos(),
    }
}

/// One side of a free rotation's bounding box: round half up, at least 1.
fn box_side(v: f64) -> u32 {
    // `as` saturates, so an absurd size becomes u32::MAX for the planner to
    // refuse rather than wrapping.
    ((v + 0.5).floor() as u32).max(1)
}

fn free_size(width: u32, height: u32, sin: f64, cos: f64) -> (u32, u32) {
    let (w, h) = (f64::from(width), f64::from(height));
    let (s, c) = (sin.abs(), cos.abs());
    (box_side(w * c + h * s), box_side(w * s + h * c))
}

/// Size of the box [`rotate`] returns for a `width`×`height` image turned
/// `degrees` clockwise.
///
/// The angle is taken modulo 360. Multiples of 90° swap (or keep) the sides
/// exactly; any other angle gives `round_half_up(w·|cos θ| + h·|sin θ|)` ×
/// `round_half_up(w·|sin θ| + h·|cos θ|)`, each at least 1. Exists so the
/// planner can check limits before any pixel is allocated.
pub fn rotated_size(width: u32, height: u32, degrees: f64) -> (u32, u32) {
    match turn(degrees) {
        Turn::Quarter(q) if q % 2 == 0 => (width, height),
        Turn::Quarter(_) => (height, width),
        Turn::Free { sin, cos } => free_size(width, height, sin, cos),
    }
}

/// Rotates `img` clockwise by `degrees` (Image Serving's sign convention).
///
/// Multiples of 90° are exact pixel permutations: 90° maps the bottom-left
/// pixel to the top-left (`out(x, y) = src(y, h−1−x)`), 270° (or −90°) maps
/// the top-right pixel there (`out(x, y) = src(w−1−y, x)`).
///
/// Any other angle turns the image about its centre into the
/// [`rotated_size`] box, centre on centre. Each output pixel centre is mapped
/// back into the source and sampled bilinearly on premultiplied values;
/// taps that fall outside the source take `fill` instead, so the edges are
/// anti-aliased (a pixel half over the source gets half its alpha from the
/// source and half from `fill`) and areas the source does not cover are
/// exactly `fill`. Transparency inside the source is kept, not filled.
pub fn rotate(img: &RgbaImage, degrees: f64, fill: Rgba) -> RgbaImage {
    match turn(degrees) {
        Turn::Quarter(0) => img.clone(),
        Turn::Quarter(1) => rotate_quarter(img, true),
        Turn::Quarter(2) => {
            let mut out = img.clone();
            flip(&mut out, Flip::LrUd);
            out
        }
        Turn::Quarter(_) => rotate_quarter(img, false),
        Turn::Free { sin, cos } => rotate_free(img, sin, cos, fill),
    }
}

/// Side of the square tiles the quarter turn copies through: 64×64 RGBA
/// pixels are 16 KiB in each image, so both stay in cache while the source
/// is walked down its columns.
const TILE: usize = 64;

fn rotate_quarter(img: &RgbaImage, clockwise: bool) -> RgbaImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = RgbaImage::new(img.height(), img.width());
    let src: &[u8] = img.as_raw();
    let dst: &mut [u8] = &mut out;
    let (ow, oh) = (h, w);
    for ty in (0..oh).step_by(TILE) {
        for tx in (0..ow).step_by(TILE) {
            for oy in ty..(ty + TILE).min(oh) {
                let row = &mut dst[oy * ow * 4..(oy + 1) * ow * 4];
                for ox in tx..(tx + TILE).min(ow) {
                    // ox < h and oy < w, so neither subtraction underflows.
                    let (sx, sy) = if clockwise { (oy, h - 1 - ox) } else { (w - 1 - oy, ox) };
                    let s = (sy * w + sx) * 4;
                    row[ox * 4..ox * 4 + 4].copy_from_slice(&src[s..s + 4]);
                }
            }
        }
    }
    out
}

fn rotate_free(img: &RgbaImage, sin: f64, cos: f64, fill: Rgba) -> RgbaImage {
    let (w, h) = img.dimensions();
    let (ow, oh) = free_size(w, h, sin, cos);
    let mut out = RgbaImage::new(ow, oh);
    let src: &[u8] = img.as_raw();
    let fill_px = [fill.r, fill.g, fill.b, fill.a];
    let fill_p = premultiplied(&fill_px);
    let (sw, sh) = (f64::from(w), f64::from(h));
    let (ocx, ocy) = (f64::from(ow) / 2.0, f64::from(oh) / 2.0);
    let (wi, hi) = (i64::from(w), i64::from(h));
    let stride = w as usize * 4;
    for (oy, row) in out.chunks_exact_mut(ow as usize * 4).enumerate() {
        let dy = oy as f64 + 0.5 - ocy;
        for (ox, px) in row.chunks_exact_mut(4).enumerate() {
            let dx = ox as f64 + 0.5 - ocx;
            // Inverse of the clockwise turn (y points down), from centred
            // output coordinates to source pixel-index coordinates (pixel i
            // has its centre at i).
            let sx = dx * cos + dy * sin + sw / 2.0 - 0.5;
            let sy = -dx * sin + dy * cos + sh / 2.0 - 0.5;
            if sx <= -1.0 || sy <= -1.0 || sx >= sw || sy >= sh {
                px.copy_from_slice(&fill_px);
                continue;
            }
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
            // In (−1, w) and (−1, h) by the test above, so the casts are exact.
            let (x0, y0) = (x0 as i64, y0 as i64);
            let mut acc = [0.0f32; 4];
            let mut covered = 0.0f32;
            for (tx, ty, wt) in [
                (x0, y0, (1.0 - fx) * (1.0 - fy)),
                (x0 + 1, y0, fx * (1.0 - fy)),
                (x0, y0 + 1, (1.0 - fx) * fy),
                (x0 + 1, y0 + 1, fx * fy),
            ] {
                if tx < 0 || ty < 0 || tx >= wi || ty >= hi || wt == 0.0 {
                    continue;
                }
                let i = ty as usize * stride + tx as usize * 4;
                let p = premultiplied(&src[i..i + 4]);
                for c in 0..4 {
                    acc[c] += wt * p[c];
                }
                covered += wt;
            }
            let uncovered = (1.0 - covered).max(0.0);
            for c in 0..4 {
                acc[c] += uncovered * fill_p[c];
            }
            store_premultiplied(px, acc);
        }
    }
    out
}

/// Mirrors `img` in place: `Lr` gives `out(x, y) = src(w−1−x, y)`, `Ud`
/// gives `out(x, y) = src(x, h−1−y)`, `LrUd` both (a half turn).
pub fn flip(img: &mut RgbaImage, flip: Flip) {
    let stride = img.width() as usize * 4;
    if stride == 0 {
        return;
    }
    let buf: &mut [u8] = img;
    match flip {
        Flip::Lr => {
            for row in buf.chunks_exact_mut(stride) {
                reverse_pixels(row);
            }
        }
        Flip::Ud => {
            let rows = buf.len() / stride;
            for y in 0..rows / 2 {
                let (top, bottom) = buf.split_at_mut((rows - 1 - y) * stride);
                top[y * stride..(y + 1) * stride].swap_with_slice(&mut bottom[..stride]);
            }
        }
        Flip::LrUd => reverse_pixels(buf),
    }
}

/// Reverses the order of the 4-byte pixels in `buf`: reversing the bytes
/// also reverses each pixel's channels, which the second pass undoes.
fn reverse_pixels(buf: &mut [u8]) {
    buf.reverse();
    for px in buf.chunks_exact_mut(4) {
        px.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::testing::*;

    // --- rotated_size / rotate ---

    #[test]
    fn rotated_size_matches_g12_g13() {
        assert_eq!(rotated_size(1000, 500, 30.0), (1116, 933));
        assert_eq!(rotated_size(1000, 500, 45.0), (1061, 1061));
        // Direction does not change the box.
        assert_eq!(rotated_size(1000, 500, -30.0), (1116, 933));
        assert_eq!(rotated_size(1000, 500, 330.0), (1116, 933));
    }

    #[test]
    fn rotated_size_swaps_exactly_for_quarter_turns() {
        for d in [90.0, -90.0, 270.0, 450.0, -270.0] {
            assert_eq!(rotated_size(1000, 500, d), (500, 1000), "{d}");
        }
        for d in [0.0, 180.0, -180.0, 360.0, 720.0, 3_600_000_000.0, -0.0] {
            assert_eq!(rotated_size(1000, 500, d), (1000, 500), "{d}");
        }
        assert_eq!(rotated_size(7, 3, f64::NAN), (7, 3));
    }

    #[test]
    fn rotated_size_of_tiny_images_is_at_least_one() {
        assert_eq!(rotated_size(1, 1, 45.0), (1, 1));
        assert_eq!(rotated_size(0, 0, 30.0), (1, 1));
        let (w, h) = rotated_size(1, 1, 30.0);
        assert!(w >= 1 && h >= 1);
        assert_eq!(rotated_size(u32::MAX, u32::MAX, 45.0), (u32::MAX, u32::MAX));
    }

    #[test]
    fn rotate_90_maps_bottom_left_to_top_left_g9() {
        let src = distinct(4, 2);
        let out = rotate(&src, 90.0, Rgba::TRANSPARENT);
        assert_eq!(out.dimensions(), (2, 4));
        assert_eq!(px(&out, 0, 0), px(&src, 0, 1));
        for y in 0..4 {
            for x in 0..2 {
                assert_eq!(px(&out, x, y), px(&src, y, 1 - x));
            }
        }
    }

    #[test]
    fn rotate_minus_90_maps_top_right_to_top_left_g10() {
        let src = distinct(4, 2);
        for d in [-90.0, 270.0] {
            let out = rotate(&src, d, Rgba::TRANSPARENT);
            assert_eq!(out.dimensions(), (2, 4));
            assert_eq!(px(&out, 0, 0), px(&src, 3, 0));
            for y in 0..4 {
                for x in 0..2 {
                    assert_eq!(px(&out, x, y), px(&src, 3 - y, x));
                }
            }
        }
    }

    #[test]
    fn quarter_turns_on_images_larger_than_a_tile() {
        let src = distinct(150, 70);
        let cw = rotate(&src, 90.0, Rgba::TRANSPARENT);
        assert_eq!(cw.dimensions(), (70, 150));
        assert_eq!(px(&cw, 69, 149), px(&src, 149, 0));
        assert_eq!(px(&cw, 10, 100), px(&src, 100, 59));
        let ccw = rotate(&cw, -90.0, Rgba::TRANSPARENT);
        assert_eq!(ccw, src);
    }

    #[test]
    fn rotate_180_is_flip_lrud_and_four_quarters_are_identity() {
        let src = distinct(4, 2);
        let mut flipped = src.clone();
        flip(&mut flipped, Flip::LrUd);
        assert_eq!(rotate(&src, 180.0, Rgba::TRANSPARENT), flipped);
        assert_eq!(rotate(&src, -180.0, Rgba::TRANSPARENT), flipped);
        let mut img = src.clone();
        for _ in 0..4 {
            img = rotate(&img, 90.0, Rgba::TRANSPARENT);
        }
        assert_eq!(img, src);
        assert_eq!(rotate(&src, 3_600_000_000.0, RED), src);
    }

    #[test]
    fn rotate_45_has_transparent_corners_and_opaque_centre_g13() {
        let src = solid(20, 10, [200, 100, 50, 255]);
        let out = rotate(&src, 45.0, Rgba::TRANSPARENT);
        assert_eq!(out.dimensions(), rotated_size(20, 10, 45.0));
        let (w, h) = out.dimensions();
        for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
            assert_eq!(px(&out, x, y)[3], 0, "corner {x},{y}");
        }
        assert_eq!(px(&out, w / 2, h / 2), [200, 100, 50, 255]);
        // Anti-aliased edges: partial coverage, but the colour is not
        // darkened by the transparent surroundings.
        let mut partial = 0;
        for p in out.pixels() {
            let [r, g, b, a] = p.0;
            if a > 0 {
                assert!(
                    r.abs_diff(200) <= 1 && g.abs_diff(100) <= 1 && b.abs_diff(50) <= 1,
                    "{:?}",
                    p.0
                );
            }
            if a > 0 && a < 255 {
                partial += 1;
            }
        }
        assert!(partial > 0);
    }

    #[test]
    fn rotate_fills_corners_with_the_given_colour() {
        let src = solid(20, 10, [0, 0, 255, 255]);
        let out = rotate(&src, 30.0, RED);
        assert_eq!(out.dimensions(), rotated_size(20, 10, 30.0));
        assert_eq!(px(&out, 0, 0), [255, 0, 0, 255]);
        let (w, h) = out.dimensions();
        assert_eq!(px(&out, w - 1, h - 1), [255, 0, 0, 255]);
        assert_eq!(px(&out, w / 2, h / 2), [0, 0, 255, 255]);
        // Everything stays opaque: the fill covers what the source does not.
        assert!(out.pixels().all(|p| p.0[3] == 255));
    }

    #[test]
    fn rotate_free_sizes_agree_and_tiny_images_survive() {
        for (w, h, d) in [
            (1, 1, 45.0),
            (1, 1, 30.0),
            (2, 1, 10.0),
            (37, 5, 123.4),
            (5, 37, -7.0),
            (0, 0, 45.0),
        ] {
            let out = rotate(&RgbaImage::new(w, h), d, Rgba::TRANSPARENT);
            assert_eq!(out.dimensions(), rotated_size(w, h, d), "{w}x{h} at {d}");
        }
        let one = rotate(&solid(1, 1, [9, 8, 7, 255]), 45.0, Rgba::TRANSPARENT);
        assert_eq!(px(&one, 0, 0), [9, 8, 7, 255]);
        let nan = rotate(&distinct(3, 2), f64::INFINITY, RED);
        assert_eq!(nan, distinct(3, 2));
    }

    // --- flip ---

    #[test]
    fn flips_map_pixels_and_undo_themselves() {
        let src = distinct(4, 3);
        let mut lr = src.clone();
        flip(&mut lr, Flip::Lr);
        let mut ud = src.clone();
        flip(&mut ud, Flip::Ud);
        let mut both = src.clone();
        flip(&mut both, Flip::LrUd);
        for y in 0..3 {
            for x in 0..4 {
                assert_eq!(px(&lr, x, y), px(&src, 3 - x, y));
                assert_eq!(px(&ud, x, y), px(&src, x, 2 - y));
                assert_eq!(px(&both, x, y), px(&src, 3 - x, 2 - y));
            }
        }
        for f in [Flip::Lr, Flip::Ud, Flip::LrUd] {
            let mut img = src.clone();
            flip(&mut img, f);
            flip(&mut img, f);
            assert_eq!(img, src);
        }
        let mut empty = RgbaImage::new(0, 5);
        flip(&mut empty, Flip::Ud);
        let mut one = solid(1, 1, [1, 2, 3, 4]);
        flip(&mut one, Flip::LrUd);
        assert_eq!(px(&one, 0, 0), [1, 2, 3, 4]);
    }
}
