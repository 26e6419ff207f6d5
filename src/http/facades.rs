//! The REST facades' endpoint: the body read within the limit `rest` sets
//! for its media type, handed to `rest` with the headers it needs (unless a
//! fault armed for the call answers instead), the reply sent as `rest` wrote
//! it, and the call journalled.

use std::time::{Instant, SystemTime};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Request, StatusCode};

use super::body::BodyError;
use super::endpoints::read_body_within;
use super::reply::{header_str, respond, Reply};
use super::Server;
use crate::faults::{Action, Call};
use crate::journal;
use crate::rest::{self, Api, BodyFailure};

/// Longest method and path the journal keeps, in bytes.
const MAX_JOURNALLED: usize = 256;

/// Answers a request to a REST API.
pub(super) async fn endpoint(server: &Server, api: Api, req: Request<Incoming>) -> Reply {
    let started = Instant::now();
    let arrived = SystemTime::now();
    let headers = req.headers();
    let content_type = header_str(headers, header::CONTENT_TYPE).map(str::to_owned);
    let authorization = header_str(headers, header::AUTHORIZATION).map(str::to_owned);
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let limit = rest::Apis::body_limit(content_type.as_deref(), server.state.limits.max_body_bytes);
    let body = read_body_within(server, req, limit).await.map_err(failure);
    // A body refused unread leaves the rest of it on the connection.
    let unread = body.is_err();
    let request = rest::Request {
        method,
        path,
        query,
        content_type,
        authorization,
        body,
    };
    let operation = journalled(&request.method, &request.path);
    let (reply, injected) = answer(server, api, request).await;
    tracing::info!(
        api = ?api,
        status = reply.status,
        injected,
        micros = started.elapsed().as_micros() as u64,
        "rest request"
    );
    if server.state.emulator_api {
        server.state.journal.record(journal::Entry {
            time: arrived,
            api: api.name(),
            operation: Some(operation),
            namespace: None,
            user: None,
            outcome: if reply.status < 400 {
                journal::Outcome::Ok
            } else {
                journal::Outcome::Error
            },
            status: reply.status,
            duration: started.elapsed(),
            injected,
        });
    }
    let mut out = to_reply(reply);
    if unread {
        out.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    out
}

/// The facade's reply; or, when a fault armed for `api` matches the call,
/// the API's error reply with its status, or the facade's reply after its
/// delay; with the fault's id.
async fn answer(server: &Server, api: Api, request: rest::Request) -> (rest::Response, Option<u64>) {
    let call = Call::Route {
        method: &request.method,
        path: &request.path,
    };
    let Some(taken) = server.state.faults.take(api.name(), &call) else {
        return (server.rest.handle(api, request).await, None);
    };
    let reply = match taken.action {
        Action::Status(status) => rest::Apis::error_reply(api, status, &taken.message),
        Action::Delay(delay) => {
            tokio::time::sleep(delay).await;
            server.rest.handle(api, request).await
        }
        // Refused when armed: a fault code is IPS's.
        Action::Fault(_) => server.rest.handle(api, request).await,
    };
    (reply, Some(taken.id))
}

/// `POST /images/1001/clone`, as the journal names a call: a path may be
/// as long as the client likes, and none of it is worth keeping.
fn journalled(method: &str, path: &str) -> String {
    let mut text = format!("{method} {path}");
    if text.len() > MAX_JOURNALLED {
        let mut end = MAX_JOURNALLED;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// A `rest::Response` as hyper sends it.
pub(super) fn to_reply(reply: rest::Response) -> Reply {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = respond(status, reply.content_type, Bytes::from(reply.body));
    for (name, value) in reply.headers {
        // `from_bytes` takes the names' usual capitals and lower-cases them.
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            out.headers_mut().append(name, value);
        }
    }
    out
}

fn failure(e: BodyError) -> BodyFailure {
    match e {
        BodyError::TooLarge => BodyFailure::TooLarge,
        BodyError::Timeout => BodyFailure::Timeout,
        BodyError::Broken => BodyFailure::Broken,
        BodyError::UnsupportedCoding => BodyFailure::UnsupportedCoding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journalled_calls_are_bounded() {
        assert_eq!(journalled("POST", "/images/1001/clone"), "POST /images/1001/clone");
        let long = journalled("GET", &format!("/images/{}", "9".repeat(10_000)));
        assert!(
            long.len() <= MAX_JOURNALLED + "…".len() && long.ends_with('…'),
            "{long}"
        );
        assert!(long.starts_with("GET /images/999"));
    }
}
