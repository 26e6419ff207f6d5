//! The fixed palettes (web-safe, Macintosh system) and the choice of their
//! entries when fewer colours are asked for.

use super::{Nearest, Source};

/// The 216 web-safe colours: every mix of 00, 33, 66, 99, CC, FF.
pub(super) fn web_palette() -> Vec<[u8; 3]> {
    let mut out = Vec::with_capacity(216);
    for r in 0..6u8 {
        for g in 0..6u8 {
            for b in 0..6u8 {
                out.push([r * 51, g * 51, b * 51]);
            }
        }
    }
    out
}

/// The classic 256-colour Macintosh system palette (the 8-bit `clut` 8), in
/// its own order: the 6×6×6 cube of FF, CC, 99, 66, 33, 00 from white down,
/// without black (215 entries); then 10-step ramps (EE, DD, BB, AA, 88, 77,
/// 55, 44, 22, 11) of red, green, blue and grey (40); then black.
pub(super) fn mac_palette() -> Vec<[u8; 3]> {
    const CUBE: [u8; 6] = [0xFF, 0xCC, 0x99, 0x66, 0x33, 0x00];
    const RAMP: [u8; 10] = [0xEE, 0xDD, 0xBB, 0xAA, 0x88, 0x77, 0x55, 0x44, 0x22, 0x11];
    let mut out = Vec::with_capacity(256);
    for r in CUBE {
        for g in CUBE {
            for b in CUBE {
                if [r, g, b] != [0, 0, 0] {
                    out.push([r, g, b]);
                }
            }
        }
    }
    out.extend(RAMP.map(|v| [v, 0, 0]));
    out.extend(RAMP.map(|v| [0, v, 0]));
    out.extend(RAMP.map(|v| [0, 0, v]));
    out.extend(RAMP.map(|v| [v, v, v]));
    out.push([0, 0, 0]);
    out
}

/// `forced`, then the fixed palette's other entries: all of them when they
/// fit in `limit`, else the most used ones for this image (ties to the
/// earlier entry), kept in the palette's order.
pub(super) fn fixed_palette(source: Source<'_>, fixed: &[[u8; 3]], forced: Vec<[u8; 3]>, limit: usize) -> Vec<[u8; 3]> {
    let rest: Vec<[u8; 3]> = fixed.iter().filter(|c| !forced.contains(c)).copied().collect();
    let room = limit - forced.len();
    let mut palette = forced;
    if rest.len() <= room {
        palette.extend(rest);
        return palette;
    }
    if room == 0 {
        return palette;
    }
    let mut nearest = Nearest::new(&rest);
    let mut uses = vec![0u64; rest.len()];
    for colour in source.pixels().flatten() {
        uses[nearest.find(colour)] += 1;
    }
    let mut order: Vec<usize> = (0..rest.len()).collect();
    order.sort_by(|&a, &b| uses[b].cmp(&uses[a]).then(a.cmp(&b)));
    let mut keep = order[..room].to_vec();
    keep.sort_unstable();
    palette.extend(keep.into_iter().map(|i| rest[i]));
    palette
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::testing::*;
    use crate::render::modifier::{Format, Palette, Quantize};

    #[test]
    fn web_and_mac_palettes() {
        let web = web_palette();
        assert_eq!(web.len(), 216);
        let mac = mac_palette();
        let mut unique = mac.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!((mac.len(), unique.len()), (256, 256));
        assert_eq!(
            (mac[0], mac[214], mac[215], mac[255]),
            ([255; 3], [0, 0, 0x33], [0xEE, 0, 0], [0; 3])
        );

        let image = gradient(64, 48);
        let mut o = options(Format::Gif);
        o.quantize.palette = Palette::Web;
        let back = decoded(&encoded(&image, &o));
        assert!(distinct(&back).iter().all(|c| c[..3].iter().all(|v| v % 51 == 0)));
        // Steps of 51 leave a mean error of about 12.75 undithered.
        assert!(mean_error(&back, &image) < 18.0);
        o.quantize.dither = false;
        assert!(mean_error(&decoded(&encoded(&image, &o)), &image) < 14.0);

        o.quantize.palette = Palette::Mac;
        o.quantize.dither = false;
        let back = decoded(&encoded(&image, &o));
        assert!(distinct(&back).iter().all(|c| mac.contains(&[c[0], c[1], c[2]])));

        // Fewer colours than the fixed palette: the most used entries.
        o.quantize = Quantize {
            palette: Palette::Web,
            dither: false,
            colors: 8,
            forced: vec![[0x12, 0x34, 0x56]],
        };
        let back = decoded(&encoded(&image, &o));
        assert!(distinct(&back).len() <= 8);
    }
}
