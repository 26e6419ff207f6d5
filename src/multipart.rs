//! A small, strict `multipart/form-data` parser (RFC 7578 over RFC 2046),
//! for the upload servlet and the REST facades' uploads. It knows bytes
//! only (no hyper), so both `http` and `rest` may use it.
//!
//! The body has already been read whole under the request body limit, so the
//! parser works on one buffer and hands out parts as zero-copy slices of it.
//! It refuses anything it cannot read with certainty — a missing or
//! malformed boundary, a part that never ends, a header block beyond
//! [`MAX_HEADER_BYTES`], folded or unparseable headers, a part without a
//! `form-data` disposition and name, a body with no parts or with content
//! after the closing delimiter — rather than guess. A preamble before the
//! first delimiter and transport padding after a delimiter are allowed, as
//! RFC 2046 says. Lines end in CRLF, never a bare LF.

use bytes::Bytes;

/// Largest header block of one part, in bytes: a few short headers fit many
/// times over, and a hostile client cannot make the parser scan for ever.
pub(crate) const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Most parts one body may hold. Each file part is probed and stored on its
/// own, so this bounds a request's work beyond its byte size.
pub(crate) const MAX_PARTS: usize = 256;

/// Longest boundary RFC 2046 allows.
const MAX_BOUNDARY: usize = 70;

/// One part of a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    /// The `name` of its `Content-Disposition: form-data`.
    pub name: String,
    /// The `filename` parameter, when the part is a file.
    pub filename: Option<String>,
    /// Its content.
    pub data: Bytes,
}

/// Why a body is not acceptable `multipart/form-data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MultipartError {
    /// The Content-Type has no `boundary` parameter.
    #[error("the Content-Type has no boundary parameter")]
    NoBoundary,
    /// The boundary is empty, too long or has characters RFC 2046 forbids.
    #[error("the boundary parameter is not a valid RFC 2046 boundary")]
    BadBoundary,
    /// The body never reaches its first delimiter.
    #[error("the body does not contain the boundary delimiter")]
    NoDelimiter,
    /// A delimiter is followed by something other than a line end.
    #[error("a boundary delimiter is not followed by a line end")]
    BadDelimiter,
    /// A part, or the body, ends before its closing delimiter.
    #[error("a part is not terminated by a boundary delimiter")]
    Unterminated,
    /// A part's header block is larger than the parser accepts.
    #[error("a part's headers are larger than 8 KiB")]
    HeaderTooLarge,
    /// A header line is not `Name: value` in UTF-8, or is folded.
    #[error("a part has a malformed header line")]
    BadHeader,
    /// `Content-Disposition` or `Content-Transfer-Encoding` appears twice
    /// in one part.
    #[error("a part repeats a header")]
    DuplicateHeader,
    /// A part has no `Content-Disposition`.
    #[error("a part has no Content-Disposition header")]
    NoDisposition,
    /// The disposition is not `form-data`, or its parameters are malformed.
    #[error("a part's Content-Disposition is not form-data with well-formed parameters")]
    BadDisposition,
    /// The disposition has no `name`.
    #[error("a part's Content-Disposition has no name")]
    NoName,
    /// A `Content-Transfer-Encoding` other than the identity ones.
    #[error("a part uses a Content-Transfer-Encoding other than 7bit, 8bit or binary")]
    UnsupportedTransferEncoding,
    /// More parts than [`MAX_PARTS`].
    #[error("the body has more than 256 parts")]
    TooManyParts,
    /// The closing delimiter comes before any part.
    #[error("the body has no parts")]
    NoParts,
    /// Something other than white space follows the closing delimiter.
    #[error("content follows the closing boundary delimiter")]
    TrailingContent,
}

/// The boundary of a `multipart/form-data` Content-Type value (its media
/// type is the caller's to check), unquoted and validated.
pub(crate) fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let mut found = None;
    let tail = content_type.find(';').map_or("", |i| &content_type[i..]);
    for (name, value) in params(tail).map_err(|_| MultipartError::BadBoundary)? {
        if name.eq_ignore_ascii_case("boundary") {
            if found.is_some() {
                return Err(MultipartError::BadBoundary);
            }
            found = Some(value);
        }
    }
    let b = found.ok_or(MultipartError::NoBoundary)?;
    // RFC 2046 bchars: digits, letters and '()+_,-./:=? and inner spaces.
    // Excluding CR (and LF) is also what makes the delimiter search linear.
    let bchar = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if b.is_empty() || b.len() > MAX_BOUNDARY || !b.chars().all(bchar) || b.ends_with(' ') {
        return Err(MultipartError::BadBoundary);
    }
    Ok(b)
}

/// Parses a whole body with the given boundary.
pub(crate) fn parse(body: &Bytes, boundary: &str) -> Result<Vec<Part>, MultipartError> {
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n{dash}");
    // The first delimiter opens the body, or ends a preamble.
    let mut pos = if body.starts_with(dash.as_bytes()) {
        0
    } else {
        find(body, delimiter.as_bytes(), 0).ok_or(MultipartError::NoDelimiter)? + 2
    };
    let mut parts = Vec::new();
    loop {
        pos += dash.len();
        if body[pos..].starts_with(b"--") {
            if parts.is_empty() {
                return Err(MultipartError::NoParts);
            }
            // RFC 2046 lets an epilogue follow; a real one is unheard of from
            // form clients, while parts after a premature closing delimiter
            // (a hand-made body) would otherwise vanish without a word.
            let rest = &body[pos + 2..];
            if !rest.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                return Err(MultipartError::TrailingContent);
            }
            return Ok(parts);
        }
        while matches!(body.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(if pos >= body.len() {
                MultipartError::Unterminated
            } else {
                MultipartError::BadDelimiter
            });
        }
        pos += 2;
        if parts.len() == MAX_PARTS {
            return Err(MultipartError::TooManyParts);
        }
        let (headers, data_start) = header_block(body, pos)?;
        let headers = Headers::parse(headers)?;
        let data_end = find(body, delimiter.as_bytes(), data_start).ok_or(MultipartError::Unterminated)?;
        parts.push(Part {
            name: headers.name,
            filename: headers.filename,
            data: body.slice(data_start..data_end),
        });
        pos = data_end + 2;
    }
}

/// The header block starting at `start` (without its final CRLF CRLF), and
/// where the part's content begins.
fn header_block(body: &[u8], start: usize) -> Result<(&[u8], usize), MultipartError> {
    // No headers at all: the blank line follows the delimiter line at once.
    if body[start..].starts_with(b"\r\n") {
        return Ok((&[], start + 2));
    }
    let window_end = body.len().min(start + MAX_HEADER_BYTES + 4);
    match find(&body[..window_end], b"\r\n\r\n", start) {
        Some(end) => Ok((&body[start..end], end + 4)),
        None if window_end < body.len() => Err(MultipartError::HeaderTooLarge),
        None => Err(MultipartError::Unterminated),
    }
}

/// The headers of one part that matter here.
struct Headers {
    name: String,
    filename: Option<String>,
}

impl Headers {
    fn parse(block: &[u8]) -> Result<Headers, MultipartError> {
        let text = std::str::from_utf8(block).map_err(|_| MultipartError::BadHeader)?;
        // A part's Content-Type does not matter here: the servlet reads the
        // XML parts as XML and sniffs each file's format from its bytes.
        let mut disposition = None;
        let mut transfer_encoding = None;
        // An empty block has no lines (`split` would yield one empty line).
        for line in text.split("\r\n").filter(|_| !text.is_empty()) {
            // Obsolete line folding (RFC 7230 §3.2.4) is refused, not joined.
            if line.starts_with([' ', '\t']) || line.contains(['\r', '\n']) {
                return Err(MultipartError::BadHeader);
            }
            let (name, value) = line.split_once(':').ok_or(MultipartError::BadHeader)?;
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(MultipartError::BadHeader);
            }
            let value = value.trim_matches([' ', '\t']);
            let slot = match name.to_ascii_lowercase().as_str() {
                "content-disposition" => &mut disposition,
                "content-transfer-encoding" => &mut transfer_encoding,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(MultipartError::DuplicateHeader);
            }
        }
        // RFC 7578 deprecates the header; Java's HttpClient still sends
        // `8bit` and `binary`, which mean "as is".
        if let Some(cte) = transfer_encoding {
            if !["7bit", "8bit", "binary"].iter().any(|t| cte.eq_ignore_ascii_case(t)) {
                return Err(MultipartError::UnsupportedTransferEncoding);
            }
        }
        let disposition = disposition.ok_or(MultipartError::NoDisposition)?;
        let (kind, rest) = disposition.split_at(disposition.find(';').unwrap_or(disposition.len()));
        if !kind.trim_matches([' ', '\t']).eq_ignore_ascii_case("form-data") {
            return Err(MultipartError::BadDisposition);
        }
        let mut name = None;
        let mut filename = None;
        for (key, value) in params(rest).map_err(|_| MultipartError::BadDisposition)? {
            let slot = if key.eq_ignore_ascii_case("name") {
                &mut name
            } else if key.eq_ignore_ascii_case("filename") {
                &mut filename
            } else {
                continue;
            };
            if slot.replace(value).is_some() {
                return Err(MultipartError::BadDisposition);
            }
        }
        Ok(Headers {
            name: name.ok_or(MultipartError::NoName)?,
            filename,
        })
    }
}

/// `; key=value` parameters, values as tokens or quoted strings; `rest`
/// starts at the first `;` (or is empty). Empty parameters (`;;`, a
/// trailing `;`) are tolerated.
///
/// A quoted value ends at the next `"`: form clients escape a quote in a
/// name as `%22` (WHATWG's form encoding) and send backslashes literally
/// (Windows paths in file names), so a backslash is not an escape here.
fn params(mut rest: &str) -> Result<Vec<(String, String)>, MultipartError> {
    const OWS: [char; 2] = [' ', '\t'];
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(OWS);
        if rest.is_empty() {
            return Ok(out);
        }
        rest = rest
            .strip_prefix(';')
            .ok_or(MultipartError::BadDisposition)?
            .trim_start_matches(OWS);
        if rest.is_empty() || rest.starts_with(';') {
            continue;
        }
        let (key, after) = rest.split_once('=').ok_or(MultipartError::BadDisposition)?;
        let key = key.trim_end_matches(OWS);
        if key.is_empty() || !key.bytes().all(is_token_byte) {
            return Err(MultipartError::BadDisposition);
        }
        let after = after.trim_start_matches(OWS);
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').ok_or(MultipartError::BadDisposition)?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find([';', ' ', '\t']).unwrap_or(after.len());
            if end == 0 || !after[..end].bytes().all(is_token_byte) {
                return Err(MultipartError::BadDisposition);
            }
            after.split_at(end)
        };
        out.push((key.to_owned(), value.to_owned()));
        rest = tail;
    }
}

/// RFC 7230 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The first occurrence of `needle` (not empty) in `hay` at or after `from`.
///
/// Linear for the delimiter: it begins with the only CR it contains
/// (boundaries cannot contain CR), so after a partial match of k bytes no
/// match can start before the k-th byte, and the scan resumes there instead
/// of one byte on. A naive scan would let a body full of near-delimiters
/// cost length × boundary length. Needles that repeat their first byte (the
/// blank line ending a header block, searched within 8 KiB) move one byte on.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let may_skip = !rest.contains(&first);
    let mut i = from;
    while i + needle.len() <= hay.len() {
        i += hay[i..].iter().position(|&b| b == first)?;
        if i + needle.len() > hay.len() {
            return None;
        }
        let matched = hay[i..i + needle.len()]
            .iter()
            .zip(needle)
            .take_while(|(a, b)| a == b)
            .count();
        if matched == needle.len() {
            return Some(i);
        }
        i += if may_skip { matched.max(1) } else { 1 };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "O9-ba7tieRtqA4QRSaVk-eDq6658SPrYfvUcJ";

    fn body(parts: &[(&str, &str)]) -> Bytes {
        let mut out = String::new();
        for (headers, content) in parts {
            out.push_str(&format!("--{B}\r\n{headers}\r\n\r\n{content}\r\n"));
        }
        out.push_str(&format!("--{B}--\r\n"));
        Bytes::from(out)
    }

    fn parse_str(s: &str) -> Result<Vec<Part>, MultipartError> {
        parse(&Bytes::from(s.to_owned()), B)
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={B}")).as_deref(),
            Ok(B)
        );
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; boundary=\"a b:c\"").as_deref(),
            Ok("a b:c")
        );
        assert_eq!(boundary("multipart/form-data; BOUNDARY=x").as_deref(), Ok("x"));
        assert_eq!(boundary("multipart/form-data"), Err(MultipartError::NoBoundary));
        assert_eq!(
            boundary("multipart/form-data; charset=x"),
            Err(MultipartError::NoBoundary)
        );
        for bad in [
            "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary=\"a\rb\"",
            "multipart/form-data; boundary=\"trailing \"",
            "multipart/form-data; boundary=a; boundary=b",
        ] {
            assert_eq!(boundary(bad), Err(MultipartError::BadBoundary), "{bad:?}");
        }
        let long = format!("multipart/form-data; boundary={}", "x".repeat(71));
        assert_eq!(boundary(&long), Err(MultipartError::BadBoundary));
        assert!(boundary("multipart/form-data; boundary=\"unclosed").is_err());
    }

    #[test]
    fn the_documented_request_shape() {
        let parts = parse(
            &body(&[
                (
                    "Content-Disposition: form-data; name=\"auth\"\r\nContent-Type: text/plain; charset=US-ASCII\r\nContent-Transfer-Encoding: 8bit",
                    "<authHeader/>",
                ),
                (
                    "Content-Disposition: form-data; name=\"file1\"; filename=\"ApiTestCo1/x//1-1.jpg\"\r\nContent-Type: application/octet-stream; charset=ISO-8859-1\r\nContent-Transfer-Encoding: binary",
                    "\r\n--not-the-boundary\r\n\0\u{ff}",
                ),
            ]),
            B,
        )
        .expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].filename.as_deref(), &parts[0].data[..]),
            ("auth", None, &b"<authHeader/>"[..])
        );
        assert_eq!(parts[1].filename.as_deref(), Some("ApiTestCo1/x//1-1.jpg"));
        assert_eq!(&parts[1].data[..], "\r\n--not-the-boundary\r\n\0\u{ff}".as_bytes());
    }

    #[test]
    fn preamble_padding_and_empty_content() {
        let text = format!(
            "preamble\r\n--{B}  \t\r\ncontent-disposition: FORM-DATA;name=a;filename=\"C:\\x\\y.jpg\";\r\n\r\n\r\n--{B}-- \r\n\r\n"
        );
        let parts = parse_str(&text).expect("parses");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].filename.as_deref(), Some("C:\\x\\y.jpg"));
        assert!(parts[0].data.is_empty());
    }

    #[test]
    fn hostile_inputs_are_refused() {
        use MultipartError::*;
        let cd = "Content-Disposition: form-data; name=\"a\"";
        let cases: Vec<(String, MultipartError)> = vec![
            (String::new(), NoDelimiter),
            ("no delimiter at all".into(), NoDelimiter),
            (format!("--{B}--\r\n"), NoParts),
            (format!("--{B}--"), NoParts),
            (format!("--{B}"), Unterminated),
            (format!("--{B}\r\n{cd}\r\n\r\nnever ends"), Unterminated),
            (format!("--{B}\r\n{cd}\r\n\r\nends without close\r\n--{B}"), Unterminated),
            (format!("--{B}\r\n{cd}"), Unterminated),
            (format!("--{B}x\r\n{cd}\r\n\r\n\r\n--{B}--"), BadDelimiter),
            (format!("--{B}\n{cd}\n\nbare LF\n--{B}--"), BadDelimiter),
            (
                format!("--{B}\r\n{cd}\r\nX: {}\r\n\r\n\r\n--{B}--", "h".repeat(MAX_HEADER_BYTES)),
                HeaderTooLarge,
            ),
            (format!("--{B}\r\n{cd}\r\n folded\r\n\r\n\r\n--{B}--"), BadHeader),
            (format!("--{B}\r\n{cd}\r\nno colon\r\n\r\n\r\n--{B}--"), BadHeader),
            (format!("--{B}\r\n{cd}\r\n{cd}\r\n\r\n\r\n--{B}--"), DuplicateHeader),
            (format!("--{B}\r\n{cd}\r\nContent-Transfer-Encoding: 8bit\r\ncontent-transfer-encoding: binary\r\n\r\n\r\n--{B}--"), DuplicateHeader),
            (format!("--{B}\r\nContent-Type: text/plain\r\n\r\n\r\n--{B}--"), NoDisposition),
            (format!("--{B}\r\n\r\nno headers\r\n--{B}--"), NoDisposition),
            (format!("--{B}\r\nContent-Disposition: attachment; name=a\r\n\r\n\r\n--{B}--"), BadDisposition),
            (format!("--{B}\r\nContent-Disposition: form-data; name=\"a\r\n\r\n\r\n--{B}--"), BadDisposition),
            (format!("--{B}\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n\r\n--{B}--"), BadDisposition),
            (format!("--{B}\r\nContent-Disposition: form-data; name=\"a\" junk\r\n\r\n\r\n--{B}--"), BadDisposition),
            (format!("--{B}\r\nContent-Disposition: form-data; filename=x\r\n\r\n\r\n--{B}--"), NoName),
            (format!("--{B}\r\n{cd}\r\nContent-Transfer-Encoding: base64\r\n\r\n\r\n--{B}--"), UnsupportedTransferEncoding),
            (format!("--{B}\r\n{cd}\r\n\r\nx\r\n--{B}--\r\n--{B}\r\n{cd}\r\n\r\nlost\r\n--{B}--"), TrailingContent),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_str(&text), Err(expected), "{text:?}");
        }
        let bad_utf8 = [
            format!("--{B}\r\n{cd}\r\nX: ").into_bytes(),
            vec![0xC0, 0xAF],
            format!("\r\n\r\n\r\n--{B}--").into_bytes(),
        ]
        .concat();
        assert_eq!(parse(&Bytes::from(bad_utf8), B), Err(BadHeader));
    }

    #[test]
    fn part_count_is_bounded() {
        let part = ("Content-Disposition: form-data; name=\"f\"", "x");
        assert_eq!(
            parse(&body(&vec![part; MAX_PARTS]), B).expect("at the limit").len(),
            MAX_PARTS
        );
        assert_eq!(
            parse(&body(&vec![part; MAX_PARTS + 1]), B),
            Err(MultipartError::TooManyParts)
        );
    }

    #[test]
    fn delimiter_search_is_exact_and_linear() {
        assert_eq!(find(b"ab\r\n--x", b"\r\n--x", 0), Some(2));
        assert_eq!(find(b"\r\r\n--x", b"\r\n--x", 0), Some(1));
        assert_eq!(find(b"\r\n--\r\n--x", b"\r\n--x", 0), Some(4));
        assert_eq!(find(b"\r\n--y", b"\r\n--x", 0), None);
        assert_eq!(find(b"\r\n--x", b"\r\n--x", 1), None);
        assert_eq!(find(b"\r\n\r\r\n\r\n", b"\r\n\r\n", 0), Some(3));
        // Near-delimiters everywhere: finishes at once rather than in
        // length × boundary-length steps.
        let near = format!("\r\n--{}", &B[..B.len() - 1]).repeat(100_000);
        let hay = format!("{near}\r\n--{B}");
        assert_eq!(
            find(hay.as_bytes(), format!("\r\n--{B}").as_bytes(), 0),
            Some(near.len())
        );
    }
}
