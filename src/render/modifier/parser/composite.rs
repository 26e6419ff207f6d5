//! The composite's commands: `flip`, the `op_*` colour operations, blur,
//! noise and `opac`.

use super::{Cmd, Parser, Res};
use crate::render::modifier::colour::{color, ColorModel};
use crate::render::modifier::tables::{COLORIZE_MODES, FLIPS, NOISE_KINDS};
use crate::render::modifier::types::{Colorize, Noise, Rgba};
use crate::render::modifier::values::{boolean, byte, int32, keyword, real_in};

impl Parser {
    pub(super) fn flip(&mut self, c: &Cmd<'_>) -> Res {
        let flip = c.check(keyword("value", c.value, FLIPS))?;
        // One attribute whose last occurrence wins; `layer=0` only decides
        // whether it applies before or after rotation.
        if self.on_layer0 {
            self.m.layer_flip = Some(flip);
            self.m.flip = None;
        } else {
            self.m.flip = Some(flip);
            self.m.layer_flip = None;
        }
        Ok(())
    }

    pub(super) fn op_brightness(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.brightness = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    pub(super) fn op_contrast(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.contrast = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    pub(super) fn op_saturation(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.saturation = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    pub(super) fn op_hue(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.hue = c.check(int32("value", c.value, -180, 180))?;
        Ok(())
    }

    pub(super) fn op_colorbalance(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(3, 3, "r,g,b")?;
        self.m.adjust.color_balance = [
            c.check(int32("r", f[0], -100, 100))?,
            c.check(int32("g", f[1], -100, 100))?,
            c.check(int32("b", f[2], -100, 100))?,
        ];
        Ok(())
    }

    pub(super) fn op_invert(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.invert = c.check(boolean("value", c.value))?;
        Ok(())
    }

    pub(super) fn op_blur(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.blur = c.check(real_in("value", c.value, 0.0, 100.0))? as f32;
        Ok(())
    }

    pub(super) fn op_colorize(&mut self, c: &Cmd<'_>) -> Res {
        // The colour itself may contain commas (`255,0,0`), so it is
        // everything before the first `off`/`norm` (or empty) field.
        let fields: Vec<&str> = c.value.split(',').collect();
        let split = fields
            .iter()
            .position(|f| f.is_empty() || f.eq_ignore_ascii_case("off") || f.eq_ignore_ascii_case("norm"))
            .unwrap_or(fields.len());
        let (color_fields, rest) = fields.split_at(split);
        let (color, model) = c.check(color("color", &color_fields.join(",")))?;
        if model != ColorModel::Rgb {
            return Err(c.invalid("color: op_colorize takes an RGB colour"));
        }
        // An empty mode is the default `norm`, as an empty `fmt=` field is
        // the default there (`fmt=tif,,lzw`).
        let mode = |m: &str| match m {
            "" => Ok(true),
            m => c.check(keyword("mode", m, COLORIZE_MODES)),
        };
        let (normalize, contrast) = match rest {
            [] => (true, 0.0),
            [m] => (mode(m)?, 0.0),
            [m, contrast] => (mode(m)?, c.check(real_in("contrast", contrast, 0.0, 100.0))? as f32),
            _ => return Err(c.invalid("expected color[,off|norm[,contrast]]")),
        };
        self.m.adjust.colorize = Some(Colorize {
            // The tint's alpha is ignored; fixed so equal requests compare
            // equal.
            color: Rgba { a: 255, ..color },
            normalize,
            contrast,
        });
        Ok(())
    }

    pub(super) fn op_noise(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 3, "amount[,uniform|gaussian[,monochrome]]")?;
        let amount = c.check(byte("amount", f[0], 0, 100))?;
        let gaussian = match f.get(1) {
            Some(s) => c.check(keyword("distribution", s, NOISE_KINDS))?,
            None => false,
        };
        let monochrome = match f.get(2) {
            Some(s) => c.check(boolean("monochrome", s))?,
            None => false,
        };
        self.m.adjust.noise = (amount > 0).then_some(Noise {
            amount,
            gaussian,
            monochrome,
        });
        Ok(())
    }

    pub(super) fn opac(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "opacity[,fillOpacity]")?;
        let opacity = u16::from(c.check(byte("opacity", f[0], 0, 100))?);
        let fill = match f.get(1) {
            Some(s) => u16::from(c.check(byte("fillOpacity", s, 0, 100))?),
            None => 100,
        };
        // opacity·fill/100, rounded half up; at most 100, so it fits a u8.
        let combined = (opacity * fill + 50) / 100;
        self.m.opacity = Some(c.check(u8::try_from(combined).map_err(|_| "opacity out of range".to_string()))?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::*;
    use crate::render::modifier::Flip;

    #[test]
    fn flip() {
        assert_eq!(ok("flip=lr").flip, Some(Flip::Lr));
        assert_eq!(ok("flip=UD").flip, Some(Flip::Ud));
        assert_eq!(ok("flip=lrud").flip, Some(Flip::LrUd));
        invalid("flip=rl", "flip");
        invalid("flip=", "flip");
    }

    #[test]
    fn colour_operations() {
        let a =
            ok("op_brightness=-100&op_contrast=100&op_saturation=-60&op_hue=-180&op_colorbalance=100,0,-100").adjust;
        assert_eq!((a.brightness, a.contrast, a.saturation, a.hue), (-100, 100, -60, -180));
        assert_eq!(a.color_balance, [100, 0, -100]);
        assert_eq!(ok("op_colorBalance=1,2,3").adjust.color_balance, [1, 2, 3]);
        invalid("op_brightness=101", "op_brightness");
        invalid("op_brightness=500", "op_brightness");
        invalid("op_contrast=-101", "op_contrast");
        invalid("op_saturation=1.5", "op_saturation");
        invalid("op_hue=181", "op_hue");
        invalid("op_colorbalance=1,2", "op_colorbalance");
        invalid("op_colorbalance=1,2,101", "op_colorbalance");
    }

    #[test]
    fn op_invert_and_op_blur() {
        assert!(ok("op_invert=1").adjust.invert);
        invalid("op_invert=maybe", "op_invert");
        assert_eq!(ok("op_blur=2.5").adjust.blur, 2.5);
        invalid("op_blur=100.5", "op_blur");
        invalid("op_blur=-1", "op_blur");
    }

    #[test]
    fn op_colorize() {
        let c = ok("op_colorize=a0b0c0").adjust.colorize;
        assert_eq!(
            c,
            Some(Colorize {
                color: rgba(0xa0, 0xb0, 0xc0, 255),
                normalize: true,
                contrast: 0.0
            })
        );
        let c = ok("op_colorize=a0b0c0,norm,50").adjust.colorize;
        assert_eq!(c.map(|c| (c.normalize, c.contrast)), Some((true, 50.0)));
        let c = ok("colorize=255,0,0,OFF").adjust.colorize;
        assert_eq!(
            c,
            Some(Colorize {
                color: rgba(255, 0, 0, 255),
                normalize: false,
                contrast: 0.0
            })
        );
        // Alpha is dropped; an empty mode is the default `norm`.
        let c = ok("op_colorize=255,0,0,10,,30").adjust.colorize;
        assert_eq!(
            c.map(|c| (c.color, c.normalize, c.contrast)),
            Some((rgba(255, 0, 0, 255), true, 30.0))
        );
        invalid("op_colorize=a0b0c0,norm,101", "op_colorize");
        invalid("op_colorize=a0b0c0,bright", "op_colorize");
        invalid("op_colorize=a0b0c0,norm,5,5", "op_colorize");
        invalid("colorize=50g", "colorize");
        invalid("op_colorize=0,0,0,0k", "op_colorize");
        invalid("op_colorize=", "op_colorize");
    }

    #[test]
    fn op_noise() {
        assert_eq!(
            ok("op_noise=20,gaussian,1").adjust.noise,
            Some(Noise {
                amount: 20,
                gaussian: true,
                monochrome: true
            })
        );
        assert_eq!(
            ok("op_noise=5").adjust.noise,
            Some(Noise {
                amount: 5,
                gaussian: false,
                monochrome: false
            })
        );
        assert_eq!(ok("op_noise=20&op_noise=0,uniform").adjust.noise, None);
        invalid("op_noise=101", "op_noise");
        invalid("op_noise=5,pink", "op_noise");
        invalid("op_noise=5,uniform,1,1", "op_noise");
    }

    #[test]
    fn opac() {
        assert_eq!(ok("opac=90,70").opacity, Some(63));
        assert_eq!(ok("opac=50").opacity, Some(50));
        // 15·15/100 = 2.25 → 2; 15·50/100 = 7.5 → 8 (half up).
        assert_eq!(ok("opac=15,15").opacity, Some(2));
        assert_eq!(ok("opac=15,50").opacity, Some(8));
        invalid("opac=101", "opac");
        invalid("opac=50,-1", "opac");
        invalid("opac=50,50,50", "opac");
    }
}
