//! Reply encoding: JPEG through libjpeg-turbo, the other formats through
//! their own crates.
//!
//! Palette formats (`gif`, `gif-alpha`, `png8`, `png8-alpha`) go through
//! [`quantize`]: a palette built per `quantize=` (median cut refined by
//! k-means, the web-safe cube, or the Macintosh system palette, with forced
//! colours first), then exact nearest-colour mapping, optionally with
//! Floyd–Steinberg error diffusion. Everything is deterministic: the same
//! pixels and options give the same bytes.

use std::borrow::Cow;
use std::io::Cursor;

use image::RgbaImage;
use turbojpeg::{Compressor, PixelFormat, Subsamp};

use super::modifier::{Compression, Fmt, Format, Palette, PixelType, Quality, Quantize};
use super::Error;

/// Everything the encoder needs besides the pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodeOptions {
    /// Format, pixel type and compression.
    pub fmt: Fmt,
    /// JPEG (and lossy WebP / TIFF-JPEG) quality.
    pub quality: Quality,
    /// Palette settings for `gif`, `gif-alpha`, `png8`, `png8-alpha`.
    pub quantize: Quantize,
    /// Dots per inch to record, where the format can carry it.
    pub print_res: Option<u32>,
}

/// Encodes `image`. For formats without alpha the caller has already
/// flattened transparency; the alpha channel is then ignored.
///
/// Pixel types: `gray` is Rec. 601 luma everywhere; `cmyk` is the naive
/// k = 255 − max(r, g, b) separation, accepted by JPEG (stored inverted
/// with the Adobe marker, as Photoshop does) and TIFF only. `print_res` is
/// written as JFIF density (JPEG with RGB or grey), pHYs (PNG) or
/// X/YResolution in inches (TIFF); GIF and WebP cannot carry it.
pub fn encode(image: &RgbaImage, options: &EncodeOptions) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return Err(Error::Encode(format!("cannot encode an empty {width}x{height} image")));
    }
    let pixel = options.fmt.pixel_type.unwrap_or(PixelType::Rgb);
    let format = options.fmt.format;
    let compression = options.fmt.compression;
    let alpha = format.has_alpha();
    match format {
        Format::Tif | Format::TifAlpha | Format::Webp | Format::WebpAlpha => {}
        // `fmt=jpeg,rgb,none` is Image Serving's own spelling of the default.
        _ if matches!(compression, None | Some(Compression::None)) => {}
        _ => return Err(Error::Encode(format!("{format:?} takes no compression option"))),
    }
    if pixel == PixelType::Cmyk && !matches!(format, Format::Jpeg | Format::Pjpeg | Format::Tif | Format::TifAlpha) {
        return Err(Error::Encode(format!("{format:?} cannot hold CMYK pixels")));
    }
    match format {
        Format::Jpeg | Format::Pjpeg => encode_jpeg(image, options, pixel, format == Format::Pjpeg),
        Format::Png | Format::PngAlpha => encode_png(image, pixel, alpha, options.print_res),
        Format::Png8 | Format::Png8Alpha => encode_png8(image, options, pixel, alpha),
        Format::Gif | Format::GifAlpha => encode_gif(image, options, pixel, alpha),
        Format::Tif | Format::TifAlpha => encode_tiff(image, pixel, alpha, compression, options.print_res),
        Format::Webp | Format::WebpAlpha => encode_webp(image, pixel, alpha, compression, options.quality),
    }
}

/// Rec. 601 luma, as libjpeg computes it: 0.299 R + 0.587 G + 0.114 B.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((19_595 * u32::from(r) + 38_470 * u32::from(g) + 7_471 * u32::from(b) + 32_768) >> 16) as u8
}

/// Naive separation: k = 255 − max(r, g, b), c = (max − r) / max, and so on
/// (ink amounts, 255 = full ink).
#[inline]
fn rgb_to_cmyk(r: u8, g: u8, b: u8) -> [u8; 4] {
    let max = u32::from(r.max(g).max(b));
    if max == 0 {
        return [0, 0, 0, 255];
    }
    let ink = |v: u8| (((max - u32::from(v)) * 255 + max / 2) / max) as u8;
    [ink(r), ink(g), ink(b), (255 - max) as u8]
}

/// A pixels-per-metre value for `dpi`, rounded.
fn dots_per_metre(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// RGB (or grey as RGB when `gray`) without the alpha channel.
fn rgb_bytes(image: &RgbaImage, gray: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * 3);
    for px in image.as_raw().chunks_exact(4) {
        if gray {
            let l = luma(px[0], px[1], px[2]);
            out.extend_from_slice(&[l, l, l]);
        } else {
            out.extend_from_slice(&px[..3]);
        }
    }
    out
}

/// One grey sample per pixel, followed by alpha when `alpha`.
fn gray_bytes(image: &RgbaImage, alpha: bool) -> Vec<u8> {
    let per_pixel = if alpha { 2 } else { 1 };
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * per_pixel);
    for px in image.as_raw().chunks_exact(4) {
        out.push(luma(px[0], px[1], px[2]));
        if alpha {
            out.push(px[3]);
        }
    }
    out
}

/// CMYK ink samples (followed by alpha when `alpha`); `inverted` stores
/// 255 − ink, the Adobe JPEG convention.
fn cmyk_bytes(image: &RgbaImage, alpha: bool, inverted: bool) -> Vec<u8> {
    let flip = if inverted { 255 } else { 0 };
    let per_pixel = if alpha { 5 } else { 4 };
    let mut out = Vec::with_capacity(image.as_raw().len() / 4 * per_pixel);
    for px in image.as_raw().chunks_exact(4) {
        let [c, m, y, k] = rgb_to_cmyk(px[0], px[1], px[2]);
        out.extend_from_slice(&[c ^ flip, m ^ flip, y ^ flip, k ^ flip]);
        if alpha {
            out.push(px[3]);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// JPEG
// ---------------------------------------------------------------------------

fn encode_jpeg(
    image: &RgbaImage,
    options: &EncodeOptions,
    pixel: PixelType,
    progressive: bool,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let turbo_error = |e: turbojpeg::Error| Error::Encode(e.to_string());
    let mut compressor = Compressor::new().map_err(turbo_error)?;
    compressor
        .set_quality(i32::from(options.quality.quality.clamp(1, 100)))
        .map_err(turbo_error)?;
    let subsamp = match pixel {
        // From RGB pixels, libjpeg-turbo computes the luma itself.
        PixelType::Gray => Subsamp::Gray,
        // Image Serving ignores the chroma flag for CMYK.
        PixelType::Cmyk => Subsamp::Sub2x2,
        PixelType::Rgb if options.quality.full_chroma => Subsamp::None,
        PixelType::Rgb => Subsamp::Sub2x2,
    };
    compressor.set_subsamp(subsamp).map_err(turbo_error)?;
    compressor.set_progressive(progressive).map_err(turbo_error)?;
    let cmyk;
    let (pixels, format) = if pixel == PixelType::Cmyk {
        // libjpeg-turbo always writes the Adobe marker for CMYK, so the
        // samples go in inverted, as readers expect with that marker.
        cmyk = cmyk_bytes(image, false, true);
        (cmyk.as_slice(), PixelFormat::CMYK)
    } else {
        // Straight from the RGBA buffer: libjpeg-turbo skips the alpha byte.
        (image.as_raw().as_slice(), PixelFormat::RGBA)
    };
    let source = turbojpeg::Image {
        pixels,
        width: width as usize,
        pitch: width as usize * 4,
        height: height as usize,
        format,
    };
    let mut jpeg = compressor.compress_to_vec(source).map_err(turbo_error)?;
    if let Some(dpi) = options.print_res {
        set_jfif_density(&mut jpeg, dpi);
    }
    Ok(jpeg)
}

/// Records `dpi` in the JFIF APP0 segment libjpeg writes right after SOI
/// (`FF D8 FF E0 len "JFIF\0" version units Xdensity Ydensity …`); the
/// `turbojpeg` crate has no setter for it. CMYK JPEGs carry no JFIF segment
/// and stay without a density.
fn set_jfif_density(jpeg: &mut [u8], dpi: u32) {
    if jpeg.len() < 18 || jpeg[..4] != [0xFF, 0xD8, 0xFF, 0xE0] || &jpeg[6..11] != b"JFIF\0" {
        return;
    }
    // 16-bit fields; unit 1 = dots per inch.
    let [hi, lo] = (dpi.clamp(1, 65_535) as u16).to_be_bytes();
    jpeg[13..18].copy_from_slice(&[1, hi, lo, hi, lo]);
}

// ---------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------

fn png_error(error: png::EncodingError) -> Error {
    Error::Encode(error.to_string())
}

/// A PNG encoder with the settings shared by every PNG reply.
fn png_encoder(
    out: &mut Vec<u8>,
    width: u32,
    height: u32,
    print_res: Option<u32>,
) -> png::Encoder<'static, &mut Vec<u8>> {
    let mut encoder = png::Encoder::new(out, width, height);
    // Balanced is 3-5x slower and only sometimes smaller (performance.md).
    encoder.set_compression(png::Compression::Fast);
    if let Some(dpi) = print_res {
        let ppm = dots_per_metre(dpi);
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
    }
    encoder
}

fn encode_png(image: &RgbaImage, pixel: PixelType, alpha: bool, print_res: Option<u32>) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let gray = pixel == PixelType::Gray;
    let (color, data) = match (gray, alpha) {
        (false, false) => (png::ColorType::Rgb, Cow::Owned(rgb_bytes(image, false))),
        (false, true) => (png::ColorType::Rgba, Cow::Borrowed(image.as_raw().as_slice())),
        (true, false) => (png::ColorType::Grayscale, Cow::Owned(gray_bytes(image, false))),
        (true, true) => (png::ColorType::GrayscaleAlpha, Cow::Owned(gray_bytes(image, true))),
    };
    let mut out = Vec::new();
    let mut encoder = png_encoder(&mut out, width, height, print_res);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

fn encode_png8(image: &RgbaImage, options: &EncodeOptions, pixel: PixelType, alpha: bool) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let indexed = quantize(image, &options.quantize, alpha, pixel == PixelType::Gray);
    // The smallest bit depth that holds every index.
    let bits: u8 = match indexed.palette.len() {
        0..=2 => 1,
        3..=4 => 2,
        5..=16 => 4,
        _ => 8,
    };
    let data = if bits == 8 {
        indexed.indices
    } else {
        let per_byte = usize::from(8 / bits);
        let row_bytes = (width as usize).div_ceil(per_byte);
        let mut packed = vec![0u8; row_bytes * height as usize];
        for (src, dst) in indexed
            .indices
            .chunks_exact(width as usize)
            .zip(packed.chunks_exact_mut(row_bytes))
        {
            for (x, &index) in src.iter().enumerate() {
                let shift = 8 - bits * (x % per_byte) as u8 - bits;
                dst[x / per_byte] |= index << shift;
            }
        }
        packed
    };
    let palette: Vec<u8> = indexed.palette.iter().flatten().copied().collect();
    let mut out = Vec::new();
    let mut encoder = png_encoder(&mut out, width, height, options.print_res);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(match bits {
        1 => png::BitDepth::One,
        2 => png::BitDepth::Two,
        4 => png::BitDepth::Four,
        _ => png::BitDepth::Eight,
    });
    encoder.set_palette(palette);
    if indexed.transparent.is_some() {
        // tRNS lists alpha for the first entries; the transparent one is
        // entry 0, so one byte says it all.
        encoder.set_trns(vec![0u8]);
    }
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// GIF
// ---------------------------------------------------------------------------

fn encode_gif(image: &RgbaImage, options: &EncodeOptions, pixel: PixelType, alpha: bool) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(Error::Encode(format!("a {width}x{height} image is too large for GIF")));
    };
    let indexed = quantize(image, &options.quantize, alpha, pixel == PixelType::Gray);
    let palette: Vec<u8> = indexed.palette.iter().flatten().copied().collect();
    let gif_error = |e: gif::EncodingError| Error::Encode(e.to_string());
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &palette).map_err(gif_error)?;
        let frame = gif::Frame {
            width: w,
            height: h,
            transparent: indexed.transparent,
            buffer: Cow::Borrowed(&indexed.indices),
            ..gif::Frame::default()
        };
        encoder.write_frame(&frame).map_err(gif_error)?;
        encoder.into_inner().map_err(gif_error)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// TIFF
// ---------------------------------------------------------------------------

/// Grey plus alpha, which the tiff crate has no colour type for.
struct GrayAlpha8;

impl tiff::encoder::colortype::ColorType for GrayAlpha8 {
    type Inner = u8;
    const TIFF_VALUE: tiff::tags::PhotometricInterpretation = tiff::tags::PhotometricInterpretation::BlackIsZero;
    const BITS_PER_SAMPLE: &'static [u16] = &[8, 8];
    const SAMPLE_FORMAT: &'static [tiff::tags::SampleFormat] = &[tiff::tags::SampleFormat::Uint; 2];

    /// Horizontal differencing (TIFF predictor 2), per channel.
    fn horizontal_predict(row: &[u8], result: &mut Vec<u8>) {
        let start = row.len().min(2);
        result.extend_from_slice(&row[..start]);
        result.extend(
            row.iter()
                .zip(&row[start..])
                .map(|(prev, current)| current.wrapping_sub(*prev)),
        );
    }
}

/// TIFF with 8-bit samples: RGB, grey or CMYK, plus unassociated alpha for
/// `tif-alpha`. Grey + alpha is valid TIFF (BlackIsZero, ExtraSamples = 2)
/// that libtiff reads, but the `tiff` crate, and so this emulator's own
/// decoder, does not.
fn encode_tiff(
    image: &RgbaImage,
    pixel: PixelType,
    alpha: bool,
    compression: Option<Compression>,
    print_res: Option<u32>,
) -> Result<Vec<u8>, Error> {
    use tiff::encoder::colortype::{Gray8, CMYK8, CMYKA8, RGB8, RGBA8};
    use tiff::encoder::{Compression as TiffCompression, DeflateLevel, Predictor};

    let (compression, predictor) = match compression {
        None | Some(Compression::None) => (TiffCompression::Uncompressed, Predictor::None),
        // The horizontal predictor makes photos compress markedly better.
        Some(Compression::Lzw) => (TiffCompression::Lzw, Predictor::Horizontal),
        Some(Compression::Zip) => (TiffCompression::Deflate(DeflateLevel::Fast), Predictor::Horizontal),
        Some(other) => {
            return Err(Error::Encode(format!(
                "TIFF with {other:?} compression is not supported"
            )))
        }
    };
    let settings = TiffSettings {
        compression,
        predictor,
        alpha,
        print_res,
    };
    let (width, height) = image.dimensions();
    let raw = image.as_raw().as_slice();
    let written = match (pixel, alpha) {
        (PixelType::Rgb, false) => write_tiff::<RGB8>(&rgb_bytes(image, false), width, height, &settings),
        (PixelType::Rgb, true) => write_tiff::<RGBA8>(raw, width, height, &settings),
        (PixelType::Gray, false) => write_tiff::<Gray8>(&gray_bytes(image, false), width, height, &settings),
        (PixelType::Gray, true) => write_tiff::<GrayAlpha8>(&gray_bytes(image, true), width, height, &settings),
        (PixelType::Cmyk, false) => write_tiff::<CMYK8>(&cmyk_bytes(image, false, false), width, height, &settings),
        (PixelType::Cmyk, true) => write_tiff::<CMYKA8>(&cmyk_bytes(image, true, false), width, height, &settings),
    };
    written.map_err(|e| Error::Encode(e.to_string()))
}

struct TiffSettings {
    compression: tiff::encoder::Compression,
    predictor: tiff::encoder::Predictor,
    /// The last sample is unassociated alpha.
    alpha: bool,
    print_res: Option<u32>,
}

fn write_tiff<C: tiff::encoder::colortype::ColorType<Inner = u8>>(
    data: &[u8],
    width: u32,
    height: u32,
    settings: &TiffSettings,
) -> tiff::TiffResult<Vec<u8>> {
    use tiff::encoder::{Rational, TiffEncoder};
    use tiff::tags::{ExtraSamples, ResolutionUnit, Tag};

    let mut out = Cursor::new(Vec::new());
    {
        let mut encoder = TiffEncoder::new(&mut out)?
            .with_compression(settings.compression)
            .with_predictor(settings.predictor);
        let mut tiff_image = encoder.new_image::<C>(width, height)?;
        if settings.alpha {
            // The colour types with alpha count it as a plain fourth (fifth)
            // sample; TIFF wants it declared.
            tiff_image
                .encoder()
                .write_tag(Tag::ExtraSamples, ExtraSamples::UnassociatedAlpha.to_u16())?;
        }
        if let Some(dpi) = settings.print_res {
            let value = Rational { n: dpi, d: 1 };
            let directory = tiff_image.encoder();
            directory.write_tag(Tag::XResolution, value.clone())?;
            directory.write_tag(Tag::YResolution, value)?;
            directory.write_tag(Tag::ResolutionUnit, ResolutionUnit::Inch.to_u16())?;
        }
        tiff_image.write_data(data)?;
    }
    Ok(out.into_inner())
}

// ---------------------------------------------------------------------------
// WebP
// ---------------------------------------------------------------------------

fn encode_webp(
    image: &RgbaImage,
    pixel: PixelType,
    alpha: bool,
    compression: Option<Compression>,
    quality: Quality,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    // The format's ceiling, checked here for a clear message.
    if width > 16_383 || height > 16_383 {
        return Err(Error::Encode(format!("a {width}x{height} image is too large for WebP")));
    }
    let lossless = match compression {
        None | Some(Compression::Lossy) => false,
        Some(Compression::Lossless) => true,
        Some(other) => {
            return Err(Error::Encode(format!(
                "WebP with {other:?} compression is not supported"
            )))
        }
    };
    // WebP has no grey mode: grey is stored as equal RGB.
    let gray = pixel == PixelType::Gray;
    let data: Cow<'_, [u8]> = match (alpha, gray) {
        (true, false) => Cow::Borrowed(image.as_raw().as_slice()),
        (true, true) => Cow::Owned(
            image
                .as_raw()
                .chunks_exact(4)
                .flat_map(|px| {
                    let l = luma(px[0], px[1], px[2]);
                    [l, l, l, px[3]]
                })
                .collect(),
        ),
        (false, _) => Cow::Owned(rgb_bytes(image, gray)),
    };
    if lossless {
        let color = if alpha {
            image::ExtendedColorType::Rgba8
        } else {
            image::ExtendedColorType::Rgb8
        };
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .encode(&data, width, height, color)
            .map_err(|e| Error::Encode(e.to_string()))?;
        Ok(out)
    } else {
        let encoder = if alpha {
            webp::Encoder::from_rgba(&data, width, height)
        } else {
            webp::Encoder::from_rgb(&data, width, height)
        };
        let memory = encoder
            .encode_simple(false, f32::from(quality.quality.clamp(1, 100)))
            .map_err(|e| Error::Encode(format!("libwebp: {e:?}")))?;
        Ok(memory.to_vec())
    }
}

// ---------------------------------------------------------------------------
// Palette quantization
// ---------------------------------------------------------------------------

/// A palette image ready for GIF or PNG8.
struct Indexed {
    /// The entries as written; the transparent one (if any) is entry 0.
    palette: Vec<[u8; 3]>,
    /// Index of the transparent entry.
    transparent: Option<u8>,
    /// One index per pixel, rows top to bottom.
    indices: Vec<u8>,
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
fn quantize(image: &RgbaImage, options: &Quantize, keep_alpha: bool, gray: bool) -> Indexed {
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

/// The 216 web-safe colours: every mix of 00, 33, 66, 99, CC, FF.
fn web_palette() -> Vec<[u8; 3]> {
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
fn mac_palette() -> Vec<[u8; 3]> {
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
fn fixed_palette(source: Source<'_>, fixed: &[[u8; 3]], forced: Vec<[u8; 3]>, limit: usize) -> Vec<[u8; 3]> {
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
fn adaptive_palette(source: Source<'_>, forced: Vec<[u8; 3]>, limit: usize) -> Vec<[u8; 3]> {
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
    use super::*;
    use crate::render::modifier::DEFAULT_QUALITY;
    use image::ImageFormat;

    /// A smooth gradient with every channel moving.
    fn gradient(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([
                (x * 255 / (width - 1)) as u8,
                (y * 255 / (height - 1)) as u8,
                ((x + y) * 255 / (width + height - 2)) as u8,
                255,
            ])
        })
    }

    /// The gradient with a transparent square in the top-left corner.
    fn with_hole(width: u32, height: u32) -> RgbaImage {
        let mut image = gradient(width, height);
        for y in 0..8 {
            for x in 0..8 {
                image.put_pixel(x, y, image::Rgba([10, 20, 30, 0]));
            }
        }
        image
    }

    fn options(format: Format) -> EncodeOptions {
        EncodeOptions {
            fmt: Fmt {
                format,
                pixel_type: None,
                compression: None,
            },
            quality: DEFAULT_QUALITY,
            quantize: Quantize::default(),
            print_res: None,
        }
    }

    fn with_type(format: Format, pixel_type: PixelType) -> EncodeOptions {
        let mut o = options(format);
        o.fmt.pixel_type = Some(pixel_type);
        o
    }

    fn with_compression(format: Format, compression: Compression) -> EncodeOptions {
        let mut o = options(format);
        o.fmt.compression = Some(compression);
        o
    }

    fn encoded(image: &RgbaImage, options: &EncodeOptions) -> Vec<u8> {
        encode(image, options).expect("encode")
    }

    fn decoded(bytes: &[u8]) -> RgbaImage {
        image::load_from_memory(bytes).expect("decode").to_rgba8()
    }

    /// Mean absolute difference over RGB.
    fn mean_error(a: &RgbaImage, b: &RgbaImage) -> f64 {
        assert_eq!(a.dimensions(), b.dimensions());
        let total: u64 = a
            .pixels()
            .zip(b.pixels())
            .map(|(p, q)| (0..3).map(|c| u64::from(p[c].abs_diff(q[c]))).sum::<u64>())
            .sum();
        total as f64 / (f64::from(a.width() * a.height()) * 3.0)
    }

    /// Component count and (h, v) sampling factors from the first SOFn.
    fn sof(jpeg: &[u8]) -> (u8, Vec<(u8, u8)>) {
        let mut i = 2;
        loop {
            let (marker, len) = (jpeg[i + 1], usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]])));
            if matches!(marker, 0xC0..=0xC3) {
                let count = jpeg[i + 9];
                let factors = (0..usize::from(count))
                    .map(|k| {
                        let f = jpeg[i + 11 + 3 * k];
                        (f >> 4, f & 15)
                    })
                    .collect();
                return (marker, factors);
            }
            i += 2 + len;
        }
    }

    #[test]
    fn jpeg_goes_straight_from_rgba_with_the_asked_subsampling() {
        let image = gradient(96, 64);
        let default = encoded(&image, &options(Format::Jpeg));
        assert_eq!(&default[..2], &[0xFF, 0xD8]);
        assert_eq!(sof(&default), (0xC0, vec![(2, 2), (1, 1), (1, 1)]));
        assert!(mean_error(&decoded(&default), &image) < 3.0);

        let mut full_chroma = options(Format::Jpeg);
        full_chroma.quality = Quality {
            quality: 85,
            full_chroma: true,
        };
        assert_eq!(sof(&encoded(&image, &full_chroma)).1, vec![(1, 1); 3]);

        let gray = encoded(&image, &with_type(Format::Jpeg, PixelType::Gray));
        assert_eq!(sof(&gray).1.len(), 1);
        let back = decoded(&gray);
        let px = back.get_pixel(40, 30);
        let want = luma(
            image.get_pixel(40, 30)[0],
            image.get_pixel(40, 30)[1],
            image.get_pixel(40, 30)[2],
        );
        assert!(px[0].abs_diff(want) <= 3 && px[0] == px[1] && px[1] == px[2]);

        let progressive = encoded(&image, &options(Format::Pjpeg));
        assert_eq!(sof(&progressive).0, 0xC2);
        assert!(mean_error(&decoded(&progressive), &image) < 3.0);
    }

    #[test]
    fn jpeg_quality_and_density() {
        let image = gradient(96, 64);
        let mut low = options(Format::Jpeg);
        low.quality.quality = 10;
        assert!(encoded(&image, &low).len() < encoded(&image, &options(Format::Jpeg)).len());
        let mut dense = options(Format::Jpeg);
        dense.print_res = Some(300);
        let bytes = encoded(&image, &dense);
        assert_eq!(&bytes[6..11], b"JFIF\0");
        assert_eq!(&bytes[13..18], &[1, 0x01, 0x2C, 0x01, 0x2C]);
        assert!(mean_error(&decoded(&bytes), &image) < 3.0);
    }

    #[test]
    fn cmyk_jpeg_round_trips_through_the_decoder() {
        let image = gradient(64, 48);
        let bytes = encoded(&image, &with_type(Format::Jpeg, PixelType::Cmyk));
        assert_eq!(sof(&bytes).1.len(), 4);
        let request = super::super::decode::DecodeRequest::default();
        let back = super::super::decode::decode(&bytes, &request, &super::super::ImageLimits::default())
            .expect("decode")
            .image;
        assert!(mean_error(&back, &image) < 4.0, "{}", mean_error(&back, &image));
    }

    #[test]
    fn png_keeps_alpha_only_when_asked() {
        let image = with_hole(40, 30);
        let plain = encoded(&image, &options(Format::Png));
        assert_eq!(plain[25], 2, "colour type RGB");
        let back = decoded(&plain);
        assert_eq!(back.get_pixel(1, 1)[3], 255);
        assert_eq!(back.get_pixel(20, 20), image.get_pixel(20, 20));

        let alpha = encoded(&image, &options(Format::PngAlpha));
        assert_eq!(alpha[25], 6, "colour type RGBA");
        assert_eq!(decoded(&alpha), image);

        let gray = encoded(&image, &with_type(Format::Png, PixelType::Gray));
        assert_eq!(gray[25], 0, "colour type grey");
        let gray_alpha = encoded(&image, &with_type(Format::PngAlpha, PixelType::Gray));
        assert_eq!(gray_alpha[25], 4, "colour type grey + alpha");
        assert_eq!(decoded(&gray_alpha).get_pixel(2, 2)[3], 0);
    }

    #[test]
    fn png_print_resolution_is_phys_in_pixels_per_metre() {
        let mut o = options(Format::Png);
        o.print_res = Some(300);
        let bytes = encoded(&gradient(8, 8), &o);
        let reader = png::Decoder::new(Cursor::new(bytes)).read_info().expect("png");
        let dims = reader.info().pixel_dims.expect("pHYs");
        assert_eq!((dims.xppu, dims.yppu, dims.unit), (11_811, 11_811, png::Unit::Meter));
    }

    fn distinct(image: &RgbaImage) -> Vec<[u8; 4]> {
        let mut colours: Vec<[u8; 4]> = image.pixels().map(|p| p.0).collect();
        colours.sort_unstable();
        colours.dedup();
        colours
    }

    #[test]
    fn gif_with_forced_black_and_white_is_bitonal() {
        let mut o = options(Format::Gif);
        o.quantize = Quantize {
            palette: Palette::Adaptive,
            dither: false,
            colors: 2,
            forced: vec![[0, 0, 0], [255, 255, 255]],
        };
        let back = decoded(&encoded(&gradient(64, 48), &o));
        let colours = distinct(&back);
        assert!(colours.len() <= 2, "{colours:?}");
        assert!(
            colours
                .iter()
                .all(|c| *c == [0, 0, 0, 255] || *c == [255, 255, 255, 255]),
            "{colours:?}"
        );

        // The same with key-colour transparency: two colours plus the key.
        o.fmt.format = Format::GifAlpha;
        let back = decoded(&encoded(&with_hole(64, 48), &o));
        assert_eq!(back.get_pixel(3, 3)[3], 0);
        let opaque: Vec<_> = distinct(&back).into_iter().filter(|c| c[3] == 255).collect();
        assert!(
            opaque.len() <= 2 && opaque.iter().all(|c| c[0] == c[1] && c[1] == c[2]),
            "{opaque:?}"
        );
    }

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

    #[test]
    fn gray_gif_is_gray() {
        let back = decoded(&encoded(&gradient(64, 48), &with_type(Format::Gif, PixelType::Gray)));
        assert!(back.pixels().all(|p| p[0] == p[1] && p[1] == p[2]));
    }

    #[test]
    fn tiff_compressions_and_pixel_types() {
        use tiff::decoder::{Decoder, DecodingResult};
        use tiff::tags::Tag;

        let image = with_hole(40, 30);
        for (compression, tag) in [(None, 1), (Some(Compression::Lzw), 5), (Some(Compression::Zip), 8)] {
            let mut o = options(Format::Tif);
            o.fmt.compression = compression;
            let bytes = encoded(&image, &o);
            let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
            assert_eq!(decoder.get_tag_u32(Tag::Compression).expect("tag"), tag);
            let back = decoded(&bytes);
            assert_eq!(back.get_pixel(20, 20), image.get_pixel(20, 20));
            assert_eq!(back.get_pixel(1, 1)[3], 255);

            o.fmt.format = Format::TifAlpha;
            assert_eq!(decoded(&encoded(&image, &o)), image, "{compression:?}");
        }

        let mut o = with_type(Format::Tif, PixelType::Cmyk);
        o.print_res = Some(300);
        let bytes = encoded(&gradient(40, 30), &o);
        let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
        assert_eq!(decoder.colortype().expect("type"), tiff::ColorType::CMYK(8));
        assert_eq!(decoder.get_tag_u32(Tag::ResolutionUnit).expect("unit"), 2);
        let DecodingResult::U8(samples) = decoder.read_image().expect("read") else {
            panic!("not 8-bit");
        };
        // White is no ink; the bottom-right corner is (255, 255, 255) here.
        assert_eq!(&samples[samples.len() - 4..], &[0, 0, 0, 0]);

        let gray = encoded(&image, &with_compression(Format::TifAlpha, Compression::Lzw));
        assert_eq!(decoded(&gray), image);
        // Grey + alpha: `image` cannot read it back (the tiff crate calls
        // it Multiband), so check the samples directly.
        let mut o = with_type(Format::TifAlpha, PixelType::Gray);
        o.fmt.compression = Some(Compression::Lzw);
        let bytes = encoded(&image, &o);
        let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
        assert_eq!(decoder.get_tag_u32(Tag::ExtraSamples).expect("extra"), 2);
        assert_eq!(
            decoder
                .get_tag_u32(Tag::PhotometricInterpretation)
                .expect("photometric"),
            1
        );
        let DecodingResult::U8(samples) = decoder.read_image().expect("read") else {
            panic!("not 8-bit");
        };
        assert_eq!(samples, gray_bytes(&image, true));

        assert!(matches!(
            encode(&image, &with_compression(Format::Tif, Compression::Jpeg)),
            Err(Error::Encode(_))
        ));
    }

    #[test]
    fn webp_lossy_and_lossless() {
        let image = with_hole(64, 48);
        let lossy = encoded(&image, &options(Format::Webp));
        assert_eq!(&lossy[..4], b"RIFF");
        let back = decoded(&lossy);
        assert!(mean_error(&back, &image) < 6.0);
        assert_eq!(back.get_pixel(2, 2)[3], 255);

        let lossy_alpha = decoded(&encoded(&image, &options(Format::WebpAlpha)));
        assert_eq!(lossy_alpha.get_pixel(2, 2)[3], 0);

        let lossless = encoded(&image, &with_compression(Format::WebpAlpha, Compression::Lossless));
        assert_eq!(decoded(&lossless), image);
        let opaque = gradient(64, 48);
        let lossless = encoded(&opaque, &with_compression(Format::Webp, Compression::Lossless));
        assert_eq!(decoded(&lossless), opaque);
        assert_eq!(image::guess_format(&lossless).expect("format"), ImageFormat::WebP);
    }

    #[test]
    fn output_is_deterministic() {
        let image = with_hole(80, 60);
        let formats = [
            Format::Jpeg,
            Format::Pjpeg,
            Format::Png,
            Format::PngAlpha,
            Format::Png8,
            Format::Png8Alpha,
            Format::Gif,
            Format::GifAlpha,
            Format::Tif,
            Format::TifAlpha,
            Format::Webp,
            Format::WebpAlpha,
        ];
        for format in formats {
            let o = options(format);
            assert_eq!(encoded(&image, &o), encoded(&image, &o), "{format:?}");
        }
    }

    #[test]
    fn impossible_requests_are_errors_not_panics() {
        let empty = RgbaImage::new(0, 0);
        assert!(matches!(encode(&empty, &options(Format::Jpeg)), Err(Error::Encode(_))));
        assert!(matches!(
            encode(&RgbaImage::new(5, 0), &options(Format::Gif)),
            Err(Error::Encode(_))
        ));
        let image = gradient(8, 8);
        assert!(matches!(
            encode(&image, &with_type(Format::Png, PixelType::Cmyk)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&image, &with_compression(Format::Png, Compression::Lzw)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&image, &with_compression(Format::Webp, Compression::Zip)),
            Err(Error::Encode(_))
        ));
        assert!(encode(&image, &with_compression(Format::Jpeg, Compression::None)).is_ok());
        assert!(matches!(
            encode(&RgbaImage::new(70_000, 1), &options(Format::Gif)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&RgbaImage::new(17_000, 1), &options(Format::Webp)),
            Err(Error::Encode(_))
        ));
        assert!(matches!(
            encode(&RgbaImage::new(66_000, 1), &options(Format::Jpeg)),
            Err(Error::Encode(_))
        ));
        // Every pixel transparent: a palette of the key colour alone.
        let clear = RgbaImage::new(4, 4);
        for format in [Format::GifAlpha, Format::Png8Alpha] {
            let back = decoded(&encoded(&clear, &options(format)));
            assert!(back.pixels().all(|p| p[3] == 0), "{format:?}");
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
