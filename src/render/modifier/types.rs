//! The values a [`Modifier`](super::Modifier) holds: colours, crops,
//! extends, fits, the `op_*` parameters and the output format's options.

/// A colour with alpha, 8 bits per component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgba {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
    /// Alpha (255 = opaque).
    pub a: u8,
}

impl Rgba {
    /// Opaque white.
    pub const WHITE: Rgba = Rgba {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };
    /// Fully transparent black.
    pub const TRANSPARENT: Rgba = Rgba { r: 0, g: 0, b: 0, a: 0 };
}

/// `crop=` (pixels) or `cropN=` (fractions of the source), in full-resolution
/// source coordinates; may reach outside the source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crop {
    /// `crop=x,y,w,h`.
    Pixels {
        /// Left edge (may be negative).
        x: i64,
        /// Top edge (may be negative).
        y: i64,
        /// Width, > 0.
        w: u32,
        /// Height, > 0.
        h: u32,
    },
    /// `cropN=x,y,w,h`, each a fraction of the source's width or height.
    Normalized {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width, > 0.
        w: f64,
        /// Height, > 0.
        h: f64,
    },
}

/// `extend=` (pixels) or `extendN=` (fractions of the layer after rotation);
/// negative values trim.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Extend {
    /// `extend=l,t,r,b`.
    Pixels {
        /// Left.
        l: i64,
        /// Top.
        t: i64,
        /// Right.
        r: i64,
        /// Bottom.
        b: i64,
    },
    /// `extendN=l,t,r,b`.
    Normalized {
        /// Left.
        l: f64,
        /// Top.
        t: f64,
        /// Right.
        r: f64,
        /// Bottom.
        b: f64,
    },
}

/// `flip=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flip {
    /// Mirror left–right.
    Lr,
    /// Mirror top–bottom.
    Ud,
    /// Both (a half turn).
    LrUd,
}

/// `fit=` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitMode {
    /// Fit inside wid×hei, pad to exactly wid×hei.
    Fit,
    /// Fit inside wid×hei, no padding (reply may be smaller).
    Constrain,
    /// Fill wid×hei, cropping the excess.
    Crop,
    /// Cover wid×hei without cropping (reply may be larger).
    Wrap,
    /// Scale x and y independently to exactly wid×hei.
    Stretch,
    /// Scale to the width; crop or pad vertically.
    HFit,
    /// Scale to the height; crop or pad horizontally.
    VFit,
}

/// `fit=mode[,upscale]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// The mode.
    pub mode: FitMode,
    /// Whether scaling above 1:1 is allowed (`fit=` without the flag: false).
    pub upscale: bool,
}

/// `rect=x,y,w,h[,scale]`: the reply window over the final view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewRect {
    /// Left edge in view pixels (after `scale`).
    pub x: i64,
    /// Top edge in view pixels (after `scale`).
    pub y: i64,
    /// Reply width, > 0.
    pub w: u32,
    /// Reply height, > 0.
    pub h: u32,
    /// Extra view scale, > 0 (default 1).
    pub scale: f64,
}

/// `op_usm=` / `op_usmR=`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Usm {
    /// Strength, 0…5.
    pub amount: f32,
    /// Radius in pixels, 0…250.
    pub radius: f32,
    /// Threshold, 0…255.
    pub threshold: u8,
    /// Sharpen brightness only.
    pub monochrome: bool,
    /// `op_usm` (radius is in full-resolution source pixels and shrinks with
    /// the image) rather than `op_usmR` (radius as given).
    pub relative: bool,
}

/// `op_colorize=color[,off|norm[,contrast]]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Colorize {
    /// The tint (alpha ignored).
    pub color: Rgba,
    /// `norm`: move the median brightness to 50 % first.
    pub normalize: bool,
    /// Contrast, 0…100 (ignored without `norm`).
    pub contrast: f32,
}

/// `op_noise=amount[,uniform|gaussian[,monochrome]]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    /// Amount, 0…100 %.
    pub amount: u8,
    /// Gaussian rather than uniform distribution.
    pub gaussian: bool,
    /// The same noise on every channel.
    pub monochrome: bool,
}

/// Composite-level colour operations; zero/false/None means "not asked".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Adjust {
    /// `op_brightness`, −100…100.
    pub brightness: i32,
    /// `op_contrast`, −100…100.
    pub contrast: i32,
    /// `op_colorbalance`, each −100…100.
    pub color_balance: [i32; 3],
    /// `op_hue`, −180…180 degrees.
    pub hue: i32,
    /// `op_saturation`, −100…100.
    pub saturation: i32,
    /// `op_colorize`.
    pub colorize: Option<Colorize>,
    /// `op_invert`.
    pub invert: bool,
    /// `op_blur` radius in composite pixels, 0…100.
    pub blur: f32,
    /// `op_noise`.
    pub noise: Option<Noise>,
}

impl Adjust {
    /// True when no operation was asked for.
    pub fn is_identity(&self) -> bool {
        *self == Adjust::default()
    }
}

/// Output container (`fmt=` first value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `jpeg` / `jpg`.
    Jpeg,
    /// `pjpeg`: progressive JPEG.
    Pjpeg,
    /// `png`: 24-bit, no alpha.
    Png,
    /// `png-alpha`.
    PngAlpha,
    /// `png8`: palette PNG.
    Png8,
    /// `png8-alpha`.
    Png8Alpha,
    /// `gif`.
    Gif,
    /// `gif-alpha`: key-colour transparency.
    GifAlpha,
    /// `tif`.
    Tif,
    /// `tif-alpha`.
    TifAlpha,
    /// `webp`.
    Webp,
    /// `webp-alpha`.
    WebpAlpha,
}

impl Format {
    /// Whether the reply keeps transparency (`*-alpha`).
    pub fn has_alpha(self) -> bool {
        matches!(
            self,
            Format::PngAlpha | Format::Png8Alpha | Format::GifAlpha | Format::TifAlpha | Format::WebpAlpha
        )
    }

    /// MIME type of the encoded reply.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg | Format::Pjpeg => "image/jpeg",
            Format::Png | Format::PngAlpha | Format::Png8 | Format::Png8Alpha => "image/png",
            Format::Gif | Format::GifAlpha => "image/gif",
            Format::Tif | Format::TifAlpha => "image/tiff",
            Format::Webp | Format::WebpAlpha => "image/webp",
        }
    }

    /// The catalog's format name for files of this kind (as
    /// [`crate::render::probe`] reports it).
    pub fn catalog_name(self) -> &'static str {
        match self {
            Format::Jpeg | Format::Pjpeg => "jpeg",
            Format::Png | Format::PngAlpha | Format::Png8 | Format::Png8Alpha => "png",
            Format::Gif | Format::GifAlpha => "gif",
            Format::Tif | Format::TifAlpha => "tiff",
            Format::Webp | Format::WebpAlpha => "webp",
        }
    }
}

/// `fmt=` second value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelType {
    /// Three colour channels.
    Rgb,
    /// One grey channel (luminance).
    Gray,
    /// Four ink channels, converted naively from RGB (no ICC).
    Cmyk,
}

/// `fmt=` third value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// `none`.
    None,
    /// `lzw` (TIFF).
    Lzw,
    /// `zip` (TIFF deflate).
    Zip,
    /// `jpeg` (TIFF).
    Jpeg,
    /// `lossy` (WebP).
    Lossy,
    /// `lossless` (WebP).
    Lossless,
}

/// `fmt=format[,pixelType[,compression]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmt {
    /// Container.
    pub format: Format,
    /// Pixel type; `None` = the format's default (RGB).
    pub pixel_type: Option<PixelType>,
    /// Compression; `None` = the format's default (`none` for TIFF, `lossy`
    /// for WebP).
    pub compression: Option<Compression>,
}

impl Default for Fmt {
    fn default() -> Self {
        Fmt {
            format: Format::Jpeg,
            pixel_type: None,
            compression: None,
        }
    }
}

/// `qlt=quality[,chroma]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quality {
    /// 1…100.
    pub quality: u8,
    /// `chroma=1`: no chroma subsampling (4:4:4) instead of 4:2:0.
    pub full_chroma: bool,
}

/// Default JPEG quality when `qlt=` is absent (undocumented in Image
/// Serving; Dynamic Media Classic's guidance is 75–85).
pub const DEFAULT_QUALITY: Quality = Quality {
    quality: 80,
    full_chroma: false,
};

/// `resMode=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResMode {
    /// Bilinear.
    Bilin,
    /// Bicubic (the default).
    Bicub,
    /// Lanczos (also `sharp`, deprecated).
    Sharp2,
    /// Bicubic, then a light sharpen ("bicubic sharper").
    Bisharp,
    /// Box-filter pyramid, then bilinear.
    Trilin,
}

/// `quantize=` palette kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    /// Built from the image.
    Adaptive,
    /// The 216-colour web-safe palette.
    Web,
    /// The classic Macintosh system palette.
    Mac,
}

/// `quantize=type[,dither[,numColors[,colorList]]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantize {
    /// Palette kind.
    pub palette: Palette,
    /// Floyd–Steinberg (`diffuse`) rather than none (`off`).
    pub dither: bool,
    /// 2…256.
    pub colors: u16,
    /// Colours that must be in the palette.
    pub forced: Vec<[u8; 3]>,
}

impl Default for Quantize {
    fn default() -> Self {
        Quantize {
            palette: Palette::Adaptive,
            dither: true,
            colors: 256,
            forced: Vec::new(),
        }
    }
}
