//! Load shedding: a bound on the requests handled at once, and a bound on
//! each of their waits, so that under overload every request gets some
//! answer within seconds instead of queueing without bound.
//!
//! A request over the bound is answered "busy" at once, without its body
//! being read (so the connection closes after it). An admitted request
//! runs with a patience (`--max-wait-ms`) that ends any one of its waits
//! for the catalog, a CPU, render memory or a password check; past it, it
//! is answered "busy" and nothing it asked for was done. SOAP callers get
//! ipsApiFault 30000 with HTTP 503; REST callers their API's error body
//! with 503; everyone else a plain 503. Every 503
//! says `Retry-After`. Health and the emulator controls are neither
//! counted nor bounded: a probe must see an overloaded server as alive,
//! and a reset must finish once begun.

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use super::reply::{closing, header_str, plain, respond, Reply};
use super::routes::{self, API, SERVICE, UPLOAD};
use super::Server;
use crate::{deadline, soap};

/// Seconds a shed caller is told to wait before retrying: the queues it
/// met drain in about that long.
const RETRY_AFTER: &str = "1";

/// Routes `req` if the service has room for it, with its patience.
pub(super) async fn admit(server: &Server, req: Request<Incoming>) -> Reply {
    if req.uri().path().starts_with("/_emulator/") {
        return routes::route(server, req).await;
    }
    let Ok(_permit) = server.in_flight.clone().try_acquire_owned() else {
        // Debug, not warn: under overload this would flood the log.
        tracing::debug!(path = req.uri().path(), "too many requests in flight; answered busy");
        return retry_later(closing(shed(server, &req)));
    };
    let reply = deadline::scope(server.state.limits.max_wait, routes::route(server, req)).await;
    if reply.status() == StatusCode::SERVICE_UNAVAILABLE {
        return retry_later(reply);
    }
    reply
}

/// The "busy" answer for a request that was not read.
fn shed(server: &Server, req: &Request<Incoming>) -> Reply {
    let content_type = header_str(req.headers(), header::CONTENT_TYPE);
    if let Some(api) = server.rest.find(req.uri().path()) {
        return super::facades::to_reply(server.rest.busy(api));
    }
    let bare = match (req.method(), req.uri().path()) {
        (&Method::POST, SERVICE) => false,
        (&Method::POST, API | UPLOAD) => true,
        _ => return busy(),
    };
    let (status, mime, body) = soap::busy(content_type, bare);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    respond(status, mime, body.into())
}

/// A plain-text 503 for the routes that do not speak SOAP.
pub(super) fn busy() -> Reply {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is busy; try again later\n",
    )
}

fn retry_later(mut reply: Reply) -> Reply {
    reply
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
    reply
}
