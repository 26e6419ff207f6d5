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
//!
//! One module a kind of operation: `geometry` (rotation, flips), `canvas`
//! (compositing over a colour, placing on a canvas), `adjust` (the `op_*`
//! colour operations and `opac`), `blur`, `noise` and `sharpen`; here, the
//! helpers they share.

mod adjust;
mod blur;
mod canvas;
mod geometry;
mod noise;
mod sharpen;

pub use adjust::{adjust, opacity};
pub use canvas::{crop, fill_behind, pad};
pub use geometry::{flip, rotate, rotated_size};
pub use sharpen::{sharpen, unsharp_mask};

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

#[cfg(test)]
mod testing;
