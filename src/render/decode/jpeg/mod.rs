//! JPEG through libjpeg-turbo: straight into RGBA, DCT-scaled (1/2, 1/4,
//! 1/8) when the request allows it, a region decoded alone through
//! `cropped`, CMYK and YCCK converted naively, and any warning an error.

// The cropping calls are raw FFI, hence `unsafe`, which `src/lib.rs` denies
// crate-wide; that module alone is allowed.
#[allow(unsafe_code)]
mod cropped;

use image::RgbaImage;
use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor};

use super::{check_size, clamp_region, rgba_bytes, DecodeRequest, Decoded, Footprint, Region};
use crate::render::{Error, ImageLimits};

/// Progressive scans allowed: real encoders write about 10; a file with
/// thousands of tiny scans costs a full pass over the image for each.
const JPEG_SCAN_LIMIT: u32 = 100;

/// Output geometry of one libjpeg-turbo decode.
struct JpegPlan {
    /// Source rectangle decoded.
    covers: Region,
    /// Scaled output size.
    out_w: u32,
    out_h: u32,
}

/// The strongest scale 1/d (d in 8, 4, 2, 1) that keeps `region` at least
/// `min_size` decoded pixels wide and high.
fn choose_denom(region: Region, min_size: Option<(u32, u32)>) -> u32 {
    let Some((min_w, min_h)) = min_size else {
        return 1;
    };
    [8u32, 4, 2]
        .into_iter()
        .find(|&d| {
            u64::from(region.w) >= u64::from(min_w) * u64::from(d)
                && u64::from(region.h) >= u64::from(min_h) * u64::from(d)
        })
        .unwrap_or(1)
}

/// Decodes the whole image at 1/`denom` (libjpeg's scaled sizes round up).
fn whole_plan(width: u32, height: u32, denom: u32) -> JpegPlan {
    JpegPlan {
        covers: Region {
            x: 0,
            y: 0,
            w: width,
            h: height,
        },
        out_w: width.div_ceil(denom),
        out_h: height.div_ceil(denom),
    }
}

/// Whether an APP14 "Adobe" segment precedes the first scan: Photoshop and
/// everyone following it store CMYK/YCCK inverted when it is present.
fn has_adobe_marker(bytes: &[u8]) -> bool {
    let mut i = 2; // past SOI
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        match marker {
            0xFF => i += 1, // fill byte
            0xDA | 0xD9 => return false,
            0x01 | 0xD0..=0xD7 => i += 2, // markers without a length
            _ => {
                let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
                if len < 2 {
                    return false;
                }
                if marker == 0xEE && bytes.get(i + 4..i + 9) == Some(b"Adobe".as_slice()) {
                    return true;
                }
                i += 2 + len;
            }
        }
    }
    false
}

/// a·b/255, rounded, for a, b ≤ 255.
#[inline]
fn mul_div255(a: u8, b: u8) -> u8 {
    let x = u32::from(a) * u32::from(b) + 128;
    ((x + (x >> 8)) >> 8) as u8
}

/// Naive CMYK → RGB in place (no ICC): r = (1 − c)(1 − k), and so on.
/// `inverted`: the samples are 1 − ink already (Adobe files).
fn cmyk_to_rgba_in_place(pixels: &mut [u8], inverted: bool) {
    let flip = if inverted { 0 } else { 255 };
    for px in pixels.chunks_exact_mut(4) {
        let k = px[3] ^ flip;
        px[0] = mul_div255(px[0] ^ flip, k);
        px[1] = mul_div255(px[1] ^ flip, k);
        px[2] = mul_div255(px[2] ^ flip, k);
        px[3] = 255;
    }
}

fn turbo_error(error: turbojpeg::Error) -> Error {
    Error::Corrupt(error.to_string())
}

/// Whether the first frame header (SOFn) says progressive (SOF2, SOF6,
/// SOF10, SOF14): libjpeg then keeps every DCT coefficient of the image
/// while it reads the scans.
fn is_progressive(bytes: &[u8]) -> bool {
    let mut i = 2; // past SOI
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        match bytes[i + 1] {
            0xFF => i += 1,
            0x01 | 0xD0..=0xD7 => i += 2,
            0xC2 | 0xC6 | 0xCA | 0xCE => return true,
            // Any other frame header, or the first scan: not progressive.
            0xC0 | 0xC1 | 0xC3 | 0xC5 | 0xC7 | 0xC9 | 0xCB | 0xCD | 0xCF | 0xDA | 0xD9 => return false,
            _ => i += 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]])),
        }
    }
    false
}

/// What [`decode_jpeg`] holds at most: the output at its scale (a region
/// widened by up to one iMCU of 32 pixels), and for a progressive file
/// libjpeg's coefficients of the whole image (2 bytes per sample, up to 4
/// samples per pixel).
pub(super) fn footprint(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Footprint, Error> {
    let mut decompressor = Decompressor::new().map_err(turbo_error)?;
    let header = decompressor.read_header(bytes).map_err(turbo_error)?;
    let width = u32::try_from(header.width).unwrap_or(u32::MAX);
    let height = u32::try_from(header.height).unwrap_or(u32::MAX);
    check_size(width, height, limits)?;
    let region = clamp_region(request.region, width, height);
    let denom = if header.is_lossless {
        1
    } else {
        choose_denom(region, request.min_size)
    };
    let whole = whole_plan(width, height, denom);
    let (out_w, out_h) = match request.region {
        // A lossless JPEG is never cropped: decoded whole, as below.
        Some(_) if !header.is_lossless => (
            ((region.w + 32).div_ceil(denom) + 1).min(whole.out_w),
            (region.h.div_ceil(denom) + 1).min(whole.out_h),
        ),
        _ => (whole.out_w, whole.out_h),
    };
    let coefficients = if is_progressive(bytes) {
        u64::from(width) * u64::from(height) * 8
    } else {
        0
    };
    let pixels = rgba_bytes(out_w, out_h);
    Ok(Footprint {
        peak: pixels + coefficients,
        pixels,
        alpha: false,
    })
}

pub(super) fn decode_jpeg(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Decoded, Error> {
    let mut decompressor = Decompressor::new().map_err(turbo_error)?;
    let header = decompressor.read_header(bytes).map_err(turbo_error)?;
    let width = u32::try_from(header.width).unwrap_or(u32::MAX);
    let height = u32::try_from(header.height).unwrap_or(u32::MAX);
    check_size(width, height, limits)?;
    let cmyk = matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK);
    let format = if cmyk { PixelFormat::CMYK } else { PixelFormat::RGBA };
    let region = clamp_region(request.region, width, height);
    // Lossless JPEGs have no DCT to scale (and cannot be cropped either).
    let denom = if header.is_lossless {
        1
    } else {
        choose_denom(region, request.min_size)
    };

    if request.region.is_some() && !header.is_lossless {
        if let Some((plan, pixels)) = cropped::decode(bytes, region, denom, (width, height), cmyk, limits)? {
            return finish_jpeg(bytes, plan, denom, (width, height), cmyk, pixels);
        }
    }

    let plan = whole_plan(width, height, denom);
    decompressor
        .set_scaling_factor(ScalingFactor::new(1, denom as usize))
        .map_err(turbo_error)?;
    decompressor.set_scan_limit(JPEG_SCAN_LIMIT).map_err(turbo_error)?;
    let pitch = plan.out_w as usize * 4;
    let mut pixels = vec![0u8; pitch * plan.out_h as usize];
    let output = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: plan.out_w as usize,
        pitch,
        height: plan.out_h as usize,
        format,
    };
    // libjpeg-turbo reports warnings (truncated or damaged data) as errors
    // after finishing the pass, so a damaged file fails deterministically.
    decompressor.decompress(bytes, output).map_err(turbo_error)?;
    finish_jpeg(bytes, plan, denom, (width, height), cmyk, pixels)
}

/// Converts CMYK if needed and wraps the pixels up.
fn finish_jpeg(
    bytes: &[u8],
    plan: JpegPlan,
    denom: u32,
    (width, height): (u32, u32),
    cmyk: bool,
    mut pixels: Vec<u8>,
) -> Result<Decoded, Error> {
    if cmyk {
        cmyk_to_rgba_in_place(&mut pixels, has_adobe_marker(bytes));
    }
    let image = RgbaImage::from_raw(plan.out_w, plan.out_h, pixels)
        .ok_or_else(|| Error::Corrupt("decoded buffer does not match its size".into()))?;
    Ok(Decoded {
        image,
        covers: plan.covers,
        scale_denom: denom,
        source_width: width,
        source_height: height,
        opaque: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::decode::decode;
    use crate::render::decode::testing::*;
    use turbojpeg::{Compressor, Subsamp};

    #[test]
    fn dct_scale_is_the_strongest_that_keeps_the_minimum_size() {
        let bytes = jpeg(2000, 1000);
        let quarter = scaled(&bytes, None, (500, 250));
        assert_eq!(quarter.scale_denom, 4);
        assert_eq!(quarter.image.dimensions(), (500, 250));
        assert_geometry(&quarter);
        let half = scaled(&bytes, None, (501, 250));
        assert_eq!(half.scale_denom, 2);
        assert_eq!(half.image.dimensions(), (1000, 500));
        assert_eq!(scaled(&bytes, None, (100, 100)).scale_denom, 8);
        assert_eq!(scaled(&bytes, None, (1500, 10)).scale_denom, 1);
        let whole = full(&bytes);
        assert_eq!((whole.scale_denom, whole.image.dimensions()), (1, (2000, 1000)));
        assert!(whole.opaque);
        assert_geometry(&whole);
    }

    #[test]
    fn scaled_sizes_round_up_like_libjpeg() {
        let bytes = jpeg(1001, 203);
        let d = scaled(&bytes, None, (1, 1));
        assert_eq!(d.scale_denom, 8);
        assert_eq!(d.image.dimensions(), (126, 26));
        assert_geometry(&d);
    }

    #[test]
    fn progressive_and_gray_jpegs_decode() {
        let picture = picture(400, 300);
        let progressive = jpeg_with(&picture, Subsamp::Sub2x2, true);
        let d = scaled(&progressive, None, (100, 75));
        assert_eq!((d.scale_denom, d.image.dimensions()), (4, (100, 75)));
        let region = Region {
            x: 50,
            y: 60,
            w: 100,
            h: 100,
        };
        let d = scaled(&progressive, Some(region), (100, 100));
        assert_eq!(d.scale_denom, 1);
        assert_geometry(&d);

        let gray = jpeg_with(&picture, Subsamp::Gray, false);
        let d = full(&gray);
        let px = d.image.get_pixel(200, 150);
        assert!(px[0] == px[1] && px[1] == px[2] && px[3] == 255, "{px:?}");
    }

    #[test]
    fn damaged_jpegs_are_refused() {
        let mut bytes = jpeg(640, 480);
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(full_result(&bytes), Err(Error::Corrupt(_))));
        // The same way every time.
        assert_eq!(
            format!("{:?}", full_result(&bytes)),
            format!("{:?}", full_result(&bytes))
        );
        assert!(matches!(
            full_result(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn cmyk_jpegs_are_not_inverted() {
        // Colour patches, separated naively and stored inverted under an
        // Adobe marker the way Photoshop (and Pillow) write CMYK JPEGs.
        let rgb = RgbaImage::from_fn(256, 128, |x, y| match (x / 64, y / 64) {
            (0, 0) => image::Rgba([220, 40, 30, 255]),
            (1, 0) => image::Rgba([30, 200, 60, 255]),
            (2, 0) => image::Rgba([40, 60, 210, 255]),
            (3, 0) => image::Rgba([240, 230, 60, 255]),
            (0, 1) => image::Rgba([255, 255, 255, 255]),
            (1, 1) => image::Rgba([0, 0, 0, 255]),
            (2, 1) => image::Rgba([128, 128, 128, 255]),
            _ => image::Rgba([90, 160, 200, 255]),
        });
        let mut cmyk = Vec::with_capacity(256 * 128 * 4);
        for px in rgb.pixels() {
            let max = u32::from(px[0].max(px[1]).max(px[2]));
            let ink = |v: u8| ((max - u32::from(v)) * 255).checked_div(max).unwrap_or(0) as u8;
            cmyk.extend_from_slice(&[255 - ink(px[0]), 255 - ink(px[1]), 255 - ink(px[2]), max as u8]);
        }
        let mut compressor = Compressor::new().expect("compressor");
        compressor.set_quality(95).expect("quality");
        let source = turbojpeg::Image {
            pixels: cmyk.as_slice(),
            width: 256,
            pitch: 256 * 4,
            height: 128,
            format: PixelFormat::CMYK,
        };
        let bytes = compressor.compress_to_vec(source).expect("compress");
        assert!(has_adobe_marker(&bytes));
        let d = full(&bytes);
        assert!(d.opaque);
        let (want, got) = (mean_rgb(&rgb), mean_rgb(&d.image));
        for c in 0..3 {
            assert!((want[c] - got[c]).abs() < 4.0, "mean {got:?}, expected {want:?}");
        }
        let red = d.image.get_pixel(32, 32);
        assert!(red[0] > 200 && red[1] < 70 && red[2] < 60, "{red:?}");
    }

    /// Release-build timings on a 20 MP JPEG (`cargo test --release --lib
    /// jpeg_speed -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn jpeg_speed() {
        // A gradient with texture, so the entropy-coded data is photo-sized.
        let picture = RgbaImage::from_fn(5472, 3648, |x, y| {
            let noise = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).rotate_left(7) % 24;
            image::Rgba([
                ((x / 22) as u8).wrapping_add(noise as u8),
                ((y / 15) as u8).wrapping_add(noise as u8),
                (((x + y) / 36) as u8).wrapping_sub(noise as u8),
                255,
            ])
        });
        let bytes = jpeg_with(&picture, Subsamp::Sub2x2, false);
        println!("20 MP JPEG: {} bytes", bytes.len());
        let crop = Region {
            x: 2236,
            y: 1324,
            w: 1000,
            h: 1000,
        };
        let cases = [
            ("full", None, None),
            ("scaled to >= 1200x675", None, Some((1200, 675))),
            ("crop 1000x1000", Some(crop), None),
        ];
        for (name, region, min_size) in cases {
            let request = DecodeRequest { region, min_size };
            let mut times = Vec::new();
            for _ in 0..7 {
                let started = std::time::Instant::now();
                let d = decode(&bytes, &request, &ImageLimits::default()).expect("decode");
                times.push(started.elapsed());
                std::hint::black_box(d);
            }
            times.sort();
            println!("{name}: median {:?}", times[3]);
        }
    }
}
