//! Image Serving's colour values (gray, RGB and CMYK, decimal or hex) as
//! RGBA, and the six-digit hex colours of a `quantize` colour list.

use super::types::Rgba;
use super::values::{hex_value, uint};

/// Exactly six hex digits (a `quantize` colorList entry).
pub(super) fn hex_rgb(label: &str, s: &str) -> Result<[u8; 3], String> {
    match hex_bytes(s).as_deref() {
        Some(&[r, g, b]) => Ok([r, g, b]),
        _ => Err(format!("{label}: expected six hex digits (rrggbb)")),
    }
}

/// Pairs of hex digits as bytes; `None` unless `s` is a non-empty, even-length
/// run of hex digits.
fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() % 2 != 0 {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            &[hi, lo] => Some(hex_value(hi)? << 4 | hex_value(lo)?),
            _ => None,
        })
        .collect()
}

/// Which colour space a colour value was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ColorModel {
    Gray,
    Rgb,
    Cmyk,
}

/// An Image Serving colour value, as RGBA:
/// - `gray[,alpha][g]`: decimal percentages;
/// - `r,g,b[,a][r]`: decimal 0…255;
/// - `c,m,y,k[,a]k`: decimal percentages;
/// - `0x{hex2|hex4}[g]`, `[0x]{hex6|hex8}[r]`, `[0x]{hex8|hex10}k`;
/// - each with an optional `s` (source colour space) suffix, accepted and
///   ignored: without colour management both spaces are sRGB.
///
/// Gray and CMYK are converted naively (no ICC), matching how the encoder
/// converts pixels.
pub(super) fn color(label: &str, s: &str) -> Result<(Rgba, ColorModel), String> {
    let err = || {
        format!(
            "{label}: expected a colour (r,g,b[,a], rrggbb[aa], gray[,alpha]g, 0xgg[aa]g, c,m,y,k[,a]k or \
             cccccccc[aa]k)"
        )
    };
    let body = strip_suffix_ci(s, 's').unwrap_or(s);
    let (body, hint) = if let Some(b) = strip_suffix_ci(body, 'g') {
        (b, Some(ColorModel::Gray))
    } else if let Some(b) = strip_suffix_ci(body, 'r') {
        (b, Some(ColorModel::Rgb))
    } else if let Some(b) = strip_suffix_ci(body, 'k') {
        (b, Some(ColorModel::Cmyk))
    } else {
        (body, None)
    };

    let prefixed = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"));
    let is_hex = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit());
    let hex = match prefixed {
        Some(h) if is_hex(h) => Some((h, true)),
        Some(_) => return Err(err()),
        // Without `0x`, only the 6-, 8- and 10-digit forms are hex (the
        // prefix is required for hex gray), so a short number is decimal.
        None if is_hex(body) && matches!(body.len(), 6 | 8 | 10) => Some((body, false)),
        None => None,
    };
    if let Some((h, prefixed)) = hex {
        let bytes = hex_bytes(h).ok_or_else(err)?;
        use ColorModel::{Cmyk, Gray, Rgb};
        return match (bytes.as_slice(), hint) {
            (&[g], None | Some(Gray)) if prefixed => Ok((gray(g, 255), Gray)),
            (&[g, a], None | Some(Gray)) if prefixed => Ok((gray(g, a), Gray)),
            (&[r, g, b], None | Some(Rgb)) => Ok((Rgba { r, g, b, a: 255 }, Rgb)),
            (&[r, g, b, a], None | Some(Rgb)) => Ok((Rgba { r, g, b, a }, Rgb)),
            (&[c, m, y, k], Some(Cmyk)) => Ok((cmyk([c, m, y, k].map(u32::from), 255, 255), Cmyk)),
            (&[c, m, y, k, a], Some(Cmyk)) => Ok((cmyk([c, m, y, k].map(u32::from), 255, a), Cmyk)),
            _ => Err(err()),
        };
    }

    let fields: Vec<&str> = body.splitn(6, ',').collect();
    let model = match (hint, fields.len()) {
        (Some(model), _) => model,
        (None, 1 | 2) => ColorModel::Gray,
        (None, 3 | 4) => ColorModel::Rgb,
        _ => return Err(err()),
    };
    let max = if model == ColorModel::Rgb { 255 } else { 100 };
    let v = fields
        .iter()
        .map(|f| uint(label, f, 0, max))
        .collect::<Result<Vec<u32>, String>>()
        .map_err(|_| err())?;
    let percent = |p: u32| -> u8 { u8::try_from((p * 255 * 2 + 100) / 200).unwrap_or(u8::MAX) };
    let byte = |c: u32| -> u8 { u8::try_from(c).unwrap_or(u8::MAX) };
    match (model, v.as_slice()) {
        (ColorModel::Gray, &[g]) => Ok((gray(percent(g), 255), model)),
        (ColorModel::Gray, &[g, a]) => Ok((gray(percent(g), percent(a)), model)),
        (ColorModel::Rgb, &[r, g, b]) => Ok((
            Rgba {
                r: byte(r),
                g: byte(g),
                b: byte(b),
                a: 255,
            },
            model,
        )),
        (ColorModel::Rgb, &[r, g, b, a]) => Ok((
            Rgba {
                r: byte(r),
                g: byte(g),
                b: byte(b),
                a: byte(a),
            },
            model,
        )),
        (ColorModel::Cmyk, &[c, m, y, k]) => Ok((cmyk([c, m, y, k], 100, 255), model)),
        (ColorModel::Cmyk, &[c, m, y, k, a]) => Ok((cmyk([c, m, y, k], 100, percent(a)), model)),
        _ => Err(err()),
    }
}

fn strip_suffix_ci(s: &str, c: char) -> Option<&str> {
    s.strip_suffix(|x: char| x.eq_ignore_ascii_case(&c))
}

fn gray(v: u8, a: u8) -> Rgba {
    Rgba { r: v, g: v, b: v, a }
}

/// Naive CMYK → RGB: each channel = 255 · (1 − ink) · (1 − k), rounded half
/// up; `full` is the value of 100 % ink (100 for percentages, 255 for hex).
fn cmyk([c, m, y, k]: [u32; 4], full: u32, a: u8) -> Rgba {
    // At most 255·255·255·2, far inside u32.
    let channel = |ink: u32| -> u8 {
        let (ink, k) = (ink.min(full), k.min(full));
        let num = 255 * (full - ink) * (full - k) * 2 + full * full;
        u8::try_from(num / (2 * full * full)).unwrap_or(u8::MAX)
    };
    Rgba {
        r: channel(c),
        g: channel(m),
        b: channel(y),
        a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::rgba;

    #[test]
    fn colour_forms() {
        let c = |v: &str| color("value", v).map(|(c, _)| c);
        assert_eq!(c("0,100,200"), Ok(rgba(0, 100, 200, 255)));
        assert_eq!(c("0,100,200,50r"), Ok(rgba(0, 100, 200, 50)));
        assert_eq!(c("a0b1c2d3R"), Ok(rgba(160, 177, 194, 211)));
        assert_eq!(c("0xffffff"), Ok(Rgba::WHITE));
        assert_eq!(c("FFFFFF"), Ok(Rgba::WHITE));
        assert_eq!(c("ffffffs"), Ok(Rgba::WHITE));
        // Gray: decimal percentages, or 0x hex.
        assert_eq!(c("50"), Ok(rgba(128, 128, 128, 255)));
        assert_eq!(c("50,75g"), Ok(rgba(128, 128, 128, 191)));
        assert_eq!(c("0xddeegs"), Ok(rgba(0xdd, 0xdd, 0xdd, 0xee)));
        assert_eq!(c("0X70G"), Ok(rgba(0x70, 0x70, 0x70, 255)));
        // CMYK: naive conversion.
        assert_eq!(c("0,0,0,0k"), Ok(Rgba::WHITE));
        assert_eq!(c("0,0,0,100k"), Ok(rgba(0, 0, 0, 255)));
        assert_eq!(c("100,0,50,0,50K"), Ok(rgba(0, 255, 128, 128)));
        assert_eq!(c("00000000k"), Ok(Rgba::WHITE));
        assert_eq!(c("0x000000ff80k"), Ok(rgba(0, 0, 0, 0x80)));
        for bad in [
            "",
            "s",
            "g",
            "ff",
            "0xff0",
            "0x",
            "0xgg",
            "fffff",
            "fffffffff",
            "101",
            "50,101g",
            "1,2,3,4,5",
            "256,0,0",
            "1,2,3g",
            "1,2k",
            "ffffffg",
            "ffffffk",
            "ffffffffffk0",
            "0xffffffffffr",
            "-1,0,0",
            "1.5,0,0",
            "1, 2,3",
            "red",
        ] {
            assert!(c(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
