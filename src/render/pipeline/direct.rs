//! The direct route: when layer 0 is just a crop and a scale and the
//! composite's operations are per-pixel, the visible part of the reply is
//! resampled straight from the source and filtered at reply size.

use image::RgbaImage;

use super::sampling::{decode_box, resample};
use super::{Box2, RenderConfig, NOISE_SEED};
use crate::render::filters;
use crate::render::modifier::{Modifier, ResMode};
use crate::render::plan::{Plan, Rect};
use crate::render::Error;

/// The direct route: the visible part of the reply, resampled straight from
/// the source.
pub(super) fn direct(
    source: &[u8],
    plan: &Plan,
    m: &Modifier,
    v: Rect,
    res_mode: ResMode,
    config: &RenderConfig,
) -> Result<(RgbaImage, bool), Error> {
    let want = source_box(plan, v);
    let decoded = decode_box(source, plan, want, (v.w, v.h), config)?;
    let opaque = decoded.opaque;
    let mut img = resample(&decoded, want, (v.w, v.h), res_mode)?;
    drop(decoded);
    filters::adjust(&mut img, &m.adjust, NOISE_SEED);
    let mut opaque = opaque;
    if let Some(o) = m.opacity.filter(|&o| o < 100) {
        filters::opacity(&mut img, o);
        opaque = false;
    }
    Ok((img, opaque))
}

/// The source box (full-resolution pixels) the visible part `v` of the
/// reply shows.
pub(super) fn source_box(plan: &Plan, v: Rect) -> Box2 {
    // Reply pixels map to source pixels by crop / scaled per axis; products
    // are taken before the division so the whole image maps exactly.
    let (cw, ch) = (f64::from(plan.crop.w), f64::from(plan.crop.h));
    let (sw, sh) = (f64::from(plan.scaled.0), f64::from(plan.scaled.1));
    Box2 {
        x: plan.crop.x as f64 + (v.x - plan.offset.0) as f64 * cw / sw,
        y: plan.crop.y as f64 + (v.y - plan.offset.1) as f64 * ch / sh,
        w: f64::from(v.w) * cw / sw,
        h: f64::from(v.h) * ch / sh,
    }
}
