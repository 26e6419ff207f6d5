//! The rules IPS names follow: asset names and folder path segments.

use super::Error;

/// Longest asset name accepted, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// IPS names are file-name-like: non-empty, bounded, no path separators and
/// no control characters (which no IPS client could display or type).
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        "name must not be empty".to_owned()
    } else if name.len() > MAX_NAME_BYTES {
        format!(
            "name is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )
    } else if name.contains(['/', '\\']) {
        format!("name '{name}' must not contain '/' or '\\'")
    } else if name.chars().any(char::is_control) {
        "name must not contain control characters".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::InvalidParameter(reason))
}

/// Checks one folder path segment as asset names are checked, and refuses
/// `.` and `..` as well.
pub(crate) fn check_segment(name: &str) -> Result<(), Error> {
    if name == "." || name == ".." {
        return Err(Error::InvalidParameter(format!("name '{name}' is not allowed")));
    }
    check_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        for ok in [
            "Copy_macbookwin1",
            "with space",
            "ünïcödé",
            "x'); DROP TABLE assets;--",
            &"n".repeat(255),
        ] {
            assert!(check_name(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "a/b",
            "a\\b",
            "tab\there",
            "nul\0",
            &"n".repeat(256),
            &"€".repeat(86),
        ] {
            assert!(matches!(check_name(bad), Err(Error::InvalidParameter(_))), "{bad:?}");
        }
        assert!(check_segment("..").is_err() && check_segment("a b").is_ok());
    }
}
