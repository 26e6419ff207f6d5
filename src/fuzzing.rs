//! Entry points for the fuzz targets in `fuzz/` (and the regression tests
//! that replay what they found): the few internals that are not public, each
//! behind one function, so that no visibility is widened beyond the crate.
//! Not part of the service's interface.

use bytes::Bytes;

use crate::multipart;
use crate::render::plan::Plan;
use crate::render::{Modifier, PlanLimits};

/// One part of a parsed form: its `name`, its `filename` and its content.
pub type FormPart = (String, Option<String>, Vec<u8>);

/// Parses `body` as the upload servlet would with this `Content-Type`: the
/// boundary from the header, then the parts; gives both. The error is the
/// parser's message.
pub fn multipart(content_type: &str, body: &[u8]) -> Result<(String, Vec<FormPart>), String> {
    let boundary = multipart::boundary(content_type).map_err(|e| e.to_string())?;
    let parts = multipart::parse(&Bytes::copy_from_slice(body), &boundary).map_err(|e| e.to_string())?;
    let parts = parts
        .into_iter()
        .map(|p| (p.name, p.filename, p.data.to_vec()))
        .collect();
    Ok((boundary, parts))
}

/// The most parts [`multipart`] may return.
pub const MAX_PARTS: usize = multipart::MAX_PARTS;

/// The sizes a render would produce, as `Plan::new` works them out for a
/// source of `width`×`height`: `Ok(Some(reply size))`, `Ok(None)` when the
/// plan is refused, or `Err` when an accepted plan breaks a limit it was
/// given (which a render would then allocate).
pub fn plan(m: &Modifier, width: u32, height: u32, limits: &PlanLimits) -> Result<Option<(u32, u32)>, String> {
    let Ok(plan) = Plan::new(m, width, height, limits) else {
        return Ok(None);
    };
    let (w, h) = plan.reply;
    let area = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    if w == 0 || h == 0 || w > limits.max_reply_side || h > limits.max_reply_side {
        return Err(format!("reply of {w}x{h} accepted: {plan:?}"));
    }
    if area(plan.reply) > limits.max_reply_pixels {
        return Err(format!("reply of {w}x{h} is over MaxPix: {plan:?}"));
    }
    for (what, size) in [
        ("layer", plan.layer),
        ("rotated layer", plan.rotated),
        ("composite", plan.composite),
    ] {
        if size.0 == 0 || size.1 == 0 || area(size) > limits.max_layer_pixels {
            return Err(format!("{what} of {}x{} accepted: {plan:?}", size.0, size.1));
        }
    }
    Ok(Some(plan.reply))
}
