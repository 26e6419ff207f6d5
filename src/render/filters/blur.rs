//! `op_blur`'s Gaussian blur on premultiplied RGBA, and the blur the
//! unsharp mask compares with: an exact kernel for small σ, three box passes
//! for large σ.

use image::RgbaImage;

use super::{premultiplied, store_premultiplied};

/// Below this σ the kernel is sampled exactly (at most 19 taps); above it,
/// three box passes approximate it in constant time per pixel. Small radii
/// (typical `op_usm` values, 0.3–1.2) need the exact shape, which a box
/// approximation cannot give; large ones need the speed.
const EXACT_SIGMA_LIMIT: f32 = 3.0;

/// Columns the vertical pass handles together: each source row then gives a
/// run of 16 pixels (two cache lines of the intermediate) per visit.
const STRIP: usize = 16;

enum Kernel {
    /// One half of a normalised Gaussian, centre weight first, radius ⌈3σ⌉.
    Exact(Vec<f32>),
    /// Radii of three successive box filters whose combined variance is
    /// close to σ² (Kovesi, "Fast almost-Gaussian filtering", 2010).
    Boxes([usize; 3]),
}

impl Kernel {
    /// `sigma` must be positive and finite.
    fn gaussian(sigma: f32) -> Kernel {
        if sigma < EXACT_SIGMA_LIMIT {
            let r = (3.0 * sigma).ceil().max(1.0) as usize;
            let two_s2 = 2.0 * sigma * sigma;
            // The centre weight is set apart: for a vanishing σ, 0/0 would
            // make it NaN, while every other weight correctly underflows to 0.
            let mut half: Vec<f32> = (0..=r)
                .map(|k| {
                    if k == 0 {
                        1.0
                    } else {
                        (-((k * k) as f32) / two_s2).exp()
                    }
                })
                .collect();
            let total = half[0] + 2.0 * half[1..].iter().sum::<f32>();
            for v in &mut half {
                *v /= total;
            }
            return Kernel::Exact(half);
        }
        // Widths wl and wl + 2 (both odd); the first m passes use wl, chosen
        // so the three variances (w² − 1)/12 add up as close to σ² as
        // integer widths allow.
        let s2 = 12.0 * f64::from(sigma) * f64::from(sigma);
        let ideal = (s2 / 3.0 + 1.0).sqrt();
        let mut wl = ideal.floor() as i64;
        if wl % 2 == 0 {
            wl -= 1;
        }
        let wl = wl.max(1);
        let wu = wl + 2;
        let m = ((s2 - (3 * wl * wl + 12 * wl + 9) as f64) / (-4 * wl - 4) as f64)
            .round()
            .clamp(0.0, 3.0) as usize;
        let mut radii = [0usize; 3];
        for (i, r) in radii.iter_mut().enumerate() {
            let w = if i < m { wl } else { wu };
            *r = ((w - 1) / 2) as usize;
        }
        Kernel::Boxes(radii)
    }

    /// Blurs a line of `src.len()/4` RGBA samples into `dst`, edges clamped;
    /// `tmp` is scratch of the same length.
    fn apply(&self, src: &[f32], dst: &mut [f32], tmp: &mut [f32]) {
        let n = src.len() / 4;
        if n == 0 {
            return;
        }
        match self {
            Kernel::Exact(half) => {
                for (i, out) in dst.chunks_exact_mut(4).enumerate() {
                    let mut acc = [0.0f32; 4];
                    for (k, &wt) in half.iter().enumerate() {
                        let a = i.saturating_sub(k) * 4;
                        let b = (i + k).min(n - 1) * 4;
                        let scale = if k == 0 { 0.5 * wt } else { wt };
                        for c in 0..4 {
                            acc[c] += scale * (src[a + c] + src[b + c]);
                        }
                    }
                    out.copy_from_slice(&acc);
                }
            }
            Kernel::Boxes([r0, r1, r2]) => {
                box_pass(src, dst, *r0);
                box_pass(dst, tmp, *r1);
                box_pass(tmp, dst, *r2);
            }
        }
    }
}

/// One sliding-window box filter of radius `r` (width 2r + 1), edges
/// clamped. Sums are kept in f64 so that long lines do not drift.
fn box_pass(src: &[f32], dst: &mut [f32], r: usize) {
    let n = src.len() / 4;
    if n == 0 {
        return;
    }
    let last = n - 1;
    let norm = 1.0 / (2 * r + 1) as f64;
    let mut sum = [0.0f64; 4];
    // Window for i = 0: r copies of the edge on the left, then 0…r.
    for c in 0..4 {
        sum[c] = r as f64 * f64::from(src[c]);
    }
    for j in 0..=r {
        let s = j.min(last) * 4;
        for c in 0..4 {
            sum[c] += f64::from(src[s + c]);
        }
    }
    for (i, out) in dst.chunks_exact_mut(4).enumerate() {
        for c in 0..4 {
            out[c] = (sum[c] * norm) as f32;
        }
        let add = (i + r + 1).min(last) * 4;
        let sub = i.saturating_sub(r) * 4;
        for c in 0..4 {
            sum[c] += f64::from(src[add + c]) - f64::from(src[sub + c]);
        }
    }
}

/// `op_blur`: Gaussian blur with σ = `radius` pixels, separable, edges
/// clamped, on premultiplied RGBA (so transparent pixels do not bleed black
/// into visible ones); alpha is blurred too. Radius 0 (or negative, or not a
/// number) is a no-op. σ below 3 uses an exact kernel of radius ⌈3σ⌉, larger
/// σ three box passes (Kovesi's widths), which are constant-time per pixel.
pub fn gaussian_blur(img: &mut RgbaImage, radius: f32) {
    blur_premultiplied(img, radius, store_premultiplied);
}

/// Blurs `img`'s premultiplied values with a Gaussian of σ = `sigma` and
/// calls `finish` with each pixel (still the original, written back by
/// `finish`) and its blurred premultiplied value (alpha on the 0…255
/// scale). No-op for σ ≤ 0 or NaN.
///
/// σ is capped at the image's longer side, so a kernel never spans more
/// than about three times the image. Extra memory: the horizontal result as
/// 16-bit premultiplied values (twice the image) plus a few lines.
pub(super) fn blur_premultiplied(img: &mut RgbaImage, sigma: f32, mut finish: impl FnMut(&mut [u8], [f32; 4])) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 || sigma.is_nan() || sigma <= 0.0 {
        return;
    }
    let kernel = Kernel::gaussian(sigma.min(w.max(h) as f32));
    let stride = w * 4;

    // Horizontal pass, row by row, into 16-bit premultiplied storage
    // (value · 257 maps 0…255 onto 0…65 535, so 8-bit data is exact).
    let mut mid = vec![0u16; w * h * 4];
    let mut line = vec![0.0f32; stride];
    let mut blurred = vec![0.0f32; stride];
    let mut tmp = vec![0.0f32; stride];
    for (row, mid_row) in img.chunks_exact(stride).zip(mid.chunks_exact_mut(stride)) {
        for (px, s) in row.chunks_exact(4).zip(line.chunks_exact_mut(4)) {
            s.copy_from_slice(&premultiplied(px));
        }
        kernel.apply(&line, &mut blurred, &mut tmp);
        for (v, m) in blurred.iter().zip(mid_row.iter_mut()) {
            *m = (v * 257.0 + 0.5).clamp(0.0, 65535.0) as u16;
        }
    }

    // Vertical pass, STRIP columns at a time: gather them as contiguous
    // columns, blur each, hand the results to `finish` row by row.
    let col_len = h * 4;
    let mut cols = vec![0.0f32; STRIP * col_len];
    let mut out = vec![0.0f32; STRIP * col_len];
    let mut tmp = vec![0.0f32; col_len];
    let buf: &mut [u8] = img;
    for x0 in (0..w).step_by(STRIP) {
        let n = STRIP.min(w - x0);
        for y in 0..h {
            let src = &mid[y * stride + x0 * 4..y * stride + (x0 + n) * 4];
            for (j, px) in src.chunks_exact(4).enumerate() {
                let d = j * col_len + y * 4;
                for c in 0..4 {
                    cols[d + c] = f32::from(px[c]) / 257.0;
                }
            }
        }
        for j in 0..n {
            let span = j * col_len..(j + 1) * col_len;
            kernel.apply(&cols[span.clone()], &mut out[span], &mut tmp);
        }
        for y in 0..h {
            let row = &mut buf[y * stride + x0 * 4..y * stride + (x0 + n) * 4];
            for (j, px) in row.chunks_exact_mut(4).enumerate() {
                let d = j * col_len + y * 4;
                finish(px, [out[d], out[d + 1], out[d + 2], out[d + 3]]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::testing::*;
    use crate::render::modifier::Adjust;
    use image::Rgba as Px;

    #[test]
    fn blur_keeps_flat_images_flat_and_smooths_noise() {
        for radius in [0.5, 2.0, 20.0, 100.0, 1e9] {
            let flat = solid(9, 5, [120, 30, 250, 255]);
            let out = adjusted(
                &flat,
                Adjust {
                    blur: radius,
                    ..Adjust::default()
                },
            );
            assert_eq!(out, flat, "radius {radius}");
        }
        let src = noisy(48, 40, 1);
        for radius in [0.7, 2.0, 6.0] {
            let out = adjusted(
                &src,
                Adjust {
                    blur: radius,
                    ..Adjust::default()
                },
            );
            for c in 0..3 {
                assert!(variance(&out, c) < variance(&src, c) / 2.0, "radius {radius}");
                assert!((mean(&out, c) - mean(&src, c)).abs() < 4.0);
            }
        }
        let none = adjusted(
            &src,
            Adjust {
                blur: 0.0,
                ..Adjust::default()
            },
        );
        assert_eq!(none, src);
        // Degenerate sizes do not panic.
        for (w, h) in [(1, 1), (1, 7), (7, 1), (0, 3)] {
            let mut img = noisy(w, h, 3);
            gaussian_blur(&mut img, 50.0);
            assert_eq!(img.dimensions(), (w, h));
        }
        let mut nan = noisy(4, 4, 3);
        gaussian_blur(&mut nan, f32::NAN);
        assert_eq!(nan, noisy(4, 4, 3));
    }

    #[test]
    fn blur_does_not_darken_next_to_transparency() {
        let src = RgbaImage::from_fn(20, 6, |x, _| {
            if x < 10 {
                Px([200, 100, 50, 255])
            } else {
                Px([0, 0, 0, 0])
            }
        });
        for radius in [1.0, 5.0] {
            let out = adjusted(
                &src,
                Adjust {
                    blur: radius,
                    ..Adjust::default()
                },
            );
            let edge = px(&out, 9, 3);
            assert!(edge[3] < 255 && edge[3] > 64, "{edge:?}");
            for p in out.pixels().filter(|p| p.0[3] >= 8) {
                let [r, g, b, _] = p.0;
                assert!(
                    r.abs_diff(200) <= 2 && g.abs_diff(100) <= 2 && b.abs_diff(50) <= 2,
                    "{:?}",
                    p.0
                );
            }
        }
    }
}
