//! Source pixels for a route: decoding the part of the source under a box
//! (scaled down as far as the output allows) and resampling a box of an
//! image to an output size with the `resMode` filter.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbaImage;

use super::{Box2, RenderConfig};
use crate::render::decode::{decode, DecodeRequest, Decoded, Region};
use crate::render::filters;
use crate::render::modifier::{ResMode, Rgba};
use crate::render::plan::Plan;
use crate::render::Error;

/// Decodes the part of the source under `want` (plus a margin for the
/// resampling kernel), scaled down as far as `out` allows.
pub(super) fn decode_box(
    source: &[u8],
    plan: &Plan,
    want: Box2,
    out: (u32, u32),
    config: &RenderConfig,
) -> Result<Decoded, Error> {
    let request = decode_request(plan, want, out);
    let decoded = decode(source, &request, &config.image)?;
    // The plan was made from one header parser's reading, the pixels come
    // from another's: a file they disagree on is not rendered.
    if (decoded.source_width, decoded.source_height) != plan.source {
        return Err(Error::Corrupt(
            "the image's header and its data disagree on its size".into(),
        ));
    }
    Ok(decoded)
}

/// What to decode for `want` (full-resolution source coordinates) to make
/// an `out`-sized image: the box and a few output pixels of margin to keep
/// the kernel fed at the edges, at no less than the output's density.
pub(super) fn decode_request(plan: &Plan, want: Box2, out: (u32, u32)) -> DecodeRequest {
    let (sw, sh) = plan.source;
    let mx = (want.w / f64::from(out.0)).max(1.0) * 4.0;
    let my = (want.h / f64::from(out.1)).max(1.0) * 4.0;
    let x0 = (want.x - mx).floor().clamp(0.0, f64::from(sw - 1)) as u32;
    let y0 = (want.y - my).floor().clamp(0.0, f64::from(sh - 1)) as u32;
    let x1 = (want.x + want.w + mx).ceil().clamp(f64::from(x0 + 1), f64::from(sw)) as u32;
    let y1 = (want.y + want.h + my).ceil().clamp(f64::from(y0 + 1), f64::from(sh)) as u32;
    let region = Region {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    };
    let min_w = (f64::from(region.w) * f64::from(out.0) / want.w).ceil();
    let min_h = (f64::from(region.h) * f64::from(out.1) / want.h).ceil();
    DecodeRequest {
        region: ((region.w, region.h) != (sw, sh)).then_some(region),
        min_size: Some((
            min_w.min(f64::from(region.w)) as u32,
            min_h.min(f64::from(region.h)) as u32,
        )),
    }
}

/// Resamples the source box `want` (full-resolution source coordinates) of
/// `decoded` into an `out`-sized image.
pub(super) fn resample(decoded: &Decoded, want: Box2, out: (u32, u32), res_mode: ResMode) -> Result<RgbaImage, Error> {
    let d = f64::from(decoded.scale_denom);
    let b = Box2 {
        x: (want.x - f64::from(decoded.covers.x)) / d,
        y: (want.y - f64::from(decoded.covers.y)) / d,
        w: want.w / d,
        h: want.h / d,
    };
    resample_box(&decoded.image, b, out, res_mode, !decoded.opaque)
}

/// Resamples box `b` (in `img`'s pixels) into an `out`-sized image; an exact
/// copy when no scaling is involved.
pub(super) fn resample_box(
    img: &RgbaImage,
    b: Box2,
    out: (u32, u32),
    res_mode: ResMode,
    alpha: bool,
) -> Result<RgbaImage, Error> {
    // Floating-point products (n · L / S) may land a hair outside the image;
    // the box never legitimately does.
    let (iw, ih) = (f64::from(img.width()), f64::from(img.height()));
    let x = b.x.clamp(0.0, iw - 1.0);
    let y = b.y.clamp(0.0, ih - 1.0);
    let b = Box2 {
        x,
        y,
        w: b.w.min(iw - x).max(f64::MIN_POSITIVE),
        h: b.h.min(ih - y).max(f64::MIN_POSITIVE),
    };
    let integral = b.x.fract() == 0.0 && b.y.fract() == 0.0;
    if integral && b.w == f64::from(out.0) && b.h == f64::from(out.1) && b.x >= 0.0 && b.y >= 0.0 {
        return Ok(filters::crop(
            img,
            b.x as i64,
            b.y as i64,
            out.0,
            out.1,
            Rgba::TRANSPARENT,
        ));
    }
    let src = ImageRef::new(img.width(), img.height(), img.as_raw(), PixelType::U8x4)
        .map_err(|e| Error::Encode(format!("resampling: {e}")))?;
    let mut dst = Image::new(out.0, out.1, PixelType::U8x4);
    let options = ResizeOptions::new()
        .resize_alg(algorithm(res_mode))
        .crop(b.x, b.y, b.w, b.h)
        .use_alpha(alpha);
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| Error::Encode(format!("resampling: {e}")))?;
    RgbaImage::from_raw(out.0, out.1, dst.into_vec()).ok_or_else(|| Error::Encode("resampling: buffer size".into()))
}

/// The resampling filter for each `resMode`.
fn algorithm(res_mode: ResMode) -> ResizeAlg {
    ResizeAlg::Convolution(match res_mode {
        ResMode::Bilin => FilterType::Bilinear,
        ResMode::Bicub | ResMode::Bisharp => FilterType::CatmullRom,
        ResMode::Sharp2 => FilterType::Lanczos3,
        // Averaging every covered source pixel approximates sampling from a
        // lower level of a resolution pyramid, as trilinear does.
        ResMode::Trilin => FilterType::Box,
    })
}
