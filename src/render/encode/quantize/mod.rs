//! Palette quantization for GIF and PNG8: the palette (`fixed` for the web
//! and Macintosh palettes, `adaptive` for median cut refined by k-means),
//! then exact nearest-colour mapping, optionally with Floyd–Steinberg error
//! diffusion.

mod adaptive;
mod fixed;

use image::RgbaImage;

use super::luma;
use crate::render::modifier::{Palette, Quantize};
use adaptive::adaptive_palette;
use fixed::{fixed_palette, mac_palette, web_palette};

/// A palette image ready for GIF or PNG8.
pub(super) struct Indexed {
    /// The entries as written; the transparent one (if any) is entry 0.
    pub(super) palette: Vec<[u8; 3]>,
    /// Index of the transparent entry.
    pub(super) transparent: Option<u8>,
    /// One index per pixel, rows top to bottom.
    pub(super) indices: Vec<u8>,
}

/// The pixels as the quantizer sees them: grey when asked, and `None` for
/// pixels that become the transparent entry (alpha < 128, alpha variants).
#[derive(Clone, Copy)]
struct Source<'a> {
    rgba: &'a [u8],
    gray: bool,
    keep_alpha: bool,
}

impl<'a> Source<'a> {
    #[inline]
    fn colour(self, px: &[u8]) -> Option<[u8; 3]> {
        if self.keep_alpha && px[3] < 128 {
            None
        } else if self.gray {
            let l = luma(px[0], px[1], px[2]);
            Some([l, l, l])
        } else {
            Some([px[0], px[1], px[2]])
        }
    }

    fn pixels(self) -> impl Iterator<Item = Option<[u8; 3]>> + 'a {
        self.rgba.chunks_exact(4).map(move |px| self.colour(px))
    }
}

/// Builds the palette and maps every pixel.
///
/// `colors` counts opaque entries (Image Serving's `gif-alpha` takes "2 to
/// 255 colours + key colour"); when some pixel is transparent the
/// transparent entry comes on top, at index 0, and the opaque entries are
/// capped at 255. Forced colours come first, in the order given, and are
/// cut at the limit. Then:
/// - `Adaptive`: the image's own colours when they fit, else median cut on
///   a 64³ histogram refined by three k-means passes (forced colours stay);
/// - `Web` / `Mac`: the fixed palette; when it does not fit next to the
///   forced colours, its most used entries for this image.
pub(super) fn quantize(image: &RgbaImage, options: &Quantize, keep_alpha: bool, gray: bool) -> Indexed {
    let source = Source {
        rgba: image.as_raw(),
        gray,
        keep_alpha,
    };
    let has_clear = keep_alpha && source.pixels().any(|c| c.is_none());
    let offset = u8::from(has_clear);
    let limit = usize::from(options.colors).clamp(1, 256 - usize::from(offset));
    let mut forced: Vec<[u8; 3]> = Vec::new();
    for &colour in &options.forced {
        if forced.len() < limit && !forced.contains(&colour) {
            forced.push(colour);
        }
    }
    let mut palette = match options.palette {
        Palette::Adaptive => adaptive_palette(source, forced, limit),
        Palette::Web => fixed_palette(source, &web_palette(), forced, limit),
        Palette::Mac => fixed_palette(source, &mac_palette(), forced, limit),
    };
    if palette.is_empty() {
        // Every pixel is transparent; PLTE still needs an entry.
        palette.push([0, 0, 0]);
    }
    let mut nearest = Nearest::new(&palette);
    let indices = if options.dither {
        diffuse(source, image.width() as usize, &palette, &mut nearest, offset)
    } else {
        source
            .pixels()
            .map(|c| c.map_or(0, |c| nearest.find(c) as u8 + offset))
            .collect()
    };
    if has_clear {
        palette.insert(0, [0, 0, 0]);
    }
    Indexed {
        palette,
        transparent: has_clear.then_some(0),
        indices,
    }
}

/// Floyd–Steinberg error diffusion (7/16 right, 3/16, 5/16, 1/16 below),
/// left to right on every row; transparent pixels neither take nor pass on
/// error.
fn diffuse(source: Source<'_>, width: usize, palette: &[[u8; 3]], nearest: &mut Nearest, offset: u8) -> Vec<u8> {
    // Errors in sixteenths, with a guard cell on either side.
    let mut current = vec![[0i32; 3]; width + 2];
    let mut below = vec![[0i32; 3]; width + 2];
    let mut out = Vec::with_capacity(source.rgba.len() / 4);
    for row in source.rgba.chunks_exact(width * 4) {
        for (x, px) in row.chunks_exact(4).enumerate() {
            let Some(colour) = source.colour(px) else {
                out.push(0);
                continue;
            };
            let error = current[x + 1];
            let mut wanted = [0u8; 3];
            for c in 0..3 {
                wanted[c] = (i32::from(colour[c]) + ((error[c] + 8) >> 4)).clamp(0, 255) as u8;
            }
            let index = nearest.find(wanted);
            let got = palette[index];
            for c in 0..3 {
                let e = i32::from(wanted[c]) - i32::from(got[c]);
                current[x + 2][c] += e * 7;
                below[x][c] += e * 3;
                below[x + 1][c] += e * 5;
                below[x + 2][c] += e;
            }
            out.push(index as u8 + offset);
        }
        std::mem::swap(&mut current, &mut below);
        below.fill([0; 3]);
    }
    out
}

/// Exact nearest palette entry (squared RGB distance, lowest index on
/// ties), with per-cell candidate lists: for each 8×8×8 cell of RGB space
/// met, only the entries that can be nearest to some point of the cell are
/// kept. The lists are built on first use, so the cost is linear in pixels
/// plus at most 32 768 cells × palette size.
struct Nearest {
    palette: Vec<[i32; 3]>,
    /// Per cell: start in `candidates` and count; count 0 = not built yet.
    cells: Vec<(u32, u16)>,
    candidates: Vec<u8>,
}

impl Nearest {
    /// `palette` has 1 to 256 entries.
    fn new(palette: &[[u8; 3]]) -> Self {
        Nearest {
            palette: palette.iter().map(|c| c.map(i32::from)).collect(),
            cells: vec![(0, 0); 32 * 32 * 32],
            candidates: Vec::new(),
        }
    }

    #[inline]
    fn find(&mut self, colour: [u8; 3]) -> usize {
        let cell =
            (usize::from(colour[0] >> 3) << 10) | (usize::from(colour[1] >> 3) << 5) | usize::from(colour[2] >> 3);
        let (mut start, mut count) = self.cells[cell];
        if count == 0 {
            (start, count) = self.build(colour);
            self.cells[cell] = (start, count);
        }
        let c = colour.map(i32::from);
        let mut best = 0;
        let mut best_distance = i32::MAX;
        for &index in &self.candidates[start as usize..start as usize + usize::from(count)] {
            let p = self.palette[usize::from(index)];
            let distance = (p[0] - c[0]).pow(2) + (p[1] - c[1]).pow(2) + (p[2] - c[2]).pow(2);
            if distance < best_distance {
                best_distance = distance;
                best = usize::from(index);
            }
        }
        best
    }

    /// Candidates for the cell holding `colour`: every entry whose nearest
    /// point in the cell is no farther than the best farthest point of any
    /// entry. Listed in index order, so ties resolve as a full search would.
    fn build(&mut self, colour: [u8; 3]) -> (u32, u16) {
        let low = colour.map(|v| i32::from(v & !7));
        let high = low.map(|v| v + 7);
        let bounds = |p: &[i32; 3]| {
            let (mut near, mut far) = (0, 0);
            for c in 0..3 {
                let below = (low[c] - p[c]).max(0);
                let above = (p[c] - high[c]).max(0);
                near += (below + above).pow(2);
                far += (p[c] - low[c]).abs().max((high[c] - p[c]).abs()).pow(2);
            }
            (near, far)
        };
        let best_far = self.palette.iter().map(|p| bounds(p).1).min().unwrap_or(0);
        let start = self.candidates.len() as u32;
        for (index, p) in self.palette.iter().enumerate() {
            if bounds(p).0 <= best_far {
                self.candidates.push(index as u8);
            }
        }
        (start, (self.candidates.len() as u32 - start) as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::testing::*;
    use crate::render::modifier::Format;

    #[test]
    fn palette_formats_stay_close_and_keep_transparency() {
        let image = with_hole(120, 90);
        for format in [Format::Gif, Format::GifAlpha, Format::Png8, Format::Png8Alpha] {
            for dither in [false, true] {
                let mut o = options(format);
                o.quantize.dither = dither;
                let back = decoded(&encoded(&image, &o));
                assert_eq!(back.dimensions(), image.dimensions());
                assert!(distinct(&back).len() <= 256);
                let error = mean_error(&back, &image);
                assert!(error < 5.0, "{format:?} dither={dither}: {error}");
                let hole = back.get_pixel(2, 2)[3];
                assert_eq!(hole == 0, format.has_alpha(), "{format:?}");
                assert_eq!(back.get_pixel(60, 60)[3], 255);
            }
        }
    }

    #[test]
    fn nearest_search_matches_brute_force() {
        let palette: Vec<[u8; 3]> = (0..97u32)
            .map(|i| [(i * 37 % 256) as u8, (i * 91 % 256) as u8, (i * 53 % 256) as u8])
            .collect();
        let mut nearest = Nearest::new(&palette);
        for i in 0..20_000u32 {
            let c = [(i * 7 % 256) as u8, (i * 13 % 256) as u8, (i * 29 % 256) as u8];
            let distance = |p: &[u8; 3]| (0..3).map(|k| (i32::from(p[k]) - i32::from(c[k])).pow(2)).sum::<i32>();
            let best = (0..palette.len())
                .min_by_key(|&k| (distance(&palette[k]), k))
                .expect("palette");
            assert_eq!(nearest.find(c), best, "{c:?}");
        }
    }

    /// Release-build timing of the slowest path (`cargo test --release --
    /// --ignored quantize_speed --nocapture`).
    #[test]
    #[ignore]
    fn quantize_speed() {
        let image = RgbaImage::from_fn(1200, 675, |x, y| {
            let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
            image::Rgba([(x % 256) as u8, v, (y % 256) as u8, 255])
        });
        for format in [Format::Gif, Format::Png8, Format::Jpeg, Format::Png, Format::Webp] {
            let started = std::time::Instant::now();
            let bytes = encoded(&image, &options(format));
            println!("{format:?}: {:?}, {} bytes", started.elapsed(), bytes.len());
        }
    }
}
