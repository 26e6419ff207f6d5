//! Source decoding into RGBA8, with shrink-on-load and region decode for
//! JPEG (libjpeg-turbo) and the `image` crate for every other format.
//!
//! The format is sniffed from the first bytes, never taken from a name. The
//! header is read and checked against [`ImageLimits`] before any pixel buffer
//! exists. EXIF orientation is not applied: the stored pixel grid is what
//! `crop=`, `rect=` and the other commands address.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbaImage};
use turbojpeg::{Colorspace, Decompressor, PixelFormat, ScalingFactor};

use super::{Error, ImageLimits};

/// A rectangle in full-resolution source pixels, inside the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width, > 0.
    pub w: u32,
    /// Height, > 0.
    pub h: u32,
}

/// What the pipeline needs from the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeRequest {
    /// Only this part of the source is needed (`None`: all of it). The
    /// decoder may return more (e.g. aligned to JPEG blocks), never less.
    /// A region reaching outside the source is clamped to it.
    pub region: Option<Region>,
    /// The decoded region may be scaled down (JPEG DCT scaling: 1/2, 1/4,
    /// 1/8) as long as it stays at least this many pixels wide and high
    /// (`None`: full resolution). Precisely: the scale 1/d is allowed when
    /// `region.w >= min_w * d` and `region.h >= min_h * d`, so the requested
    /// area itself still spans at least that many decoded pixels.
    pub min_size: Option<(u32, u32)>,
}

/// Decoded pixels and where they sit in the source.
///
/// The geometry is exact: decoded pixel (i, j) starts at source pixel
/// (`covers.x + i * scale_denom`, `covers.y + j * scale_denom`) and stands
/// for a `scale_denom`² block of it, and
/// `image.width() == covers.w.div_ceil(scale_denom)`,
/// `image.height() == covers.h.div_ceil(scale_denom)` (the last column or
/// row may stand for a partial block at the source's right or bottom edge).
#[derive(Debug)]
pub struct Decoded {
    /// RGBA8 pixels, not premultiplied.
    pub image: RgbaImage,
    /// The source rectangle (full-resolution pixels) that `image` covers;
    /// `image` may be smaller than it when decoded scaled down.
    pub covers: Region,
    /// The DCT scale denominator: 1, 2, 4 or 8 (always 1 except for JPEG).
    pub scale_denom: u32,
    /// Full-resolution source width.
    pub source_width: u32,
    /// Full-resolution source height.
    pub source_height: u32,
    /// True when every pixel is known to be opaque (a format without alpha,
    /// or an alpha channel that turned out to be 255 everywhere).
    pub opaque: bool,
}

/// Decodes `bytes` (format sniffed from content), refusing anything beyond
/// `limits` before allocating pixels.
///
/// - JPEG goes through libjpeg-turbo, straight into RGBA, DCT-scaled when
///   `min_size` allows it. A `region` is decoded alone (only its rows and
///   block columns; `covers` is then the region widened left to a block
///   boundary and rounded out to the scale) unless libjpeg-turbo cannot crop
///   the file, when the whole image is. Any libjpeg warning (truncated or damaged
///   data) is an error, so a damaged file fails the same way every time. CMYK
///   and YCCK are converted naively to RGB, treating data with an Adobe APP14
///   marker as inverted (Photoshop's convention). 12- and 16-bit JPEGs are
///   refused as [`Error::Corrupt`] (libjpeg-turbo's 8-bit path rejects them).
/// - PNG, GIF, TIFF and WebP go through the `image` crate at full size: the
///   whole image is returned (`covers` = the source, whatever `region` says),
///   first frame only for animations, converted to RGBA8.
pub fn decode(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Decoded, Error> {
    match sniff(bytes).ok_or(Error::UnknownFormat)? {
        ImageFormat::Jpeg => decode_jpeg(bytes, request, limits),
        other => decode_with_image(bytes, other, limits),
    }
}

/// The format from the magic bytes; `None` for anything not supported.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| bytes.starts_with(*m))
    {
        // Classic and BigTIFF, either byte order.
        Some(ImageFormat::Tiff)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Refuses a zero or over-limit size; called before any pixel allocation.
fn check_size(width: u32, height: u32, limits: &ImageLimits) -> Result<(), Error> {
    if width == 0 || height == 0 {
        return Err(Error::Corrupt(format!("zero-sized image ({width}x{height})")));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Error::TooLarge { width, height });
    }
    Ok(())
}

/// The request's region, clamped to the source (the whole source if none).
fn clamp_region(region: Option<Region>, width: u32, height: u32) -> Region {
    let Some(r) = region else {
        return Region {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
    };
    let x = r.x.min(width - 1);
    let y = r.y.min(height - 1);
    Region {
        x,
        y,
        w: r.w.clamp(1, width - x),
        h: r.h.clamp(1, height - y),
    }
}

// ---------------------------------------------------------------------------
// JPEG through libjpeg-turbo
// ---------------------------------------------------------------------------

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

fn decode_jpeg(bytes: &[u8], request: &DecodeRequest, limits: &ImageLimits) -> Result<Decoded, Error> {
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

/// Region decode through libjpeg-turbo's cropping API (`tj3SetCroppingRegion`),
/// which the `turbojpeg` crate does not wrap: decoding stops after the
/// region's last row and skips the block columns left and right of it
/// (a 1000² crop of a 20 MP JPEG: about 38 ms instead of 138 ms here).
///
/// It needs raw FFI calls, hence `unsafe`, which `src/lib.rs` denies
/// crate-wide; this module alone is allowed.
#[allow(unsafe_code)]
mod cropped {
    use std::ffi::{c_int, CStr};

    use turbojpeg::raw;

    use super::{Error, ImageLimits, JpegPlan, Region, JPEG_SCAN_LIMIT};

    /// A TurboJPEG decompressor instance, destroyed on drop.
    struct Turbo {
        handle: raw::tjhandle,
    }

    impl Turbo {
        fn new() -> Option<Self> {
            // SAFETY: tj3Init has no preconditions; null is checked.
            let handle = unsafe { raw::tj3Init(raw::TJINIT_TJINIT_DECOMPRESS as c_int) };
            (!handle.is_null()).then_some(Turbo { handle })
        }

        fn set(&mut self, param: raw::TJPARAM, value: c_int) -> bool {
            // SAFETY: the handle is live (non-null, destroyed only on drop).
            unsafe { raw::tj3Set(self.handle, param as c_int, value) == 0 }
        }

        fn get(&self, param: raw::TJPARAM) -> c_int {
            // SAFETY: the handle is live.
            unsafe { raw::tj3Get(self.handle, param as c_int) }
        }

        /// The last error, on one line.
        fn error(&self) -> String {
            // SAFETY: the handle is live; tj3GetErrorStr never returns null,
            // and its string stays valid until the next call on this handle
            // (it is copied out at once).
            let message = unsafe { CStr::from_ptr(raw::tj3GetErrorStr(self.handle)) };
            message
                .to_string_lossy()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        }

        /// Whether the last error was a warning (damaged data), not fatal.
        fn last_was_warning(&self) -> bool {
            // SAFETY: the handle is live.
            unsafe { raw::tj3GetErrorCode(self.handle) == raw::TJERR_TJERR_WARNING as c_int }
        }
    }

    impl Drop for Turbo {
        fn drop(&mut self) {
            // SAFETY: the handle came from tj3Init and is destroyed only here.
            unsafe { raw::tj3Destroy(self.handle) };
        }
    }

    /// Width of libjpeg-turbo's iMCU for a subsampling mode (`tjMCUWidth`);
    /// a cropping region's left edge must sit on a multiple of it.
    fn mcu_width(subsamp: c_int) -> Option<u32> {
        match subsamp {
            raw::TJSAMP_TJSAMP_444 | raw::TJSAMP_TJSAMP_GRAY | raw::TJSAMP_TJSAMP_440 | raw::TJSAMP_TJSAMP_441 => {
                Some(8)
            }
            raw::TJSAMP_TJSAMP_422 | raw::TJSAMP_TJSAMP_420 => Some(16),
            raw::TJSAMP_TJSAMP_411 => Some(32),
            _ => None,
        }
    }

    /// `region` at 1/`denom`: its left edge moved left to an iMCU boundary
    /// (`mcu` source pixels, a multiple of `denom`), its other edges rounded
    /// out to whole scaled pixels. `None` when that is the whole image.
    fn plan(region: Region, (width, height): (u32, u32), denom: u32, mcu: u32) -> Option<(JpegPlan, raw::tjregion)> {
        let (full_w, full_h) = (width.div_ceil(denom), height.div_ceil(denom));
        let (left, top) = (region.x / mcu * mcu / denom, region.y / denom);
        let right = (region.x + region.w).div_ceil(denom).min(full_w);
        let bottom = (region.y + region.h).div_ceil(denom).min(full_h);
        if left == 0 && top == 0 && right == full_w && bottom == full_h {
            return None;
        }
        let covers = Region {
            x: left * denom,
            y: top * denom,
            w: (right * denom).min(width) - left * denom,
            h: (bottom * denom).min(height) - top * denom,
        };
        // All fit c_int: they are at most the JPEG's own dimensions.
        let crop = raw::tjregion {
            x: left as c_int,
            y: top as c_int,
            w: (right - left) as c_int,
            h: (bottom - top) as c_int,
        };
        let out = JpegPlan {
            covers,
            out_w: right - left,
            out_h: bottom - top,
        };
        Some((out, crop))
    }

    /// Decodes `region` (already clamped) at 1/`denom`. `Ok(None)` when
    /// libjpeg-turbo cannot crop this file (unusual subsampling, a fatal
    /// error with the cropping region): the caller decodes it whole.
    /// Damaged data is an error, as in the full decode.
    pub(super) fn decode(
        bytes: &[u8],
        region: Region,
        denom: u32,
        size: (u32, u32),
        cmyk: bool,
        limits: &ImageLimits,
    ) -> Result<Option<(JpegPlan, Vec<u8>)>, Error> {
        let Some(mut tj) = Turbo::new() else {
            return Ok(None);
        };
        // SAFETY: the handle is live and `bytes` is a live slice of that length.
        if unsafe { raw::tj3DecompressHeader(tj.handle, bytes.as_ptr(), bytes.len() as raw::size_t) } != 0 {
            return Ok(None);
        }
        let header = (
            tj.get(raw::TJPARAM_TJPARAM_JPEGWIDTH),
            tj.get(raw::TJPARAM_TJPARAM_JPEGHEIGHT),
        );
        if header != (size.0 as c_int, size.1 as c_int) {
            return Ok(None);
        }
        let Some(mcu) = mcu_width(tj.get(raw::TJPARAM_TJPARAM_SUBSAMP)) else {
            return Ok(None);
        };
        let Some((plan, crop)) = plan(region, size, denom, mcu) else {
            return Ok(None);
        };
        // Stop at the first warning rather than decode damaged data to the
        // end; bound progressive scans and libjpeg's intermediate buffers.
        let budget_mib = (limits.max_pixels.saturating_mul(8) >> 20).clamp(64, c_int::MAX as u64) as c_int;
        let settings = [
            (raw::TJPARAM_TJPARAM_STOPONWARNING, 1),
            (raw::TJPARAM_TJPARAM_SCANLIMIT, JPEG_SCAN_LIMIT as c_int),
            (raw::TJPARAM_TJPARAM_MAXMEMORY, budget_mib),
        ];
        if !settings.into_iter().all(|(param, value)| tj.set(param, value)) {
            return Ok(None);
        }
        let factor = raw::tjscalingfactor {
            num: 1,
            denom: denom as c_int,
        };
        // SAFETY: the handle is live (for both calls); the header was read.
        let accepted = unsafe {
            raw::tj3SetScalingFactor(tj.handle, factor) == 0 && raw::tj3SetCroppingRegion(tj.handle, crop) == 0
        };
        if !accepted {
            return Ok(None);
        }
        let pitch = plan.out_w as usize * 4;
        let mut pixels = vec![0u8; pitch * plan.out_h as usize];
        let format = if cmyk { raw::TJPF_TJPF_CMYK } else { raw::TJPF_TJPF_RGBA };
        // SAFETY: the handle is live; `bytes` is a live slice of the length
        // passed; `pixels` holds out_h rows of `pitch` bytes, and
        // libjpeg-turbo writes exactly the cropping region set above
        // (crop.w × crop.h = out_w × out_h pixels of 4 bytes, both formats),
        // or fails before writing if its own cropping disagrees. The pitch
        // fits c_int: the image passed the size limits (width ≤ max_side).
        let rc = unsafe {
            raw::tj3Decompress8(
                tj.handle,
                bytes.as_ptr(),
                bytes.len() as raw::size_t,
                pixels.as_mut_ptr(),
                pitch as c_int,
                format,
            )
        };
        match rc {
            0 => Ok(Some((plan, pixels))),
            _ if tj.last_was_warning() => Err(Error::Corrupt(tj.error())),
            // A fatal error may be libjpeg refusing this file's block layout
            // for cropping; the full decode reports anything real again.
            _ => Ok(None),
        }
    }
}

// ---------------------------------------------------------------------------
// Everything else through the `image` crate
// ---------------------------------------------------------------------------

/// Maps an `image` error; `size` is the declared size when known.
fn image_error(error: ImageError, size: Option<(u32, u32)>) -> Error {
    match error {
        ImageError::Limits(_) => {
            let (width, height) = size.unwrap_or((0, 0));
            Error::TooLarge { width, height }
        }
        ImageError::Unsupported(_) => Error::UnknownFormat,
        other => Error::Corrupt(other.to_string()),
    }
}

fn decode_with_image(bytes: &[u8], format: ImageFormat, limits: &ImageLimits) -> Result<Decoded, Error> {
    // Room for the decoder's own buffer (up to 16-bit RGBA) and no more.
    let budget = limits.max_pixels.saturating_mul(8);
    let mut caps = Limits::default();
    caps.max_alloc = Some(budget);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Width and height caps come after the header is read, so that a refusal
    // can name the declared size; max_alloc already bounds the header parse.
    reader.limits(caps.clone());
    let mut decoder = reader.into_decoder().map_err(|e| image_error(e, None))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let size = Some((width, height));
    caps.max_image_width = Some(limits.max_side);
    caps.max_image_height = Some(limits.max_side);
    decoder.set_limits(caps).map_err(|e| image_error(e, size))?;
    if decoder.total_bytes() > budget {
        return Err(Error::TooLarge { width, height });
    }
    let has_alpha = decoder.color_type().has_alpha();
    // The decoders are pure Rust and fuzzed; a panic on hostile bytes would
    // still be a bug of theirs, so it is reported as a damaged file instead.
    let decoded = catch_unwind(AssertUnwindSafe(|| DynamicImage::from_decoder(decoder)))
        .map_err(|_| Error::Corrupt("the decoder failed on this file".into()))?
        .map_err(|e| image_error(e, size))?;
    let image = decoded.into_rgba8();
    if image.dimensions() != (width, height) {
        return Err(Error::Corrupt("decoded size differs from the header".into()));
    }
    let opaque = !has_alpha || image.as_raw().chunks_exact(4).all(|px| px[3] == 255);
    Ok(Decoded {
        image,
        covers: Region {
            x: 0,
            y: 0,
            w: width,
            h: height,
        },
        scale_denom: 1,
        source_width: width,
        source_height: height,
        opaque,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use turbojpeg::{Compressor, Subsamp};

    /// A smooth test picture (JPEG-friendly: no sharp edges).
    fn picture(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([
                (x * 255 / width.max(2)) as u8,
                (y * 255 / height.max(2)) as u8,
                ((x + y) * 255 / (width + height)) as u8,
                255,
            ])
        })
    }

    fn jpeg_with(image: &RgbaImage, subsamp: Subsamp, progressive: bool) -> Vec<u8> {
        let mut compressor = Compressor::new().expect("compressor");
        compressor.set_quality(90).expect("quality");
        compressor.set_subsamp(subsamp).expect("subsamp");
        compressor.set_progressive(progressive).expect("progressive");
        let source = turbojpeg::Image {
            pixels: image.as_raw().as_slice(),
            width: image.width() as usize,
            pitch: image.width() as usize * 4,
            height: image.height() as usize,
            format: PixelFormat::RGBA,
        };
        compressor.compress_to_vec(source).expect("compress")
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        jpeg_with(&picture(width, height), Subsamp::Sub2x2, false)
    }

    fn encoded(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    fn full(bytes: &[u8]) -> Decoded {
        decode(bytes, &DecodeRequest::default(), &ImageLimits::default()).expect("decode")
    }

    fn scaled(bytes: &[u8], region: Option<Region>, min_size: (u32, u32)) -> Decoded {
        let request = DecodeRequest {
            region,
            min_size: Some(min_size),
        };
        decode(bytes, &request, &ImageLimits::default()).expect("decode")
    }

    /// The documented geometry: size = ceil(covers / denom), covers inside
    /// the source.
    fn assert_geometry(d: &Decoded) {
        assert_eq!(d.image.width(), d.covers.w.div_ceil(d.scale_denom), "{d:?}");
        assert_eq!(d.image.height(), d.covers.h.div_ceil(d.scale_denom), "{d:?}");
        assert!(d.covers.x + d.covers.w <= d.source_width && d.covers.y + d.covers.h <= d.source_height);
    }

    /// Largest channel difference between a w×h window of `a` at `a_at` and
    /// one of `b` at `b_at`.
    fn max_difference(a: &RgbaImage, a_at: (u32, u32), b: &RgbaImage, b_at: (u32, u32), (w, h): (u32, u32)) -> u8 {
        let ((ax, ay), (bx, by)) = (a_at, b_at);
        let mut worst = 0;
        for y in 0..h {
            for x in 0..w {
                let (p, q) = (a.get_pixel(ax + x, ay + y), b.get_pixel(bx + x, by + y));
                for c in 0..4 {
                    worst = worst.max(p[c].abs_diff(q[c]));
                }
            }
        }
        worst
    }

    fn mean_rgb(image: &RgbaImage) -> [f64; 3] {
        let mut sum = [0.0; 3];
        for px in image.pixels() {
            for c in 0..3 {
                sum[c] += f64::from(px[c]);
            }
        }
        let n = f64::from(image.width() * image.height());
        sum.map(|s| s / n)
    }

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
    fn region_decode_covers_the_region_with_the_same_pixels() {
        let bytes = jpeg(640, 480);
        let reference = full(&bytes).image;
        let region = Region {
            x: 100,
            y: 50,
            w: 300,
            h: 200,
        };
        let request = DecodeRequest {
            region: Some(region),
            min_size: None,
        };
        let d = decode(&bytes, &request, &ImageLimits::default()).expect("decode");
        assert_eq!(d.scale_denom, 1);
        assert_geometry(&d);
        let c = d.covers;
        assert!(c.x <= region.x && c.y <= region.y);
        assert!(c.x + c.w >= region.x + region.w && c.y + c.h >= region.y + region.h);
        let (dx, dy) = (region.x - c.x, region.y - c.y);
        let worst = max_difference(
            &d.image,
            (dx, dy),
            &reference,
            (region.x, region.y),
            (region.w, region.h),
        );
        assert!(worst <= 6, "region pixels differ from the full decode by {worst}");
    }

    #[test]
    fn region_and_scale_combine() {
        let bytes = jpeg(1600, 1200);
        let region = Region {
            x: 333,
            y: 201,
            w: 800,
            h: 400,
        };
        let d = scaled(&bytes, Some(region), (200, 100));
        assert_eq!(d.scale_denom, 4);
        assert_geometry(&d);
        let c = d.covers;
        assert!(c.x <= region.x && c.y <= region.y);
        assert!(c.x + c.w >= region.x + region.w && c.y + c.h >= region.y + region.h);
        // Same pixels as the whole image decoded at the same scale.
        let whole = scaled(&bytes, None, (400, 300));
        assert_eq!(whole.scale_denom, 4);
        let (ox, oy) = (c.x / 4, c.y / 4);
        let (w, h) = (region.w / 4, region.h / 4);
        let (rx, ry) = ((region.x - c.x) / 4, (region.y - c.y) / 4);
        let worst = max_difference(&d.image, (rx, ry), &whole.image, (ox + rx, oy + ry), (w, h));
        assert!(
            worst <= 6,
            "scaled region differs from the scaled full decode by {worst}"
        );
    }

    #[test]
    fn region_decode_does_not_decode_the_whole_image() {
        let bytes = jpeg(2000, 1600);
        let region = Region {
            x: 1000,
            y: 700,
            w: 300,
            h: 200,
        };
        let request = DecodeRequest {
            region: Some(region),
            min_size: None,
        };
        let d = decode(&bytes, &request, &ImageLimits::default()).expect("decode");
        // Widened left to a 16-pixel iMCU (4:2:0), nothing else.
        assert_eq!(
            d.covers,
            Region {
                x: 992,
                y: 700,
                w: 308,
                h: 200
            }
        );
        assert_eq!(d.image.dimensions(), (308, 200));
        let progressive = jpeg_with(&picture(2000, 1600), Subsamp::Sub2x2, true);
        let d = decode(&progressive, &request, &ImageLimits::default()).expect("decode");
        assert_eq!(d.image.dimensions(), (308, 200));
        // 4:4:4 and grey have 8-pixel iMCUs.
        for subsamp in [Subsamp::None, Subsamp::Gray] {
            let bytes = jpeg_with(&picture(2000, 1600), subsamp, false);
            let d = decode(&bytes, &request, &ImageLimits::default()).expect("decode");
            assert_eq!((d.covers.x, d.covers.w), (1000, 300), "{subsamp:?}");
        }
        // Damage above the region (whose rows are still entropy-decoded) or
        // inside it is an error; below it, it is never read.
        let mut damaged = bytes.clone();
        damaged.truncate(bytes.len() / 3);
        assert!(matches!(
            decode(&damaged, &request, &ImageLimits::default()),
            Err(Error::Corrupt(_))
        ));
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

    fn full_result(bytes: &[u8]) -> Result<Decoded, Error> {
        decode(bytes, &DecodeRequest::default(), &ImageLimits::default())
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

    #[test]
    fn other_formats_round_trip() {
        let picture = picture(64, 48);
        for format in [ImageFormat::Png, ImageFormat::Tiff, ImageFormat::WebP] {
            let d = full(&encoded(&picture, format));
            assert_eq!(d.image, picture, "{format:?}");
            assert_eq!((d.scale_denom, d.source_width, d.source_height), (1, 64, 48));
            assert_eq!(
                d.covers,
                Region {
                    x: 0,
                    y: 0,
                    w: 64,
                    h: 48
                }
            );
            assert!(d.opaque, "{format:?}");
        }
        // GIF is a palette format: a few flat colours survive exactly.
        let flat = RgbaImage::from_fn(32, 16, |x, _| {
            image::Rgba(if x < 16 { [200, 10, 10, 255] } else { [0, 0, 255, 255] })
        });
        let d = full(&encoded(&flat, ImageFormat::Gif));
        assert_eq!(d.image, flat);
        // A region does not crop these: the whole image comes back.
        let request = DecodeRequest {
            region: Some(Region {
                x: 5,
                y: 5,
                w: 10,
                h: 10,
            }),
            min_size: Some((1, 1)),
        };
        let d = decode(&encoded(&picture, ImageFormat::Png), &request, &ImageLimits::default()).expect("decode");
        assert_eq!((d.image.dimensions(), d.scale_denom), ((64, 48), 1));
    }

    #[test]
    fn sixteen_bit_and_alpha_pngs_become_rgba8() {
        let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(8, 8, |x, y| {
            image::Rgb([(x * 8000) as u16, (y * 8000) as u16, 65_535])
        });
        let mut out = Cursor::new(Vec::new());
        deep.write_to(&mut out, ImageFormat::Png).expect("encode");
        let d = full(out.get_ref());
        assert_eq!(*d.image.get_pixel(7, 0), image::Rgba([218, 0, 255, 255]));
        assert!(d.opaque);

        let mut clear = picture(16, 16);
        clear.put_pixel(3, 4, image::Rgba([1, 2, 3, 0]));
        let d = full(&encoded(&clear, ImageFormat::Png));
        assert_eq!(d.image.get_pixel(3, 4)[3], 0);
        assert!(!d.opaque);
    }

    #[test]
    fn oversized_headers_are_refused_before_decoding() {
        // A PNG signature and an IHDR declaring 100000 × 100000 RGBA.
        let mut header = 100_000u32.to_be_bytes().repeat(2);
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &header[..]),
            (b"IDAT", &[0x78, 0x01, 0, 0]),
            (b"IEND", &[]),
        ] {
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        }
        let started = std::time::Instant::now();
        let result = full_result(&png);
        assert!(
            matches!(
                result,
                Err(Error::TooLarge {
                    width: 100_000,
                    height: 100_000
                })
            ),
            "{result:?}"
        );
        assert!(started.elapsed().as_millis() < 500);

        let tight = ImageLimits {
            max_side: 1000,
            max_pixels: 100_000,
        };
        let request = DecodeRequest::default();
        assert!(matches!(
            decode(&jpeg(400, 300), &request, &tight),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            decode(&jpeg(1200, 30), &request, &tight),
            Err(Error::TooLarge { .. })
        ));
        assert!(decode(&jpeg(300, 300), &request, &tight).is_ok());
    }

    #[test]
    fn non_images_are_unknown() {
        for bytes in [
            &b""[..],
            b"<html><body>not an image</body></html>",
            b"\xFF\xD8",
            b"BM\x00\x00",
        ] {
            assert!(matches!(full_result(bytes), Err(Error::UnknownFormat)), "{bytes:?}");
        }
    }

    #[test]
    fn animated_gifs_give_their_first_frame() {
        let mut bytes = Vec::new();
        {
            let palette = [255, 0, 0, 0, 0, 255];
            let mut encoder = gif::Encoder::new(&mut bytes, 4, 4, &palette).expect("gif");
            for index in [0u8, 1] {
                let frame = gif::Frame {
                    width: 4,
                    height: 4,
                    delay: 10,
                    buffer: std::borrow::Cow::Owned(vec![index; 16]),
                    ..gif::Frame::default()
                };
                encoder.write_frame(&frame).expect("frame");
            }
        }
        let d = full(&bytes);
        assert_eq!(*d.image.get_pixel(2, 2), image::Rgba([255, 0, 0, 255]));
        assert!(d.opaque);
    }

    #[test]
    fn regions_outside_the_source_are_clamped() {
        let r = clamp_region(
            Some(Region {
                x: 630,
                y: 500,
                w: 100,
                h: 100,
            }),
            640,
            480,
        );
        assert_eq!(
            r,
            Region {
                x: 630,
                y: 479,
                w: 10,
                h: 1
            }
        );
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
