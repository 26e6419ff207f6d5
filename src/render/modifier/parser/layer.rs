//! Layer 0's commands (`crop`, `cropN`, `size`, `scale`, `rotate`,
//! `extend`, `extendN`, `color`, `bgColor`, `anchor`) and `layer=`, which
//! says whether `flip=` and sharpening apply to layer 0 or to the composite.

use super::{Cmd, Parser, Res};
use crate::render::modifier::colour::color;
use crate::render::modifier::types::{Crop, Extend};
use crate::render::modifier::values::{int, positive, real, real_in, uint, MAX_DIM, MAX_INT, MAX_SCALE};

impl Parser {
    pub(super) fn crop(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "x,y,w,h")?;
        self.m.crop = Some(Crop::Pixels {
            x: c.check(int("x", f[0], -MAX_INT, MAX_INT))?,
            y: c.check(int("y", f[1], -MAX_INT, MAX_INT))?,
            w: c.check(uint("w", f[2], 1, MAX_DIM))?,
            h: c.check(uint("h", f[3], 1, MAX_DIM))?,
        });
        Ok(())
    }

    pub(super) fn crop_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "x,y,w,h")?;
        let x = c.check(real_in("x", f[0], -100.0, 100.0))?;
        let y = c.check(real_in("y", f[1], -100.0, 100.0))?;
        let w = c.check(positive("w", f[2], 100.0))?;
        let h = c.check(positive("h", f[3], 100.0))?;
        self.m.crop = Some(Crop::Normalized { x, y, w, h });
        Ok(())
    }

    pub(super) fn size(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "w,h")?;
        let w = c.check(uint("w", f[0], 0, MAX_DIM))?;
        let h = c.check(uint("h", f[1], 0, MAX_DIM))?;
        self.m.size = Some((w, h));
        Ok(())
    }

    pub(super) fn size_n(&mut self, c: &Cmd<'_>) -> Res {
        // Every layer here is layer 0 or the composite.
        Err(c.invalid("sizeN is only permitted on layers other than 0"))
    }

    pub(super) fn scale(&mut self, c: &Cmd<'_>) -> Res {
        self.m.scale = Some(c.check(positive("value", c.value, MAX_SCALE))?);
        Ok(())
    }

    pub(super) fn rotate(&mut self, c: &Cmd<'_>) -> Res {
        self.m.rotate = c.check(real("value", c.value))?;
        Ok(())
    }

    pub(super) fn extend(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "left,top,right,bottom")?;
        self.m.extend = Some(Extend::Pixels {
            l: c.check(int("left", f[0], -MAX_INT, MAX_INT))?,
            t: c.check(int("top", f[1], -MAX_INT, MAX_INT))?,
            r: c.check(int("right", f[2], -MAX_INT, MAX_INT))?,
            b: c.check(int("bottom", f[3], -MAX_INT, MAX_INT))?,
        });
        Ok(())
    }

    pub(super) fn extend_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "left,top,right,bottom")?;
        self.m.extend = Some(Extend::Normalized {
            l: c.check(real_in("left", f[0], -100.0, 100.0))?,
            t: c.check(real_in("top", f[1], -100.0, 100.0))?,
            r: c.check(real_in("right", f[2], -100.0, 100.0))?,
            b: c.check(real_in("bottom", f[3], -100.0, 100.0))?,
        });
        Ok(())
    }

    pub(super) fn color(&mut self, c: &Cmd<'_>) -> Res {
        self.m.color = Some(c.check(color("value", c.value))?.0);
        Ok(())
    }

    pub(super) fn bg_color(&mut self, c: &Cmd<'_>) -> Res {
        self.m.bg_color = Some(c.check(color("value", c.value))?.0);
        Ok(())
    }

    /// Validated only: the anchor is the rotation centre and the layer's
    /// origin, which moves nothing in a single-layer reply.
    pub(super) fn anchor(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "x,y")?;
        c.check(int("x", f[0], -MAX_INT, MAX_INT))?;
        c.check(int("y", f[1], -MAX_INT, MAX_INT))?;
        Ok(())
    }

    /// See [`Parser::anchor`].
    pub(super) fn anchor_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "x,y")?;
        c.check(real("x", f[0]))?;
        c.check(real("y", f[1]))?;
        Ok(())
    }

    /// Only layer 0 and the composite exist in a single-image copy.
    pub(super) fn layer(&mut self, c: &Cmd<'_>) -> Res {
        if c.value == "0" {
            self.on_layer0 = true;
        } else if c.value.eq_ignore_ascii_case("comp") {
            self.on_layer0 = false;
        } else {
            return Err(c.unsupported_value());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::*;
    use crate::render::modifier::{Flip, Modifier, Rgba};

    #[test]
    fn crop_and_crop_n_are_one_attribute() {
        assert_eq!(
            ok("crop=-5,10,500,400").crop,
            Some(Crop::Pixels {
                x: -5,
                y: 10,
                w: 500,
                h: 400
            })
        );
        assert_eq!(
            ok("crop=0,0,500,500&cropN=0.1,0,0.8,1").crop,
            Some(Crop::Normalized {
                x: 0.1,
                y: 0.0,
                w: 0.8,
                h: 1.0
            })
        );
        assert_eq!(
            ok("cropN=0.1,0,0.8,1&crop=0,0,500,500").crop,
            Some(Crop::Pixels {
                x: 0,
                y: 0,
                w: 500,
                h: 500
            })
        );
        invalid("crop=0,0,0,5", "crop");
        invalid("crop=0,0,5", "crop");
        invalid("crop=0,0,5,5,5", "crop");
        invalid("crop=0,0,2147483648,5", "crop");
        invalid("cropN=0,0,0,1", "cropN");
        invalid("cropN=-101,0,1,1", "cropN");
        invalid("cropN=0,0,1", "cropN");
    }

    #[test]
    fn size_and_size_n() {
        assert_eq!(ok("size=200,0").size, Some((200, 0)));
        assert_eq!(ok("size=0,0").size, Some((0, 0)));
        invalid("size=-1,5", "size");
        invalid("size=5", "size");
        let reason = invalid("sizeN=0.5,0.5", "sizeN");
        assert_eq!(reason, "sizeN is only permitted on layers other than 0");
    }

    #[test]
    fn scale() {
        assert_eq!(ok("scale=0.5").scale, Some(0.5));
        invalid("scale=0", "scale");
        invalid("scale=2000000", "scale");
    }

    #[test]
    fn rotate() {
        assert_eq!(ok("rotate=90").rotate, 90.0);
        assert_eq!(ok("rotate=-30.5").rotate, -30.5);
        assert_eq!(ok("rotate=3600000000").rotate, 3_600_000_000.0);
        invalid("rotate=ninety", "rotate");
        invalid("rotate=90,1", "rotate");
    }

    #[test]
    fn extend_and_extend_n_are_one_attribute() {
        assert_eq!(
            ok("extend=10,-20,30,40").extend,
            Some(Extend::Pixels {
                l: 10,
                t: -20,
                r: 30,
                b: 40
            })
        );
        assert_eq!(
            ok("extend=1,1,1,1&extendN=0.1,0,-0.1,100").extend,
            Some(Extend::Normalized {
                l: 0.1,
                t: 0.0,
                r: -0.1,
                b: 100.0
            })
        );
        invalid("extend=1,1,1", "extend");
        invalid("extend=1,1,1,1.5", "extend");
        invalid("extendN=0,0,0,100.1", "extendN");
    }

    #[test]
    fn color_and_bg_color_keep_alpha() {
        assert_eq!(ok("color=ffffff40").color, Some(rgba(255, 255, 255, 0x40)));
        assert_eq!(ok("bgColor=255,0,0").bg_color, Some(rgba(255, 0, 0, 255)));
        assert_eq!(ok("bgcolor=0,0,0,0").bg_color, Some(Rgba::TRANSPARENT));
        invalid("color=1,2,3,4,5", "color");
        invalid("bgColor=", "bgColor");
    }

    #[test]
    fn anchor_is_validated_and_ignored() {
        assert_eq!(ok("anchor=-5,10"), Modifier::default());
        assert_eq!(ok("anchorN=-0.5,0.5"), Modifier::default());
        invalid("anchor=2147483648,0", "anchor");
        invalid("anchor=1", "anchor");
        invalid("anchorN=a,b", "anchorN");
    }

    #[test]
    fn layer_zero_moves_flip_and_sharpening() {
        let m = ok("layer=0&flip=lr");
        assert_eq!((m.layer_flip, m.flip), (Some(Flip::Lr), None));
        let m = ok("flip=ud&layer=0&flip=lr");
        assert_eq!((m.layer_flip, m.flip), (Some(Flip::Lr), None));
        let m = ok("layer=0&flip=lr&layer=COMP&flip=ud");
        assert_eq!((m.layer_flip, m.flip), (None, Some(Flip::Ud)));

        let m = ok("layer=0&op_sharpen=1");
        assert!(m.sharpen && m.sharpen_on_layer);
        let m = ok("layer=0&op_usmR=1,2");
        assert!(m.sharpen_on_layer);
        assert_eq!(m.usm.map(|u| (u.amount, u.radius, u.relative)), Some((1.0, 2.0, false)));
        // A no-op on the composite does not cancel the layer's sharpening.
        let m = ok("layer=0&op_sharpen=1&layer=comp&op_sharpen=0");
        assert!(m.sharpen && m.sharpen_on_layer);
        let m = ok("op_usm=0,0,0,0&layer=0&op_sharpen=1");
        assert!(m.sharpen && m.sharpen_on_layer);
        // Real sharpening on both targets cannot be represented.
        conflict("op_sharpen=1&layer=0&op_usm=1");

        // Other commands are unaffected by the layer.
        let m = ok("layer=0&wid=5&rotate=90&op_invert=1");
        assert_eq!((m.wid, m.rotate, m.adjust.invert), (Some(5), 90.0, true));
    }

    #[test]
    fn other_layers_are_unsupported() {
        unsupported("layer=1", "layer=1");
        unsupported("layer=name", "layer=name");
        unsupported("layer=0,name", "layer=0,name");
        unsupported("LAYER=-1", "LAYER=-1");
    }
}
