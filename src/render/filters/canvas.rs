//! Backgrounds and canvases: compositing over a solid colour, and placing
//! an image on a canvas of a given size (padding, extending, cropping).

use image::RgbaImage;

use crate::render::modifier::Rgba;

/// Composites `img` over a solid `color` (Porter–Duff *over*, straight
/// alpha), in place: for `color=`, `bgColor=`, and to flatten onto `bgc`.
///
/// With source alpha `a` and colour alpha `b` (both 0…1):
/// `α = a + b·(1−a)`, `C = (Cs·a + Cc·b·(1−a)) / α`, computed exactly in
/// integers and rounded half up. Opaque pixels are unchanged, transparent
/// ones become `color`. A transparent `color` changes nothing.
pub fn fill_behind(img: &mut RgbaImage, color: Rgba) {
    if color.a == 0 {
        return;
    }
    let cc = [u32::from(color.r), u32::from(color.g), u32::from(color.b)];
    let ca = u32::from(color.a);
    for px in img.chunks_exact_mut(4) {
        let sa = u32::from(px[3]);
        if sa == 255 {
            continue;
        }
        // Alpha in 255² units: at most 65 025, and every colour numerator
        // below is at most 255 · 65 025, far inside u32.
        let alpha = sa * 255 + ca * (255 - sa);
        for c in 0..3 {
            let num = u32::from(px[c]) * sa * 255 + cc[c] * ca * (255 - sa);
            // alpha ≥ ca·255 > 0 here; the quotient is at most 255.
            px[c] = ((2 * num + alpha) / (2 * alpha)) as u8;
        }
        px[3] = ((2 * alpha + 255) / 510) as u8;
    }
}

/// A `width`×`height` canvas of `fill` with `img`'s top-left corner at
/// (`x`, `y`); whatever falls outside the canvas is clipped (`x`, `y` may be
/// negative, or put the image entirely outside). For extend, letterboxing
/// and padding.
///
/// The caller bounds `width × height` (the planner checks its limits first).
pub fn pad(img: &RgbaImage, width: u32, height: u32, x: i64, y: i64, fill: Rgba) -> RgbaImage {
    place(img, width, height, i128::from(x), i128::from(y), fill)
}

/// The `width`×`height` window of `img` whose top-left corner is at (`x`,
/// `y`) in the image; parts of the window outside the image are `fill`
/// (crop-outside-the-image). The same as [`pad`] with negated offsets.
pub fn crop(img: &RgbaImage, x: i64, y: i64, width: u32, height: u32, fill: Rgba) -> RgbaImage {
    // i128 so that negating i64::MIN cannot overflow.
    place(img, width, height, -i128::from(x), -i128::from(y), fill)
}

fn place(img: &RgbaImage, width: u32, height: u32, x: i128, y: i128, fill: Rgba) -> RgbaImage {
    let mut out = RgbaImage::from_pixel(width, height, image::Rgba([fill.r, fill.g, fill.b, fill.a]));
    // The destination span of the image, clipped to the canvas; i128 holds
    // any i64 offset plus any u32 size.
    let x0 = x.max(0);
    let x1 = (x + i128::from(img.width())).min(i128::from(width));
    let y0 = y.max(0);
    let y1 = (y + i128::from(img.height())).min(i128::from(height));
    if x0 >= x1 || y0 >= y1 {
        return out;
    }
    // All of these lie within one of the two images now, so they fit usize.
    let (dx0, dx1, dy0, dy1) = (x0 as usize, x1 as usize, y0 as usize, y1 as usize);
    let (sx0, sy0) = ((x0 - x) as usize, (y0 - y) as usize);
    let (sstride, dstride) = (img.width() as usize * 4, width as usize * 4);
    let len = (dx1 - dx0) * 4;
    let src: &[u8] = img.as_raw();
    let dst: &mut [u8] = &mut out;
    for row in 0..dy1 - dy0 {
        let s = (sy0 + row) * sstride + sx0 * 4;
        let d = (dy0 + row) * dstride + dx0 * 4;
        dst[d..d + len].copy_from_slice(&src[s..s + len]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::filters::testing::*;
    use image::Rgba as Px;

    #[test]
    fn fill_behind_composites_over_the_colour() {
        let mut img = RgbaImage::from_fn(3, 1, |x, _| match x {
            0 => Px([10, 20, 30, 0]),
            1 => Px([10, 20, 30, 255]),
            _ => Px([255, 255, 255, 128]),
        });
        fill_behind(
            &mut img,
            Rgba {
                r: 0,
                g: 0,
                b: 100,
                a: 255,
            },
        );
        assert_eq!(px(&img, 0, 0), [0, 0, 100, 255]);
        assert_eq!(px(&img, 1, 0), [10, 20, 30, 255]);
        // 128/255 of white over blue: ≈ half-way.
        assert_eq!(px(&img, 2, 0), [128, 128, 178, 255]);

        // Over a half-transparent colour the alpha adds up, colour stays
        // weighted by coverage.
        let mut img = solid(1, 1, [200, 0, 0, 128]);
        fill_behind(
            &mut img,
            Rgba {
                r: 0,
                g: 0,
                b: 200,
                a: 128,
            },
        );
        let [r, g, b, a] = px(&img, 0, 0);
        assert_eq!(a, 192);
        assert_eq!(g, 0);
        assert!(r > b && r.abs_diff(133) <= 1 && b.abs_diff(67) <= 1, "{r} {b}");

        let before = distinct(3, 3);
        let mut img = before.clone();
        fill_behind(&mut img, Rgba::TRANSPARENT);
        assert_eq!(img, before);
    }

    #[test]
    fn pad_places_and_clips() {
        let src = distinct(2, 2);
        let out = pad(&src, 4, 3, 1, 1, RED);
        assert_eq!(out.dimensions(), (4, 3));
        assert_eq!(px(&out, 0, 0), [255, 0, 0, 255]);
        assert_eq!(px(&out, 1, 1), px(&src, 0, 0));
        assert_eq!(px(&out, 2, 2), px(&src, 1, 1));
        assert_eq!(px(&out, 3, 1), [255, 0, 0, 255]);

        let neg = pad(&src, 2, 2, -1, -1, RED);
        assert_eq!(px(&neg, 0, 0), px(&src, 1, 1));
        assert_eq!(px(&neg, 1, 1), [255, 0, 0, 255]);

        for (x, y) in [(10, 0), (0, -2), (i64::MIN, i64::MIN), (i64::MAX, 0)] {
            let out = pad(&src, 3, 3, x, y, RED);
            assert_eq!(out.dimensions(), (3, 3));
            assert!(out.pixels().all(|p| p.0 == [255, 0, 0, 255]), "{x},{y}");
        }
        assert_eq!(pad(&src, 0, 0, 0, 0, RED).dimensions(), (0, 0));
    }

    #[test]
    fn crop_windows_the_image_and_fills_outside() {
        let src = distinct(4, 3);
        let inner = crop(&src, 1, 1, 2, 2, RED);
        assert_eq!(inner.dimensions(), (2, 2));
        assert_eq!(px(&inner, 0, 0), px(&src, 1, 1));
        assert_eq!(px(&inner, 1, 1), px(&src, 2, 2));

        // G4-style: a window larger than the image, starting before it.
        let outer = crop(&src, -1, -1, 6, 5, Rgba::TRANSPARENT);
        assert_eq!(outer.dimensions(), (6, 5));
        assert_eq!(px(&outer, 0, 0), [0, 0, 0, 0]);
        assert_eq!(px(&outer, 1, 1), px(&src, 0, 0));
        assert_eq!(px(&outer, 4, 3), px(&src, 3, 2));
        assert_eq!(px(&outer, 5, 4), [0, 0, 0, 0]);

        for (x, y) in [(4, 0), (-2, 0), (i64::MIN, 5), (i64::MAX, i64::MAX)] {
            assert!(crop(&src, x, y, 2, 2, RED).pixels().all(|p| p.0 == [255, 0, 0, 255]));
        }
    }
}
