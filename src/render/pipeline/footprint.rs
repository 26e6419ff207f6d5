//! How much memory a render holds at its peak, estimated from the plan
//! before anything is decoded, so that a render can reserve it from the
//! service's budget first.
//!
//! Each route is a sequence of stages; a stage holds the buffers it reads
//! and the one it makes (every step drops its input once its output exists,
//! so no more than two full-size images of a route live at once, plus a
//! resampler's or a blur's scratch). The estimate is the largest stage,
//! counted generously: the decoder's figures come from
//! [`decode::footprint`], which errs high.

use super::direct::source_box;
use super::layered::{layer_source, working_scale, working_size};
use super::sampling::decode_request;
use super::{is_direct, RenderConfig};
use crate::render::decode::{self, DecodeRequest, Footprint};
use crate::render::modifier::{Format, Modifier, ResMode};
use crate::render::plan::{Plan, Rect};
use crate::render::{probe, Error};

/// What any render holds beyond its images: a worker's stack, the
/// allocator's slack, small buffers (measured about 3.5 MB for a thumbnail
/// of a 12-megapixel JPEG decoded at 1/8).
const OVERHEAD: u64 = 4 << 20;

/// Bytes of an RGBA8 image.
fn rgba((w, h): (u32, u32)) -> u64 {
    u64::from(w) * u64::from(h) * 4
}

/// The peak bytes rendering `source` with `m` holds: the source's bytes,
/// the route's largest stage, and finishing the reply. Refuses what
/// rendering would refuse for its size (the source's header, the plan's
/// limits) without decoding a pixel.
pub fn estimate(source: &[u8], m: &Modifier, config: &RenderConfig) -> Result<u64, Error> {
    let header = probe(source, config.image)?;
    let plan = Plan::new(m, header.width, header.height, &config.plan)?;
    let (route, visible) = match plan.visible() {
        None => (0, 0),
        Some(v) if is_direct(&plan, m) => (direct(source, &plan, v, config)?, rgba((v.w, v.h))),
        Some(v) => (layered(source, &plan, m, v, config)?, rgba((v.w, v.h))),
    };
    // Placing the visible part in the reply, then sharpening (an unsharp
    // mask keeps the original beside the blur's 16-bit scratch: measured
    // up to 4.3 times the reply), then the reply and its encoding.
    let reply = rgba(plan.reply);
    let bisharp = m.res_mode.unwrap_or(config.res_mode) == ResMode::Bisharp;
    let sharpening = if m.usm.is_some() || bisharp {
        reply * 9 / 2
    } else if m.sharpen {
        2 * reply
    } else {
        0
    };
    let encoding = reply + encoder(m.fmt.format, plan.reply);
    // Letterboxing holds the visible part twice beside the reply (measured).
    let finish = (2 * visible + reply).max(sharpening).max(encoding);
    Ok(OVERHEAD + source.len() as u64 + route.max(finish))
}

/// The direct route: decoding the region, then resampling it into the
/// visible part.
fn direct(source: &[u8], plan: &Plan, v: Rect, config: &RenderConfig) -> Result<u64, Error> {
    let out = (v.w, v.h);
    let decoded = decoded(source, &decode_request(plan, source_box(plan, v), out), config)?;
    Ok(decoded.peak.max(resampled(decoded.pixels, rgba(out), decoded.alpha)))
}

/// The layered route: decoding and resampling into the layer, then layer
/// and successor through padding, rotation and extension, a blur's scratch
/// on the composite, and the view's resampling.
fn layered(source: &[u8], plan: &Plan, m: &Modifier, v: Rect, config: &RenderConfig) -> Result<u64, Error> {
    let w = working_scale(plan, m);
    let layer = working_size(plan.layer, w);
    let rotated = rgba(working_size(plan.rotated, w));
    let composite = rgba(working_size(plan.composite, w));
    let first = match layer_source(plan, layer) {
        None => 0,
        Some(part) => {
            let decoded = decoded(source, &decode_request(plan, part.want, part.size), config)?;
            let made = rgba(part.size);
            decoded
                .peak
                .max(resampled(decoded.pixels, made, decoded.alpha))
                .max(made + rgba(layer))
        }
    };
    let view = rgba((v.w, v.h));
    Ok([
        first,
        rgba(layer) + rotated,
        rotated + composite,
        filtered(m, composite),
        // The composite has alpha unless proven opaque: counted as if it had.
        resampled(composite, view, true),
    ]
    .into_iter()
    .max()
    .unwrap_or_default())
}

/// Filtering the composite: a blur's (or a layer's unsharp mask's) 16-bit
/// scratch beside it and its strips (measured up to 4.4 times the
/// composite, source included); a per-pixel operation works in place.
fn filtered(m: &Modifier, composite: u64) -> u64 {
    if m.adjust.blur > 0.0 || m.sharpen_on_layer {
        composite * 9 / 2
    } else {
        2 * composite
    }
}

/// What encoding an image of `size` holds beside it: the pixels converted
/// to the format's layout, the growing output and the encoder's own state.
/// The factors are bytes per pixel measured with `ips-emulator render
/// --memory` on 12-megapixel images, rounded up: TIFF converts to RGB and
/// buffers its strips, WebP converts to its own planes (and a varying
/// alpha plane costs most of all), GIF and PNG8
/// quantize, libjpeg-turbo keeps its own output buffer, PNG streams.
fn encoder(format: Format, size: (u32, u32)) -> u64 {
    let per_pixel = match format {
        Format::Tif | Format::TifAlpha => 16,
        // libwebp compresses a real alpha plane losslessly, at a high cost.
        Format::WebpAlpha => 30,
        Format::Webp => 12,
        Format::Gif | Format::GifAlpha | Format::Png8 | Format::Png8Alpha => 5,
        Format::Jpeg | Format::Pjpeg => 4,
        Format::Png | Format::PngAlpha => 2,
    };
    u64::from(size.0) * u64::from(size.1) * per_pixel + (1 << 20)
}

/// Resampling an image of `from` bytes into one of `to`: both, the first
/// pass of a separable filter (no larger than the larger of them), and a
/// premultiplied copy of the source when it has alpha.
fn resampled(from: u64, to: u64, alpha: bool) -> u64 {
    let premultiplied = if alpha { from } else { 0 };
    from + to + from.max(to) + premultiplied
}

fn decoded(source: &[u8], request: &DecodeRequest, config: &RenderConfig) -> Result<Footprint, Error> {
    decode::footprint(source, request, &config.image)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{ImageFormat, RgbaImage};

    use super::*;
    use crate::render::modifier::parse;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RgbaImage::new(w, h)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("png");
        out
    }

    fn estimated(source: &[u8], commands: &str) -> Result<u64, Error> {
        estimate(source, &parse(commands).expect("commands"), &RenderConfig::default())
    }

    #[test]
    fn the_estimate_covers_the_decoded_source_and_grows_with_the_reply() {
        let source = png(1000, 800);
        let decoded = 1000 * 800 * 4;
        let thumb = estimated(&source, "wid=100").expect("thumb");
        let full = estimated(&source, "scl=1").expect("full");
        let large = estimated(&source, "wid=4000&hei=3200&fit=stretch").expect("large");
        assert!(thumb >= decoded + OVERHEAD, "{thumb}");
        assert!(thumb < full && full < large, "{thumb} {full} {large}");
        // A 4000x3200 reply (the source letterboxed, fit= does not
        // upscale) is held with its encoder's copy.
        assert!(large > 4000 * 3200 * 4 * 3 / 2, "{large}");
    }

    #[test]
    fn the_encoder_and_the_filters_are_counted() {
        let source = png(1000, 800);
        let jpeg = estimated(&source, "scl=1").expect("jpeg");
        assert!(estimated(&source, "scl=1&fmt=tif").expect("tif") > jpeg);
        assert!(estimated(&source, "scl=1&op_blur=4").expect("blur") > jpeg);
        assert!(estimated(&source, "scl=1&op_usm=2,3,0,0").expect("usm") > jpeg);
    }

    #[test]
    fn what_rendering_refuses_for_its_size_is_refused_without_decoding() {
        let source = png(1000, 800);
        assert!(estimated(&source, "wid=20000&hei=20000&fit=stretch").is_err());
        assert!(estimated(b"not an image", "wid=10").is_err());
    }
}
