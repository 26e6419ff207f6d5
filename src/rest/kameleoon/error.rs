//! The one place Kameleoon's errors become replies: every error, whatever
//! its status, is an `ExternalResponseObject` with `status: "ERROR"`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Failure;
use crate::kameleoon::Error;
use crate::rest::{BodyFailure, Response};

/// Kameleoon's error body.
#[derive(Serialize)]
struct ExternalResponseObject<'a> {
    /// The HTTP status, as text.
    code: String,
    message: &'a str,
    /// The status's name, as Spring spells it (`NOT_FOUND`).
    name: &'static str,
    status: &'static str,
    /// Milliseconds since the epoch.
    time: u64,
    timestamp: String,
}

/// The reply for a failure.
pub(super) fn response(failure: &Failure) -> Response {
    let (status, name, message) = match failure {
        Failure::Api(e) => api_error(e),
        Failure::Body(b) => (400, "BAD_REQUEST", body_message(*b).to_owned()),
        Failure::NoRoute => (404, "NOT_FOUND", "no such endpoint".to_owned()),
        Failure::Method(allow) => (405, "METHOD_NOT_ALLOWED", format!("this endpoint takes {allow}")),
    };
    let now = SystemTime::now();
    let body = ExternalResponseObject {
        code: status.to_string(),
        message: &message,
        name,
        status: "ERROR",
        time: now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        timestamp: crate::clock::utc_millis(now),
    };
    let mut reply = Response::json(status, &body);
    if let Failure::Method(allow) = failure {
        reply.headers.push(("Allow", (*allow).to_owned()));
    }
    if status == 401 {
        reply.headers.push(("WWW-Authenticate", "Bearer".to_owned()));
    }
    reply
}

fn api_error(e: &Error) -> (u16, &'static str, String) {
    let (status, name) = match e {
        Error::BadRequest(_) => (400, "BAD_REQUEST"),
        Error::Unauthorized(_) => (401, "UNAUTHORIZED"),
        Error::Forbidden(_) => (403, "FORBIDDEN"),
        Error::NotFound(_) => (404, "NOT_FOUND"),
        Error::Unprocessable(_) => (422, "UNPROCESSABLE_ENTITY"),
        Error::TooManyRequests(_) => (429, "TOO_MANY_REQUESTS"),
        Error::Busy => (503, "SERVICE_UNAVAILABLE"),
        Error::Internal(reason) => {
            // The reason may hold paths or SQL: logged, never sent.
            tracing::error!(%reason, "Kameleoon request failed");
            (500, "INTERNAL_SERVER_ERROR")
        }
    };
    (status, name, e.to_string())
}

fn body_message(b: BodyFailure) -> &'static str {
    match b {
        BodyFailure::TooLarge => "the request body is too large",
        BodyFailure::Timeout => "the request body did not arrive in time",
        BodyFailure::Broken => "the request body is malformed",
        BodyFailure::UnsupportedCoding => "the request body's Content-Encoding is not supported",
    }
}
