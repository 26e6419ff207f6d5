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
//!
//! Here: [`Modifier`] and [`ModifierError`]. The values a `Modifier` holds
//! are in `types`, the command syntax and the per-command parsers in
//! `parser`, the scalar values commands take in `values`, the keyword tables
//! in `tables`, and colours in `colour`.

mod colour;
mod parser;
mod tables;
mod types;
mod values;

pub use parser::parse;
pub use types::{
    Adjust, Colorize, Compression, Crop, Extend, Fit, FitMode, Flip, Fmt, Format, Noise, Palette, PixelType, Quality,
    Quantize, ResMode, Rgba, Usm, ViewRect, DEFAULT_QUALITY,
};

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

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::testing::ok;
    use super::*;

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
