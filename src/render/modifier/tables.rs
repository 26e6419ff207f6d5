//! The keyword tables: each command's named values and what they mean,
//! and which pixel types each output format allows.

use super::types::{Compression, FitMode, Flip, Format, Palette, PixelType, ResMode};

pub(super) const FIT_MODES: &[(&str, FitMode)] = &[
    ("fit", FitMode::Fit),
    ("constrain", FitMode::Constrain),
    ("crop", FitMode::Crop),
    ("wrap", FitMode::Wrap),
    ("stretch", FitMode::Stretch),
    ("hfit", FitMode::HFit),
    ("vfit", FitMode::VFit),
];

pub(super) const FLIPS: &[(&str, Flip)] = &[("lr", Flip::Lr), ("ud", Flip::Ud), ("lrud", Flip::LrUd)];

/// `op_colorize` mode → normalize.
pub(super) const COLORIZE_MODES: &[(&str, bool)] = &[("norm", true), ("off", false)];

/// `op_noise` distribution → gaussian.
pub(super) const NOISE_KINDS: &[(&str, bool)] = &[("uniform", false), ("gaussian", true)];

pub(super) const FORMATS: &[(&str, Format)] = &[
    ("jpeg", Format::Jpeg),
    ("jpg", Format::Jpeg),
    ("pjpeg", Format::Pjpeg),
    ("png", Format::Png),
    ("png-alpha", Format::PngAlpha),
    ("png8", Format::Png8),
    ("png8-alpha", Format::Png8Alpha),
    ("gif", Format::Gif),
    ("gif-alpha", Format::GifAlpha),
    ("tif", Format::Tif),
    ("tif-alpha", Format::TifAlpha),
    ("webp", Format::Webp),
    ("webp-alpha", Format::WebpAlpha),
];

/// Documented Image Serving formats the emulator does not write.
pub(super) const UNSUPPORTED_FORMATS: &[&str] = &[
    "avif",
    "avif-alpha",
    "heic",
    "jpeg2000",
    "jpeg2000-alpha",
    "jpegxr",
    "jpegxr-alpha",
    "pdf",
    "eps",
    "swf",
    "swf-alpha",
    "swf3",
    "swf3-alpha",
    "f4m",
    "m3u8",
];

pub(super) const PIXEL_TYPES: &[(&str, PixelType)] = &[
    ("rgb", PixelType::Rgb),
    ("gray", PixelType::Gray),
    ("cmyk", PixelType::Cmyk),
];

/// The pixel types Image Serving's format table lists for each format.
pub(super) fn pixel_type_allowed(format: Format, t: PixelType) -> bool {
    match format {
        Format::Jpeg | Format::Pjpeg | Format::Tif | Format::TifAlpha => true,
        Format::Png | Format::PngAlpha | Format::Gif | Format::GifAlpha => t != PixelType::Cmyk,
        Format::Png8 | Format::Png8Alpha | Format::Webp | Format::WebpAlpha => t == PixelType::Rgb,
    }
}

pub(super) const COMPRESSIONS: &[(&str, Compression)] = &[
    ("none", Compression::None),
    ("lzw", Compression::Lzw),
    ("zip", Compression::Zip),
    ("jpeg", Compression::Jpeg),
    ("lossy", Compression::Lossy),
    ("lossless", Compression::Lossless),
];

pub(super) const RES_MODES: &[(&str, ResMode)] = &[
    ("bilin", ResMode::Bilin),
    ("bicub", ResMode::Bicub),
    ("sharp2", ResMode::Sharp2),
    // Deprecated; Image Serving says `sharp2` replaced it.
    ("sharp", ResMode::Sharp2),
    ("bisharp", ResMode::Bisharp),
    ("trilin", ResMode::Trilin),
];

pub(super) const PALETTES: &[(&str, Palette)] = &[
    ("adaptive", Palette::Adaptive),
    ("web", Palette::Web),
    ("mac", Palette::Mac),
];

/// `quantize` dither → Floyd–Steinberg.
pub(super) const DITHERS: &[(&str, bool)] = &[("diffuse", true), ("off", false)];

pub(super) const CACHE_MODES: &[(&str, ())] = &[("on", ()), ("off", ()), ("validate", ()), ("update", ())];

pub(super) const PSCANS: &[(&str, ())] = &[("auto", ()), ("3", ()), ("4", ()), ("5", ())];
