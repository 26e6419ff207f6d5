//! Sharpening: `op_sharpen`'s 3×3 kernel and `op_usm`'s unsharp mask, both
//! on premultiplied values.

use image::RgbaImage;

use super::blur::blur_premultiplied;
use super::{channel, luma};

/// `op_sharpen`: the basic 3×3 sharpen, Pillow's `SHARPEN` kernel (centre
/// 32, the eight neighbours −2, divisor 16), edges clamped (pixels beyond
/// the border repeat it).
///
/// That kernel equals `v + (v − m)` with `m` the mean of the eight
/// neighbours. Here `m` is taken on premultiplied values (colour = Σ c·a /
/// Σ a over the neighbours) so the hidden colour of transparent pixels does
/// not leak in; for opaque images this is exactly the kernel. Alpha is
/// sharpened as well (Image Serving: "the layer mask … is sharpened as
/// well"): `a + (a − mean of neighbour alphas)`.
pub fn sharpen(img: &mut RgbaImage) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return;
    }
    let stride = w * 4;
    // Original copies of the rows above, at and below the one being written,
    // since writing in place destroys the neighbours of the next row.
    let buf: &mut [u8] = img;
    let mut prev = buf[..stride].to_vec();
    let mut cur = prev.clone();
    let mut next = vec![0u8; stride];
    for y in 0..h {
        let below = (y + 1).min(h - 1);
        next.copy_from_slice(&buf[below * stride..(below + 1) * stride]);
        let row = &mut buf[y * stride..(y + 1) * stride];
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let left = x.saturating_sub(1) * 4;
            let right = (x + 1).min(w - 1) * 4;
            let centre = x * 4;
            // Σ c·a ≤ 8·255·255 and Σ a ≤ 8·255: no overflow in u32.
            let mut sum = [0u32; 3];
            let mut sum_a = 0u32;
            for (line, i) in [
                (&prev, left),
                (&prev, centre),
                (&prev, right),
                (&cur, left),
                (&cur, right),
                (&next, left),
                (&next, centre),
                (&next, right),
            ] {
                let a = u32::from(line[i + 3]);
                for c in 0..3 {
                    sum[c] += u32::from(line[i + c]) * a;
                }
                sum_a += a;
            }
            let v = &cur[centre..centre + 4];
            for c in 0..3 {
                let own = f32::from(v[c]);
                let mean = if sum_a > 0 { sum[c] as f32 / sum_a as f32 } else { own };
                px[c] = channel(2.0 * own - mean);
            }
            px[3] = channel(2.0 * f32::from(v[3]) - sum_a as f32 / 8.0);
        }
        std::mem::swap(&mut prev, &mut cur);
        std::mem::swap(&mut cur, &mut next);
    }
}

/// `op_usm` / `op_usmR`: unsharp mask,
/// `out = v + amount · (v − blur(v))` wherever `|v − blur(v)| > threshold`
/// (the difference on the 0…255 scale), rounded half up and clamped; `blur`
/// is [`gaussian_blur`]'s Gaussian with σ = `radius`.
///
/// The blur is premultiplied, and `blur(v)` for a colour channel is the
/// blurred colour (blurred c·a / blurred a), so transparent neighbours do not
/// darken edges. Alpha is sharpened the same way (Image Serving sharpens the
/// mask too). With `monochrome`, the colour difference is taken on Rec. 601
/// luma (`L(v) − L(blur)`) and the same delta is added to R, G and B.
/// Amount ≤ 0, radius ≤ 0 (or NaN) and threshold 255 (no difference can
/// exceed it) are no-ops.
pub fn unsharp_mask(img: &mut RgbaImage, amount: f32, radius: f32, threshold: u8, monochrome: bool) {
    if amount.is_nan() || amount <= 0.0 || threshold == 255 {
        return;
    }
    let threshold = f32::from(threshold);
    let sharpen_by = |v: f32, blurred: f32| {
        let diff = v - blurred;
        if diff.abs() > threshold {
            amount * diff
        } else {
            0.0
        }
    };
    blur_premultiplied(img, radius, |px, b| {
        let own = [f32::from(px[0]), f32::from(px[1]), f32::from(px[2])];
        // The blurred straight colour; where nothing around is visible there
        // is no colour to compare with, so the pixel is its own reference.
        let blurred = if b[3] >= 0.5 {
            let k = 255.0 / b[3];
            [b[0] * k, b[1] * k, b[2] * k]
        } else {
            own
        };
        if monochrome {
            let delta = sharpen_by(luma(own[0], own[1], own[2]), luma(blurred[0], blurred[1], blurred[2]));
            for c in 0..3 {
                px[c] = channel(own[c] + delta);
            }
        } else {
            for c in 0..3 {
                px[c] = channel(own[c] + sharpen_by(own[c], blurred[c]));
            }
        }
        let a = f32::from(px[3]);
        px[3] = channel(a + sharpen_by(a, b[3]));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::testing::*;
    use image::Rgba as Px;

    fn step(w: u32, h: u32, lo: u8, hi: u8) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, _| {
            let v = if x < w / 2 { lo } else { hi };
            Px([v, v, v, 255])
        })
    }

    #[test]
    fn sharpen_steepens_edges_and_keeps_flat_areas() {
        let flat = solid(5, 4, [60, 120, 180, 200]);
        let mut out = flat.clone();
        sharpen(&mut out);
        assert_eq!(out, flat);

        let src = step(8, 4, 100, 150);
        let mut out = src.clone();
        sharpen(&mut out);
        // (32·100 − 2·(5·100 + 3·150))/16 = 81.25; mirrored on the bright side.
        assert_eq!(px(&out, 3, 1), [81, 81, 81, 255]);
        assert_eq!(px(&out, 4, 1), [169, 169, 169, 255]);
        assert_eq!(px(&out, 0, 1), [100, 100, 100, 255]);
        assert_eq!(px(&out, 7, 1), [150, 150, 150, 255]);

        for (w, h) in [(1, 1), (1, 3), (3, 1), (0, 0)] {
            let mut img = noisy(w, h, 5);
            sharpen(&mut img);
            assert_eq!(img.dimensions(), (w, h));
        }
        let mut one = solid(1, 1, [3, 4, 5, 6]);
        sharpen(&mut one);
        assert_eq!(px(&one, 0, 0), [3, 4, 5, 6]);
    }

    #[test]
    fn sharpen_does_not_darken_next_to_transparency() {
        let src = RgbaImage::from_fn(6, 3, |x, _| {
            if x < 3 {
                Px([200, 100, 50, 255])
            } else {
                Px([0, 0, 0, 0])
            }
        });
        let mut out = src.clone();
        sharpen(&mut out);
        assert_eq!(px(&out, 2, 1), [200, 100, 50, 255]);
        assert_eq!(px(&out, 3, 1)[3], 0);
    }

    #[test]
    fn unsharp_mask_overshoots_edges() {
        let src = step(16, 4, 100, 150);
        let mut out = src.clone();
        unsharp_mask(&mut out, 1.0, 1.0, 0, false);
        assert!(px(&out, 7, 1)[0] < 100);
        assert!(px(&out, 8, 1)[0] > 150);
        // Far from the edge nothing changes.
        assert_eq!(px(&out, 0, 1), [100, 100, 100, 255]);
        assert_eq!(px(&out, 15, 1), [150, 150, 150, 255]);
        // More amount, more overshoot.
        let mut strong = src.clone();
        unsharp_mask(&mut strong, 3.0, 1.0, 0, false);
        assert!(px(&strong, 7, 1)[0] < px(&out, 7, 1)[0]);
        // A threshold above the edge's local difference leaves it alone.
        let mut gated = src.clone();
        unsharp_mask(&mut gated, 1.0, 1.0, 40, false);
        assert_eq!(gated, src);
    }

    #[test]
    fn unsharp_mask_no_ops() {
        let src = quadrants(16, 8);
        for (amount, radius, threshold) in [(0.0, 2.0, 0), (2.0, 0.0, 0), (2.0, 2.0, 255), (f32::NAN, 2.0, 0)] {
            let mut out = src.clone();
            unsharp_mask(&mut out, amount, radius, threshold, false);
            assert_eq!(out, src, "{amount} {radius} {threshold}");
        }
        let mut huge = src.clone();
        unsharp_mask(&mut huge, 5.0, 250.0, 0, true);
        assert_eq!(huge.dimensions(), src.dimensions());
    }

    #[test]
    fn unsharp_mask_monochrome_adds_one_delta_to_all_channels() {
        let src = RgbaImage::from_fn(16, 4, |x, _| {
            if x < 8 {
                Px([90, 100, 110, 255])
            } else {
                Px([140, 150, 160, 255])
            }
        });
        let mut out = src.clone();
        unsharp_mask(&mut out, 1.0, 1.0, 0, true);
        let mut changed = false;
        for (o, s) in out.pixels().zip(src.pixels()) {
            let d: Vec<i32> = (0..3).map(|c| i32::from(o.0[c]) - i32::from(s.0[c])).collect();
            assert!((d[0] - d[1]).abs() <= 1 && (d[1] - d[2]).abs() <= 1, "{d:?}");
            changed |= d[0] != 0;
        }
        assert!(changed);
    }
}
