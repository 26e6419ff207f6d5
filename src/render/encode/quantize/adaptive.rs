//! The adaptive palette: the image's own colours when they fit, else
//! median cut on a 64³ histogram refined by k-means.

use super::{Nearest, Source};

/// One bin of the 64³ histogram (6 bits a channel); `offsets` sums each
/// channel's two low bits, which the bin index drops.
#[derive(Clone, Copy, Default)]
struct Bin {
    count: u64,
    offsets: [u64; 3],
}

/// A non-empty bin as a weighted colour.
#[derive(Clone, Copy)]
struct Item {
    mean: [f32; 3],
    weight: f64,
}

/// A range of items with its weight, sums and sums of squares.
#[derive(Clone, Copy)]
struct ColourBox {
    start: usize,
    end: usize,
    weight: f64,
    sum: [f64; 3],
    squares: [f64; 3],
}

impl ColourBox {
    fn new(items: &[Item], start: usize, end: usize) -> Self {
        let mut b = ColourBox {
            start,
            end,
            weight: 0.0,
            sum: [0.0; 3],
            squares: [0.0; 3],
        };
        for item in &items[start..end] {
            b.weight += item.weight;
            for c in 0..3 {
                let v = f64::from(item.mean[c]);
                b.sum[c] += v * item.weight;
                b.squares[c] += v * v * item.weight;
            }
        }
        b
    }

    /// Weighted squared error per channel around the box's mean.
    fn spread(&self, c: usize) -> f64 {
        self.squares[c] - self.sum[c] * self.sum[c] / self.weight
    }

    fn error(&self) -> f64 {
        (0..3).map(|c| self.spread(c)).sum()
    }

    fn mean(&self) -> [f64; 3] {
        self.sum.map(|s| s / self.weight)
    }
}

/// Small open-addressing set of 24-bit colours, for counting up to 256
/// distinct ones without hashing through std's SipHash per pixel.
struct ColourSet {
    slots: Vec<u32>,
    colours: Vec<[u8; 3]>,
}

impl ColourSet {
    const EMPTY: u32 = u32::MAX;

    fn new() -> Self {
        ColourSet {
            slots: vec![Self::EMPTY; 1024],
            colours: Vec::new(),
        }
    }

    /// Adds `colour`; only ever called while at most 256 are held, so the
    /// table stays at most a quarter full and probing ends.
    fn insert(&mut self, colour: [u8; 3]) {
        let key = u32::from_be_bytes([0, colour[0], colour[1], colour[2]]);
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        loop {
            match self.slots[slot] {
                Self::EMPTY => {
                    self.slots[slot] = key;
                    self.colours.push(colour);
                    return;
                }
                k if k == key => return,
                _ => slot = (slot + 1) & 1023,
            }
        }
    }
}

/// Adaptive palette: `forced`, then up to `limit` entries in all.
pub(super) fn adaptive_palette(source: Source<'_>, forced: Vec<[u8; 3]>, limit: usize) -> Vec<[u8; 3]> {
    let room = limit - forced.len();
    if room == 0 {
        return forced;
    }
    let mut bins = vec![Bin::default(); 64 * 64 * 64];
    let mut distinct = ColourSet::new();
    let mut few = true;
    let mut previous = None;
    for colour in source.pixels().flatten() {
        let index =
            (usize::from(colour[0] >> 2) << 12) | (usize::from(colour[1] >> 2) << 6) | usize::from(colour[2] >> 2);
        let bin = &mut bins[index];
        bin.count += 1;
        for (sum, value) in bin.offsets.iter_mut().zip(colour) {
            *sum += u64::from(value & 3);
        }
        if few && previous != Some(colour) {
            previous = Some(colour);
            distinct.insert(colour);
            few = distinct.colours.len() <= 256;
        }
    }
    if few {
        // The image's own colours fit: use them exactly (sorted, so the
        // order does not depend on where they first appear).
        let mut own: Vec<[u8; 3]> = distinct.colours.into_iter().filter(|c| !forced.contains(c)).collect();
        if own.len() <= room {
            own.sort_unstable();
            let mut palette = forced;
            palette.extend(own);
            return palette;
        }
    }
    let mut items: Vec<Item> = bins
        .iter()
        .enumerate()
        .filter(|(_, b)| b.count > 0)
        .map(|(index, b)| {
            let low = [index >> 12, (index >> 6) & 63, index & 63].map(|v| (v << 2) as f64);
            let count = b.count as f64;
            Item {
                mean: [0, 1, 2].map(|c| (low[c] + b.offsets[c] as f64 / count) as f32),
                weight: count,
            }
        })
        .collect();
    if items.is_empty() {
        return forced;
    }
    let boxes = median_cut(&mut items, room);
    let fixed = forced.len();
    let mut centres: Vec<[f64; 3]> = forced.iter().map(|c| c.map(f64::from)).collect();
    centres.extend(boxes.iter().map(ColourBox::mean));
    refine(&items, &mut centres, fixed, 3);
    let mut palette = forced;
    for centre in &centres[fixed..] {
        let colour = centre.map(|v| v.round().clamp(0.0, 255.0) as u8);
        if !palette.contains(&colour) {
            palette.push(colour);
        }
    }
    palette
}

/// Splits the items into at most `count` boxes, always cutting the box
/// with the largest squared error, across its widest channel at the
/// weighted median.
fn median_cut(items: &mut [Item], count: usize) -> Vec<ColourBox> {
    let mut boxes = vec![ColourBox::new(items, 0, items.len())];
    while boxes.len() < count {
        let candidate = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.end - b.start >= 2 && b.error() > 0.0)
            .max_by(|(_, a), (_, b)| a.error().total_cmp(&b.error()))
            .map(|(i, _)| i);
        let Some(chosen) = candidate else {
            break;
        };
        let b = boxes[chosen];
        let axis = (0..3).max_by(|&x, &y| b.spread(x).total_cmp(&b.spread(y))).unwrap_or(0);
        let slice = &mut items[b.start..b.end];
        slice.sort_unstable_by(|p, q| p.mean[axis].total_cmp(&q.mean[axis]));
        let half = b.weight / 2.0;
        let mut seen = 0.0;
        let mut split = slice.len() - 1;
        for (i, item) in slice.iter().enumerate() {
            seen += item.weight;
            if seen >= half {
                split = i + 1;
                break;
            }
        }
        let split = b.start + split.clamp(1, slice.len() - 1);
        boxes[chosen] = ColourBox::new(items, b.start, split);
        boxes.push(ColourBox::new(items, split, b.end));
    }
    boxes
}

/// Lloyd (k-means) passes over the histogram: each item goes to the centre
/// nearest its rounded mean (found with [`Nearest`], so a pass costs about
/// the items plus the cells they touch, not items × centres), and each
/// centre from index `fixed` on moves to its items' weighted mean.
fn refine(items: &[Item], centres: &mut [[f64; 3]], fixed: usize, passes: usize) {
    let round = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    for _ in 0..passes {
        let rounded: Vec<[u8; 3]> = centres.iter().map(|c| c.map(round)).collect();
        let mut nearest = Nearest::new(&rounded);
        let mut sums = vec![([0.0f64; 3], 0.0f64); centres.len()];
        for item in items {
            let m = item.mean.map(f64::from);
            let entry = &mut sums[nearest.find(m.map(round))];
            for (sum, value) in entry.0.iter_mut().zip(m) {
                *sum += value * item.weight;
            }
            entry.1 += item.weight;
        }
        for (centre, (sum, weight)) in centres.iter_mut().zip(&sums).skip(fixed) {
            if *weight > 0.0 {
                *centre = sum.map(|s| s / weight);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::render::encode::testing::*;
    use crate::render::modifier::Format;
    use image::RgbaImage;

    #[test]
    fn few_colour_images_keep_their_exact_colours() {
        let image = RgbaImage::from_fn(50, 20, |x, y| {
            image::Rgba([(x / 10 * 50) as u8, (y / 10 * 200) as u8, 77, 255])
        });
        for format in [Format::Gif, Format::Png8] {
            let bytes = encoded(&image, &options(format));
            assert_eq!(decoded(&bytes), image, "{format:?}");
        }
        // Ten colours fit in four bits.
        let png8 = encoded(&image, &options(Format::Png8));
        assert_eq!((png8[24], png8[25]), (4, 3));
    }
}
