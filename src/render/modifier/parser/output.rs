//! The output's commands: `fmt` (format, pixel type, compression), `qlt`,
//! `resMode`, `quantize` and `printRes`.

use super::{Cmd, Parser, Res};
use crate::render::modifier::colour::hex_rgb;
use crate::render::modifier::tables::{
    pixel_type_allowed, COMPRESSIONS, DITHERS, FORMATS, PALETTES, PIXEL_TYPES, RES_MODES, UNSUPPORTED_FORMATS,
};
use crate::render::modifier::types::{Compression, Fmt, Format, Quality, Quantize};
use crate::render::modifier::values::{boolean, byte, keyword, uint};
use crate::render::modifier::ModifierError;

impl Parser {
    pub(super) fn fmt(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 3, "format[,[pixelType][,compression]]")?;
        let format = match keyword("format", f[0], FORMATS) {
            Ok(format) => format,
            // Documented formats the emulator cannot write are a limitation,
            // not a user error.
            Err(_) if UNSUPPORTED_FORMATS.iter().any(|u| f[0].eq_ignore_ascii_case(u)) => {
                return Err(c.unsupported_value())
            }
            Err(reason) => return Err(c.invalid(reason)),
        };
        let pixel_type = match f.get(1) {
            None | Some(&"") => None,
            Some(s) => {
                let t = c.check(keyword("pixelType", s, PIXEL_TYPES))?;
                if !pixel_type_allowed(format, t) {
                    return Err(c.invalid(format!("pixelType: not available with {}", f[0])));
                }
                Some(t)
            }
        };
        let compression = match f.get(2) {
            None | Some(&"") => None,
            Some(s) => Some(self.compression(c, format, s)?),
        };
        self.m.fmt = Fmt {
            format,
            pixel_type,
            compression,
        };
        Ok(())
    }

    fn compression(&self, c: &Cmd<'_>, format: Format, s: &str) -> Result<Compression, ModifierError> {
        let compression = c.check(keyword("compression", s, COMPRESSIONS))?;
        let allowed = match format {
            Format::Tif => {
                if compression == Compression::Jpeg {
                    // Valid Image Serving, but the emulator has no
                    // JPEG-in-TIFF writer.
                    return Err(c.unsupported_value());
                }
                matches!(compression, Compression::None | Compression::Lzw | Compression::Zip)
            }
            // Image Serving: "'tiff-alpha' does not support jpeg compression".
            Format::TifAlpha => matches!(compression, Compression::None | Compression::Lzw | Compression::Zip),
            Format::Webp | Format::WebpAlpha => matches!(compression, Compression::Lossy | Compression::Lossless),
            _ => return Err(c.invalid("compression: only permitted with tif, tif-alpha, webp and webp-alpha")),
        };
        if !allowed {
            return Err(c.invalid("compression: not available with this format"));
        }
        Ok(compression)
    }

    pub(super) fn qlt(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "quality[,chroma]")?;
        let quality = c.check(byte("quality", f[0], 1, 100))?;
        let full_chroma = match f.get(1) {
            Some(s) => c.check(boolean("chroma", s))?,
            None => false,
        };
        self.m.qlt = Some(Quality { quality, full_chroma });
        Ok(())
    }

    pub(super) fn res_mode(&mut self, c: &Cmd<'_>) -> Res {
        self.m.res_mode = Some(c.check(keyword("value", c.value, RES_MODES))?);
        Ok(())
    }

    pub(super) fn quantize(&mut self, c: &Cmd<'_>) -> Res {
        let f: Vec<&str> = c.value.split(',').collect();
        let palette = c.check(keyword("type", f[0], PALETTES))?;
        let dither = match f.get(1) {
            Some(s) => c.check(keyword("dither", s, DITHERS))?,
            None => true,
        };
        let colors = match f.get(2) {
            Some(s) => c.check(uint("numColors", s, 2, 256))?,
            None => 256,
        };
        let colors = c.check(u16::try_from(colors).map_err(|_| "numColors: out of range".to_string()))?;
        let forced = f
            .get(3..)
            .unwrap_or_default()
            .iter()
            .map(|s| c.check(hex_rgb("colorList", s)))
            .collect::<Result<Vec<_>, _>>()?;
        if forced.len() > usize::from(colors) {
            return Err(c.invalid("colorList: more forced colours than numColors"));
        }
        self.m.quantize = Some(Quantize {
            palette,
            dither,
            colors,
            forced,
        });
        Ok(())
    }

    pub(super) fn print_res(&mut self, c: &Cmd<'_>) -> Res {
        self.m.print_res = Some(c.check(uint("value", c.value, 1, 65535))?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::*;
    use crate::render::modifier::{Palette, PixelType, ResMode};

    #[test]
    fn fmt_formats() {
        assert_eq!(ok("fmt=JPG").fmt, Fmt::default());
        for (word, format) in FORMATS {
            assert_eq!(ok(&format!("fmt={word}")).fmt.format, *format, "{word}");
        }
        for word in UNSUPPORTED_FORMATS {
            unsupported(&format!("fmt={word}"), &format!("fmt={word}"));
        }
        unsupported("fmt=avif", "fmt=avif");
        unsupported("FMT=AVIF,,lossless", "FMT=AVIF,,lossless");
        invalid("fmt=bmp", "fmt");
        invalid("fmt=tiff", "fmt");
        invalid("fmt=../../etc/passwd", "fmt");
        invalid("fmt=png%00.jpg", "fmt");
        invalid("fmt=", "fmt");
        invalid("fmt=png,rgb,none,x", "fmt");
    }

    #[test]
    fn fmt_pixel_types() {
        assert_eq!(
            ok("fmt=jpeg,gray").fmt,
            Fmt {
                format: Format::Jpeg,
                pixel_type: Some(PixelType::Gray),
                compression: None
            }
        );
        assert_eq!(ok("fmt=tif-alpha,CMYK").fmt.pixel_type, Some(PixelType::Cmyk));
        assert_eq!(ok("fmt=png,").fmt.pixel_type, None);
        invalid("fmt=png,cmyk", "fmt");
        invalid("fmt=png8,gray", "fmt");
        invalid("fmt=webp-alpha,gray", "fmt");
        invalid("fmt=gif,lab", "fmt");
    }

    #[test]
    fn fmt_compression() {
        assert_eq!(
            ok("fmt=tif,,lzw").fmt,
            Fmt {
                format: Format::Tif,
                pixel_type: None,
                compression: Some(Compression::Lzw)
            }
        );
        assert_eq!(ok("fmt=tif-alpha,rgb,ZIP").fmt.compression, Some(Compression::Zip));
        assert_eq!(
            ok("fmt=webp-alpha,,lossless").fmt.compression,
            Some(Compression::Lossless)
        );
        assert_eq!(ok("fmt=tif,gray,").fmt.compression, None);
        unsupported("fmt=tif,,jpeg", "fmt=tif,,jpeg");
        // Image Serving itself refuses JPEG compression in tif-alpha.
        invalid("fmt=tif-alpha,,jpeg", "fmt");
        invalid("fmt=png,,lzw", "fmt");
        invalid("fmt=jpeg,,none", "fmt");
        invalid("fmt=webp,,lzw", "fmt");
        invalid("fmt=tif,,lossy", "fmt");
        invalid("fmt=tif,,rle", "fmt");
    }

    #[test]
    fn qlt() {
        assert_eq!(
            ok("qlt=95,1").qlt,
            Some(Quality {
                quality: 95,
                full_chroma: true
            })
        );
        assert_eq!(
            ok("qlt=1").qlt,
            Some(Quality {
                quality: 1,
                full_chroma: false
            })
        );
        invalid("qlt=750", "qlt");
        invalid("qlt=0", "qlt");
        invalid("qlt=90,2x", "qlt");
        invalid("qlt=90,1,1", "qlt");
    }

    #[test]
    fn res_mode() {
        assert_eq!(ok("resMode=sharp").res_mode, Some(ResMode::Sharp2));
        for (word, mode) in RES_MODES {
            assert_eq!(ok(&format!("resMode={word}")).res_mode, Some(*mode));
        }
        invalid("resMode=lanczos", "resMode");
    }

    #[test]
    fn quantize() {
        assert_eq!(
            ok("fmt=gif-alpha&quantize=adaptive,off,2,000000,FFFFFF").quantize,
            Some(Quantize {
                palette: Palette::Adaptive,
                dither: false,
                colors: 2,
                forced: vec![[0, 0, 0], [255, 255, 255]],
            })
        );
        assert_eq!(
            ok("quantize=WEB").quantize,
            Some(Quantize {
                palette: Palette::Web,
                ..Quantize::default()
            })
        );
        assert_eq!(
            ok("quantize=mac,diffuse,16&fmt=gif").quantize.map(|q| q.colors),
            Some(16)
        );
        invalid("quantize=octree", "quantize");
        invalid("quantize=web,floyd", "quantize");
        invalid("quantize=adaptive,off,1", "quantize");
        invalid("quantize=adaptive,off,257", "quantize");
        invalid("quantize=adaptive,off,2,fff", "quantize");
        invalid("quantize=adaptive,off,2,0x0000", "quantize");
        invalid("quantize=adaptive,off,2,000000,111111,222222", "quantize");
    }

    #[test]
    fn quantize_mac_with_alpha_formats_conflicts_in_either_order() {
        conflict("quantize=mac&fmt=png8-alpha");
        conflict("fmt=gif-alpha&quantize=mac,off");
        // Overridden before the end: fine.
        assert!(ok("quantize=mac&fmt=gif-alpha&fmt=gif").quantize.is_some());
    }

    #[test]
    fn print_res() {
        assert_eq!(ok("printRes=300").print_res, Some(300));
        invalid("printRes=0", "printRes");
        invalid("printRes=65536", "printRes");
    }
}
