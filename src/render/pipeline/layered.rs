//! The layered route: layer 0 materialised (at a reduced working
//! resolution when that changes nothing), rotated, extended and filtered as
//! Image Serving orders it, then resampled into the view.

use image::RgbaImage;

use super::sampling::{decode_box, resample, resample_box};
use super::{sharpen, to_pixel, Box2, RenderConfig, NOISE_SEED};
use crate::render::filters;
use crate::render::modifier::{Modifier, ResMode, Rgba};
use crate::render::plan::{Plan, Rect};
use crate::render::Error;

/// The layered route: layer 0 materialised, transformed and filtered, then
/// resampled into the view.
pub(super) fn layered(
    source: &[u8],
    plan: &Plan,
    m: &Modifier,
    v: Rect,
    res_mode: ResMode,
    config: &RenderConfig,
) -> Result<(RgbaImage, bool), Error> {
    let w = working_scale(plan, m);
    let layer_size = working_size(plan.layer, w);
    let crop_fill = m.bg_color.unwrap_or(Rgba::TRANSPARENT);

    // Layer 0: the crop (which may reach outside the source), scaled.
    let mut opaque;
    let mut layer = match layer_source(plan, layer_size) {
        None => {
            opaque = crop_fill.a == 255;
            RgbaImage::from_pixel(layer_size.0, layer_size.1, to_pixel(crop_fill))
        }
        Some(LayerSource {
            want,
            size: (dw, dh),
            at: (dx0, dy0),
        }) => {
            let decoded = decode_box(source, plan, want, (dw, dh), config)?;
            opaque = decoded.opaque;
            let part = resample(&decoded, want, (dw, dh), res_mode)?;
            // The decoded source is the largest buffer; it goes first.
            drop(decoded);
            if (dw, dh) == layer_size && (dx0, dy0) == (0, 0) {
                part
            } else {
                opaque = opaque && crop_fill.a == 255;
                filters::pad(&part, layer_size.0, layer_size.1, dx0, dy0, crop_fill)
            }
        }
    };
    if let Some(color) = m.color {
        filters::fill_behind(&mut layer, color);
        opaque = opaque || color.a == 255;
    }
    if let Some(f) = m.layer_flip {
        filters::flip(&mut layer, f);
    }
    if plan.rotate != 0.0 {
        layer = filters::rotate(&layer, plan.rotate, Rgba::TRANSPARENT);
        opaque = opaque && plan.rotate % 90.0 == 0.0;
    }
    if plan.extend != (0, 0, 0, 0) {
        let (l, t, r, b) = plan.extend;
        let scaled = |n: i64| (n as f64 * w).round() as i64;
        let cw = (i64::from(layer.width()) + scaled(l) + scaled(r)).max(1);
        let ch = (i64::from(layer.height()) + scaled(t) + scaled(b)).max(1);
        let fill = m.bg_color.unwrap_or(Rgba::TRANSPARENT);
        layer = filters::pad(&layer, cw as u32, ch as u32, scaled(l), scaled(t), fill);
        // Trimming keeps an opaque layer opaque; new margins take the fill.
        let grows = l > 0 || t > 0 || r > 0 || b > 0;
        opaque = opaque && (!grows || fill.a == 255);
    }
    if let Some(color) = m.bg_color {
        filters::fill_behind(&mut layer, color);
        opaque = opaque || color.a == 255;
    }

    // The composite.
    if let Some(f) = m.flip {
        filters::flip(&mut layer, f);
    }
    filters::adjust(&mut layer, &m.adjust, NOISE_SEED);
    if let Some(o) = m.opacity.filter(|&o| o < 100) {
        filters::opacity(&mut layer, o);
        opaque = false;
    }
    if m.sharpen_on_layer {
        sharpen(&mut layer, m, 1.0);
    }

    // The view: the visible part, resampled from the (working) composite.
    let (lw, lh) = (f64::from(layer.width()), f64::from(layer.height()));
    let (sw, sh) = (f64::from(plan.scaled.0), f64::from(plan.scaled.1));
    let b = Box2 {
        x: (v.x - plan.offset.0) as f64 * lw / sw,
        y: (v.y - plan.offset.1) as f64 * lh / sh,
        w: f64::from(v.w) * lw / sw,
        h: f64::from(v.h) * lh / sh,
    };
    let img = resample_box(&layer, b, (v.w, v.h), res_mode, !opaque)?;
    Ok((img, opaque))
}

/// The scale layer 0 is worked at: below full resolution when the view
/// shrinks anyway and no operation's result depends on the resolution it
/// runs at.
pub(super) fn working_scale(plan: &Plan, m: &Modifier) -> f64 {
    let resolution_bound = m.adjust.blur > 0.0 || m.adjust.noise.is_some() || m.sharpen_on_layer;
    let (vx, vy) = plan.view_scale();
    if resolution_bound {
        1.0
    } else {
        vx.max(vy).min(1.0)
    }
}

/// A size at working scale `w`.
pub(super) fn working_size((width, height): (u32, u32), w: f64) -> (u32, u32) {
    let work = |n: u32| ((f64::from(n) * w + 0.5).floor() as u32).max(1);
    (work(width), work(height))
}

/// The source pixels layer 0 shows, where no crop reaches outside them.
pub(super) struct LayerSource {
    /// The part of the source inside the crop (full-resolution pixels).
    pub(super) want: Box2,
    /// Its size in the (working) layer.
    pub(super) size: (u32, u32),
    /// Where it sits in the layer.
    pub(super) at: (i64, i64),
}

/// What of the source layer 0 needs, at `layer_size`; `None` when the crop
/// lies wholly outside the source.
pub(super) fn layer_source(plan: &Plan, layer_size: (u32, u32)) -> Option<LayerSource> {
    let inside = plan.crop.clip(plan.source.0, plan.source.1)?;
    let fx = f64::from(layer_size.0) / f64::from(plan.crop.w);
    let fy = f64::from(layer_size.1) / f64::from(plan.crop.h);
    Some(LayerSource {
        want: Box2 {
            x: inside.x as f64,
            y: inside.y as f64,
            w: f64::from(inside.w),
            h: f64::from(inside.h),
        },
        size: (
            ((f64::from(inside.w) * fx).round() as u32).clamp(1, layer_size.0),
            ((f64::from(inside.h) * fy).round() as u32).clamp(1, layer_size.1),
        ),
        at: (
            ((inside.x - plan.crop.x) as f64 * fx).round() as i64,
            ((inside.y - plan.crop.y) as f64 * fy).round() as i64,
        ),
    })
}
