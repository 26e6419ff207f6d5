//! The emulator's own controls, under `/_emulator/` and so outside anything
//! IPS serves: `POST /_emulator/reset` puts the seed back, `GET` and
//! `DELETE /_emulator/requests` read and clear the request journal, `POST
//! /_emulator/jobs/drain` waits until no job is active, and
//! `/_emulator/faults` arms faults (in `faults`). All answer 404 when the
//! service runs with `--no-emulator-api`;
//! `/_emulator/health` (in `routes`) is always there.

use std::time::Instant;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use super::body;
use super::reply::{body_error, method_not_allowed, plain, respond, Reply};
use super::{faults, Server};

/// Restores the seed.
pub(super) const RESET: &str = "/_emulator/reset";
/// The request journal.
pub(super) const REQUESTS: &str = "/_emulator/requests";
/// Waits until no job is active.
pub(super) const DRAIN: &str = "/_emulator/jobs/drain";

pub(super) async fn route(server: &Server, req: Request<Incoming>) -> Reply {
    if !server.state.emulator_api {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    }
    let method = req.method().clone();
    match (req.uri().path(), method) {
        (RESET, Method::POST) => reset(server, req).await,
        (RESET, _) => method_not_allowed("POST"),
        (REQUESTS, Method::GET | Method::HEAD) => json(StatusCode::OK, server.state.journal.to_json()),
        (REQUESTS, Method::DELETE) => {
            let cleared = server.state.journal.clear();
            json(StatusCode::OK, format!("{{\"cleared\":{cleared}}}"))
        }
        (REQUESTS, _) => method_not_allowed("GET, HEAD, DELETE"),
        (DRAIN, Method::POST) => drain(server).await,
        (DRAIN, _) => method_not_allowed("POST"),
        (path, _) if faults::claims(path) => faults::route(server, req).await,
        _ => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

async fn reset(server: &Server, req: Request<Incoming>) -> Reply {
    let started = Instant::now();
    let limits = server.state.limits;
    // The body means nothing, but is read so the connection can be reused.
    if let Err(e) = body::read(req.into_body(), limits.max_body_bytes, limits.body_timeout).await {
        return body_error(e);
    }
    match crate::lifecycle::reset(&server.state).await {
        Ok(done) => {
            tracing::info!(
                assets = done.restored.assets,
                removed_blobs = done.removed_blobs,
                "catalog reset to the seed"
            );
            json(
                StatusCode::OK,
                format!(
                    "{{\"reset\":true,\"companies\":{},\"users\":{},\"assets\":{},\"removed_blobs\":{},\"duration_ms\":{}}}",
                    done.restored.companies,
                    done.restored.users,
                    done.restored.assets,
                    done.removed_blobs,
                    started.elapsed().as_micros() as f64 / 1000.0
                ),
            )
        }
        Err(e) => {
            // The cause (paths, SQL) goes to the log only, as with faults.
            tracing::error!(error = %e, "reset failed");
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "{\"reset\":false,\"error\":\"the seed could not be restored; see the server log\"}".to_owned(),
            )
        }
    }
}

/// Waits (up to a minute) until no job is active; answers how many were
/// active when asked and whether all have finished.
async fn drain(server: &Server) -> Reply {
    let tasks = &server.state.tasks;
    let active = tasks.count();
    let started = Instant::now();
    let drained = tokio::time::timeout(std::time::Duration::from_secs(60), tasks.idle())
        .await
        .is_ok();
    let status = if drained {
        StatusCode::OK
    } else {
        StatusCode::GATEWAY_TIMEOUT
    };
    json(
        status,
        format!(
            "{{\"drained\":{drained},\"active\":{active},\"still_active\":{},\"duration_ms\":{}}}",
            tasks.count(),
            started.elapsed().as_millis()
        ),
    )
}

/// A JSON answer, never cached.
pub(super) fn json(status: StatusCode, text: String) -> Reply {
    let mut reply = respond(status, "application/json", Bytes::from(text + "\n"));
    // Every answer is the state of the moment.
    reply
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}
