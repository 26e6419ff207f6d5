//! The view's commands: `wid`, `hei`, `scl`, `fit`, `align`, `rect`, `bgc`
//! and sharpening (`op_sharpen`, `op_usm`, `op_usmR`).

use super::{Cmd, Parser, Res};
use crate::render::modifier::colour::color;
use crate::render::modifier::tables::FIT_MODES;
use crate::render::modifier::types::{Fit, Rgba, Usm, ViewRect};
use crate::render::modifier::values::{
    boolean, byte, int, keyword, positive, real_in, uint, MAX_DIM, MAX_INT, MAX_SCALE,
};

impl Parser {
    pub(super) fn wid(&mut self, c: &Cmd<'_>) -> Res {
        self.m.wid = Some(c.check(uint("value", c.value, 1, MAX_DIM))?);
        Ok(())
    }

    pub(super) fn hei(&mut self, c: &Cmd<'_>) -> Res {
        self.m.hei = Some(c.check(uint("value", c.value, 1, MAX_DIM))?);
        Ok(())
    }

    pub(super) fn scl(&mut self, c: &Cmd<'_>) -> Res {
        self.m.scl = Some(c.check(positive("value", c.value, MAX_SCALE))?);
        Ok(())
    }

    pub(super) fn fit(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "mode[,upscale]")?;
        let mode = c.check(keyword("mode", f[0], FIT_MODES))?;
        // `fit=` without the flag does not upscale (Image Serving's default
        // is `fit=fit,0`).
        let upscale = match f.get(1) {
            Some(s) => c.check(boolean("upscale", s))?,
            None => false,
        };
        self.m.fit = Some(Fit { mode, upscale });
        Ok(())
    }

    pub(super) fn align(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "horiz,vert")?;
        let h = c.check(real_in("horiz", f[0], -1.0, 1.0))?;
        let v = c.check(real_in("vert", f[1], -1.0, 1.0))?;
        self.m.align = (h, v);
        Ok(())
    }

    pub(super) fn rect(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 5, "x,y,w,h[,scale]")?;
        let x = c.check(int("x", f[0], -MAX_INT, MAX_INT))?;
        let y = c.check(int("y", f[1], -MAX_INT, MAX_INT))?;
        let w = c.check(uint("w", f[2], 1, MAX_DIM))?;
        let h = c.check(uint("h", f[3], 1, MAX_DIM))?;
        let scale = match f.get(4) {
            Some(s) => c.check(positive("scale", s, MAX_SCALE))?,
            None => 1.0,
        };
        self.m.rect = Some(ViewRect { x, y, w, h, scale });
        Ok(())
    }

    pub(super) fn bgc(&mut self, c: &Cmd<'_>) -> Res {
        let (color, _) = c.check(color("value", c.value))?;
        // Image Serving: "Any alpha value specified with color is ignored".
        self.m.bgc = Some(Rgba { a: 255, ..color });
        Ok(())
    }

    pub(super) fn op_sharpen(&mut self, c: &Cmd<'_>) -> Res {
        let on = c.check(boolean("value", c.value))?;
        self.sharpening().sharpen = on;
        Ok(())
    }

    pub(super) fn op_usm(&mut self, c: &Cmd<'_>) -> Res {
        self.usm(c, true)
    }

    pub(super) fn op_usm_r(&mut self, c: &Cmd<'_>) -> Res {
        self.usm(c, false)
    }

    fn usm(&mut self, c: &Cmd<'_>, relative: bool) -> Res {
        let f = c.fields(1, 4, "amount[,radius[,threshold[,monochrome]]]")?;
        let amount = c.check(real_in("amount", f[0], 0.0, 5.0))? as f32;
        // Omitted trailing values take the documented default `0,0,0,0`.
        let radius = match f.get(1) {
            Some(s) => c.check(real_in("radius", s, 0.0, 250.0))? as f32,
            None => 0.0,
        };
        let threshold = match f.get(2) {
            Some(s) => c.check(byte("threshold", s, 0, 255))?,
            None => 0,
        };
        let monochrome = match f.get(3) {
            Some(s) => c.check(boolean("monochrome", s))?,
            None => false,
        };
        self.sharpening().usm = Some(Usm {
            amount,
            radius,
            threshold,
            monochrome,
            relative,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::*;
    use crate::render::modifier::FitMode;

    #[test]
    fn wid_hei() {
        assert_eq!(ok("wid=300").wid, Some(300));
        assert_eq!(ok("hei=200").hei, Some(200));
        invalid("hei=0", "hei");
        invalid("hei=abc", "hei");
    }

    #[test]
    fn scl() {
        assert_eq!(ok("scl=2.5").scl, Some(2.5));
        assert_eq!(ok("scl=1000000").scl, Some(1e6));
        invalid("scl=0", "scl");
        invalid("scl=-1", "scl");
        invalid("scl=1000000.5", "scl");
    }

    #[test]
    fn fit() {
        assert_eq!(
            ok("wid=1&fit=crop").fit,
            Some(Fit {
                mode: FitMode::Crop,
                upscale: false
            })
        );
        assert_eq!(
            ok("hei=1&fit=HFIT,1").fit,
            Some(Fit {
                mode: FitMode::HFit,
                upscale: true
            })
        );
        assert_eq!(
            ok("fit=vfit,0&wid=1").fit,
            Some(Fit {
                mode: FitMode::VFit,
                upscale: false
            })
        );
        for (word, mode) in FIT_MODES {
            assert_eq!(ok(&format!("wid=1&fit={word}")).fit.map(|f| f.mode), Some(*mode));
        }
        invalid("wid=1&fit=fill", "fit");
        invalid("wid=1&fit=crop,2x", "fit");
        invalid("wid=1&fit=crop,1,1", "fit");
        invalid("wid=1&fit=", "fit");
    }

    #[test]
    fn fit_needs_wid_or_hei() {
        assert_eq!(conflict("fit=crop"), "fit= requires wid= or hei=");
        assert_eq!(conflict("scl=2&fit=fit,1"), "fit= requires wid= or hei=");
    }

    #[test]
    fn align() {
        assert_eq!(ok("align=-1,0.5").align, (-1.0, 0.5));
        assert_eq!(ok("").align, (0.0, 0.0));
        invalid("align=1.1,0", "align");
        invalid("align=0", "align");
        invalid("align=0,0,0", "align");
    }

    #[test]
    fn rect() {
        assert_eq!(
            ok("rect=-10,20,300,400").rect,
            Some(ViewRect {
                x: -10,
                y: 20,
                w: 300,
                h: 400,
                scale: 1.0
            })
        );
        assert_eq!(ok("rect=0,0,1,1,0.5").rect.map(|r| r.scale), Some(0.5));
        invalid("rect=0,0,0,1", "rect");
        invalid("rect=0,0,1,1,0", "rect");
        invalid("rect=0,0,1", "rect");
        invalid("rect=0,0,1,1,1,1", "rect");
    }

    #[test]
    fn bgc_ignores_alpha() {
        assert_eq!(ok("bgc=255,255,255").bgc, Some(Rgba::WHITE));
        assert_eq!(ok("bgc=10,20,30,0").bgc, Some(rgba(10, 20, 30, 255)));
        assert_eq!(ok("bgc=a0b1c2d3").bgc, Some(rgba(0xa0, 0xb1, 0xc2, 255)));
        invalid("bgc=256,0,0", "bgc");
        invalid("bgc=red", "bgc");
    }

    #[test]
    fn op_sharpen() {
        let m = ok("op_sharpen=1");
        assert!(m.sharpen && !m.sharpen_on_layer);
        assert!(!ok("op_sharpen=1&op_sharpen=0").sharpen);
        invalid("op_sharpen=sharp", "op_sharpen");
    }

    #[test]
    fn op_usm_and_op_usm_r_are_one_attribute() {
        let usm = Usm {
            amount: 0.9,
            radius: 1.0,
            threshold: 8,
            monochrome: true,
            relative: true,
        };
        assert_eq!(ok("op_usm=0.9,1.0,8,1").usm, Some(usm));
        assert_eq!(ok("op_usm=0.9%2c1.0%2c8%2c1").usm, Some(usm));
        assert_eq!(
            ok("op_usm=1&op_usmR=0.9,1.0,8,1").usm,
            Some(Usm { relative: false, ..usm })
        );
        assert_eq!(ok("op_usmR=1&op_usm=0.9,1.0,8,1").usm, Some(usm));
        // Omitted trailing values are 0.
        assert_eq!(
            ok("op_usm=2").usm,
            Some(Usm {
                amount: 2.0,
                radius: 0.0,
                threshold: 0,
                monochrome: false,
                relative: true
            })
        );
        invalid("op_usm=5.1", "op_usm");
        invalid("op_usm=1,251", "op_usm");
        invalid("op_usmR=1,1,256", "op_usmR");
        invalid("op_usm=1,1,1.5", "op_usm");
        invalid("op_usm=1,1,1,1,1", "op_usm");
        invalid("op_usm=", "op_usm");
    }
}
