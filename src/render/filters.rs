//! Pixel operations on RGBA8 images: geometry that Image Serving layers
//! need (arbitrary rotation, flips) and the `op_*` filters.
//!
//! Conventions shared by every function here:
//! - images are `RgbaImage`s with straight (non-premultiplied) alpha; any
//!   operation that mixes neighbouring pixels (rotation, blur, sharpening)
//!   does so on premultiplied values, so the invisible colour of transparent
//!   pixels never bleeds into visible ones;
//! - computed channel values are rounded half up (research note A6) and
//!   clamped into 0…255;
//! - the formulas are ours: Image Serving documents none of them (A9), so
//!   they are written down on each function and tests check invariants;
//! - nothing panics for any image size (including 0×0 and 1×1) or parameter
//!   value, and extra memory stays proportional to the image.

use image::RgbaImage;

use super::modifier::{Adjust, Colorize, Flip, Noise, Rgba};

/// Rec. 601 luma weights, used wherever a brightness is needed.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// Rounds half up (A6) and clamps into a channel value; NaN becomes 0.
fn channel(v: f32) -> u8 {
    // `as` saturates and maps NaN to 0, so no input can overflow.
    (v + 0.5).floor().clamp(0.0, 255.0) as u8
}

fn luma(r: f32, g: f32, b: f32) -> f32 {
    LUMA[0] * r + LUMA[1] * g + LUMA[2] * b
}

/// Rounded Rec. 601 luma of 8-bit values, in integers so it is exact.
fn luma8(px: &[u8]) -> u8 {
    let sum = 299 * u32::from(px[0]) + 587 * u32::from(px[1]) + 114 * u32::from(px[2]);
    // At most 255 after the division, so the cast is lossless.
    ((sum + 500) / 1000) as u8
}

// ---------------------------------------------------------------------------
// Rotation and flips
// ---------------------------------------------------------------------------

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

fn premultiplied(px: &[u8]) -> [f32; 4] {
    let a = f32::from(px[3]);
    let k = a / 255.0;
    [f32::from(px[0]) * k, f32::from(px[1]) * k, f32::from(px[2]) * k, a]
}

/// Writes a premultiplied value (alpha 0…255 scale) back as straight RGBA.
fn store_premultiplied(px: &mut [u8], p: [f32; 4]) {
    let a = p[3];
    px[3] = channel(a);
    // Below half a level the pixel is transparent and its colour invisible;
    // dividing by a vanishing alpha would only amplify rounding noise.
    if a >= 0.5 {
        let k = 255.0 / a;
        for c in 0..3 {
            px[c] = channel(p[c] * k);
        }
    } else {
        px[..3].fill(0);
    }
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

// ---------------------------------------------------------------------------
// Backgrounds, canvases, opacity
// ---------------------------------------------------------------------------

/// Composites `img` over a solid `color` (Porter–Duff *over*, straight
/// alpha), in place: for `color=`, `bgColor=`, and to flatten onto `bgc`.
///
/// With source alpha `a` and colour alpha `b` (both 0…1):
/// `α = a + b·(1−a)`, `C = (Cs·a + Cc·b·(1−a)) / α`, computed exactly in
/// integers and rounded half up. Opaque pixels are unchanged, transparent
/// ones become `color`. A transparent `color` changes nothing.
pub fn fill_behind(img: &mut RgbaImage, color: Rgba) {
    if color.a == 0 {
        return;
    }
    let cc = [u32::from(color.r), u32::from(color.g), u32::from(color.b)];
    let ca = u32::from(color.a);
    for px in img.chunks_exact_mut(4) {
        let sa = u32::from(px[3]);
        if sa == 255 {
            continue;
        }
        // Alpha in 255² units: at most 65 025, and every colour numerator
        // below is at most 255 · 65 025, far inside u32.
        let alpha = sa * 255 + ca * (255 - sa);
        for c in 0..3 {
            let num = u32::from(px[c]) * sa * 255 + cc[c] * ca * (255 - sa);
            // alpha ≥ ca·255 > 0 here; the quotient is at most 255.
            px[c] = ((2 * num + alpha) / (2 * alpha)) as u8;
        }
        px[3] = ((2 * alpha + 255) / 510) as u8;
    }
}

/// A `width`×`height` canvas of `fill` with `img`'s top-left corner at
/// (`x`, `y`); whatever falls outside the canvas is clipped (`x`, `y` may be
/// negative, or put the image entirely outside). For extend, letterboxing
/// and padding.
///
/// The caller bounds `width × height` (the planner checks its limits first).
pub fn pad(img: &RgbaImage, width: u32, height: u32, x: i64, y: i64, fill: Rgba) -> RgbaImage {
    place(img, width, height, i128::from(x), i128::from(y), fill)
}

/// The `width`×`height` window of `img` whose top-left corner is at (`x`,
/// `y`) in the image; parts of the window outside the image are `fill`
/// (crop-outside-the-image). The same as [`pad`] with negated offsets.
pub fn crop(img: &RgbaImage, x: i64, y: i64, width: u32, height: u32, fill: Rgba) -> RgbaImage {
    // i128 so that negating i64::MIN cannot overflow.
    place(img, width, height, -i128::from(x), -i128::from(y), fill)
}

fn place(img: &RgbaImage, width: u32, height: u32, x: i128, y: i128, fill: Rgba) -> RgbaImage {
    let mut out = RgbaImage::from_pixel(width, height, image::Rgba([fill.r, fill.g, fill.b, fill.a]));
    // The destination span of the image, clipped to the canvas; i128 holds
    // any i64 offset plus any u32 size.
    let x0 = x.max(0);
    let x1 = (x + i128::from(img.width())).min(i128::from(width));
    let y0 = y.max(0);
    let y1 = (y + i128::from(img.height())).min(i128::from(height));
    if x0 >= x1 || y0 >= y1 {
        return out;
    }
    // All of these lie within one of the two images now, so they fit usize.
    let (dx0, dx1, dy0, dy1) = (x0 as usize, x1 as usize, y0 as usize, y1 as usize);
    let (sx0, sy0) = ((x0 - x) as usize, (y0 - y) as usize);
    let (sstride, dstride) = (img.width() as usize * 4, width as usize * 4);
    let len = (dx1 - dx0) * 4;
    let src: &[u8] = img.as_raw();
    let dst: &mut [u8] = &mut out;
    for row in 0..dy1 - dy0 {
        let s = (sy0 + row) * sstride + sx0 * 4;
        let d = (dy0 + row) * dstride + dx0 * 4;
        dst[d..d + len].copy_from_slice(&src[s..s + len]);
    }
    out
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

// ---------------------------------------------------------------------------
// op_* adjustments
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Gaussian blur
// ---------------------------------------------------------------------------

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
fn blur_premultiplied(img: &mut RgbaImage, sigma: f32, mut finish: impl FnMut(&mut [u8], [f32; 4])) {
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

// ---------------------------------------------------------------------------
// Noise
// ---------------------------------------------------------------------------

/// splitmix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for
/// visual noise; seeded explicitly so output is reproducible.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal, by Box–Muller (1 − u keeps the logarithm finite).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// `op_noise`: adds noise to the colour channels; alpha is kept. With
/// `A = amount/100 · 255` (amount clamped to 0…100), each deviation is
/// uniform in [−A, A) or, with `gaussian`, normal with σ = A. Each channel
/// gets its own deviation, or with `monochrome` all three share one. Values
/// are rounded half up and clamped; amount 0 is a no-op. The generator is
/// splitmix64 seeded with `seed`, so equal seeds give equal output.
pub fn add_noise(img: &mut RgbaImage, noise: &Noise, seed: u64) {
    let amount = f64::from(noise.amount.min(100)) / 100.0 * 255.0;
    if amount == 0.0 {
        return;
    }
    let mut rng = SplitMix64(seed);
    let mut deviation = || {
        if noise.gaussian {
            rng.normal() * amount
        } else {
            (2.0 * rng.unit() - 1.0) * amount
        }
    };
    for px in img.chunks_exact_mut(4) {
        if noise.monochrome {
            let d = deviation() as f32;
            for v in &mut px[..3] {
                *v = channel(f32::from(*v) + d);
            }
        } else {
            for v in &mut px[..3] {
                *v = channel(f32::from(*v) + deviation() as f32);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sharpening
// ---------------------------------------------------------------------------

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
    use image::Rgba as Px;

    const RED: Rgba = Rgba {
        r: 255,
        g: 0,
        b: 0,
        a: 255,
    };

    /// Every pixel distinct: R from x, G from y, B from the index.
    fn distinct(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            Px([(x * 30 + 5) as u8, (y * 30 + 7) as u8, (y * w + x) as u8, 255])
        })
    }

    fn solid(w: u32, h: u32, px: [u8; 4]) -> RgbaImage {
        RgbaImage::from_pixel(w, h, Px(px))
    }

    /// Four coloured quadrants with a gradient over them, so colour and
    /// brightness both vary.
    fn quadrants(w: u32, h: u32) -> RgbaImage {
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
    fn noisy(w: u32, h: u32, seed: u64) -> RgbaImage {
        let mut rng = SplitMix64(seed);
        RgbaImage::from_fn(w, h, |_, _| {
            let v = rng.next_u64().to_le_bytes();
            Px([v[0], v[1], v[2], 255])
        })
    }

    fn mean(img: &RgbaImage, c: usize) -> f64 {
        let n = (img.width() * img.height()) as f64;
        img.pixels().map(|p| f64::from(p.0[c])).sum::<f64>() / n
    }

    fn variance(img: &RgbaImage, c: usize) -> f64 {
        let m = mean(img, c);
        let n = (img.width() * img.height()) as f64;
        img.pixels().map(|p| (f64::from(p.0[c]) - m).powi(2)).sum::<f64>() / n
    }

    fn px(img: &RgbaImage, x: u32, y: u32) -> [u8; 4] {
        img.get_pixel(x, y).0
    }

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

    // --- fill_behind / pad / crop / opacity ---

    #[test]
    fn fill_behind_composites_over_the_colour() {
        let mut img = RgbaImage::from_fn(3, 1, |x, _| match x {
            0 => Px([10, 20, 30, 0]),
            1 => Px([10, 20, 30, 255]),
            _ => Px([255, 255, 255, 128]),
        });
        fill_behind(
            &mut img,
            Rgba {
                r: 0,
                g: 0,
                b: 100,
                a: 255,
            },
        );
        assert_eq!(px(&img, 0, 0), [0, 0, 100, 255]);
        assert_eq!(px(&img, 1, 0), [10, 20, 30, 255]);
        // 128/255 of white over blue: ≈ half-way.
        assert_eq!(px(&img, 2, 0), [128, 128, 178, 255]);

        // Over a half-transparent colour the alpha adds up, colour stays
        // weighted by coverage.
        let mut img = solid(1, 1, [200, 0, 0, 128]);
        fill_behind(
            &mut img,
            Rgba {
                r: 0,
                g: 0,
                b: 200,
                a: 128,
            },
        );
        let [r, g, b, a] = px(&img, 0, 0);
        assert_eq!(a, 192);
        assert_eq!(g, 0);
        assert!(r > b && r.abs_diff(133) <= 1 && b.abs_diff(67) <= 1, "{r} {b}");

        let before = distinct(3, 3);
        let mut img = before.clone();
        fill_behind(&mut img, Rgba::TRANSPARENT);
        assert_eq!(img, before);
    }

    #[test]
    fn pad_places_and_clips() {
        let src = distinct(2, 2);
        let out = pad(&src, 4, 3, 1, 1, RED);
        assert_eq!(out.dimensions(), (4, 3));
        assert_eq!(px(&out, 0, 0), [255, 0, 0, 255]);
        assert_eq!(px(&out, 1, 1), px(&src, 0, 0));
        assert_eq!(px(&out, 2, 2), px(&src, 1, 1));
        assert_eq!(px(&out, 3, 1), [255, 0, 0, 255]);

        let neg = pad(&src, 2, 2, -1, -1, RED);
        assert_eq!(px(&neg, 0, 0), px(&src, 1, 1));
        assert_eq!(px(&neg, 1, 1), [255, 0, 0, 255]);

        for (x, y) in [(10, 0), (0, -2), (i64::MIN, i64::MIN), (i64::MAX, 0)] {
            let out = pad(&src, 3, 3, x, y, RED);
            assert_eq!(out.dimensions(), (3, 3));
            assert!(out.pixels().all(|p| p.0 == [255, 0, 0, 255]), "{x},{y}");
        }
        assert_eq!(pad(&src, 0, 0, 0, 0, RED).dimensions(), (0, 0));
    }

    #[test]
    fn crop_windows_the_image_and_fills_outside() {
        let src = distinct(4, 3);
        let inner = crop(&src, 1, 1, 2, 2, RED);
        assert_eq!(inner.dimensions(), (2, 2));
        assert_eq!(px(&inner, 0, 0), px(&src, 1, 1));
        assert_eq!(px(&inner, 1, 1), px(&src, 2, 2));

        // G4-style: a window larger than the image, starting before it.
        let outer = crop(&src, -1, -1, 6, 5, Rgba::TRANSPARENT);
        assert_eq!(outer.dimensions(), (6, 5));
        assert_eq!(px(&outer, 0, 0), [0, 0, 0, 0]);
        assert_eq!(px(&outer, 1, 1), px(&src, 0, 0));
        assert_eq!(px(&outer, 4, 3), px(&src, 3, 2));
        assert_eq!(px(&outer, 5, 4), [0, 0, 0, 0]);

        for (x, y) in [(4, 0), (-2, 0), (i64::MIN, 5), (i64::MAX, i64::MAX)] {
            assert!(crop(&src, x, y, 2, 2, RED).pixels().all(|p| p.0 == [255, 0, 0, 255]));
        }
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

    // --- adjust ---

    fn adjusted(img: &RgbaImage, a: Adjust) -> RgbaImage {
        let mut out = img.clone();
        adjust(&mut out, &a, 7);
        assert_eq!(out.dimensions(), img.dimensions());
        out
    }

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

    #[test]
    fn noise_is_seeded_and_keeps_the_mean() {
        let grey = solid(64, 64, [128, 128, 128, 200]);
        for gaussian in [false, true] {
            let n = Noise {
                amount: 10,
                gaussian,
                monochrome: false,
            };
            let a = adjusted(
                &grey,
                Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
            );
            let mut b = grey.clone();
            adjust(
                &mut b,
                &Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
                7,
            );
            assert_eq!(a, b);
            let mut other = grey.clone();
            adjust(
                &mut other,
                &Adjust {
                    noise: Some(n),
                    ..Adjust::default()
                },
                8,
            );
            assert_ne!(a, other);
            let changed = a.pixels().filter(|p| p.0[..3] != [128, 128, 128]).count();
            assert!(changed > 64 * 64 / 2);
            assert!(a.pixels().all(|p| p.0[3] == 200));
            for c in 0..3 {
                assert!((mean(&a, c) - 128.0).abs() < 2.0);
            }
            if !gaussian {
                // Uniform within ±A, A = 25.5.
                assert!(a.pixels().all(|p| p.0[..3].iter().all(|&v| v.abs_diff(128) <= 26)));
            }
        }
        let mono = Noise {
            amount: 30,
            gaussian: true,
            monochrome: true,
        };
        let m = adjusted(
            &grey,
            Adjust {
                noise: Some(mono),
                ..Adjust::default()
            },
        );
        assert!(m.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        let zero = Noise {
            amount: 0,
            gaussian: false,
            monochrome: false,
        };
        assert_eq!(
            adjusted(
                &grey,
                Adjust {
                    noise: Some(zero),
                    ..Adjust::default()
                }
            ),
            grey
        );
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

    // --- sharpen / unsharp mask ---

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
