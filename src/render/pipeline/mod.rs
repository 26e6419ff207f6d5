//! Rendering a source with a [`Modifier`]: decode → layer 0 → composite →
//! view → output, following a [`Plan`] whose sizes were checked first.
//!
//! Two routes produce the same pixels:
//! - **direct**, when layer 0 is just a crop and a scale and the composite
//!   operations are per-pixel: the visible part of the reply is resampled
//!   straight from the decoded source (decoded scaled down and only over the
//!   needed region when the source is a JPEG), and the per-pixel operations
//!   run on the small result;
//! - **layered**, otherwise: layer 0 is materialised (at a reduced working
//!   resolution when the view scales down and no operation depends on
//!   resolution), rotated, extended, filtered, then resampled into the view.
//!
//! `direct` and `layered` are the two routes; `sampling` decodes the part of
//! the source a route needs and resamples it; `footprint` estimates the
//! memory a render will hold, before it starts. Here: the configuration, the
//! choice of route, and what follows it (placing the visible part in the
//! reply, sharpening, flattening, encoding).

mod direct;
mod footprint;
mod layered;
mod sampling;

pub use footprint::estimate;

use image::RgbaImage;

use super::encode::{encode, EncodeOptions};
use super::filters;
use super::modifier::{Modifier, Quality, ResMode, Rgba, DEFAULT_QUALITY};
use super::plan::{Plan, PlanLimits};
use super::{probe, Error, ImageInfo, ImageLimits};
use direct::direct;
use layered::layered;

/// Defaults and limits for rendering.
#[derive(Clone, Copy, Debug)]
pub struct RenderConfig {
    /// Reply and layer size limits.
    pub plan: PlanLimits,
    /// Source size limits.
    pub image: ImageLimits,
    /// Background when `bgc=` is absent (Image Serving's BkgColor).
    pub background: Rgba,
    /// JPEG quality when `qlt=` is absent (Image Serving's JpegQuality).
    pub quality: Quality,
    /// Resampling when `resMode=` is absent (Image Serving's ResMode).
    pub res_mode: ResMode,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            plan: PlanLimits::default(),
            image: ImageLimits::default(),
            background: Rgba::WHITE,
            quality: DEFAULT_QUALITY,
            res_mode: ResMode::Bicub,
        }
    }
}

/// An encoded reply and what the catalog records about it.
#[derive(Debug)]
pub struct Rendered {
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// Width, height and catalog format name of `bytes`.
    pub info: ImageInfo,
    /// MIME type of `bytes`.
    pub mime: &'static str,
}

/// `op_noise` is seeded so that the same request gives the same bytes.
const NOISE_SEED: u64 = 0x5CE7_15E7_0000_0001;

/// Renders `source` with `m`.
pub fn render(source: &[u8], m: &Modifier, config: &RenderConfig) -> Result<Rendered, Error> {
    let header = probe(source, config.image)?;
    let plan = Plan::new(m, header.width, header.height, &config.plan)?;
    let alpha_out = m.fmt.format.has_alpha();
    // The view background: bgc is ignored (transparent) for *-alpha formats.
    let background = if alpha_out {
        Rgba::TRANSPARENT
    } else {
        Rgba {
            a: 255,
            ..m.bgc.unwrap_or(config.background)
        }
    };
    let res_mode = m.res_mode.unwrap_or(config.res_mode);

    let (visible, opaque) = match plan.visible() {
        None => (None, true),
        Some(v) if is_direct(&plan, m) => {
            let (img, opaque) = direct(source, &plan, m, v, res_mode, config)?;
            (Some((v, img)), opaque)
        }
        Some(v) => {
            let (img, opaque) = layered(source, &plan, m, v, res_mode, config)?;
            (Some((v, img)), opaque)
        }
    };

    // Place the visible part in the reply; the rest is view background.
    let (mut reply, opaque) = match visible {
        Some((v, img)) if (v.w, v.h) == plan.reply => (img, opaque),
        Some((v, img)) => (
            filters::pad(&img, plan.reply.0, plan.reply.1, v.x, v.y, background),
            opaque && background.a == 255,
        ),
        None => (
            RgbaImage::from_pixel(plan.reply.0, plan.reply.1, to_pixel(background)),
            background.a == 255,
        ),
    };

    if !m.sharpen_on_layer {
        sharpen(&mut reply, m, total_scale(&plan));
    }
    if res_mode == ResMode::Bisharp && plan.scaled != plan.composite {
        // "Bicubic sharper": bicubic resampling, then a light unsharp mask.
        filters::unsharp_mask(&mut reply, 0.5, 0.5, 0, false);
    }
    if !alpha_out && !opaque {
        filters::fill_behind(&mut reply, background);
    }

    let options = EncodeOptions {
        fmt: m.fmt,
        quality: m.qlt.unwrap_or(config.quality),
        quantize: m.quantize.clone().unwrap_or_default(),
        print_res: m.print_res,
    };
    let bytes = encode(&reply, &options)?;
    Ok(Rendered {
        bytes,
        info: ImageInfo {
            width: reply.width(),
            height: reply.height(),
            format: m.fmt.format.catalog_name(),
        },
        mime: m.fmt.format.mime(),
    })
}

/// Whether the direct route gives the same result as the layered one.
fn is_direct(plan: &Plan, m: &Modifier) -> bool {
    // A layer shrunk by size=/scale= and enlarged again by the view has lost
    // detail that a single resample from the source would not lose.
    let unscaled_layer = plan.layer == (plan.crop.w, plan.crop.h);
    let view_shrinks = plan.scaled.0 <= plan.layer.0 && plan.scaled.1 <= plan.layer.1;
    plan.layer_is_plain()
        && (unscaled_layer || view_shrinks)
        // op_colorize=…,norm takes its median over the whole composite, not
        // over the visible part.
        && m.adjust.colorize.is_none_or(|c| !c.normalize)
        && m.layer_flip.is_none()
        && m.flip.is_none()
        && m.color.is_none()
        && m.bg_color.is_none()
        && m.adjust.blur == 0.0
        && m.adjust.noise.is_none()
        && !(m.sharpen_on_layer && (m.sharpen || m.usm.is_some()))
}

/// Reply pixels per full-resolution source pixel (for `op_usm`'s radius).
fn total_scale(plan: &Plan) -> f64 {
    let layer = f64::from(plan.layer.0) / f64::from(plan.crop.w);
    plan.view_scale().0 * layer
}

fn sharpen(img: &mut RgbaImage, m: &Modifier, scale: f64) {
    if m.sharpen {
        filters::sharpen(img);
    }
    if let Some(usm) = m.usm {
        let radius = if usm.relative {
            usm.radius * scale as f32
        } else {
            usm.radius
        };
        filters::unsharp_mask(img, usm.amount, radius, usm.threshold, usm.monochrome);
    }
}

/// A fractional rectangle in some image's pixel space.
#[derive(Clone, Copy, Debug)]
struct Box2 {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn to_pixel(c: Rgba) -> image::Rgba<u8> {
    image::Rgba([c.r, c.g, c.b, c.a])
}

#[cfg(test)]
mod tests {
    //! Hostile and unusual sources through the whole pipeline: each gets a
    //! defined outcome, never a panic.

    use std::io::Cursor;

    use image::{ImageFormat, Rgba as Px};

    use super::*;
    use crate::render::modifier::{parse, Fmt, Format};

    fn photo(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| Px([(x * 255 / w) as u8, (y * 255 / h) as u8, 128, 255]))
    }

    fn encoded(img: &RgbaImage, format: Format) -> Vec<u8> {
        let options = EncodeOptions {
            fmt: Fmt {
                format,
                pixel_type: None,
                compression: None,
            },
            quality: Quality {
                quality: 92,
                full_chroma: true,
            },
            quantize: Default::default(),
            print_res: None,
        };
        encode(img, &options).expect("encode")
    }

    fn run(source: &[u8], modifier: &str) -> Result<Rendered, Error> {
        render(source, &parse(modifier).expect("modifier"), &RenderConfig::default())
    }

    fn dims(r: &Rendered) -> (u32, u32) {
        let img = image::load_from_memory(&r.bytes).expect("output decodes");
        (img.width(), img.height())
    }

    #[test]
    fn reports_what_it_wrote() {
        let src = encoded(&photo(200, 100), Format::Jpeg);
        let r = run(&src, "wid=50&fmt=png").expect("render");
        assert_eq!(
            (r.info.width, r.info.height, r.info.format, r.mime),
            (50, 25, "png", "image/png")
        );
        assert_eq!(dims(&r), (50, 25));
        // No fmt= gives JPEG, as Image Serving answers.
        let r = run(&src, "wid=50").expect("render");
        assert_eq!(&r.bytes[..2], &[0xFF, 0xD8]);
    }

    #[test]
    fn truncated_and_corrupt_sources_are_refused() {
        let src = encoded(&photo(200, 100), Format::Jpeg);
        let truncated = &src[..src.len() / 2];
        assert!(matches!(run(truncated, "wid=50"), Err(Error::Corrupt(_))));
        let mut damaged = src.clone();
        let n = damaged.len();
        damaged[n / 2..n / 2 + 64].fill(0xFF);
        assert!(run(&damaged, "wid=50").is_err());
        assert!(matches!(
            run(b"<html>not an image</html>", "wid=50"),
            Err(Error::UnknownFormat)
        ));
        assert!(matches!(run(b"", "wid=50"), Err(Error::UnknownFormat)));
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // A PNG header declaring 100000 x 100000 (10 Gpx) with no data.
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut crc = flate2::Crc::new();
        crc.update(&ihdr);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\r".to_vec();
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc.sum().to_be_bytes());
        assert!(matches!(run(&png, "wid=10"), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn content_decides_the_format_not_the_name() {
        // PNG bytes, whatever they were called, render as what they are.
        let src = encoded(&photo(64, 32), Format::PngAlpha);
        let r = run(&src, "scl=1&fmt=png").expect("render");
        assert_eq!(dims(&r), (64, 32));
    }

    #[test]
    fn sixteen_bit_progressive_and_animated_sources_render() {
        // 16-bit PNG → 8-bit output.
        let wide =
            image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(40, 20, |x, _| image::Rgb([x as u16 * 1000, 0, 65535]));
        let mut png16 = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb16(wide)
            .write_to(&mut png16, ImageFormat::Png)
            .expect("png16");
        let r = run(png16.get_ref(), "wid=20&fmt=png").expect("16-bit");
        assert_eq!(dims(&r), (20, 10));

        // Progressive JPEG, scaled and cropped.
        let prog = encoded(&photo(400, 300), Format::Pjpeg);
        assert_eq!(dims(&run(&prog, "wid=100").expect("progressive")), (100, 75));
        assert_eq!(
            dims(&run(&prog, "crop=50,50,100,80").expect("progressive crop")),
            (100, 80)
        );

        // Animated GIF: the first frame is the image.
        let mut gif = Vec::new();
        {
            let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
            let red = RgbaImage::from_pixel(8, 8, Px([255, 0, 0, 255]));
            let blue = RgbaImage::from_pixel(8, 8, Px([0, 0, 255, 255]));
            enc.encode_frames([image::Frame::new(red), image::Frame::new(blue)])
                .expect("gif");
        }
        let r = run(&gif, "scl=1&fmt=png").expect("gif");
        let first = image::load_from_memory(&r.bytes).expect("decodes").to_rgba8();
        assert_eq!(first.get_pixel(4, 4).0, [255, 0, 0, 255]);
    }

    #[test]
    fn exif_orientation_is_not_applied() {
        // A 64x32 JPEG carrying EXIF orientation 6 ("rotate 90° to view").
        let src = encoded(&photo(64, 32), Format::Jpeg);
        let tiff: &[u8] = &[
            b'M', b'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation (SHORT) = 6
            0, 0, 0, 0, // no next IFD
        ];
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(tiff);
        let mut rotated = src[..2].to_vec();
        rotated.extend_from_slice(&app1);
        rotated.extend_from_slice(&src[2..]);
        let r = run(&rotated, "scl=1&fmt=png").expect("render");
        assert_eq!(dims(&r), (64, 32), "the stored pixel grid, not the viewing orientation");
    }

    #[test]
    fn alpha_is_flattened_onto_bgc_unless_the_format_keeps_it() {
        let clear = encoded(&RgbaImage::from_pixel(10, 10, Px([0, 0, 0, 0])), Format::PngAlpha);
        let png = run(&clear, "bgc=00ff00&fmt=png").expect("png");
        let px = image::load_from_memory(&png.bytes).expect("decodes").to_rgba8();
        assert_eq!(px.get_pixel(5, 5).0, [0, 255, 0, 255]);
        let kept = run(&clear, "bgc=00ff00&fmt=png-alpha").expect("png-alpha");
        let px = image::load_from_memory(&kept.bytes).expect("decodes").to_rgba8();
        assert_eq!(px.get_pixel(5, 5).0[3], 0);
    }

    #[test]
    fn every_width_resamples_without_leaving_the_image() {
        // Floating-point box arithmetic once put some of these a hair past
        // the source's edge, and the resampler refused them.
        let png = encoded(&photo(1000, 500), Format::Png);
        let jpeg = encoded(&photo(640, 427), Format::Jpeg);
        for wid in 1..=200 {
            for (name, src) in [("png", &png), ("jpeg", &jpeg)] {
                let r = run(src, &format!("wid={wid}&fmt=png")).unwrap_or_else(|e| panic!("{name} wid={wid}: {e}"));
                assert_eq!(r.info.width, wid);
            }
            run(&png, &format!("wid={wid}&color=000000")).unwrap_or_else(|e| panic!("layered wid={wid}: {e}"));
        }
    }

    #[test]
    fn both_routes_agree() {
        // Noise-free sources; the layered route is forced by a no-op command.
        let src = encoded(&photo(1000, 500), Format::Png);
        for modifier in [
            "scale=0.05&wid=1000",
            "size=50,0&wid=1000",
            "wid=173",
            "crop=100,50,400,300&wid=120",
        ] {
            let direct = run(&src, &format!("{modifier}&fmt=png")).expect("direct");
            let layered = run(&src, &format!("{modifier}&color=000000&fmt=png")).expect("layered");
            let a = image::load_from_memory(&direct.bytes).expect("decodes").to_rgba8();
            let b = image::load_from_memory(&layered.bytes).expect("decodes").to_rgba8();
            assert_eq!(a.dimensions(), b.dimensions(), "{modifier}");
            let diff: u64 = a
                .as_raw()
                .iter()
                .zip(b.as_raw())
                .map(|(x, y)| u64::from(x.abs_diff(*y)))
                .sum();
            let mean = diff as f64 / a.as_raw().len() as f64;
            assert!(mean < 2.5, "{modifier}: routes differ by {mean:.2} per channel");
        }
    }
}
