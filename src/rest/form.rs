//! Reading what REST requests carry besides JSON: percent-encoding,
//! `application/x-www-form-urlencoded` bodies and query strings, media
//! types, and `multipart/form-data` bodies split into their parts.

use bytes::Bytes;

use crate::{cpu, multipart};

/// Multipart bodies up to this size are split on the runtime; larger ones
/// (megabytes of image) off it.
const INLINE_PARSE_BYTES: usize = 64 * 1024;

/// Why a body could not be split into parts.
#[derive(Debug)]
pub(crate) enum PartsFailure {
    /// It is not `multipart/form-data`.
    NotMultipart,
    /// Its boundary or framing is broken (why, for the error body).
    Malformed(String),
    /// The work could not run.
    Interrupted(cpu::Interrupted),
}

/// The parts of a `multipart/form-data` body, in order.
pub(crate) async fn multipart_parts(
    content_type: Option<&str>,
    body: Bytes,
) -> Result<Vec<multipart::Part>, PartsFailure> {
    let content_type = content_type
        .filter(|t| media_type_is(Some(t), "multipart/form-data"))
        .ok_or(PartsFailure::NotMultipart)?;
    let malformed = |e: multipart::MultipartError| PartsFailure::Malformed(e.to_string());
    let boundary = multipart::boundary(content_type).map_err(malformed)?;
    let parsed = if body.len() <= INLINE_PARSE_BYTES {
        multipart::parse(&body, &boundary)
    } else {
        cpu::offload(move || multipart::parse(&body, &boundary))
            .await
            .map_err(PartsFailure::Interrupted)?
    };
    parsed.map_err(malformed)
}

/// Decodes `%xx` escapes and `+` (a space, in forms and query strings);
/// bytes that do not make UTF-8 are replaced.
pub fn percent_decode(s: &str) -> String {
    decode(s, true)
}

/// Decodes `%xx` escapes in a URL path, where `+` is itself.
pub fn path_decode(s: &str) -> String {
    decode(s, false)
}

fn decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `name=value` pairs of a form body or query string, decoded, in
/// order; a pair without `=` has an empty value.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Whether a `Content-Type` value is `expected` (parameters and case
/// ignored).
pub fn media_type_is(content_type: Option<&str>, expected: &str) -> bool {
    content_type
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        assert_eq!(
            pairs("grant_type=client_credentials&client_id=a%2Bb&client_secret=x+y&flag"),
            [
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("client_id".to_owned(), "a+b".to_owned()),
                ("client_secret".to_owned(), "x y".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(
            (path_decode("a+b%20c"), percent_decode("a+b%20c")),
            ("a+b c".to_owned(), "a b c".to_owned())
        );
        assert!(media_type_is(
            Some("Application/JSON; charset=utf-8"),
            "application/json"
        ));
        assert!(!media_type_is(Some("text/plain"), "application/json") && !media_type_is(None, "x"));
    }
}
