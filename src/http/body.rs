//! Reading a request body within limits, and content codings both ways.

use std::io::Read;

use bytes::Bytes;
use flate2::read::{GzDecoder, ZlibDecoder};
use flate2::write::GzEncoder;
use flate2::Compression;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// Why a body could not be used; each maps to an HTTP status.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BodyError {
    /// Larger than the limit, on the wire or decoded (413).
    TooLarge,
    /// Did not arrive in time (408).
    Timeout,
    /// Broken framing or a corrupt compressed stream (400).
    Broken,
    /// A content coding the service does not decode (415).
    UnsupportedCoding,
}

/// Reads the whole body, at most `limit` bytes, within `timeout`.
pub(super) async fn read(body: Incoming, limit: usize, timeout: std::time::Duration) -> Result<Bytes, BodyError> {
    let collected = tokio::time::timeout(timeout, Limited::new(body, limit).collect())
        .await
        .map_err(|_| BodyError::Timeout)?;
    match collected {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Broken),
    }
}

/// The supported `Content-Encoding` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Coding {
    Identity,
    Gzip,
    Deflate,
}

pub(super) fn coding(header: Option<&str>) -> Result<Coding, BodyError> {
    match header.map(|h| h.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "identity") => Ok(Coding::Identity),
        Some("gzip" | "x-gzip") => Ok(Coding::Gzip),
        Some("deflate") => Ok(Coding::Deflate),
        Some(_) => Err(BodyError::UnsupportedCoding),
    }
}

/// Decodes a compressed body, refusing output beyond `limit` (a small gzip
/// can inflate to gigabytes). Blocking for large inputs; callers move it off
/// the runtime.
pub(super) fn decode(coding: Coding, bytes: &[u8], limit: usize) -> Result<Vec<u8>, BodyError> {
    let reader: Box<dyn Read + '_> = match coding {
        Coding::Identity => return Ok(bytes.to_vec()),
        Coding::Gzip => Box::new(GzDecoder::new(bytes)),
        Coding::Deflate => Box::new(ZlibDecoder::new(bytes)),
    };
    let mut out = Vec::new();
    let read = reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| BodyError::Broken)?;
    if read > limit {
        return Err(BodyError::TooLarge);
    }
    Ok(out)
}

/// Whether an `Accept-Encoding` value allows gzip (`gzip` or `x-gzip` with a
/// non-zero q; `*` counts too).
pub(super) fn accepts_gzip(header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        h.split(',').any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            matches!(coding.as_str(), "gzip" | "x-gzip" | "*") && q > 0.0
        })
    })
}

/// gzips a response body.
pub(super) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = std::io::Write::write_all(&mut enc, bytes);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding() {
        for yes in [
            "gzip",
            "gzip, deflate",
            "deflate, gzip;q=0.5",
            "x-gzip",
            "*",
            "gzip;q=1.0,deflate;q=0.6,identity;q=0.3",
        ] {
            assert!(accepts_gzip(Some(yes)), "{yes}");
        }
        for no in ["", "none", "compress", "identity", "deflate", "gzip;q=0", "gzip; q=0.0"] {
            assert!(!accepts_gzip(Some(no)), "{no}");
        }
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn gzip_round_trip_and_bomb_cap() {
        let data = vec![b'a'; 10_000];
        let packed = gzip(&data);
        assert_eq!(decode(Coding::Gzip, &packed, 10_000).expect("fits"), data);
        assert_eq!(decode(Coding::Gzip, &packed, 9_999), Err(BodyError::TooLarge));
        assert_eq!(decode(Coding::Gzip, b"not gzip", 100), Err(BodyError::Broken));
        assert_eq!(coding(Some("br")), Err(BodyError::UnsupportedCoding));
        assert_eq!(coding(Some("GZIP")), Ok(Coding::Gzip));
    }
}
