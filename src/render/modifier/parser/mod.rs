//! The command syntax: splitting a `urlModifier` into commands, variables
//! and their substitution, %-decoding, the table from command names to their
//! parsers, and the checks that span commands.
//!
//! Each command's parser is a method of [`Parser`]; they live with their
//! group in the child modules, in Image Serving's order: `layer` (layer 0),
//! `composite`, `view`, `output`, and `ignored` (commands validated and
//! then ignored).

mod composite;
mod ignored;
mod layer;
mod output;
mod view;

use std::borrow::Cow;
use std::collections::HashMap;

use super::types::{Palette, Usm};
use super::values::hex_value;
use super::{Modifier, ModifierError};

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
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::modifier::testing::{invalid, ok, unsupported};
    use crate::render::modifier::{Crop, Format, Quality, ResMode};

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
}
