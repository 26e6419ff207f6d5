//! Building replies: the plain-text, XML and JSON answers every route
//! sends, and the statuses for bodies that could not be read.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use super::body::BodyError;

/// What every route answers.
pub(super) type Reply = Response<Full<Bytes>>;

/// A reply with a body and its type.
pub(super) fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Reply {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A plain-text reply.
pub(super) fn plain(status: StatusCode, text: &'static str) -> Reply {
    respond(status, "text/plain; charset=utf-8", Bytes::from_static(text.as_bytes()))
}

/// A plain-text reply made at run time.
pub(super) fn plain_owned(status: StatusCode, text: String) -> Reply {
    respond(status, "text/plain; charset=utf-8", Bytes::from(text))
}

/// Replies sent without reading the whole body end the connection.
pub(super) fn closing(mut reply: Reply) -> Reply {
    reply
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    reply
}

/// 405, naming the methods the path takes.
pub(super) fn method_not_allowed(allow: &'static str) -> Reply {
    let mut r = closing(plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n"));
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

/// The status for a body that could not be read.
pub(super) fn body_error(e: BodyError) -> Reply {
    let (status, text) = match e {
        BodyError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n"),
        BodyError::Timeout => (StatusCode::REQUEST_TIMEOUT, "request body not received in time\n"),
        BodyError::Broken => (StatusCode::BAD_REQUEST, "malformed request body\n"),
        BodyError::UnsupportedCoding => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported Content-Encoding\n"),
    };
    closing(plain(status, text))
}

/// A header's value, if it is text.
pub(super) fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
