//! What the parser's tests share: parsing that must succeed, and
//! assertions on each kind of refusal.

use super::{parse, Modifier, ModifierError, Rgba};

pub(super) fn ok(input: &str) -> Modifier {
    match parse(input) {
        Ok(m) => m,
        Err(e) => panic!("{input:?} should parse, got {e:?}"),
    }
}

/// Asserts `Invalid` naming `command`; returns the reason.
pub(super) fn invalid(input: &str, command: &str) -> String {
    match parse(input) {
        Err(ModifierError::Invalid { command: c, reason, .. }) => {
            assert_eq!(c, command, "{input:?}");
            reason
        }
        other => panic!("{input:?} should be Invalid, got {other:?}"),
    }
}

pub(super) fn unsupported(input: &str, command: &str) {
    assert_eq!(
        parse(input),
        Err(ModifierError::Unsupported {
            command: command.to_string()
        }),
        "{input:?}"
    );
}

pub(super) fn conflict(input: &str) -> String {
    match parse(input) {
        Err(ModifierError::Conflict(message)) => message,
        other => panic!("{input:?} should be a Conflict, got {other:?}"),
    }
}

pub(super) fn rgba(r: u8, g: u8, b: u8, a: u8) -> Rgba {
    Rgba { r, g, b, a }
}
