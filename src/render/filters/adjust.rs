//! The composite's per-pixel operations: `op_brightness`, `op_contrast`,
//! `op_colorbalance`, `op_hue`, `op_saturation`, `op_colorize`, `op_invert`
//! (with blur and noise in their fixed order), and `opac`.

use image::RgbaImage;

use super::blur::gaussian_blur;
use super::noise::add_noise;
use super::{channel, luma, luma8};
use crate::render::modifier::{Adjust, Colorize};

/// The composite-level `op_*` operations, in the fixed order of A10:
/// brightness → contrast → color_balance → hue → saturation → colorize →
/// invert → blur → noise. Steps whose parameter is neutral are skipped, so
/// an identity `Adjust` leaves the bytes untouched. Only blur changes alpha.
/// Parameters outside their documented ranges are clamped into them.
///
/// Formulas (v is a colour channel, 0…255; every step rounds half up and
/// clamps to 0…255):
/// - brightness (−100…100): `v + adj/100 · 255`;
/// - contrast (−100…100): `128 + (v − 128) · (100 + adj)/100`;
/// - color_balance (each −100…100): channel `c` gets `v + adj[c]/100 · 255`;
/// - hue (degrees): HSV hue rotation; value (max channel) and chroma
///   (max − min) are kept, so greys are unaffected and 0 is the identity;
/// - saturation (−100…100): with `L = 0.299 R + 0.587 G + 0.114 B`,
///   `L + (v − L) · (100 + adj)/100`; −100 gives R = G = B = round(L);
/// - colorize: luma mapped onto a black → tint → white ramp (the private
///   `colorize` below documents it exactly);
/// - invert: `255 − v`;
/// - blur (radius): Gaussian with σ = radius on premultiplied RGBA, see
///   [`gaussian_blur`];
/// - noise: see [`add_noise`]; `seed` makes it reproducible.
pub fn adjust(img: &mut RgbaImage, adjust: &Adjust, seed: u64) {
    tone_curves(img, adjust.brightness, adjust.contrast, adjust.color_balance);
    if adjust.hue % 360 != 0 {
        rotate_hue(img, adjust.hue);
    }
    if adjust.saturation != 0 {
        saturate(img, adjust.saturation);
    }
    if let Some(c) = &adjust.colorize {
        colorize(img, c);
    }
    if adjust.invert {
        for px in img.chunks_exact_mut(4) {
            for v in &mut px[..3] {
                *v = 255 - *v;
            }
        }
    }
    gaussian_blur(img, adjust.blur);
    if let Some(n) = &adjust.noise {
        add_noise(img, n, seed);
    }
}

/// Brightness, contrast and colour balance are per-channel curves applied
/// one after the other, each rounding to 8 bits; composing them into one
/// lookup table per channel gives exactly the same bytes in one pass.
fn tone_curves(img: &mut RgbaImage, brightness: i32, contrast: i32, balance: [i32; 3]) {
    if brightness == 0 && contrast == 0 && balance == [0; 3] {
        return;
    }
    let offset = |adj: i32| adj.clamp(-100, 100) as f32 / 100.0 * 255.0;
    let bright = offset(brightness);
    let gain = (100 + contrast.clamp(-100, 100)) as f32 / 100.0;
    let mut lut = [[0u8; 256]; 3];
    for (c, table) in lut.iter_mut().enumerate() {
        let shift = offset(balance[c]);
        for (v, out) in table.iter_mut().enumerate() {
            let mut x = v as f32;
            if brightness != 0 {
                x = f32::from(channel(x + bright));
            }
            if contrast != 0 {
                x = f32::from(channel(128.0 + (x - 128.0) * gain));
            }
            if balance[c] != 0 {
                x = f32::from(channel(x + shift));
            }
            *out = channel(x);
        }
    }
    for px in img.chunks_exact_mut(4) {
        for c in 0..3 {
            px[c] = lut[c][usize::from(px[c])];
        }
    }
}

/// HSV hue rotation by `degrees` (positive = towards higher hue: red →
/// yellow → green). Max, min and hence value and chroma are preserved; the
/// middle channel is recomputed.
fn rotate_hue(img: &mut RgbaImage, degrees: i32) {
    let shift = (degrees as f32 / 60.0).rem_euclid(6.0);
    for px in img.chunks_exact_mut(4) {
        let (r, g, b) = (f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let chroma = max - min;
        if chroma == 0.0 {
            continue;
        }
        let h = if max == r {
            ((g - b) / chroma).rem_euclid(6.0)
        } else if max == g {
            (b - r) / chroma + 2.0
        } else {
            (r - g) / chroma + 4.0
        };
        let h = (h + shift).rem_euclid(6.0);
        let x = chroma * (1.0 - (h % 2.0 - 1.0).abs());
        // `rem_euclid` can round up to exactly 6.0; sector 6 is sector 0
        // (x is 0 there either way), so the last arm covers it.
        let (r1, g1, b1) = match h as u32 {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        px[0] = channel(r1 + min);
        px[1] = channel(g1 + min);
        px[2] = channel(b1 + min);
    }
}

fn saturate(img: &mut RgbaImage, adj: i32) {
    let k = (100 + adj.clamp(-100, 100)) as f32 / 100.0;
    for px in img.chunks_exact_mut(4) {
        let l = luma(f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
        for v in &mut px[..3] {
            *v = channel(l + (f32::from(*v) - l) * k);
        }
    }
}

/// `op_colorize`: replaces each pixel's colour by a tint of its brightness;
/// alpha is kept, the tint's alpha ignored, the result is RGB.
///
/// 1. `L` = rounded Rec. 601 luma (0…255).
/// 2. With `normalize`: `L += 128 − median`, where the median is the lower
///    median of `L` over the visible pixels (alpha > 0; all pixels if none
///    is visible), clamped to 0…255; then
///    `L = 128 + (L − 128) · (100 + contrast)/100` with contrast clamped to
///    0…100, rounded and clamped. Without `normalize`, contrast is ignored.
/// 3. Tint with colour `T`, black → `T` → white:
///    `L ≤ 128`: `T · L/128`; `L > 128`: `T + (255 − T) · (L − 128)/127`.
///    So luma 0 is black, 128 (the median, with `normalize`) is exactly `T`,
///    255 is white, and every output lies on that path: for a pure red tint,
///    G = B always, and G = B = 0 whenever L ≤ 128.
fn colorize(img: &mut RgbaImage, c: &Colorize) {
    let (median, gain) = if c.normalize {
        let contrast = if c.contrast.is_finite() {
            c.contrast.clamp(0.0, 100.0)
        } else {
            0.0
        };
        (i32::from(median_luma(img)), (100.0 + contrast) / 100.0)
    } else {
        (128, 1.0)
    };
    let tint = [f32::from(c.color.r), f32::from(c.color.g), f32::from(c.color.b)];
    let mut lut = [[0u8; 3]; 256];
    for (l, out) in lut.iter_mut().enumerate() {
        let mut x = l as f32;
        if c.normalize {
            let shifted = (l as i32 + 128 - median).clamp(0, 255) as f32;
            x = f32::from(channel(128.0 + (shifted - 128.0) * gain));
        }
        for (o, t) in out.iter_mut().zip(tint) {
            *o = if x <= 128.0 {
                channel(t * x / 128.0)
            } else {
                channel(t + (255.0 - t) * (x - 128.0) / 127.0)
            };
        }
    }
    for px in img.chunks_exact_mut(4) {
        let tinted = lut[usize::from(luma8(px))];
        px[..3].copy_from_slice(&tinted);
    }
}

/// Lower median of the rounded luma over visible pixels (all pixels when
/// none is visible; 128 for an empty image), from a histogram.
fn median_luma(img: &RgbaImage) -> u8 {
    let mut visible = [0u64; 256];
    let mut all = [0u64; 256];
    for px in img.chunks_exact(4) {
        let l = usize::from(luma8(px));
        all[l] += 1;
        if px[3] > 0 {
            visible[l] += 1;
        }
    }
    let hist = if visible.iter().any(|&n| n > 0) { &visible } else { &all };
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let half = total.div_ceil(2);
    let mut seen = 0;
    for (l, &n) in hist.iter().enumerate() {
        seen += n;
        if seen >= half {
            return l as u8;
        }
    }
    128
}

/// `opac=`: alpha ·= `percent`/100, rounded half up (values above 100 act
/// as 100).
pub fn opacity(img: &mut RgbaImage, percent: u8) {
    let p = u32::from(percent.min(100));
    if p == 100 {
        return;
    }
    for px in img.chunks_exact_mut(4) {
        // At most (255·100 + 50)/100 = 255.
        px[3] = ((u32::from(px[3]) * p + 50) / 100) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::testing::*;
    use crate::render::modifier::Rgba;
    use image::Rgba as Px;

    #[test]
    fn identity_adjust_leaves_bytes_alone() {
        let src = quadrants(16, 8);
        assert_eq!(adjusted(&src, Adjust::default()), src);
        let hue0 = Adjust {
            hue: 0,
            ..Adjust::default()
        };
        assert_eq!(adjusted(&src, hue0), src);
        let hue360 = Adjust {
            hue: 360,
            ..Adjust::default()
        };
        assert_eq!(adjusted(&src, hue360), src);
    }

    #[test]
    fn brightness_moves_the_mean() {
        let src = quadrants(16, 8);
        let up = adjusted(
            &src,
            Adjust {
                brightness: 20,
                ..Adjust::default()
            },
        );
        let down = adjusted(
            &src,
            Adjust {
                brightness: -20,
                ..Adjust::default()
            },
        );
        for c in 0..3 {
            assert!(mean(&up, c) > mean(&src, c) + 20.0);
            assert!(mean(&down, c) < mean(&src, c) - 20.0);
        }
        // v + 20/100·255 = v + 51.
        assert_eq!(px(&up, 0, 0)[1], px(&src, 0, 0)[1] + 51);
        let full = adjusted(
            &src,
            Adjust {
                brightness: 100,
                ..Adjust::default()
            },
        );
        assert!(full.pixels().all(|p| p.0[..3] == [255, 255, 255]));
        assert!(full.pixels().all(|p| p.0[3] == 255));
    }

    #[test]
    fn contrast_widens_and_narrows_the_spread() {
        let src = quadrants(16, 8);
        let more = adjusted(
            &src,
            Adjust {
                contrast: 30,
                ..Adjust::default()
            },
        );
        let less = adjusted(
            &src,
            Adjust {
                contrast: -50,
                ..Adjust::default()
            },
        );
        for c in 0..3 {
            assert!(variance(&more, c) > variance(&src, c));
            assert!(variance(&less, c) < variance(&src, c));
        }
        let flat = adjusted(
            &src,
            Adjust {
                contrast: -100,
                ..Adjust::default()
            },
        );
        assert!(flat.pixels().all(|p| p.0[..3] == [128, 128, 128]));
    }

    #[test]
    fn color_balance_shifts_each_channel() {
        let src = solid(2, 2, [100, 100, 100, 255]);
        let out = adjusted(
            &src,
            Adjust {
                color_balance: [100, 0, -20],
                ..Adjust::default()
            },
        );
        assert_eq!(px(&out, 0, 0), [255, 100, 49, 255]);
    }

    #[test]
    fn saturation_minus_100_makes_grey() {
        let src = quadrants(16, 8);
        let grey = adjusted(
            &src,
            Adjust {
                saturation: -100,
                ..Adjust::default()
            },
        );
        assert!(grey.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        // More saturation pushes channels apart.
        let vivid = adjusted(
            &src,
            Adjust {
                saturation: 50,
                ..Adjust::default()
            },
        );
        let spread = |img: &RgbaImage| {
            img.pixels()
                .map(|p| {
                    i32::from(*p.0[..3].iter().max().unwrap_or(&0)) - i32::from(*p.0[..3].iter().min().unwrap_or(&0))
                })
                .sum::<i32>()
        };
        assert!(spread(&vivid) > spread(&src));
    }

    #[test]
    fn hue_rotation_turns_and_returns() {
        let src = quadrants(16, 8);
        let once = adjusted(
            &src,
            Adjust {
                hue: 180,
                ..Adjust::default()
            },
        );
        assert_ne!(once, src);
        let twice = adjusted(
            &once,
            Adjust {
                hue: 180,
                ..Adjust::default()
            },
        );
        for (a, b) in twice.pixels().zip(src.pixels()) {
            for c in 0..4 {
                assert!(a.0[c].abs_diff(b.0[c]) <= 2, "{:?} vs {:?}", a.0, b.0);
            }
        }
        // Pure red turned by 120° is pure green; greys do not move.
        let red = solid(1, 1, [255, 0, 0, 255]);
        assert_eq!(
            px(
                &adjusted(
                    &red,
                    Adjust {
                        hue: 120,
                        ..Adjust::default()
                    }
                ),
                0,
                0
            ),
            [0, 255, 0, 255]
        );
        assert_eq!(
            px(
                &adjusted(
                    &red,
                    Adjust {
                        hue: -120,
                        ..Adjust::default()
                    }
                ),
                0,
                0
            ),
            [0, 0, 255, 255]
        );
        let grey = solid(1, 1, [90, 90, 90, 200]);
        assert_eq!(
            adjusted(
                &grey,
                Adjust {
                    hue: 77,
                    ..Adjust::default()
                }
            ),
            grey
        );
    }

    #[test]
    fn invert_twice_is_identity_and_keeps_alpha() {
        let src = RgbaImage::from_fn(4, 4, |x, y| Px([(x * 60) as u8, (y * 60) as u8, 7, (x * 20 + y) as u8]));
        let once = adjusted(
            &src,
            Adjust {
                invert: true,
                ..Adjust::default()
            },
        );
        assert_eq!(px(&once, 1, 2), [195, 135, 248, 22]);
        assert_eq!(
            adjusted(
                &once,
                Adjust {
                    invert: true,
                    ..Adjust::default()
                }
            ),
            src
        );
    }

    #[test]
    fn colorize_maps_luma_onto_the_tint_path() {
        let gradient = RgbaImage::from_fn(256, 1, |x, _| Px([x as u8, x as u8, x as u8, 255]));
        let tint = Colorize {
            color: RED,
            normalize: false,
            contrast: 0.0,
        };
        let out = adjusted(
            &gradient,
            Adjust {
                colorize: Some(tint),
                ..Adjust::default()
            },
        );
        let mut last = [0u8; 3];
        for (x, p) in out.pixels().enumerate() {
            let [r, g, b, a] = p.0;
            assert_eq!(a, 255);
            assert_eq!(g, b, "x={x}");
            if x <= 128 {
                assert_eq!(g, 0, "x={x}");
                assert_eq!(u32::from(r), (255 * x as u32 + 64) / 128, "x={x}");
            }
            assert!(r >= last[0] && g >= last[1], "monotone at {x}");
            last = [r, g, b];
        }
        assert_eq!(px(&out, 0, 0), [0, 0, 0, 255]);
        assert_eq!(px(&out, 128, 0), [255, 0, 0, 255]);
        assert_eq!(px(&out, 255, 0), [255, 255, 255, 255]);
    }

    #[test]
    fn colorize_norm_puts_the_median_on_the_tint() {
        // A dark image: luma 10…50, median 30.
        let dark = RgbaImage::from_fn(41, 1, |x, _| Px([(x + 10) as u8, (x + 10) as u8, (x + 10) as u8, 255]));
        let colour = Rgba {
            r: 160,
            g: 176,
            b: 192,
            a: 255,
        };
        let norm = Colorize {
            color: colour,
            normalize: true,
            contrast: 0.0,
        };
        let out = adjusted(
            &dark,
            Adjust {
                colorize: Some(norm),
                ..Adjust::default()
            },
        );
        assert_eq!(px(&out, 20, 0), [160, 176, 192, 255]);
        // Contrast spreads the result further around the median.
        let punchy = adjusted(
            &dark,
            Adjust {
                colorize: Some(Colorize { contrast: 50.0, ..norm }),
                ..Adjust::default()
            },
        );
        assert_eq!(px(&punchy, 20, 0), [160, 176, 192, 255]);
        assert!(variance(&punchy, 0) > variance(&out, 0));
        // Without norm the dark image stays dark (and contrast is ignored).
        let plain = Colorize {
            normalize: false,
            contrast: 80.0,
            ..norm
        };
        let off = adjusted(
            &dark,
            Adjust {
                colorize: Some(plain),
                ..Adjust::default()
            },
        );
        assert!(off.pixels().all(|p| p.0[2] < 80));
    }

    #[test]
    fn adjust_applies_brightness_before_invert() {
        // invert(v + 51) differs from invert(v) + 51: the order is fixed.
        let src = solid(1, 1, [100, 100, 100, 255]);
        let out = adjusted(
            &src,
            Adjust {
                brightness: 20,
                invert: true,
                ..Adjust::default()
            },
        );
        assert_eq!(px(&out, 0, 0), [104, 104, 104, 255]);
    }

    #[test]
    fn opacity_scales_alpha() {
        let mut img = RgbaImage::from_fn(3, 1, |x, _| Px([1, 2, 3, [255, 100, 0][x as usize]]));
        opacity(&mut img, 50);
        assert_eq!(px(&img, 0, 0), [1, 2, 3, 128]);
        assert_eq!(px(&img, 1, 0), [1, 2, 3, 50]);
        assert_eq!(px(&img, 2, 0), [1, 2, 3, 0]);
        let before = img.clone();
        opacity(&mut img, 100);
        assert_eq!(img, before);
        opacity(&mut img, 0);
        assert!(img.pixels().all(|p| p.0[3] == 0));
    }
}
