//! `urlModifier` → a typed [`Modifier`]: the Image Serving command syntax.
//!
//! Syntax (Image Serving's): split on `&`, drop empty segments and `.comment`
//! segments, split each segment on its first `=`, match the command name
//! case-insensitively, then URL-decode the value (`%xx`, `+` → space). The
//! last occurrence of a command wins. Anything the emulator does not
//! implement, and any malformed or out-of-range value, is refused with an
//! [`ModifierError`] naming the command: a silently ignored command would let
//! a regression test pass on the wrong image.
//!
//! `$name=value` defines a variable whose `$name$` references are replaced in
//! later values (once, before decoding); a bare `$name$` is a catalog macro,
//! which the emulator cannot expand. `layer=0` makes `flip=` and sharpening
//! apply to the source layer; other layers are not emulated.

use std::borrow::Cow;
use std::collections::HashMap;

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

    /// The catalog's format name for files of this kind (as [`super::probe`]
    /// reports it).
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

/// Everything a `urlModifier` asks for, after last-wins resolution.
///
/// Field groups follow the order Image Serving applies them in (layer 0, the
/// composite, the view, the output).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Modifier {
    // --- layer 0 (the source) ---
    /// `color=`: fill transparent areas before rotation.
    pub color: Option<Rgba>,
    /// `crop=` / `cropN=`.
    pub crop: Option<Crop>,
    /// `size=w,h` (0 = from the aspect ratio; both 0 = unconstrained).
    pub size: Option<(u32, u32)>,
    /// `scale=` factor (> 0); ignored when `size` is set.
    pub scale: Option<f64>,
    /// `flip=` given after an explicit `layer=0` (applied before rotation).
    pub layer_flip: Option<Flip>,
    /// `rotate=` in degrees, clockwise; finite.
    pub rotate: f64,
    /// `extend=` / `extendN=`.
    pub extend: Option<Extend>,
    /// `bgColor=`: fill transparent areas of the layer after rotate/extend.
    pub bg_color: Option<Rgba>,

    // --- the composite ---
    /// `flip=` at composite level (the default; applied after rotation).
    pub flip: Option<Flip>,
    /// `op_*` colour operations, blur and noise.
    pub adjust: Adjust,
    /// `opac=opacity[,fill]`, combined into one 0…100 value.
    pub opacity: Option<u8>,

    // --- the view ---
    /// `wid=` (> 0).
    pub wid: Option<u32>,
    /// `hei=` (> 0).
    pub hei: Option<u32>,
    /// `scl=` inverse scale (> 0).
    pub scl: Option<f64>,
    /// `fit=`; requires `wid` or `hei`.
    pub fit: Option<Fit>,
    /// `align=h,v`, each −1…1.
    pub align: (f64, f64),
    /// `rect=`.
    pub rect: Option<ViewRect>,
    /// `bgc=` (alpha ignored).
    pub bgc: Option<Rgba>,
    /// `op_sharpen=1`.
    pub sharpen: bool,
    /// `op_usm=` / `op_usmR=`.
    pub usm: Option<Usm>,
    /// `op_sharpen`/`op_usm` given after an explicit `layer=0`: applied to
    /// the layer before view scaling rather than to the final view.
    pub sharpen_on_layer: bool,

    // --- the output ---
    /// `fmt=`.
    pub fmt: Fmt,
    /// `qlt=`.
    pub qlt: Option<Quality>,
    /// `resMode=`.
    pub res_mode: Option<ResMode>,
    /// `quantize=`.
    pub quantize: Option<Quantize>,
    /// `printRes=` dots per inch (> 0).
    pub print_res: Option<u32>,
}

/// Why a `urlModifier` was refused. The message names the command and value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModifierError {
    /// Not an Image Serving command this emulator implements.
    #[error("urlModifier command '{command}' is not supported by this emulator")]
    Unsupported {
        /// The command as written.
        command: String,
    },
    /// Unparseable, wrong arity, or out of the documented range.
    #[error("urlModifier command '{command}={value}' is invalid: {reason}")]
    Invalid {
        /// The command as written.
        command: String,
        /// The decoded value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A combination the Image Serving reference calls an error.
    #[error("urlModifier is invalid: {0}")]
    Conflict(String),
}

/// Parses a `urlModifier`. An empty (or whitespace-only) string gives the
/// default [`Modifier`].
pub fn parse(input: &str) -> Result<Modifier, ModifierError> {
    let mut parser = Parser::default();
    for segment in input.split('&') {
        // A documented IPS example breaks a modifier across lines, so
        // whitespace around a segment is layout, not content.
        let segment = segment.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n'));
        if segment.is_empty() || segment.starts_with('.') {
            continue;
        }
        parser.segment(segment)?;
    }
    parser.finish()
}

/// The largest magnitude any integer value may have. Image Serving documents
/// values above 2^31 as parse errors; one less keeps every value in an `i32`.
const MAX_INT: i64 = 2_147_483_647;

/// [`MAX_INT`] for unsigned sizes.
const MAX_DIM: u32 = 2_147_483_647;

/// Upper bound for scale factors (`scl`, `scale`, the `rect` scale): far
/// beyond any real use, low enough that sizes computed from it stay finite.
const MAX_SCALE: f64 = 1e6;

/// Total bytes variable references may insert into one `urlModifier`. A long
/// variable referenced many times would otherwise grow quadratically with the
/// input (a few MB of modifier becoming gigabytes).
const SUBSTITUTION_BUDGET: usize = 1 << 20;

/// A command handler: validates the (substituted, decoded) value and records
/// it.
type Handler = fn(&mut Parser, &Cmd<'_>) -> Result<(), ModifierError>;

/// Maps a lower-cased command name to its handler; `None` = not emulated.
fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "wid" => Parser::wid,
        "hei" => Parser::hei,
        "scl" => Parser::scl,
        "fit" => Parser::fit,
        "align" => Parser::align,
        "rect" => Parser::rect,
        "bgc" => Parser::bgc,
        "op_sharpen" => Parser::op_sharpen,
        "op_usm" => Parser::op_usm,
        "op_usmr" => Parser::op_usm_r,
        "crop" => Parser::crop,
        "cropn" => Parser::crop_n,
        "size" => Parser::size,
        "sizen" => Parser::size_n,
        "scale" => Parser::scale,
        "rotate" => Parser::rotate,
        "extend" => Parser::extend,
        "extendn" => Parser::extend_n,
        "color" => Parser::color,
        "bgcolor" => Parser::bg_color,
        "anchor" => Parser::anchor,
        "anchorn" => Parser::anchor_n,
        "flip" => Parser::flip,
        "op_brightness" => Parser::op_brightness,
        "op_contrast" => Parser::op_contrast,
        "op_saturation" => Parser::op_saturation,
        "op_hue" => Parser::op_hue,
        "op_colorbalance" => Parser::op_colorbalance,
        "op_invert" => Parser::op_invert,
        "op_blur" => Parser::op_blur,
        // Image Serving's own examples write `colorize=` for `op_colorize=`.
        "op_colorize" | "colorize" => Parser::op_colorize,
        "op_noise" => Parser::op_noise,
        "opac" => Parser::opac,
        "fmt" => Parser::fmt,
        "qlt" => Parser::qlt,
        "resmode" => Parser::res_mode,
        "quantize" => Parser::quantize,
        "printres" => Parser::print_res,
        "req" => Parser::req,
        "id" => Parser::id,
        "cache" => Parser::cache,
        "iccembed" => Parser::icc_embed,
        "pscan" => Parser::pscan,
        "dpr" | "bfc" | "network" => Parser::off_only,
        "layer" => Parser::layer,
        _ => return None,
    };
    Some(h)
}

/// One command as written, with its value after substitution and decoding.
struct Cmd<'a> {
    /// The name as written (for messages).
    name: &'a str,
    /// The decoded value.
    value: &'a str,
}

impl<'a> Cmd<'a> {
    fn invalid(&self, reason: impl Into<String>) -> ModifierError {
        ModifierError::Invalid {
            command: self.name.to_string(),
            value: self.value.to_string(),
            reason: reason.into(),
        }
    }

    /// A supported command asked for something the emulator cannot do.
    fn unsupported_value(&self) -> ModifierError {
        ModifierError::Unsupported {
            command: format!("{}={}", self.name, self.value),
        }
    }

    /// The comma-separated fields, refusing fewer than `min` or more than
    /// `max` of them.
    fn fields(&self, min: usize, max: usize, syntax: &str) -> Result<Vec<&'a str>, ModifierError> {
        // `splitn` so that a value with a million commas costs no more than
        // it has to before being refused.
        let fields: Vec<&'a str> = self.value.splitn(max + 1, ',').collect();
        if fields.len() < min || fields.len() > max {
            return Err(self.invalid(format!("expected {syntax}")));
        }
        Ok(fields)
    }

    fn check<T>(&self, result: Result<T, String>) -> Result<T, ModifierError> {
        result.map_err(|reason| self.invalid(reason))
    }
}

/// The sharpening asked for on one target (layer 0 or the final view).
#[derive(Clone, Copy, Default)]
struct Sharpening {
    /// Any `op_sharpen`/`op_usm`/`op_usmR` was given for this target.
    given: bool,
    sharpen: bool,
    usm: Option<Usm>,
}

impl Sharpening {
    /// Whether it changes pixels (a zero-amount unsharp mask does not).
    fn has_effect(&self) -> bool {
        self.sharpen || self.usm.is_some_and(|u| u.amount > 0.0)
    }
}

#[derive(Default)]
struct Parser {
    m: Modifier,
    /// Variables by lower-cased name, values as written (not yet decoded:
    /// the value they are substituted into is decoded once, as a whole).
    vars: HashMap<String, String>,
    /// After `layer=0` (until `layer=comp`).
    on_layer0: bool,
    /// Sharpening given on layer 0 and on the composite (final view) are
    /// different operations in Image Serving; kept apart until the end.
    layer_sharpening: Sharpening,
    view_sharpening: Sharpening,
    /// Bytes inserted by variable references so far.
    substituted: usize,
}

type Res = Result<(), ModifierError>;

impl Parser {
    fn segment(&mut self, segment: &str) -> Res {
        if let Some(rest) = segment.strip_prefix('$') {
            return self.variable(segment, rest);
        }
        let (name, raw) = segment.split_once('=').unwrap_or((segment, ""));
        if name.is_empty() {
            return Err(ModifierError::Invalid {
                command: String::new(),
                value: raw.to_string(),
                reason: "missing command name".into(),
            });
        }
        let Some(handler) = handler(&name.to_ascii_lowercase()) else {
            return Err(ModifierError::Unsupported {
                command: name.to_string(),
            });
        };
        // Image Serving forbids variables in `layer=`; a `$` there is left
        // alone and then refused as an unknown layer.
        let substituted = if name.eq_ignore_ascii_case("layer") {
            Cow::Borrowed(raw)
        } else {
            self.substitute(name, raw)?
        };
        let value = url_decode(&substituted).map_err(|reason| ModifierError::Invalid {
            command: name.to_string(),
            value: substituted.to_string(),
            reason,
        })?;
        handler(self, &Cmd { name, value: &value })
    }

    /// `$name=value` (a definition) or `$name$` (a macro invocation).
    fn variable(&mut self, segment: &str, rest: &str) -> Res {
        match rest.split_once('=') {
            Some((name, value)) => {
                if !is_var_name(name) {
                    return Err(ModifierError::Invalid {
                        command: format!("${name}"),
                        value: value.to_string(),
                        reason: "a variable name is ASCII letters, digits, '-', '_' and '.'".into(),
                    });
                }
                self.vars.insert(name.to_ascii_lowercase(), value.to_string());
                Ok(())
            }
            None => match rest.strip_suffix('$') {
                // Macros live in a catalog's macro table, which the emulator
                // does not have: expanding one is impossible, ignoring it wrong.
                Some(name) if is_var_name(name) => Err(ModifierError::Unsupported {
                    command: segment.to_string(),
                }),
                _ => Err(ModifierError::Invalid {
                    command: segment.to_string(),
                    value: String::new(),
                    reason: "expected $name=value (a variable) or $name$ (a macro)".into(),
                }),
            },
        }
    }

    /// Replaces `$name$` references to defined variables, in one pass:
    /// inserted text is not rescanned, undefined references stay literal.
    fn substitute<'v>(&mut self, name: &str, raw: &'v str) -> Result<Cow<'v, str>, ModifierError> {
        if self.vars.is_empty() || !raw.contains('$') {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(start) = rest.find('$') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            if let Some(end) = after.find('$') {
                let var = &after[..end];
                let value = if is_var_name(var) {
                    self.vars.get(&var.to_ascii_lowercase())
                } else {
                    None
                };
                if let Some(value) = value {
                    self.substituted = self.substituted.saturating_add(value.len());
                    if self.substituted > SUBSTITUTION_BUDGET {
                        return Err(ModifierError::Invalid {
                            command: name.to_string(),
                            value: raw.to_string(),
                            reason: format!("variables expand to more than {SUBSTITUTION_BUDGET} bytes"),
                        });
                    }
                    out.push_str(value);
                    rest = &after[end + 1..];
                    continue;
                }
            }
            // Not a reference to a defined variable: keep the `$`; the next
            // `$` may still open one (`$undefined$defined$`).
            out.push('$');
            rest = after;
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }

    fn finish(mut self) -> Result<Modifier, ModifierError> {
        let (layer, view) = (self.layer_sharpening, self.view_sharpening);
        // The model has one set of sharpening fields and a flag saying where
        // they apply, so sharpening on both targets cannot be represented.
        let (chosen, on_layer) = match (layer.has_effect(), view.has_effect()) {
            (true, true) => {
                return Err(ModifierError::Conflict(
                    "sharpening on layer=0 together with sharpening of the final view is not supported".into(),
                ))
            }
            (true, false) => (layer, true),
            (false, true) => (view, false),
            (false, false) if layer.given => (layer, true),
            (false, false) => (view, false),
        };
        self.m.sharpen = chosen.sharpen;
        self.m.usm = chosen.usm;
        self.m.sharpen_on_layer = on_layer;

        if self.m.fit.is_some() && self.m.wid.is_none() && self.m.hei.is_none() {
            return Err(ModifierError::Conflict("fit= requires wid= or hei=".into()));
        }
        // Checked here rather than in `quantize` because `fmt=` may come
        // later in the request.
        if let Some(q) = &self.m.quantize {
            if q.palette == Palette::Mac && self.m.fmt.format.has_alpha() {
                return Err(ModifierError::Conflict(
                    "quantize=mac cannot be used with an *-alpha format".into(),
                ));
            }
        }
        Ok(self.m)
    }

    fn sharpening(&mut self) -> &mut Sharpening {
        let target = if self.on_layer0 {
            &mut self.layer_sharpening
        } else {
            &mut self.view_sharpening
        };
        target.given = true;
        target
    }

    // --- the view ---

    fn wid(&mut self, c: &Cmd<'_>) -> Res {
        self.m.wid = Some(c.check(uint("value", c.value, 1, MAX_DIM))?);
        Ok(())
    }

    fn hei(&mut self, c: &Cmd<'_>) -> Res {
        self.m.hei = Some(c.check(uint("value", c.value, 1, MAX_DIM))?);
        Ok(())
    }

    fn scl(&mut self, c: &Cmd<'_>) -> Res {
        self.m.scl = Some(c.check(positive("value", c.value, MAX_SCALE))?);
        Ok(())
    }

    fn fit(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "mode[,upscale]")?;
        let mode = c.check(keyword("mode", f[0], FIT_MODES))?;
        // `fit=` without the flag does not upscale (Image Serving's default
        // is `fit=fit,0`).
        let upscale = match f.get(1) {
            Some(s) => c.check(boolean("upscale", s))?,
            None => false,
        };
        self.m.fit = Some(Fit { mode, upscale });
        Ok(())
    }

    fn align(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "horiz,vert")?;
        let h = c.check(real_in("horiz", f[0], -1.0, 1.0))?;
        let v = c.check(real_in("vert", f[1], -1.0, 1.0))?;
        self.m.align = (h, v);
        Ok(())
    }

    fn rect(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 5, "x,y,w,h[,scale]")?;
        let x = c.check(int("x", f[0], -MAX_INT, MAX_INT))?;
        let y = c.check(int("y", f[1], -MAX_INT, MAX_INT))?;
        let w = c.check(uint("w", f[2], 1, MAX_DIM))?;
        let h = c.check(uint("h", f[3], 1, MAX_DIM))?;
        let scale = match f.get(4) {
            Some(s) => c.check(positive("scale", s, MAX_SCALE))?,
            None => 1.0,
        };
        self.m.rect = Some(ViewRect { x, y, w, h, scale });
        Ok(())
    }

    fn bgc(&mut self, c: &Cmd<'_>) -> Res {
        let (color, _) = c.check(color("value", c.value))?;
        // Image Serving: "Any alpha value specified with color is ignored".
        self.m.bgc = Some(Rgba { a: 255, ..color });
        Ok(())
    }

    fn op_sharpen(&mut self, c: &Cmd<'_>) -> Res {
        let on = c.check(boolean("value", c.value))?;
        self.sharpening().sharpen = on;
        Ok(())
    }

    fn op_usm(&mut self, c: &Cmd<'_>) -> Res {
        self.usm(c, true)
    }

    fn op_usm_r(&mut self, c: &Cmd<'_>) -> Res {
        self.usm(c, false)
    }

    fn usm(&mut self, c: &Cmd<'_>, relative: bool) -> Res {
        let f = c.fields(1, 4, "amount[,radius[,threshold[,monochrome]]]")?;
        let amount = c.check(real_in("amount", f[0], 0.0, 5.0))? as f32;
        // Omitted trailing values take the documented default `0,0,0,0`.
        let radius = match f.get(1) {
            Some(s) => c.check(real_in("radius", s, 0.0, 250.0))? as f32,
            None => 0.0,
        };
        let threshold = match f.get(2) {
            Some(s) => c.check(byte("threshold", s, 0, 255))?,
            None => 0,
        };
        let monochrome = match f.get(3) {
            Some(s) => c.check(boolean("monochrome", s))?,
            None => false,
        };
        self.sharpening().usm = Some(Usm {
            amount,
            radius,
            threshold,
            monochrome,
            relative,
        });
        Ok(())
    }

    // --- layer 0 ---

    fn crop(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "x,y,w,h")?;
        self.m.crop = Some(Crop::Pixels {
            x: c.check(int("x", f[0], -MAX_INT, MAX_INT))?,
            y: c.check(int("y", f[1], -MAX_INT, MAX_INT))?,
            w: c.check(uint("w", f[2], 1, MAX_DIM))?,
            h: c.check(uint("h", f[3], 1, MAX_DIM))?,
        });
        Ok(())
    }

    fn crop_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "x,y,w,h")?;
        let x = c.check(real_in("x", f[0], -100.0, 100.0))?;
        let y = c.check(real_in("y", f[1], -100.0, 100.0))?;
        let w = c.check(positive("w", f[2], 100.0))?;
        let h = c.check(positive("h", f[3], 100.0))?;
        self.m.crop = Some(Crop::Normalized { x, y, w, h });
        Ok(())
    }

    fn size(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "w,h")?;
        let w = c.check(uint("w", f[0], 0, MAX_DIM))?;
        let h = c.check(uint("h", f[1], 0, MAX_DIM))?;
        self.m.size = Some((w, h));
        Ok(())
    }

    fn size_n(&mut self, c: &Cmd<'_>) -> Res {
        // Every layer here is layer 0 or the composite.
        Err(c.invalid("sizeN is only permitted on layers other than 0"))
    }

    fn scale(&mut self, c: &Cmd<'_>) -> Res {
        self.m.scale = Some(c.check(positive("value", c.value, MAX_SCALE))?);
        Ok(())
    }

    fn rotate(&mut self, c: &Cmd<'_>) -> Res {
        self.m.rotate = c.check(real("value", c.value))?;
        Ok(())
    }

    fn extend(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "left,top,right,bottom")?;
        self.m.extend = Some(Extend::Pixels {
            l: c.check(int("left", f[0], -MAX_INT, MAX_INT))?,
            t: c.check(int("top", f[1], -MAX_INT, MAX_INT))?,
            r: c.check(int("right", f[2], -MAX_INT, MAX_INT))?,
            b: c.check(int("bottom", f[3], -MAX_INT, MAX_INT))?,
        });
        Ok(())
    }

    fn extend_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(4, 4, "left,top,right,bottom")?;
        self.m.extend = Some(Extend::Normalized {
            l: c.check(real_in("left", f[0], -100.0, 100.0))?,
            t: c.check(real_in("top", f[1], -100.0, 100.0))?,
            r: c.check(real_in("right", f[2], -100.0, 100.0))?,
            b: c.check(real_in("bottom", f[3], -100.0, 100.0))?,
        });
        Ok(())
    }

    fn color(&mut self, c: &Cmd<'_>) -> Res {
        self.m.color = Some(c.check(color("value", c.value))?.0);
        Ok(())
    }

    fn bg_color(&mut self, c: &Cmd<'_>) -> Res {
        self.m.bg_color = Some(c.check(color("value", c.value))?.0);
        Ok(())
    }

    /// Validated only: the anchor is the rotation centre and the layer's
    /// origin, which moves nothing in a single-layer reply.
    fn anchor(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "x,y")?;
        c.check(int("x", f[0], -MAX_INT, MAX_INT))?;
        c.check(int("y", f[1], -MAX_INT, MAX_INT))?;
        Ok(())
    }

    /// See [`Parser::anchor`].
    fn anchor_n(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(2, 2, "x,y")?;
        c.check(real("x", f[0]))?;
        c.check(real("y", f[1]))?;
        Ok(())
    }

    // --- the composite ---

    fn flip(&mut self, c: &Cmd<'_>) -> Res {
        let flip = c.check(keyword("value", c.value, FLIPS))?;
        // One attribute whose last occurrence wins; `layer=0` only decides
        // whether it applies before or after rotation.
        if self.on_layer0 {
            self.m.layer_flip = Some(flip);
            self.m.flip = None;
        } else {
            self.m.flip = Some(flip);
            self.m.layer_flip = None;
        }
        Ok(())
    }

    fn op_brightness(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.brightness = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    fn op_contrast(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.contrast = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    fn op_saturation(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.saturation = c.check(int32("value", c.value, -100, 100))?;
        Ok(())
    }

    fn op_hue(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.hue = c.check(int32("value", c.value, -180, 180))?;
        Ok(())
    }

    fn op_colorbalance(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(3, 3, "r,g,b")?;
        self.m.adjust.color_balance = [
            c.check(int32("r", f[0], -100, 100))?,
            c.check(int32("g", f[1], -100, 100))?,
            c.check(int32("b", f[2], -100, 100))?,
        ];
        Ok(())
    }

    fn op_invert(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.invert = c.check(boolean("value", c.value))?;
        Ok(())
    }

    fn op_blur(&mut self, c: &Cmd<'_>) -> Res {
        self.m.adjust.blur = c.check(real_in("value", c.value, 0.0, 100.0))? as f32;
        Ok(())
    }

    fn op_colorize(&mut self, c: &Cmd<'_>) -> Res {
        // The colour itself may contain commas (`255,0,0`), so it is
        // everything before the first `off`/`norm` (or empty) field.
        let fields: Vec<&str> = c.value.split(',').collect();
        let split = fields
            .iter()
            .position(|f| f.is_empty() || f.eq_ignore_ascii_case("off") || f.eq_ignore_ascii_case("norm"))
            .unwrap_or(fields.len());
        let (color_fields, rest) = fields.split_at(split);
        let (color, model) = c.check(color("color", &color_fields.join(",")))?;
        if model != ColorModel::Rgb {
            return Err(c.invalid("color: op_colorize takes an RGB colour"));
        }
        // An empty mode is the default `norm`, as an empty `fmt=` field is
        // the default there (`fmt=tif,,lzw`).
        let mode = |m: &str| match m {
            "" => Ok(true),
            m => c.check(keyword("mode", m, COLORIZE_MODES)),
        };
        let (normalize, contrast) = match rest {
            [] => (true, 0.0),
            [m] => (mode(m)?, 0.0),
            [m, contrast] => (mode(m)?, c.check(real_in("contrast", contrast, 0.0, 100.0))? as f32),
            _ => return Err(c.invalid("expected color[,off|norm[,contrast]]")),
        };
        self.m.adjust.colorize = Some(Colorize {
            // The tint's alpha is ignored; fixed so equal requests compare
            // equal.
            color: Rgba { a: 255, ..color },
            normalize,
            contrast,
        });
        Ok(())
    }

    fn op_noise(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 3, "amount[,uniform|gaussian[,monochrome]]")?;
        let amount = c.check(byte("amount", f[0], 0, 100))?;
        let gaussian = match f.get(1) {
            Some(s) => c.check(keyword("distribution", s, NOISE_KINDS))?,
            None => false,
        };
        let monochrome = match f.get(2) {
            Some(s) => c.check(boolean("monochrome", s))?,
            None => false,
        };
        self.m.adjust.noise = (amount > 0).then_some(Noise {
            amount,
            gaussian,
            monochrome,
        });
        Ok(())
    }

    fn opac(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "opacity[,fillOpacity]")?;
        let opacity = u16::from(c.check(byte("opacity", f[0], 0, 100))?);
        let fill = match f.get(1) {
            Some(s) => u16::from(c.check(byte("fillOpacity", s, 0, 100))?),
            None => 100,
        };
        // opacity·fill/100, rounded half up; at most 100, so it fits a u8.
        let combined = (opacity * fill + 50) / 100;
        self.m.opacity = Some(c.check(u8::try_from(combined).map_err(|_| "opacity out of range".to_string()))?);
        Ok(())
    }

    // --- the output ---

    fn fmt(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 3, "format[,[pixelType][,compression]]")?;
        let format = match keyword("format", f[0], FORMATS) {
            Ok(format) => format,
            // Documented formats the emulator cannot write are a limitation,
            // not a user error.
            Err(_) if UNSUPPORTED_FORMATS.iter().any(|u| f[0].eq_ignore_ascii_case(u)) => {
                return Err(c.unsupported_value())
            }
            Err(reason) => return Err(c.invalid(reason)),
        };
        let pixel_type = match f.get(1) {
            None | Some(&"") => None,
            Some(s) => {
                let t = c.check(keyword("pixelType", s, PIXEL_TYPES))?;
                if !pixel_type_allowed(format, t) {
                    return Err(c.invalid(format!("pixelType: not available with {}", f[0])));
                }
                Some(t)
            }
        };
        let compression = match f.get(2) {
            None | Some(&"") => None,
            Some(s) => Some(self.compression(c, format, s)?),
        };
        self.m.fmt = Fmt {
            format,
            pixel_type,
            compression,
        };
        Ok(())
    }

    fn compression(&self, c: &Cmd<'_>, format: Format, s: &str) -> Result<Compression, ModifierError> {
        let compression = c.check(keyword("compression", s, COMPRESSIONS))?;
        let allowed = match format {
            Format::Tif => {
                if compression == Compression::Jpeg {
                    // Valid Image Serving, but the emulator has no
                    // JPEG-in-TIFF writer.
                    return Err(c.unsupported_value());
                }
                matches!(compression, Compression::None | Compression::Lzw | Compression::Zip)
            }
            // Image Serving: "'tiff-alpha' does not support jpeg compression".
            Format::TifAlpha => matches!(compression, Compression::None | Compression::Lzw | Compression::Zip),
            Format::Webp | Format::WebpAlpha => matches!(compression, Compression::Lossy | Compression::Lossless),
            _ => return Err(c.invalid("compression: only permitted with tif, tif-alpha, webp and webp-alpha")),
        };
        if !allowed {
            return Err(c.invalid("compression: not available with this format"));
        }
        Ok(compression)
    }

    fn qlt(&mut self, c: &Cmd<'_>) -> Res {
        let f = c.fields(1, 2, "quality[,chroma]")?;
        let quality = c.check(byte("quality", f[0], 1, 100))?;
        let full_chroma = match f.get(1) {
            Some(s) => c.check(boolean("chroma", s))?,
            None => false,
        };
        self.m.qlt = Some(Quality { quality, full_chroma });
        Ok(())
    }

    fn res_mode(&mut self, c: &Cmd<'_>) -> Res {
        self.m.res_mode = Some(c.check(keyword("value", c.value, RES_MODES))?);
        Ok(())
    }

    fn quantize(&mut self, c: &Cmd<'_>) -> Res {
        let f: Vec<&str> = c.value.split(',').collect();
        let palette = c.check(keyword("type", f[0], PALETTES))?;
        let dither = match f.get(1) {
            Some(s) => c.check(keyword("dither", s, DITHERS))?,
            None => true,
        };
        let colors = match f.get(2) {
            Some(s) => c.check(uint("numColors", s, 2, 256))?,
            None => 256,
        };
        let colors = c.check(u16::try_from(colors).map_err(|_| "numColors: out of range".to_string()))?;
        let forced = f
            .get(3..)
            .unwrap_or_default()
            .iter()
            .map(|s| c.check(hex_rgb("colorList", s)))
            .collect::<Result<Vec<_>, _>>()?;
        if forced.len() > usize::from(colors) {
            return Err(c.invalid("colorList: more forced colours than numColors"));
        }
        self.m.quantize = Some(Quantize {
            palette,
            dither,
            colors,
            forced,
        });
        Ok(())
    }

    fn print_res(&mut self, c: &Cmd<'_>) -> Res {
        self.m.print_res = Some(c.check(uint("value", c.value, 1, 65535))?);
        Ok(())
    }

    /// `req=img` is what a copy does anyway; every other request type
    /// returns something other than the image.
    fn req(&mut self, c: &Cmd<'_>) -> Res {
        if c.value.eq_ignore_ascii_case("img") {
            Ok(())
        } else {
            Err(c.unsupported_value())
        }
    }

    /// Image Serving: "Always ignored by the server".
    fn id(&mut self, _c: &Cmd<'_>) -> Res {
        Ok(())
    }

    /// Caching does not apply to a stored copy; validated, then ignored.
    fn cache(&mut self, c: &Cmd<'_>) -> Res {
        for f in c.fields(1, 2, "on|off|validate|update[,on|off|validate|update]")? {
            c.check(keyword("value", f, CACHE_MODES))?;
        }
        Ok(())
    }

    /// Without ICC support there is no profile to embed, so only "off" can
    /// be honoured.
    fn icc_embed(&mut self, c: &Cmd<'_>) -> Res {
        if c.check(boolean("value", c.value))? {
            return Err(c.unsupported_value());
        }
        Ok(())
    }

    /// The scan count is an encoder detail of progressive JPEG; validated,
    /// then ignored.
    fn pscan(&mut self, c: &Cmd<'_>) -> Res {
        c.check(keyword("value", c.value, PSCANS))?;
        Ok(())
    }

    /// `dpr`, `bfc` and `network` (Smart Imaging): "off", their default, is
    /// a no-op; turning them on would change the reply, which is not
    /// emulated.
    fn off_only(&mut self, c: &Cmd<'_>) -> Res {
        if c.value.eq_ignore_ascii_case("off") {
            return Ok(());
        }
        let first = c.value.split(',').next().unwrap_or_default();
        if first.eq_ignore_ascii_case("on") {
            return Err(c.unsupported_value());
        }
        Err(c.invalid("expected off"))
    }

    /// Only layer 0 and the composite exist in a single-image copy.
    fn layer(&mut self, c: &Cmd<'_>) -> Res {
        if c.value == "0" {
            self.on_layer0 = true;
        } else if c.value.eq_ignore_ascii_case("comp") {
            self.on_layer0 = false;
        } else {
            return Err(c.unsupported_value());
        }
        Ok(())
    }
}

const FIT_MODES: &[(&str, FitMode)] = &[
    ("fit", FitMode::Fit),
    ("constrain", FitMode::Constrain),
    ("crop", FitMode::Crop),
    ("wrap", FitMode::Wrap),
    ("stretch", FitMode::Stretch),
    ("hfit", FitMode::HFit),
    ("vfit", FitMode::VFit),
];

const FLIPS: &[(&str, Flip)] = &[("lr", Flip::Lr), ("ud", Flip::Ud), ("lrud", Flip::LrUd)];

/// `op_colorize` mode → normalize.
const COLORIZE_MODES: &[(&str, bool)] = &[("norm", true), ("off", false)];

/// `op_noise` distribution → gaussian.
const NOISE_KINDS: &[(&str, bool)] = &[("uniform", false), ("gaussian", true)];

const FORMATS: &[(&str, Format)] = &[
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
const UNSUPPORTED_FORMATS: &[&str] = &[
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

const PIXEL_TYPES: &[(&str, PixelType)] = &[
    ("rgb", PixelType::Rgb),
    ("gray", PixelType::Gray),
    ("cmyk", PixelType::Cmyk),
];

/// The pixel types Image Serving's format table lists for each format.
fn pixel_type_allowed(format: Format, t: PixelType) -> bool {
    match format {
        Format::Jpeg | Format::Pjpeg | Format::Tif | Format::TifAlpha => true,
        Format::Png | Format::PngAlpha | Format::Gif | Format::GifAlpha => t != PixelType::Cmyk,
        Format::Png8 | Format::Png8Alpha | Format::Webp | Format::WebpAlpha => t == PixelType::Rgb,
    }
}

const COMPRESSIONS: &[(&str, Compression)] = &[
    ("none", Compression::None),
    ("lzw", Compression::Lzw),
    ("zip", Compression::Zip),
    ("jpeg", Compression::Jpeg),
    ("lossy", Compression::Lossy),
    ("lossless", Compression::Lossless),
];

const RES_MODES: &[(&str, ResMode)] = &[
    ("bilin", ResMode::Bilin),
    ("bicub", ResMode::Bicub),
    ("sharp2", ResMode::Sharp2),
    // Deprecated; Image Serving says `sharp2` replaced it.
    ("sharp", ResMode::Sharp2),
    ("bisharp", ResMode::Bisharp),
    ("trilin", ResMode::Trilin),
];

const PALETTES: &[(&str, Palette)] = &[
    ("adaptive", Palette::Adaptive),
    ("web", Palette::Web),
    ("mac", Palette::Mac),
];

/// `quantize` dither → Floyd–Steinberg.
const DITHERS: &[(&str, bool)] = &[("diffuse", true), ("off", false)];

const CACHE_MODES: &[(&str, ())] = &[("on", ()), ("off", ()), ("validate", ()), ("update", ())];

const PSCANS: &[(&str, ())] = &[("auto", ()), ("3", ()), ("4", ()), ("5", ())];

/// Variable and macro names: "any combination of ASCII letters, numbers,
/// '-', '_', and '.'".
fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `%xx` escapes and `+` → space (form encoding, as Image Serving's template
/// examples use `+` for spaces).
fn url_decode(s: &str) -> Result<Cow<'_, str>, String> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err("malformed %-escape".into()),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| "not UTF-8 after %-decoding".into())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A strict integer: an optional `-`, then ASCII digits only (no `+`,
/// spaces, hex or exponent), within `min..=max` and never beyond ±2^31−1.
fn int(label: &str, s: &str, min: i64, max: i64) -> Result<i64, String> {
    let (min, max) = (min.max(-MAX_INT), max.min(MAX_INT));
    let err = || format!("{label}: expected an integer from {min} to {max}");
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    // Digits only, so the standard parser's leniency (a leading `+`) cannot
    // apply; it still refuses anything beyond i64.
    let v: i64 = s.parse().map_err(|_| err())?;
    if v < min || v > max {
        return Err(err());
    }
    Ok(v)
}

fn uint(label: &str, s: &str, min: u32, max: u32) -> Result<u32, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    u32::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

fn int32(label: &str, s: &str, min: i32, max: i32) -> Result<i32, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    i32::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

fn byte(label: &str, s: &str, min: u8, max: u8) -> Result<u8, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    u8::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

/// A strict real: `-?digits`, `-?digits.digits`, `-?.digits` or `-?digits.`
/// (the last accepted because a trailing point is still unambiguous). No
/// exponent, `inf`, `nan` or `+`; the result is finite, and `-0` is 0.
fn real(label: &str, s: &str) -> Result<f64, String> {
    let err = || format!("{label}: expected a decimal number");
    let body = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match body.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (body, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(whole)
        && match fraction {
            None => !whole.is_empty(),
            Some(fraction) => digits(fraction) && !(whole.is_empty() && fraction.is_empty()),
        };
    if !well_formed {
        return Err(err());
    }
    let v: f64 = s.parse().map_err(|_| err())?;
    if !v.is_finite() {
        return Err(format!("{label}: number too large"));
    }
    // Normalises -0 to 0 so equal requests give equal modifiers.
    Ok(if v == 0.0 { 0.0 } else { v })
}

fn real_in(label: &str, s: &str, min: f64, max: f64) -> Result<f64, String> {
    let v = real(label, s)?;
    if v < min || v > max {
        return Err(format!("{label}: expected a number from {min} to {max}"));
    }
    Ok(v)
}

/// A real in (0, max].
fn positive(label: &str, s: &str, max: f64) -> Result<f64, String> {
    let v = real(label, s)?;
    if v <= 0.0 || v > max {
        return Err(format!("{label}: expected a number greater than 0 and at most {max}"));
    }
    Ok(v)
}

/// `0`/`1`/`true`/`false`/`on`/`off` (any case), or any other non-negative
/// integer (non-zero = true), as Image Serving's own examples use `true`.
fn boolean(label: &str, s: &str) -> Result<bool, String> {
    const WORDS: &[(&str, bool)] = &[("true", true), ("false", false), ("on", true), ("off", false)];
    if let Ok(v) = keyword(label, s, WORDS) {
        return Ok(v);
    }
    int(label, s, 0, MAX_INT)
        .map(|n| n != 0)
        .map_err(|_| format!("{label}: expected 0, 1, true, false, on or off"))
}

/// A case-insensitive keyword from `table`.
fn keyword<T: Copy>(label: &str, s: &str, table: &[(&str, T)]) -> Result<T, String> {
    table
        .iter()
        .find(|(k, _)| s.eq_ignore_ascii_case(k))
        .map(|&(_, v)| v)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|&(k, _)| k).collect();
            format!("{label}: expected one of {}", names.join("|"))
        })
}

/// Exactly six hex digits (a `quantize` colorList entry).
fn hex_rgb(label: &str, s: &str) -> Result<[u8; 3], String> {
    match hex_bytes(s).as_deref() {
        Some(&[r, g, b]) => Ok([r, g, b]),
        _ => Err(format!("{label}: expected six hex digits (rrggbb)")),
    }
}

/// Pairs of hex digits as bytes; `None` unless `s` is a non-empty, even-length
/// run of hex digits.
fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() % 2 != 0 {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            &[hi, lo] => Some(hex_value(hi)? << 4 | hex_value(lo)?),
            _ => None,
        })
        .collect()
}

/// Which colour space a colour value was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColorModel {
    Gray,
    Rgb,
    Cmyk,
}

/// An Image Serving colour value, as RGBA:
/// - `gray[,alpha][g]`: decimal percentages;
/// - `r,g,b[,a][r]`: decimal 0…255;
/// - `c,m,y,k[,a]k`: decimal percentages;
/// - `0x{hex2|hex4}[g]`, `[0x]{hex6|hex8}[r]`, `[0x]{hex8|hex10}k`;
/// - each with an optional `s` (source colour space) suffix, accepted and
///   ignored: without colour management both spaces are sRGB.
///
/// Gray and CMYK are converted naively (no ICC), matching how the encoder
/// converts pixels.
fn color(label: &str, s: &str) -> Result<(Rgba, ColorModel), String> {
    let err = || {
        format!(
            "{label}: expected a colour (r,g,b[,a], rrggbb[aa], gray[,alpha]g, 0xgg[aa]g, c,m,y,k[,a]k or \
             cccccccc[aa]k)"
        )
    };
    let body = strip_suffix_ci(s, 's').unwrap_or(s);
    let (body, hint) = if let Some(b) = strip_suffix_ci(body, 'g') {
        (b, Some(ColorModel::Gray))
    } else if let Some(b) = strip_suffix_ci(body, 'r') {
        (b, Some(ColorModel::Rgb))
    } else if let Some(b) = strip_suffix_ci(body, 'k') {
        (b, Some(ColorModel::Cmyk))
    } else {
        (body, None)
    };

    let prefixed = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"));
    let is_hex = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit());
    let hex = match prefixed {
        Some(h) if is_hex(h) => Some((h, true)),
        Some(_) => return Err(err()),
        // Without `0x`, only the 6-, 8- and 10-digit forms are hex (the
        // prefix is required for hex gray), so a short number is decimal.
        None if is_hex(body) && matches!(body.len(), 6 | 8 | 10) => Some((body, false)),
        None => None,
    };
    if let Some((h, prefixed)) = hex {
        let bytes = hex_bytes(h).ok_or_else(err)?;
        use ColorModel::{Cmyk, Gray, Rgb};
        return match (bytes.as_slice(), hint) {
            (&[g], None | Some(Gray)) if prefixed => Ok((gray(g, 255), Gray)),
            (&[g, a], None | Some(Gray)) if prefixed => Ok((gray(g, a), Gray)),
            (&[r, g, b], None | Some(Rgb)) => Ok((Rgba { r, g, b, a: 255 }, Rgb)),
            (&[r, g, b, a], None | Some(Rgb)) => Ok((Rgba { r, g, b, a }, Rgb)),
            (&[c, m, y, k], Some(Cmyk)) => Ok((cmyk([c, m, y, k].map(u32::from), 255, 255), Cmyk)),
            (&[c, m, y, k, a], Some(Cmyk)) => Ok((cmyk([c, m, y, k].map(u32::from), 255, a), Cmyk)),
            _ => Err(err()),
        };
    }

    let fields: Vec<&str> = body.splitn(6, ',').collect();
    let model = match (hint, fields.len()) {
        (Some(model), _) => model,
        (None, 1 | 2) => ColorModel::Gray,
        (None, 3 | 4) => ColorModel::Rgb,
        _ => return Err(err()),
    };
    let max = if model == ColorModel::Rgb { 255 } else { 100 };
    let v = fields
        .iter()
        .map(|f| uint(label, f, 0, max))
        .collect::<Result<Vec<u32>, String>>()
        .map_err(|_| err())?;
    let percent = |p: u32| -> u8 { u8::try_from((p * 255 * 2 + 100) / 200).unwrap_or(u8::MAX) };
    let byte = |c: u32| -> u8 { u8::try_from(c).unwrap_or(u8::MAX) };
    match (model, v.as_slice()) {
        (ColorModel::Gray, &[g]) => Ok((gray(percent(g), 255), model)),
        (ColorModel::Gray, &[g, a]) => Ok((gray(percent(g), percent(a)), model)),
        (ColorModel::Rgb, &[r, g, b]) => Ok((
            Rgba {
                r: byte(r),
                g: byte(g),
                b: byte(b),
                a: 255,
            },
            model,
        )),
        (ColorModel::Rgb, &[r, g, b, a]) => Ok((
            Rgba {
                r: byte(r),
                g: byte(g),
                b: byte(b),
                a: byte(a),
            },
            model,
        )),
        (ColorModel::Cmyk, &[c, m, y, k]) => Ok((cmyk([c, m, y, k], 100, 255), model)),
        (ColorModel::Cmyk, &[c, m, y, k, a]) => Ok((cmyk([c, m, y, k], 100, percent(a)), model)),
        _ => Err(err()),
    }
}

fn strip_suffix_ci(s: &str, c: char) -> Option<&str> {
    s.strip_suffix(|x: char| x.eq_ignore_ascii_case(&c))
}

fn gray(v: u8, a: u8) -> Rgba {
    Rgba { r: v, g: v, b: v, a }
}

/// Naive CMYK → RGB: each channel = 255 · (1 − ink) · (1 − k), rounded half
/// up; `full` is the value of 100 % ink (100 for percentages, 255 for hex).
fn cmyk([c, m, y, k]: [u32; 4], full: u32, a: u8) -> Rgba {
    // At most 255·255·255·2, far inside u32.
    let channel = |ink: u32| -> u8 {
        let (ink, k) = (ink.min(full), k.min(full));
        let num = 255 * (full - ink) * (full - k) * 2 + full * full;
        u8::try_from(num / (2 * full * full)).unwrap_or(u8::MAX)
    };
    Rgba {
        r: channel(c),
        g: channel(m),
        b: channel(y),
        a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Modifier {
        match parse(input) {
            Ok(m) => m,
            Err(e) => panic!("{input:?} should parse, got {e:?}"),
        }
    }

    /// Asserts `Invalid` naming `command`; returns the reason.
    fn invalid(input: &str, command: &str) -> String {
        match parse(input) {
            Err(ModifierError::Invalid { command: c, reason, .. }) => {
                assert_eq!(c, command, "{input:?}");
                reason
            }
            other => panic!("{input:?} should be Invalid, got {other:?}"),
        }
    }

    fn unsupported(input: &str, command: &str) {
        assert_eq!(
            parse(input),
            Err(ModifierError::Unsupported {
                command: command.to_string()
            }),
            "{input:?}"
        );
    }

    fn conflict(input: &str) -> String {
        match parse(input) {
            Err(ModifierError::Conflict(message)) => message,
            other => panic!("{input:?} should be a Conflict, got {other:?}"),
        }
    }

    fn rgba(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba { r, g, b, a }
    }

    // --- syntax ---

    #[test]
    fn empty_and_whitespace_give_the_default() {
        assert_eq!(ok(""), Modifier::default());
        assert_eq!(ok("  \t\r\n "), Modifier::default());
        assert_eq!(ok("&&&"), Modifier::default());
    }

    #[test]
    fn names_are_case_insensitive() {
        let m = ok("WID=100&HeI=50");
        assert_eq!((m.wid, m.hei), (Some(100), Some(50)));
        assert_eq!(ok("ReSmOdE=BISHARP").res_mode, Some(ResMode::Bisharp));
    }

    #[test]
    fn last_occurrence_wins() {
        assert_eq!(ok("wid=1&wid=2").wid, Some(2));
        assert_eq!(
            ok("qlt=10&qlt=20,1").qlt,
            Some(Quality {
                quality: 20,
                full_chroma: true
            })
        );
    }

    #[test]
    fn comments_and_empty_segments_are_skipped() {
        assert_eq!(ok("&.comment=x&wid=5").wid, Some(5));
        // A comment may contain anything up to the next `&`, even `=` and `%`.
        assert_eq!(ok(".ts=%zz=1&wid=6&").wid, Some(6));
    }

    #[test]
    fn whitespace_around_segments_is_trimmed_but_not_inside_values() {
        assert_eq!(ok(" wid=5 &\n\thei=6\r\n").hei, Some(6));
        invalid("wid= 5", "wid");
        invalid("crop=0, 0,1,1", "crop");
    }

    #[test]
    fn ips_documentation_example_with_a_newline_parses() {
        let m = ok("wid=400&hei=400&fmt=jpeg&qlt=75&op_sharpen=0&\n     resMode=bicub&op_usm=0.0,0.0,0,0&iccEmbed=0");
        assert_eq!((m.wid, m.hei), (Some(400), Some(400)));
        assert_eq!(m.fmt.format, Format::Jpeg);
        assert_eq!(
            m.qlt,
            Some(Quality {
                quality: 75,
                full_chroma: false
            })
        );
        assert!(!m.sharpen);
        assert_eq!(m.res_mode, Some(ResMode::Bicub));
        assert_eq!(
            m.usm,
            Some(Usm {
                amount: 0.0,
                radius: 0.0,
                threshold: 0,
                monochrome: false,
                relative: true
            })
        );
        assert!(!m.sharpen_on_layer);
    }

    #[test]
    fn values_are_decoded_after_splitting() {
        assert_eq!(
            ok("qlt=90%2C1").qlt,
            Some(Quality {
                quality: 90,
                full_chroma: true
            })
        );
        assert_eq!(ok("fmt=png%2Dalpha").fmt.format, Format::PngAlpha);
        assert_eq!(ok("fmt=png%2dalpha").fmt.format, Format::PngAlpha);
        // An encoded `&` or `=` is data, not a separator.
        invalid("wid=1%262", "wid");
        // `+` is a space, which no number accepts.
        invalid("wid=+100", "wid");
    }

    #[test]
    fn malformed_escapes_and_non_utf8_are_invalid() {
        invalid("wid=%", "wid");
        invalid("wid=%4", "wid");
        invalid("wid=%zz", "wid");
        invalid("id=%ff", "id");
        invalid("id=%C3", "id");
        assert_eq!(ok("id=%C3%A9").wid, None);
    }

    #[test]
    fn unknown_commands_are_unsupported_as_written() {
        unsupported("foo=1", "foo");
        unsupported("Src=abc", "Src");
        unsupported("wid=5&mask=x", "mask");
        unsupported("op_grow=1", "op_grow");
        unsupported("rgn=0,0,1,1", "rgn");
        unsupported("res=72", "res");
        unsupported("jpegSize=10", "jpegSize");
        unsupported("template=x", "template");
        // Refused before the value is looked at.
        unsupported("text=%zz", "text");
        unsupported("nothing", "nothing");
        invalid("=5", "");
    }

    // --- variables and macros ---

    #[test]
    fn variables_are_substituted() {
        assert_eq!(ok("$w=120&wid=$w$").wid, Some(120));
        // Names are case-insensitive; several references per value.
        assert_eq!(
            ok("$X=10&$y.1=20&crop=$x$,$Y.1$,5,$x$0").crop,
            Some(Crop::Pixels {
                x: 10,
                y: 20,
                w: 5,
                h: 100
            })
        );
        // Redefinition: the last definition before the use counts.
        assert_eq!(ok("$w=1&$w=2&wid=$w$&$w=3").wid, Some(2));
    }

    #[test]
    fn substitution_happens_before_decoding_and_once() {
        // The variable's text is decoded with the value it lands in.
        assert_eq!(
            ok("$q=90%2C1&qlt=$q$").qlt,
            Some(Quality {
                quality: 90,
                full_chroma: true
            })
        );
        // An encoded `$` is not a reference.
        invalid("$w=1&wid=%24w%24", "wid");
        // No nesting: inserted text is not rescanned.
        invalid("$a=5&$b=$a$&wid=$b$", "wid");
    }

    #[test]
    fn undefined_references_stay_literal() {
        match parse("wid=$undefined$") {
            Err(ModifierError::Invalid { command, value, .. }) => {
                assert_eq!(command, "wid");
                assert_eq!(value, "$undefined$");
            }
            other => panic!("{other:?}"),
        }
        // After an undefined reference, its closing `$` can open a defined one.
        assert_eq!(ok("$b=7&$x=1&id=$a$b$&wid=$b$").wid, Some(7));
    }

    #[test]
    fn macros_are_unsupported_and_bad_variables_invalid() {
        unsupported("$w$", "$w$");
        unsupported("$w=1&$w$", "$w$");
        invalid("$a b=1", "$a b");
        invalid("$=1", "$");
        invalid("$w", "$w");
        invalid("$$", "$$");
    }

    #[test]
    fn variables_are_not_substituted_in_layer() {
        unsupported("$l=0&layer=$l$", "layer=$l$");
    }

    #[test]
    fn substitution_cannot_blow_up_quadratically() {
        let big = "1".repeat(100_000);
        let refs = "$v$".repeat(20);
        let input = format!("$v={big}&id={refs}");
        let reason = invalid(&input, "id");
        assert!(reason.contains("expand"), "{reason}");
        // A modest expansion is fine.
        assert_eq!(
            ok(&format!("$v={}&id={}", "x".repeat(1000), "$v$".repeat(100))).wid,
            None
        );
    }

    // --- numbers ---

    #[test]
    fn hostile_integers_are_invalid() {
        for v in [
            "0",
            "-1",
            "1e309",
            "NaN",
            "inf",
            "4294967296",
            "2147483648",
            "99999999999999999999999",
            "0x10",
            "%2B100",
            "%20100",
            "100%20",
            "１００",
            "1.5",
            "",
            "-",
            "--1",
            "1,2",
        ] {
            invalid(&format!("wid={v}"), "wid");
        }
        assert_eq!(ok("wid=2147483647").wid, Some(2_147_483_647));
        assert_eq!(ok("wid=007").wid, Some(7));
    }

    #[test]
    fn reals_are_strict() {
        assert_eq!(ok("rotate=.5").rotate, 0.5);
        assert_eq!(ok("rotate=-.5").rotate, -0.5);
        assert_eq!(ok("rotate=2.").rotate, 2.0);
        assert_eq!(ok("rotate=-0").rotate.to_bits(), 0.0f64.to_bits());
        for v in [
            "1e3", "inf", "-inf", "NaN", "+1", ".", "-.", "1.2.3", "%201", "1%20", "0x1", "1_0",
        ] {
            invalid(&format!("rotate={v}"), "rotate");
        }
        // More digits than a double's range: not finite, so refused.
        invalid(&format!("rotate=1{}", "0".repeat(400)), "rotate");
    }

    #[test]
    fn booleans() {
        for (v, want) in [
            ("0", false),
            ("1", true),
            ("TRUE", true),
            ("false", false),
            ("On", true),
            ("off", false),
            ("2", true),
            ("00", false),
        ] {
            assert_eq!(ok(&format!("op_invert={v}")).adjust.invert, want, "{v}");
        }
        for v in ["yes", "-1", "", "1.0", "2147483648"] {
            invalid(&format!("op_invert={v}"), "op_invert");
        }
    }

    // --- the view ---

    #[test]
    fn wid_hei() {
        assert_eq!(ok("wid=300").wid, Some(300));
        assert_eq!(ok("hei=200").hei, Some(200));
        invalid("hei=0", "hei");
        invalid("hei=abc", "hei");
    }

    #[test]
    fn scl() {
        assert_eq!(ok("scl=2.5").scl, Some(2.5));
        assert_eq!(ok("scl=1000000").scl, Some(1e6));
        invalid("scl=0", "scl");
        invalid("scl=-1", "scl");
        invalid("scl=1000000.5", "scl");
    }

    #[test]
    fn fit() {
        assert_eq!(
            ok("wid=1&fit=crop").fit,
            Some(Fit {
                mode: FitMode::Crop,
                upscale: false
            })
        );
        assert_eq!(
            ok("hei=1&fit=HFIT,1").fit,
            Some(Fit {
                mode: FitMode::HFit,
                upscale: true
            })
        );
        assert_eq!(
            ok("fit=vfit,0&wid=1").fit,
            Some(Fit {
                mode: FitMode::VFit,
                upscale: false
            })
        );
        for (word, mode) in FIT_MODES {
            assert_eq!(ok(&format!("wid=1&fit={word}")).fit.map(|f| f.mode), Some(*mode));
        }
        invalid("wid=1&fit=fill", "fit");
        invalid("wid=1&fit=crop,2x", "fit");
        invalid("wid=1&fit=crop,1,1", "fit");
        invalid("wid=1&fit=", "fit");
    }

    #[test]
    fn fit_needs_wid_or_hei() {
        assert_eq!(conflict("fit=crop"), "fit= requires wid= or hei=");
        assert_eq!(conflict("scl=2&fit=fit,1"), "fit= requires wid= or hei=");
    }

    #[test]
    fn align() {
        assert_eq!(ok("align=-1,0.5").align, (-1.0, 0.5));
        assert_eq!(ok("").align, (0.0, 0.0));
        invalid("align=1.1,0", "align");
        invalid("align=0", "align");
        invalid("align=0,0,0", "align");
    }

    #[test]
    fn rect() {
        assert_eq!(
            ok("rect=-10,20,300,400").rect,
            Some(ViewRect {
                x: -10,
                y: 20,
                w: 300,
                h: 400,
                scale: 1.0
            })
        );
        assert_eq!(ok("rect=0,0,1,1,0.5").rect.map(|r| r.scale), Some(0.5));
        invalid("rect=0,0,0,1", "rect");
        invalid("rect=0,0,1,1,0", "rect");
        invalid("rect=0,0,1", "rect");
        invalid("rect=0,0,1,1,1,1", "rect");
    }

    #[test]
    fn bgc_ignores_alpha() {
        assert_eq!(ok("bgc=255,255,255").bgc, Some(Rgba::WHITE));
        assert_eq!(ok("bgc=10,20,30,0").bgc, Some(rgba(10, 20, 30, 255)));
        assert_eq!(ok("bgc=a0b1c2d3").bgc, Some(rgba(0xa0, 0xb1, 0xc2, 255)));
        invalid("bgc=256,0,0", "bgc");
        invalid("bgc=red", "bgc");
    }

    #[test]
    fn op_sharpen() {
        let m = ok("op_sharpen=1");
        assert!(m.sharpen && !m.sharpen_on_layer);
        assert!(!ok("op_sharpen=1&op_sharpen=0").sharpen);
        invalid("op_sharpen=sharp", "op_sharpen");
    }

    #[test]
    fn op_usm_and_op_usm_r_are_one_attribute() {
        let usm = Usm {
            amount: 0.9,
            radius: 1.0,
            threshold: 8,
            monochrome: true,
            relative: true,
        };
        assert_eq!(ok("op_usm=0.9,1.0,8,1").usm, Some(usm));
        assert_eq!(ok("op_usm=0.9%2c1.0%2c8%2c1").usm, Some(usm));
        assert_eq!(
            ok("op_usm=1&op_usmR=0.9,1.0,8,1").usm,
            Some(Usm { relative: false, ..usm })
        );
        assert_eq!(ok("op_usmR=1&op_usm=0.9,1.0,8,1").usm, Some(usm));
        // Omitted trailing values are 0.
        assert_eq!(
            ok("op_usm=2").usm,
            Some(Usm {
                amount: 2.0,
                radius: 0.0,
                threshold: 0,
                monochrome: false,
                relative: true
            })
        );
        invalid("op_usm=5.1", "op_usm");
        invalid("op_usm=1,251", "op_usm");
        invalid("op_usmR=1,1,256", "op_usmR");
        invalid("op_usm=1,1,1.5", "op_usm");
        invalid("op_usm=1,1,1,1,1", "op_usm");
        invalid("op_usm=", "op_usm");
    }

    // --- layer 0 ---

    #[test]
    fn crop_and_crop_n_are_one_attribute() {
        assert_eq!(
            ok("crop=-5,10,500,400").crop,
            Some(Crop::Pixels {
                x: -5,
                y: 10,
                w: 500,
                h: 400
            })
        );
        assert_eq!(
            ok("crop=0,0,500,500&cropN=0.1,0,0.8,1").crop,
            Some(Crop::Normalized {
                x: 0.1,
                y: 0.0,
                w: 0.8,
                h: 1.0
            })
        );
        assert_eq!(
            ok("cropN=0.1,0,0.8,1&crop=0,0,500,500").crop,
            Some(Crop::Pixels {
                x: 0,
                y: 0,
                w: 500,
                h: 500
            })
        );
        invalid("crop=0,0,0,5", "crop");
        invalid("crop=0,0,5", "crop");
        invalid("crop=0,0,5,5,5", "crop");
        invalid("crop=0,0,2147483648,5", "crop");
        invalid("cropN=0,0,0,1", "cropN");
        invalid("cropN=-101,0,1,1", "cropN");
        invalid("cropN=0,0,1", "cropN");
    }

    #[test]
    fn size_and_size_n() {
        assert_eq!(ok("size=200,0").size, Some((200, 0)));
        assert_eq!(ok("size=0,0").size, Some((0, 0)));
        invalid("size=-1,5", "size");
        invalid("size=5", "size");
        let reason = invalid("sizeN=0.5,0.5", "sizeN");
        assert_eq!(reason, "sizeN is only permitted on layers other than 0");
    }

    #[test]
    fn scale() {
        assert_eq!(ok("scale=0.5").scale, Some(0.5));
        invalid("scale=0", "scale");
        invalid("scale=2000000", "scale");
    }

    #[test]
    fn rotate() {
        assert_eq!(ok("rotate=90").rotate, 90.0);
        assert_eq!(ok("rotate=-30.5").rotate, -30.5);
        assert_eq!(ok("rotate=3600000000").rotate, 3_600_000_000.0);
        invalid("rotate=ninety", "rotate");
        invalid("rotate=90,1", "rotate");
    }

    #[test]
    fn extend_and_extend_n_are_one_attribute() {
        assert_eq!(
            ok("extend=10,-20,30,40").extend,
            Some(Extend::Pixels {
                l: 10,
                t: -20,
                r: 30,
                b: 40
            })
        );
        assert_eq!(
            ok("extend=1,1,1,1&extendN=0.1,0,-0.1,100").extend,
            Some(Extend::Normalized {
                l: 0.1,
                t: 0.0,
                r: -0.1,
                b: 100.0
            })
        );
        invalid("extend=1,1,1", "extend");
        invalid("extend=1,1,1,1.5", "extend");
        invalid("extendN=0,0,0,100.1", "extendN");
    }

    #[test]
    fn color_and_bg_color_keep_alpha() {
        assert_eq!(ok("color=ffffff40").color, Some(rgba(255, 255, 255, 0x40)));
        assert_eq!(ok("bgColor=255,0,0").bg_color, Some(rgba(255, 0, 0, 255)));
        assert_eq!(ok("bgcolor=0,0,0,0").bg_color, Some(Rgba::TRANSPARENT));
        invalid("color=1,2,3,4,5", "color");
        invalid("bgColor=", "bgColor");
    }

    #[test]
    fn anchor_is_validated_and_ignored() {
        assert_eq!(ok("anchor=-5,10"), Modifier::default());
        assert_eq!(ok("anchorN=-0.5,0.5"), Modifier::default());
        invalid("anchor=2147483648,0", "anchor");
        invalid("anchor=1", "anchor");
        invalid("anchorN=a,b", "anchorN");
    }

    // --- the composite ---

    #[test]
    fn flip() {
        assert_eq!(ok("flip=lr").flip, Some(Flip::Lr));
        assert_eq!(ok("flip=UD").flip, Some(Flip::Ud));
        assert_eq!(ok("flip=lrud").flip, Some(Flip::LrUd));
        invalid("flip=rl", "flip");
        invalid("flip=", "flip");
    }

    #[test]
    fn layer_zero_moves_flip_and_sharpening() {
        let m = ok("layer=0&flip=lr");
        assert_eq!((m.layer_flip, m.flip), (Some(Flip::Lr), None));
        let m = ok("flip=ud&layer=0&flip=lr");
        assert_eq!((m.layer_flip, m.flip), (Some(Flip::Lr), None));
        let m = ok("layer=0&flip=lr&layer=COMP&flip=ud");
        assert_eq!((m.layer_flip, m.flip), (None, Some(Flip::Ud)));

        let m = ok("layer=0&op_sharpen=1");
        assert!(m.sharpen && m.sharpen_on_layer);
        let m = ok("layer=0&op_usmR=1,2");
        assert!(m.sharpen_on_layer);
        assert_eq!(m.usm.map(|u| (u.amount, u.radius, u.relative)), Some((1.0, 2.0, false)));
        // A no-op on the composite does not cancel the layer's sharpening.
        let m = ok("layer=0&op_sharpen=1&layer=comp&op_sharpen=0");
        assert!(m.sharpen && m.sharpen_on_layer);
        let m = ok("op_usm=0,0,0,0&layer=0&op_sharpen=1");
        assert!(m.sharpen && m.sharpen_on_layer);
        // Real sharpening on both targets cannot be represented.
        conflict("op_sharpen=1&layer=0&op_usm=1");

        // Other commands are unaffected by the layer.
        let m = ok("layer=0&wid=5&rotate=90&op_invert=1");
        assert_eq!((m.wid, m.rotate, m.adjust.invert), (Some(5), 90.0, true));
    }

    #[test]
    fn other_layers_are_unsupported() {
        unsupported("layer=1", "layer=1");
        unsupported("layer=name", "layer=name");
        unsupported("layer=0,name", "layer=0,name");
        unsupported("LAYER=-1", "LAYER=-1");
    }

    #[test]
    fn colour_operations() {
        let a =
            ok("op_brightness=-100&op_contrast=100&op_saturation=-60&op_hue=-180&op_colorbalance=100,0,-100").adjust;
        assert_eq!((a.brightness, a.contrast, a.saturation, a.hue), (-100, 100, -60, -180));
        assert_eq!(a.color_balance, [100, 0, -100]);
        assert_eq!(ok("op_colorBalance=1,2,3").adjust.color_balance, [1, 2, 3]);
        invalid("op_brightness=101", "op_brightness");
        invalid("op_brightness=500", "op_brightness");
        invalid("op_contrast=-101", "op_contrast");
        invalid("op_saturation=1.5", "op_saturation");
        invalid("op_hue=181", "op_hue");
        invalid("op_colorbalance=1,2", "op_colorbalance");
        invalid("op_colorbalance=1,2,101", "op_colorbalance");
    }

    #[test]
    fn op_invert_and_op_blur() {
        assert!(ok("op_invert=1").adjust.invert);
        invalid("op_invert=maybe", "op_invert");
        assert_eq!(ok("op_blur=2.5").adjust.blur, 2.5);
        invalid("op_blur=100.5", "op_blur");
        invalid("op_blur=-1", "op_blur");
    }

    #[test]
    fn op_colorize() {
        let c = ok("op_colorize=a0b0c0").adjust.colorize;
        assert_eq!(
            c,
            Some(Colorize {
                color: rgba(0xa0, 0xb0, 0xc0, 255),
                normalize: true,
                contrast: 0.0
            })
        );
        let c = ok("op_colorize=a0b0c0,norm,50").adjust.colorize;
        assert_eq!(c.map(|c| (c.normalize, c.contrast)), Some((true, 50.0)));
        let c = ok("colorize=255,0,0,OFF").adjust.colorize;
        assert_eq!(
            c,
            Some(Colorize {
                color: rgba(255, 0, 0, 255),
                normalize: false,
                contrast: 0.0
            })
        );
        // Alpha is dropped; an empty mode is the default `norm`.
        let c = ok("op_colorize=255,0,0,10,,30").adjust.colorize;
        assert_eq!(
            c.map(|c| (c.color, c.normalize, c.contrast)),
            Some((rgba(255, 0, 0, 255), true, 30.0))
        );
        invalid("op_colorize=a0b0c0,norm,101", "op_colorize");
        invalid("op_colorize=a0b0c0,bright", "op_colorize");
        invalid("op_colorize=a0b0c0,norm,5,5", "op_colorize");
        invalid("colorize=50g", "colorize");
        invalid("op_colorize=0,0,0,0k", "op_colorize");
        invalid("op_colorize=", "op_colorize");
    }

    #[test]
    fn op_noise() {
        assert_eq!(
            ok("op_noise=20,gaussian,1").adjust.noise,
            Some(Noise {
                amount: 20,
                gaussian: true,
                monochrome: true
            })
        );
        assert_eq!(
            ok("op_noise=5").adjust.noise,
            Some(Noise {
                amount: 5,
                gaussian: false,
                monochrome: false
            })
        );
        assert_eq!(ok("op_noise=20&op_noise=0,uniform").adjust.noise, None);
        invalid("op_noise=101", "op_noise");
        invalid("op_noise=5,pink", "op_noise");
        invalid("op_noise=5,uniform,1,1", "op_noise");
    }

    #[test]
    fn opac() {
        assert_eq!(ok("opac=90,70").opacity, Some(63));
        assert_eq!(ok("opac=50").opacity, Some(50));
        // 15·15/100 = 2.25 → 2; 15·50/100 = 7.5 → 8 (half up).
        assert_eq!(ok("opac=15,15").opacity, Some(2));
        assert_eq!(ok("opac=15,50").opacity, Some(8));
        invalid("opac=101", "opac");
        invalid("opac=50,-1", "opac");
        invalid("opac=50,50,50", "opac");
    }

    // --- the output ---

    #[test]
    fn fmt_formats() {
        assert_eq!(ok("fmt=JPG").fmt, Fmt::default());
        for (word, format) in FORMATS {
            assert_eq!(ok(&format!("fmt={word}")).fmt.format, *format, "{word}");
        }
        for word in UNSUPPORTED_FORMATS {
            unsupported(&format!("fmt={word}"), &format!("fmt={word}"));
        }
        unsupported("fmt=avif", "fmt=avif");
        unsupported("FMT=AVIF,,lossless", "FMT=AVIF,,lossless");
        invalid("fmt=bmp", "fmt");
        invalid("fmt=tiff", "fmt");
        invalid("fmt=../../etc/passwd", "fmt");
        invalid("fmt=png%00.jpg", "fmt");
        invalid("fmt=", "fmt");
        invalid("fmt=png,rgb,none,x", "fmt");
    }

    #[test]
    fn fmt_pixel_types() {
        assert_eq!(
            ok("fmt=jpeg,gray").fmt,
            Fmt {
                format: Format::Jpeg,
                pixel_type: Some(PixelType::Gray),
                compression: None
            }
        );
        assert_eq!(ok("fmt=tif-alpha,CMYK").fmt.pixel_type, Some(PixelType::Cmyk));
        assert_eq!(ok("fmt=png,").fmt.pixel_type, None);
        invalid("fmt=png,cmyk", "fmt");
        invalid("fmt=png8,gray", "fmt");
        invalid("fmt=webp-alpha,gray", "fmt");
        invalid("fmt=gif,lab", "fmt");
    }

    #[test]
    fn fmt_compression() {
        assert_eq!(
            ok("fmt=tif,,lzw").fmt,
            Fmt {
                format: Format::Tif,
                pixel_type: None,
                compression: Some(Compression::Lzw)
            }
        );
        assert_eq!(ok("fmt=tif-alpha,rgb,ZIP").fmt.compression, Some(Compression::Zip));
        assert_eq!(
            ok("fmt=webp-alpha,,lossless").fmt.compression,
            Some(Compression::Lossless)
        );
        assert_eq!(ok("fmt=tif,gray,").fmt.compression, None);
        unsupported("fmt=tif,,jpeg", "fmt=tif,,jpeg");
        // Image Serving itself refuses JPEG compression in tif-alpha.
        invalid("fmt=tif-alpha,,jpeg", "fmt");
        invalid("fmt=png,,lzw", "fmt");
        invalid("fmt=jpeg,,none", "fmt");
        invalid("fmt=webp,,lzw", "fmt");
        invalid("fmt=tif,,lossy", "fmt");
        invalid("fmt=tif,,rle", "fmt");
    }

    #[test]
    fn qlt() {
        assert_eq!(
            ok("qlt=95,1").qlt,
            Some(Quality {
                quality: 95,
                full_chroma: true
            })
        );
        assert_eq!(
            ok("qlt=1").qlt,
            Some(Quality {
                quality: 1,
                full_chroma: false
            })
        );
        invalid("qlt=750", "qlt");
        invalid("qlt=0", "qlt");
        invalid("qlt=90,2x", "qlt");
        invalid("qlt=90,1,1", "qlt");
    }

    #[test]
    fn res_mode() {
        assert_eq!(ok("resMode=sharp").res_mode, Some(ResMode::Sharp2));
        for (word, mode) in RES_MODES {
            assert_eq!(ok(&format!("resMode={word}")).res_mode, Some(*mode));
        }
        invalid("resMode=lanczos", "resMode");
    }

    #[test]
    fn quantize() {
        assert_eq!(
            ok("fmt=gif-alpha&quantize=adaptive,off,2,000000,FFFFFF").quantize,
            Some(Quantize {
                palette: Palette::Adaptive,
                dither: false,
                colors: 2,
                forced: vec![[0, 0, 0], [255, 255, 255]],
            })
        );
        assert_eq!(
            ok("quantize=WEB").quantize,
            Some(Quantize {
                palette: Palette::Web,
                ..Quantize::default()
            })
        );
        assert_eq!(
            ok("quantize=mac,diffuse,16&fmt=gif").quantize.map(|q| q.colors),
            Some(16)
        );
        invalid("quantize=octree", "quantize");
        invalid("quantize=web,floyd", "quantize");
        invalid("quantize=adaptive,off,1", "quantize");
        invalid("quantize=adaptive,off,257", "quantize");
        invalid("quantize=adaptive,off,2,fff", "quantize");
        invalid("quantize=adaptive,off,2,0x0000", "quantize");
        invalid("quantize=adaptive,off,2,000000,111111,222222", "quantize");
    }

    #[test]
    fn quantize_mac_with_alpha_formats_conflicts_in_either_order() {
        conflict("quantize=mac&fmt=png8-alpha");
        conflict("fmt=gif-alpha&quantize=mac,off");
        // Overridden before the end: fine.
        assert!(ok("quantize=mac&fmt=gif-alpha&fmt=gif").quantize.is_some());
    }

    #[test]
    fn print_res() {
        assert_eq!(ok("printRes=300").print_res, Some(300));
        invalid("printRes=0", "printRes");
        invalid("printRes=65536", "printRes");
    }

    #[test]
    fn accepted_and_ignored_commands() {
        let m = ok(concat!(
            "req=IMG&id=anything,at%20all&cache=off&cache=on,validate&iccEmbed=false",
            "&pscan=4&pscan=AUTO&dpr=off&bfc=OFF&network=off"
        ));
        assert_eq!(m, Modifier::default());
        assert_eq!(ok("id=&wid=3").wid, Some(3));
    }

    #[test]
    fn refused_values_of_ignored_commands() {
        unsupported("req=mask", "req=mask");
        unsupported("req=props", "req=props");
        invalid("cache=sometimes", "cache");
        invalid("cache=on,off,on", "cache");
        unsupported("iccEmbed=1", "iccEmbed=1");
        unsupported("iccEmbed=true", "iccEmbed=true");
        invalid("iccEmbed=yes", "iccEmbed");
        invalid("pscan=6", "pscan");
        unsupported("dpr=on,2", "dpr=on,2");
        unsupported("bfc=on", "bfc=on");
        invalid("network=1", "network");
        invalid("dpr=2", "dpr");
    }

    // --- colours ---

    #[test]
    fn colour_forms() {
        let c = |v: &str| color("value", v).map(|(c, _)| c);
        assert_eq!(c("0,100,200"), Ok(rgba(0, 100, 200, 255)));
        assert_eq!(c("0,100,200,50r"), Ok(rgba(0, 100, 200, 50)));
        assert_eq!(c("a0b1c2d3R"), Ok(rgba(160, 177, 194, 211)));
        assert_eq!(c("0xffffff"), Ok(Rgba::WHITE));
        assert_eq!(c("FFFFFF"), Ok(Rgba::WHITE));
        assert_eq!(c("ffffffs"), Ok(Rgba::WHITE));
        // Gray: decimal percentages, or 0x hex.
        assert_eq!(c("50"), Ok(rgba(128, 128, 128, 255)));
        assert_eq!(c("50,75g"), Ok(rgba(128, 128, 128, 191)));
        assert_eq!(c("0xddeegs"), Ok(rgba(0xdd, 0xdd, 0xdd, 0xee)));
        assert_eq!(c("0X70G"), Ok(rgba(0x70, 0x70, 0x70, 255)));
        // CMYK: naive conversion.
        assert_eq!(c("0,0,0,0k"), Ok(Rgba::WHITE));
        assert_eq!(c("0,0,0,100k"), Ok(rgba(0, 0, 0, 255)));
        assert_eq!(c("100,0,50,0,50K"), Ok(rgba(0, 255, 128, 128)));
        assert_eq!(c("00000000k"), Ok(Rgba::WHITE));
        assert_eq!(c("0x000000ff80k"), Ok(rgba(0, 0, 0, 0x80)));
        for bad in [
            "",
            "s",
            "g",
            "ff",
            "0xff0",
            "0x",
            "0xgg",
            "fffff",
            "fffffffff",
            "101",
            "50,101g",
            "1,2,3,4,5",
            "256,0,0",
            "1,2,3g",
            "1,2k",
            "ffffffg",
            "ffffffk",
            "ffffffffffk0",
            "0xffffffffffr",
            "-1,0,0",
            "1.5,0,0",
            "1, 2,3",
            "red",
        ] {
            assert!(c(bad).is_err(), "{bad:?} should be refused");
        }
    }

    // --- robustness ---

    #[test]
    fn many_segments_parse_in_linear_time() {
        let input = vec!["wid=1"; 20_000].join("&");
        let start = std::time::Instant::now();
        assert_eq!(ok(&input).wid, Some(1));
        // Generous: catches quadratic behaviour, not a slow machine.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));

        let input = format!("$a=1&{}", vec!["id=$a$$b$$"; 20_000].join("&"));
        assert_eq!(ok(&input), Modifier::default());
        let input = format!("$a=1&id={}", "$".repeat(200_000));
        assert_eq!(ok(&input), Modifier::default());
    }

    #[test]
    fn errors_only_repeat_the_users_text() {
        let e = parse("wid=%3Cscript%3E").unwrap_err();
        assert_eq!(
            e.to_string(),
            "urlModifier command 'wid=<script>' is invalid: value: expected an integer from 1 to 2147483647"
        );
        let e = parse("Fmt=avif").unwrap_err();
        assert_eq!(
            e.to_string(),
            "urlModifier command 'Fmt=avif' is not supported by this emulator"
        );
    }

    /// A small deterministic generator (xorshift64*), so the test needs no
    /// crates and fails reproducibly.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        const PIECES: &[&str] = &[
            "&",
            "=",
            ",",
            "$",
            "%",
            "+",
            ".",
            "-",
            "0",
            "1",
            "9",
            "255",
            "100",
            "2147483648",
            "0x",
            "ff",
            "g",
            "k",
            "r",
            "s",
            "%2C",
            "%zz",
            "%C3",
            "%A9",
            "%00",
            " ",
            "\n",
            "wid",
            "hei",
            "fit",
            "crop",
            "cropN",
            "fmt",
            "tif",
            "jpeg",
            "png8-alpha",
            "quantize",
            "mac",
            "layer",
            "comp",
            "op_usm",
            "op_colorize",
            "norm",
            "bgc",
            "color",
            "opac",
            "rect",
            "$v",
            "$v$",
            "é",
            "１",
            "\u{0}",
            "extendN",
            "size",
            "flip",
            "lr",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        for _ in 0..4000 {
            let len = rng.below(24);
            let mut input = String::new();
            if rng.below(4) == 0 {
                // Raw bytes, made valid UTF-8 the way a caller would.
                let bytes: Vec<u8> = (0..len * 3).map(|_| rng.next() as u8).collect();
                input = String::from_utf8_lossy(&bytes).into_owned();
            } else {
                for _ in 0..len {
                    input.push_str(PIECES[rng.below(PIECES.len())]);
                }
            }
            let result = std::panic::catch_unwind(|| parse(&input));
            match result {
                Ok(Ok(_)) => accepted += 1,
                Ok(Err(_)) => {}
                Err(_) => panic!("parse panicked on {input:?}"),
            }
        }
        // The generator must reach the accepting paths too, or it tests little.
        assert!(accepted > 100, "only {accepted} inputs accepted");
    }
}
