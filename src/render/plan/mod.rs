//! Geometry: every intermediate and final size of a render, worked out from
//! the [`Modifier`] and the source's dimensions before a single pixel buffer
//! is allocated, so that size limits are enforced up front.
//!
//! Image Serving's order (image-serving reference §3): layer 0 is cropped,
//! scaled (`size`/`scale`), rotated and extended; the result is the
//! composite; the view (`wid`/`hei`/`scl`/`fit`/`align`, then `rect`) scales
//! it and places it in the reply. Sizes round half up with a minimum of one
//! pixel; nothing in the Image Serving documentation says otherwise.
//!
//! `view` works out the view transform (`wid`/`hei`/`scl`/`fit`/`align`);
//! here, layer 0, the composite, `rect=` and the limits.

mod view;

use super::modifier::{Crop, Extend, Modifier, ModifierError};
use super::Error;
use view::View;

/// Limits on what a render may produce.
#[derive(Clone, Copy, Debug)]
pub struct PlanLimits {
    /// Largest reply, in pixels (Image Serving's MaxPix; 25 Mpx by default,
    /// the hosted Scene7 limit).
    pub max_reply_pixels: u64,
    /// Largest reply width or height.
    pub max_reply_side: u32,
    /// Largest intermediate layer, in pixels (Scene7's MaxSavePixels).
    pub max_layer_pixels: u64,
}

impl Default for PlanLimits {
    fn default() -> Self {
        PlanLimits {
            max_reply_pixels: 25_000_000,
            max_reply_side: 16_384,
            max_layer_pixels: 100_000_000,
        }
    }
}

/// A rectangle in some pixel space; may reach outside its image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width (≥ 1).
    pub w: u32,
    /// Height (≥ 1).
    pub h: u32,
}

impl Rect {
    /// The part of `self` inside `0..width × 0..height`, if any.
    pub fn clip(&self, width: u32, height: u32) -> Option<Rect> {
        let x0 = self.x.max(0);
        let y0 = self.y.max(0);
        let x1 = (self.x + i64::from(self.w)).min(i64::from(width));
        let y1 = (self.y + i64::from(self.h)).min(i64::from(height));
        (x1 > x0 && y1 > y0).then(|| Rect {
            x: x0,
            y: y0,
            w: (x1 - x0) as u32,
            h: (y1 - y0) as u32,
        })
    }
}

/// The geometry of one render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// Source width and height.
    pub source: (u32, u32),
    /// The crop, in full-resolution source pixels (may reach outside).
    pub crop: Rect,
    /// Layer size after `size=`/`scale=`.
    pub layer: (u32, u32),
    /// Clockwise rotation in degrees, normalised to `0..360`.
    pub rotate: f64,
    /// Layer size after rotation.
    pub rotated: (u32, u32),
    /// Margins added by `extend=` (left, top, right, bottom; negative trims),
    /// in composite pixels.
    pub extend: (i64, i64, i64, i64),
    /// Composite size (the layer after extension).
    pub composite: (u32, u32),
    /// The composite's size once scaled by the view.
    pub scaled: (u32, u32),
    /// Where the scaled composite's top-left lands in the reply.
    pub offset: (i64, i64),
    /// The view (`wid`×`hei` after fitting) within the reply: all of it,
    /// except with `rect=`, which may show a window larger than the view or
    /// beside it. Only the composite inside the view is shown.
    pub view: Rect,
    /// Reply size.
    pub reply: (u32, u32),
}

/// Round half up, as every computed size and offset does.
fn round(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// A computed size: rounded, at least one pixel, and small enough to hold.
fn dim(x: f64) -> Result<u32, Error> {
    let r = round(x).max(1.0);
    if !r.is_finite() || r > f64::from(u32::MAX) {
        return Err(Error::ReplyTooLarge {
            width: u64::MAX,
            height: u64::MAX,
            limit: "the largest representable size".into(),
        });
    }
    Ok(r as u32)
}

fn offset(x: f64) -> i64 {
    // Offsets are bounded by sizes that already passed `dim`.
    round(x) as i64
}

fn conflict(msg: &str) -> Error {
    Error::Modifier(ModifierError::Conflict(msg.to_owned()))
}

impl Plan {
    /// Works out the geometry, refusing anything over `limits`.
    pub fn new(m: &Modifier, width: u32, height: u32, limits: &PlanLimits) -> Result<Plan, Error> {
        let (sw, sh) = (f64::from(width), f64::from(height));
        let crop = match m.crop {
            None => Rect {
                x: 0,
                y: 0,
                w: width,
                h: height,
            },
            Some(Crop::Pixels { x, y, w, h }) => Rect { x, y, w, h },
            Some(Crop::Normalized { x, y, w, h }) => {
                // Round the edges, not the size, so that a crop ending at the
                // source's edge ends exactly there.
                let (x0, y0) = (offset(x * sw), offset(y * sh));
                let (x1, y1) = (offset((x + w) * sw), offset((y + h) * sh));
                Rect {
                    x: x0,
                    y: y0,
                    w: dim((x1 - x0) as f64)?,
                    h: dim((y1 - y0) as f64)?,
                }
            }
        };
        let (cw, ch) = (f64::from(crop.w), f64::from(crop.h));
        let s = match m.size {
            Some((0, 0)) | None => m.scale.map_or((1.0, 1.0), |s| (s, s)),
            Some((w, 0)) => uniform(f64::from(w) / cw),
            Some((0, h)) => uniform(f64::from(h) / ch),
            Some((w, h)) => uniform((f64::from(w) / cw).min(f64::from(h) / ch)),
        };
        let layer = if s == (1.0, 1.0) {
            (crop.w, crop.h)
        } else {
            (dim(cw * s.0)?, dim(ch * s.1)?)
        };
        check_layer(layer, limits)?;

        let rotate = m.rotate.rem_euclid(360.0);
        let rotated = super::filters::rotated_size(layer.0, layer.1, rotate);
        check_layer(rotated, limits)?;

        let (rw, rh) = (f64::from(rotated.0), f64::from(rotated.1));
        let extend = match m.extend {
            None => (0, 0, 0, 0),
            Some(Extend::Pixels { l, t, r, b }) => (l, t, r, b),
            Some(Extend::Normalized { l, t, r, b }) => (offset(l * rw), offset(t * rh), offset(r * rw), offset(b * rh)),
        };
        let cw = i64::from(rotated.0) + extend.0 + extend.2;
        let chh = i64::from(rotated.1) + extend.1 + extend.3;
        if cw < 1 || chh < 1 {
            return Err(conflict("extend= trims away the whole image"));
        }
        let composite = (
            u32::try_from(cw).map_err(|_| too_big(cw, chh))?,
            u32::try_from(chh).map_err(|_| too_big(cw, chh))?,
        );
        check_layer(composite, limits)?;

        let view = View::new(m, composite)?;
        let mut plan = Plan {
            source: (width, height),
            crop,
            layer,
            rotate,
            rotated,
            extend,
            composite,
            scaled: view.scaled,
            offset: view.offset,
            reply: view.reply,
            view: Rect {
                x: 0,
                y: 0,
                w: view.reply.0,
                h: view.reply.1,
            },
        };
        if let Some(r) = m.rect {
            // rect= works on the finished view, optionally rescaled first.
            if r.scale != 1.0 {
                plan.scaled = (
                    dim(f64::from(plan.scaled.0) * r.scale)?,
                    dim(f64::from(plan.scaled.1) * r.scale)?,
                );
                plan.offset = (
                    offset(plan.offset.0 as f64 * r.scale),
                    offset(plan.offset.1 as f64 * r.scale),
                );
            }
            plan.offset = (plan.offset.0 - r.x, plan.offset.1 - r.y);
            plan.view = Rect {
                x: -r.x,
                y: -r.y,
                w: dim(f64::from(plan.reply.0) * r.scale)?,
                h: dim(f64::from(plan.reply.1) * r.scale)?,
            };
            plan.reply = (r.w, r.h);
        }
        let (fw, fh) = plan.reply;
        if fw > limits.max_reply_side
            || fh > limits.max_reply_side
            || u64::from(fw) * u64::from(fh) > limits.max_reply_pixels
        {
            return Err(Error::ReplyTooLarge {
                width: u64::from(fw),
                height: u64::from(fh),
                limit: format!(
                    "{} pixels and {} pixels per side",
                    limits.max_reply_pixels, limits.max_reply_side
                ),
            });
        }
        Ok(plan)
    }

    /// Composite pixels per reply pixel, per axis (how the view scales).
    pub fn view_scale(&self) -> (f64, f64) {
        (
            f64::from(self.scaled.0) / f64::from(self.composite.0),
            f64::from(self.scaled.1) / f64::from(self.composite.1),
        )
    }

    /// The part of the reply covered by the scaled composite, in reply
    /// pixels; `None` when the composite lies wholly outside the reply.
    pub fn visible(&self) -> Option<Rect> {
        let v = self.view;
        let x0 = self.offset.0.max(v.x).max(0);
        let y0 = self.offset.1.max(v.y).max(0);
        let x1 = (self.offset.0 + i64::from(self.scaled.0))
            .min(v.x + i64::from(v.w))
            .min(i64::from(self.reply.0));
        let y1 = (self.offset.1 + i64::from(self.scaled.1))
            .min(v.y + i64::from(v.h))
            .min(i64::from(self.reply.1));
        (x1 > x0 && y1 > y0).then(|| Rect {
            x: x0,
            y: y0,
            w: (x1 - x0) as u32,
            h: (y1 - y0) as u32,
        })
    }

    /// Whether layer 0 is just a crop of the source, scaled: no rotation, no
    /// extension, and the crop inside the source.
    pub fn layer_is_plain(&self) -> bool {
        self.rotate == 0.0
            && self.extend == (0, 0, 0, 0)
            && self.crop.clip(self.source.0, self.source.1) == Some(self.crop)
    }
}

fn uniform(s: f64) -> (f64, f64) {
    (s, s)
}

fn too_big(w: i64, h: i64) -> Error {
    Error::ReplyTooLarge {
        width: w.max(0) as u64,
        height: h.max(0) as u64,
        limit: "the largest representable size".into(),
    }
}

fn check_layer((w, h): (u32, u32), limits: &PlanLimits) -> Result<(), Error> {
    if u64::from(w) * u64::from(h) > limits.max_layer_pixels {
        return Err(Error::ReplyTooLarge {
            width: u64::from(w),
            height: u64::from(h),
            limit: format!("{} pixels for an intermediate layer", limits.max_layer_pixels),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::parse;

    /// The reply size (and the placement) for a modifier on a source.
    pub(super) fn plan(modifier: &str, w: u32, h: u32) -> Plan {
        let m = parse(modifier).expect("modifier parses");
        Plan::new(&m, w, h, &PlanLimits::default()).expect("plan")
    }

    pub(super) const S: (u32, u32) = (1000, 500);

    #[test]
    fn source_transform_vectors() {
        // (vector, modifier, reply size)
        let cases: &[(&str, &str, (u32, u32))] = &[
            ("G1", "crop=100,50,400,300&scl=1", (400, 300)),
            ("G2", "cropN=0.1,0,0.8,1&scl=1", (800, 500)),
            ("G3", "cropN=0,0,1,0.8&scl=1", (1000, 400)),
            ("G4", "crop=-50,-50,1100,600&scl=1&fmt=png", (1100, 600)),
            ("G5", "crop=0,0,500,500&wid=250", (250, 250)),
            ("G6", "size=200,200&scl=1", (200, 100)),
            ("G7a", "size=200,0&scl=1", (200, 100)),
            ("G7b", "size=0,100&scl=1", (200, 100)),
            ("G8", "scale=0.5&scl=1", (500, 250)),
            ("G9", "rotate=90&scl=1", (500, 1000)),
            ("G10", "rotate=-90&scl=1", (500, 1000)),
            ("G10b", "rotate=270&scl=1", (500, 1000)),
            ("G11", "rotate=180&scl=1", (1000, 500)),
            ("G12", "rotate=30&scl=1", (1116, 933)),
            ("G13", "rotate=45&scl=1&fmt=png-alpha", (1061, 1061)),
            ("G14", "flip=lr&scl=1", (1000, 500)),
            ("G16", "extend=10,20,30,40&scl=1", (1040, 560)),
            ("G17", "extend=-100,0,-100,0&scl=1", (800, 500)),
            ("G18", "extendN=0.1,0.1,0.1,0.1&scl=1", (1200, 600)),
            ("G19", "rotate=90&extendN=0.1,0,0.1,0&scl=1", (600, 1000)),
        ];
        for (name, modifier, reply) in cases {
            assert_eq!(plan(modifier, S.0, S.1).reply, *reply, "{name}: {modifier}");
        }
        let g16 = plan("extend=10,20,30,40&scl=1", S.0, S.1);
        assert_eq!(g16.extend, (10, 20, 30, 40));
    }

    #[test]
    fn the_worked_example_crops_rotates_and_fills_the_view() {
        let p = plan(
            "wid=300&hei=200&fit=crop&fmt=png&qlt=85&rotate=90&flip=lr&crop=0,0,500,500&bgc=255,255,255&op_sharpen=1",
            S.0,
            S.1,
        );
        assert_eq!(
            (p.composite, p.scaled, p.offset, p.reply),
            ((500, 500), (300, 300), (0, -50), (300, 200))
        );
    }

    #[test]
    fn replies_over_the_limits_are_refused_before_any_allocation() {
        let m = parse("wid=20000").expect("parses");
        assert!(matches!(
            Plan::new(&m, 1000, 500, &PlanLimits::default()),
            Err(Error::ReplyTooLarge { width: 20000, .. })
        ));
        let m = parse("scl=0.01").expect("parses");
        assert!(matches!(
            Plan::new(&m, 1000, 500, &PlanLimits::default()),
            Err(Error::ReplyTooLarge { .. })
        ));
        let tight = PlanLimits {
            max_reply_pixels: 10_000,
            ..PlanLimits::default()
        };
        let m = parse("wid=101&hei=100").expect("parses");
        assert!(Plan::new(&m, 1000, 500, &tight).is_err());
        let m = parse("wid=100&hei=100").expect("parses");
        assert!(Plan::new(&m, 1000, 500, &tight).is_ok());
        // A huge intermediate layer is refused even if the reply is small.
        let m = parse("scale=1000&wid=10").expect("parses");
        assert!(matches!(
            Plan::new(&m, 1000, 500, &PlanLimits::default()),
            Err(Error::ReplyTooLarge { .. })
        ));
    }

    #[test]
    fn extend_that_removes_everything_is_refused() {
        let m = parse("extend=-600,0,-600,0").expect("parses");
        assert!(matches!(
            Plan::new(&m, 1000, 500, &PlanLimits::default()),
            Err(Error::Modifier(_))
        ));
    }

    #[test]
    fn visible_part_and_plain_layers() {
        let p = plan("wid=300&hei=200", S.0, S.1);
        assert_eq!(
            p.visible(),
            Some(Rect {
                x: 0,
                y: 25,
                w: 300,
                h: 150
            })
        );
        assert!(p.layer_is_plain());
        assert!(!plan("rotate=90", S.0, S.1).layer_is_plain());
        assert!(!plan("crop=-1,0,10,10", S.0, S.1).layer_is_plain());
        assert!(plan("crop=10,10,10,10", S.0, S.1).layer_is_plain());
        // rect= shows only what the view shows: here the view is 300 wide
        // (source x 350…650) and the rest of the window is background.
        let p = plan("scl=1&wid=300&rect=-50,0,400,500", S.0, S.1);
        assert_eq!(
            p.visible(),
            Some(Rect {
                x: 50,
                y: 0,
                w: 300,
                h: 500
            })
        );
        // cropN rounds edges: the crop ends exactly at the source's edge.
        let p = plan("cropN=0.5,0,0.5,1&scl=1", 1001, 500);
        assert_eq!((p.crop.x + i64::from(p.crop.w), p.reply.0), (1001, 500));
        assert!(p.layer_is_plain());
        // A rect entirely off the view shows nothing of the composite.
        assert_eq!(plan("wid=100&rect=500,500,10,10", S.0, S.1).visible(), None);
    }
}
