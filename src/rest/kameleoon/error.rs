//! The one place Kameleoon's errors become replies: every error, whatever
//! its status (an injected one too), is an `ExternalResponseObject` with
//! `status: "ERROR"`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::Failure;
use crate::kameleoon::Error;
use crate::rest::Response;

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
    let (status, message) = match failure {
        Failure::Api(e) => (api_status(e), e.to_string()),
        Failure::Body(b) => (400, b.message().to_owned()),
        Failure::NoRoute => (404, "no such endpoint".to_owned()),
        Failure::Method(allow) => (405, format!("this endpoint takes {allow}")),
    };
    let mut reply = reply(status, &message);
    if let Failure::Method(allow) = failure {
        reply.headers.push(("Allow", (*allow).to_owned()));
    }
    reply
}

/// The `ExternalResponseObject` reply with this status and message (and a
/// Bearer challenge with a 401).
pub(super) fn reply(status: u16, message: &str) -> Response {
    let now = SystemTime::now();
    let body = ExternalResponseObject {
        code: status.to_string(),
        message,
        name: name(status),
        status: "ERROR",
        time: now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        timestamp: crate::clock::utc_millis(now),
    };
    let mut reply = Response::json(status, &body);
    if status == 401 {
        reply.headers.push(("WWW-Authenticate", "Bearer".to_owned()));
    }
    reply
}

fn api_status(e: &Error) -> u16 {
    match e {
        Error::BadRequest(_) => 400,
        Error::Unauthorized(_) => 401,
        Error::Forbidden(_) => 403,
        Error::NotFound(_) => 404,
        Error::Unprocessable(_) => 422,
        Error::TooManyRequests(_) => 429,
        Error::Busy => 503,
        Error::Internal(reason) => {
            // The reason may hold paths or SQL: logged, never sent.
            tracing::error!(%reason, "Kameleoon request failed");
            500
        }
    }
}

/// An error status's name as Spring's `HttpStatus` spells it; `ERROR` for
/// a status it has no name for (only an injected fault can have one).
fn name(status: u16) -> &'static str {
    match status {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        402 => "PAYMENT_REQUIRED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        406 => "NOT_ACCEPTABLE",
        407 => "PROXY_AUTHENTICATION_REQUIRED",
        408 => "REQUEST_TIMEOUT",
        409 => "CONFLICT",
        410 => "GONE",
        411 => "LENGTH_REQUIRED",
        412 => "PRECONDITION_FAILED",
        413 => "PAYLOAD_TOO_LARGE",
        414 => "URI_TOO_LONG",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        416 => "REQUESTED_RANGE_NOT_SATISFIABLE",
        417 => "EXPECTATION_FAILED",
        418 => "I_AM_A_TEAPOT",
        422 => "UNPROCESSABLE_ENTITY",
        423 => "LOCKED",
        424 => "FAILED_DEPENDENCY",
        425 => "TOO_EARLY",
        426 => "UPGRADE_REQUIRED",
        428 => "PRECONDITION_REQUIRED",
        429 => "TOO_MANY_REQUESTS",
        431 => "REQUEST_HEADER_FIELDS_TOO_LARGE",
        451 => "UNAVAILABLE_FOR_LEGAL_REASONS",
        500 => "INTERNAL_SERVER_ERROR",
        501 => "NOT_IMPLEMENTED",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        504 => "GATEWAY_TIMEOUT",
        505 => "HTTP_VERSION_NOT_SUPPORTED",
        506 => "VARIANT_ALSO_NEGOTIATES",
        507 => "INSUFFICIENT_STORAGE",
        508 => "LOOP_DETECTED",
        509 => "BANDWIDTH_LIMIT_EXCEEDED",
        510 => "NOT_EXTENDED",
        511 => "NETWORK_AUTHENTICATION_REQUIRED",
        _ => "ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(reply: &Response) -> serde_json::Value {
        serde_json::from_slice(&reply.body).expect("json")
    }

    #[test]
    fn any_error_status_gets_the_one_body() {
        for (status, name) in [
            (423, "LOCKED"),
            (429, "TOO_MANY_REQUESTS"),
            (500, "INTERNAL_SERVER_ERROR"),
            (599, "ERROR"),
        ] {
            let reply = reply(status, "armed");
            let b = body(&reply);
            assert_eq!(reply.status, status);
            assert_eq!(
                (&b["code"], &b["message"], &b["name"], &b["status"]),
                (
                    &status.to_string().into(),
                    &"armed".into(),
                    &name.into(),
                    &"ERROR".into()
                )
            );
        }
        assert_eq!(reply(401, "x").headers, [("WWW-Authenticate", "Bearer".to_owned())]);
        let method = response(&Failure::Method("POST"));
        assert_eq!(
            (method.status, body(&method)["name"].as_str()),
            (405, Some("METHOD_NOT_ALLOWED"))
        );
        assert_eq!(method.headers, [("Allow", "POST".to_owned())]);
    }
}
