//! The view transform: how `wid`, `hei`, `scl`, `fit` and `align` scale the
//! composite and place it in the reply, before `rect=`.

use super::{conflict, dim, offset, uniform};
use crate::render::modifier::{Fit, FitMode, Modifier};
use crate::render::Error;

/// The view transform's outcome, before `rect=`.
pub(super) struct View {
    pub(super) scaled: (u32, u32),
    pub(super) offset: (i64, i64),
    pub(super) reply: (u32, u32),
}

impl View {
    pub(super) fn new(m: &Modifier, (cw, ch): (u32, u32)) -> Result<View, Error> {
        let (fcw, fch) = (f64::from(cw), f64::from(ch));
        let wid = m.wid.map(f64::from);
        let hei = m.hei.map(f64::from);
        let place = |scaled: (u32, u32), reply: (u32, u32), align: (f64, f64)| View {
            scaled,
            reply,
            offset: (
                offset(aligned(reply.0, scaled.0, align.0)),
                offset(aligned(reply.1, scaled.1, align.1)),
            ),
        };
        if let Some(scl) = m.scl {
            // scl= scales; wid=/hei= then crop or pad around it, placed by align.
            let scaled = (dim(fcw / scl)?, dim(fch / scl)?);
            let reply = (m.wid.unwrap_or(scaled.0), m.hei.unwrap_or(scaled.1));
            return Ok(place(scaled, reply, m.align));
        }
        match (wid, hei, m.fit) {
            (None, None, Some(_)) => Err(conflict("fit= requires wid= or hei=")),
            // No view size asked for: DefaultPix is unconstrained, so the
            // composite is the reply (a copy keeps its full resolution).
            (None, None, None) => Ok(place((cw, ch), (cw, ch), (0.0, 0.0))),
            (Some(w), None, fit) => {
                let s = cap(w / fcw, fit);
                let scaled = (dim(fcw * s)?, dim(fch * s)?);
                let exact = fit.is_none_or(|f| !matches!(f.mode, FitMode::Constrain | FitMode::Wrap));
                let reply = (if exact { dim(w)? } else { scaled.0 }, scaled.1);
                Ok(place(scaled, reply, (0.0, 0.0)))
            }
            (None, Some(h), fit) => {
                let s = cap(h / fch, fit);
                let scaled = (dim(fcw * s)?, dim(fch * s)?);
                let exact = fit.is_none_or(|f| !matches!(f.mode, FitMode::Constrain | FitMode::Wrap));
                let reply = (scaled.0, if exact { dim(h)? } else { scaled.1 });
                Ok(place(scaled, reply, (0.0, 0.0)))
            }
            (Some(w), Some(h), fit) => {
                let (sx, sy) = (w / fcw, h / fch);
                let view = (dim(w)?, dim(h)?);
                let mode = fit.map_or(FitMode::Fit, |f| f.mode);
                let (s, reply, align) = match mode {
                    FitMode::Fit => (uniform(cap(sx.min(sy), fit)), view, m.align),
                    FitMode::Constrain => {
                        let s = cap(sx.min(sy), fit);
                        (uniform(s), (dim(fcw * s)?, dim(fch * s)?), (0.0, 0.0))
                    }
                    FitMode::Crop => (uniform(cap(sx.max(sy), fit)), view, m.align),
                    FitMode::Wrap => {
                        let s = cap(sx.max(sy), fit);
                        let scaled = (dim(fcw * s)?, dim(fch * s)?);
                        (uniform(s), (scaled.0.max(view.0), scaled.1.max(view.1)), m.align)
                    }
                    FitMode::Stretch => ((cap(sx, fit), cap(sy, fit)), view, (0.0, 0.0)),
                    FitMode::HFit => (uniform(cap(sx, fit)), view, m.align),
                    FitMode::VFit => (uniform(cap(sy, fit)), view, m.align),
                };
                let scaled = (dim(fcw * s.0)?, dim(fch * s.1)?);
                Ok(place(scaled, reply, align))
            }
        }
    }
}

/// Limits a view scale to 1:1 when `fit=` forbids upscaling. Without `fit=`,
/// `wid=`/`hei=` scale "to fit" either way.
fn cap(s: f64, fit: Option<Fit>) -> f64 {
    match fit {
        Some(f) if !f.upscale => s.min(1.0),
        _ => s,
    }
}

/// Offset of `inner` within `outer` for an `align=` value (−1 = start,
/// 0 = centre, 1 = end); negative when `inner` is larger (cropping).
fn aligned(outer: u32, inner: u32, a: f64) -> f64 {
    (f64::from(outer) - f64::from(inner)) * (a + 1.0) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::ModifierError;
    use crate::render::plan::tests::{plan, S};
    use crate::render::plan::{Plan, PlanLimits};

    const T: (u32, u32) = (400, 800);

    #[test]
    fn view_sizing_vectors() {
        // (vector, modifier, source, reply, scaled, offset)
        type Case<'a> = (&'a str, &'a str, (u32, u32), (u32, u32), (u32, u32), (i64, i64));
        let cases: &[Case] = &[
            ("V1", "wid=300", S, (300, 150), (300, 150), (0, 0)),
            ("V2", "hei=200", S, (400, 200), (400, 200), (0, 0)),
            ("V3", "wid=300&hei=200", S, (300, 200), (300, 150), (0, 25)),
            ("V4", "wid=300&hei=200&align=0,-1", S, (300, 200), (300, 150), (0, 0)),
            ("V5", "wid=300&hei=200&fit=crop", S, (300, 200), (400, 200), (-50, 0)),
            (
                "V6",
                "wid=300&hei=200&fit=crop&align=-1,0",
                S,
                (300, 200),
                (400, 200),
                (0, 0),
            ),
            ("V7", "wid=300&hei=200&fit=constrain", S, (300, 150), (300, 150), (0, 0)),
            ("V8", "wid=300&hei=200&fit=wrap", S, (400, 200), (400, 200), (0, 0)),
            ("V9", "wid=300&hei=200&fit=stretch", S, (300, 200), (300, 200), (0, 0)),
            ("V10", "wid=300&hei=200&fit=hfit", T, (300, 200), (300, 600), (0, -200)),
            ("V11", "wid=300&hei=200&fit=vfit", S, (300, 200), (400, 200), (-50, 0)),
            (
                "V12",
                "wid=2000&hei=2000&fit=fit",
                S,
                (2000, 2000),
                (1000, 500),
                (500, 750),
            ),
            (
                "V13",
                "wid=2000&hei=2000&fit=fit,1",
                S,
                (2000, 2000),
                (2000, 1000),
                (0, 500),
            ),
            (
                "V14",
                "wid=2000&hei=2000&fit=constrain",
                S,
                (1000, 500),
                (1000, 500),
                (0, 0),
            ),
            (
                "V15",
                "wid=2000&hei=2000&fit=wrap",
                S,
                (2000, 2000),
                (1000, 500),
                (500, 750),
            ),
            ("V16", "scl=2", S, (500, 250), (500, 250), (0, 0)),
            ("V17", "scl=0.5", S, (2000, 1000), (2000, 1000), (0, 0)),
            ("V18", "scl=2&wid=300&hei=300", S, (300, 300), (500, 250), (-100, 25)),
            ("V19", "scl=1&wid=300", S, (300, 500), (1000, 500), (-350, 0)),
            ("V20", "", S, (1000, 500), (1000, 500), (0, 0)),
            ("V21", "wid=1000&rect=0,0,500,500", S, (500, 500), (1000, 500), (0, 0)),
            ("V22", "wid=500&rect=0,0,500,500", S, (500, 500), (500, 250), (0, 0)),
        ];
        for (name, modifier, (w, h), reply, scaled, offset) in cases {
            let p = plan(modifier, *w, *h);
            assert_eq!(
                (p.reply, p.scaled, p.offset),
                (*reply, *scaled, *offset),
                "{name}: {modifier}"
            );
        }
    }

    #[test]
    fn fit_without_a_view_size_is_an_error() {
        // V23: the parser refuses it; the planner does too, independently.
        let m = Modifier {
            fit: Some(Fit {
                mode: FitMode::Crop,
                upscale: false,
            }),
            ..Modifier::default()
        };
        assert!(matches!(
            Plan::new(&m, 1000, 500, &PlanLimits::default()),
            Err(Error::Modifier(ModifierError::Conflict(_)))
        ));
    }
}
