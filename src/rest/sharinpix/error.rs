//! The one place SharinPix's errors become replies. A refused token or
//! ability is 401 with an empty body, as SharinPix answers it (the reason
//! is logged, and the `WWW-Authenticate` challenge Rails sends names the
//! scheme); other errors carry `{"errors": [message]}`.

use serde::Serialize;

use super::Failure;
use crate::rest::{BodyFailure, Response};
use crate::sharinpix::Error;

#[derive(Serialize)]
struct Errors<'a> {
    errors: [&'a str; 1],
}

/// The reply for a failure.
pub(super) fn response(failure: &Failure) -> Response {
    let (status, message) = match failure {
        Failure::Api(Error::Unauthorized(why)) => {
            tracing::info!(%why, "SharinPix request refused");
            return unauthorized();
        }
        Failure::Api(e) => (api_status(e), e.to_string()),
        Failure::Body(b) => (body_status(*b), b.message().to_owned()),
        Failure::NoRoute => (404, "no such endpoint".to_owned()),
        Failure::Method(allow) => (405, format!("this endpoint takes {allow}")),
    };
    let mut out = reply(status, &message);
    if let Failure::Method(allow) = failure {
        out.headers.push(("Allow", (*allow).to_owned()));
    }
    out
}

/// The reply for an error status: 401 empty, others `{"errors":[message]}`.
pub(super) fn reply(status: u16, message: &str) -> Response {
    if status == 401 {
        return unauthorized();
    }
    let mut out = Response::json(status, &Errors { errors: [message] });
    out.content_type = super::JSON;
    out
}

/// 401, empty.
fn unauthorized() -> Response {
    Response {
        status: 401,
        content_type: "text/html",
        headers: vec![("WWW-Authenticate", r#"Token realm="Application""#.to_owned())],
        body: Vec::new(),
    }
}

fn api_status(e: &Error) -> u16 {
    match e {
        Error::Unauthorized(_) => 401,
        Error::BadRequest(_) => 400,
        Error::NotFound(_) => 404,
        Error::Unprocessable(_) => 422,
        Error::Busy => 503,
        Error::Internal(reason) => {
            // The reason may hold paths or SQL: logged, never sent.
            tracing::error!(%reason, "SharinPix request failed");
            500
        }
    }
}

fn body_status(b: BodyFailure) -> u16 {
    match b {
        BodyFailure::TooLarge => 413,
        BodyFailure::UnsupportedCoding => 415,
        BodyFailure::Timeout | BodyFailure::Broken => 400,
    }
}
