//! The scalar values commands take, read strictly: integers, reals,
//! booleans, keywords and hex digits, with the bounds every value keeps.

/// The largest magnitude any integer value may have. Image Serving documents
/// values above 2^31 as parse errors; one less keeps every value in an `i32`.
pub(super) const MAX_INT: i64 = 2_147_483_647;

/// [`MAX_INT`] for unsigned sizes.
pub(super) const MAX_DIM: u32 = 2_147_483_647;

/// Upper bound for scale factors (`scl`, `scale`, the `rect` scale): far
/// beyond any real use, low enough that sizes computed from it stay finite.
pub(super) const MAX_SCALE: f64 = 1e6;

pub(super) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A strict integer: an optional `-`, then ASCII digits only (no `+`,
/// spaces, hex or exponent), within `min..=max` and never beyond ±2^31−1.
pub(super) fn int(label: &str, s: &str, min: i64, max: i64) -> Result<i64, String> {
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

pub(super) fn uint(label: &str, s: &str, min: u32, max: u32) -> Result<u32, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    u32::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

pub(super) fn int32(label: &str, s: &str, min: i32, max: i32) -> Result<i32, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    i32::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

pub(super) fn byte(label: &str, s: &str, min: u8, max: u8) -> Result<u8, String> {
    let v = int(label, s, i64::from(min), i64::from(max))?;
    u8::try_from(v).map_err(|_| format!("{label}: expected an integer from {min} to {max}"))
}

/// A strict real: `-?digits`, `-?digits.digits`, `-?.digits` or `-?digits.`
/// (the last accepted because a trailing point is still unambiguous). No
/// exponent, `inf`, `nan` or `+`; the result is finite, and `-0` is 0.
pub(super) fn real(label: &str, s: &str) -> Result<f64, String> {
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

pub(super) fn real_in(label: &str, s: &str, min: f64, max: f64) -> Result<f64, String> {
    let v = real(label, s)?;
    if v < min || v > max {
        return Err(format!("{label}: expected a number from {min} to {max}"));
    }
    Ok(v)
}

/// A real in (0, max].
pub(super) fn positive(label: &str, s: &str, max: f64) -> Result<f64, String> {
    let v = real(label, s)?;
    if v <= 0.0 || v > max {
        return Err(format!("{label}: expected a number greater than 0 and at most {max}"));
    }
    Ok(v)
}

/// `0`/`1`/`true`/`false`/`on`/`off` (any case), or any other non-negative
/// integer (non-zero = true), as Image Serving's own examples use `true`.
pub(super) fn boolean(label: &str, s: &str) -> Result<bool, String> {
    const WORDS: &[(&str, bool)] = &[("true", true), ("false", false), ("on", true), ("off", false)];
    if let Ok(v) = keyword(label, s, WORDS) {
        return Ok(v);
    }
    int(label, s, 0, MAX_INT)
        .map(|n| n != 0)
        .map_err(|_| format!("{label}: expected 0, 1, true, false, on or off"))
}

/// A case-insensitive keyword from `table`.
pub(super) fn keyword<T: Copy>(label: &str, s: &str, table: &[(&str, T)]) -> Result<T, String> {
    table
        .iter()
        .find(|(k, _)| s.eq_ignore_ascii_case(k))
        .map(|&(_, v)| v)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|&(k, _)| k).collect();
            format!("{label}: expected one of {}", names.join("|"))
        })
}

#[cfg(test)]
mod tests {
    use crate::render::modifier::testing::{invalid, ok};

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
}
