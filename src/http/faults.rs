//! `/_emulator/faults`: arming faults for the APIs the service answers,
//! listing and disarming them. `POST` arms one from a JSON body, checked
//! here against what the service serves: `ips` and an IPS operation it
//! implements, with a fault code or a delay; or a REST API's name and a
//! route of that API, with an HTTP status or a delay. `GET` lists them,
//! `DELETE` disarms them all, `DELETE /_emulator/faults/{id}` one.

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};

use super::body;
use super::controls::json;
use super::reply::{body_error, method_not_allowed, plain, Reply};
use super::Server;
use crate::faults::{self, Action, Arming, Pattern};
use crate::ips::registry;
use crate::rest;

/// The faults armed.
pub(super) const PATH: &str = "/_emulator/faults";

/// The largest arming body.
const MAX_BODY: usize = 64 * 1024;

/// Whether `path` is `/_emulator/faults` or under it.
pub(super) fn claims(path: &str) -> bool {
    path.strip_prefix(PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub(super) async fn route(server: &Server, req: Request<Incoming>) -> Reply {
    let faults = &server.state.faults;
    let method = req.method().clone();
    let id = req.uri().path().strip_prefix(PATH).unwrap_or_default().to_owned();
    match (id.as_str(), method) {
        ("", Method::POST) => arm(server, req).await,
        ("", Method::GET | Method::HEAD) => json(StatusCode::OK, faults.to_json()),
        ("", Method::DELETE) => json(StatusCode::OK, format!("{{\"cleared\":{}}}", faults.clear())),
        ("", _) => method_not_allowed("GET, HEAD, POST, DELETE"),
        (id, method) => match id.strip_prefix('/').and_then(|n| n.parse::<u64>().ok()) {
            Some(id) if method == Method::DELETE => {
                if faults.remove(id) {
                    json(StatusCode::OK, format!("{{\"removed\":{id}}}"))
                } else {
                    error(StatusCode::NOT_FOUND, &format!("no fault {id} is armed"))
                }
            }
            Some(_) => method_not_allowed("DELETE"),
            None => plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    }
}

/// `POST`: 201 with the armed fault, 400 saying what is wrong with the
/// body, 409 when as many faults as may be are armed.
async fn arm(server: &Server, req: Request<Incoming>) -> Reply {
    let bytes = match body::read(req.into_body(), MAX_BODY, server.state.limits.body_timeout).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let checked = Arming::from_json(&bytes).and_then(|a| pattern(server, &a).map(|p| (a, p)));
    let (arming, pattern) = match checked {
        Ok(ok) => ok,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    match server.state.faults.arm(arming, pattern) {
        Ok(armed) => {
            tracing::info!(id = armed.id, fault = %armed.to_json(), "fault armed");
            json(StatusCode::CREATED, armed.to_json())
        }
        Err(full) => error(StatusCode::CONFLICT, &full.to_string()),
    }
}

/// Which calls the fault applies to, if its API is served, its operation
/// is one of that API's and its action is one that API can have.
fn pattern(server: &Server, a: &Arming) -> Result<Pattern, String> {
    if a.api == faults::IPS {
        if matches!(a.action, Action::Status(_)) {
            return Err("an IPS fault takes a fault code (\"fault\"), not an HTTP status".into());
        }
        return match a.operation.as_deref() {
            None => Ok(Pattern::Any),
            Some(op) if registry::find(op).is_some() => Ok(Pattern::Operation(op.to_owned())),
            Some(op) => Err(format!("'{op}' is not an IPS operation the emulator implements")),
        };
    }
    let Some(api) = rest::Api::from_name(&a.api) else {
        let names: Vec<&str> = std::iter::once(faults::IPS)
            .chain(rest::Api::ALL.iter().map(|api| api.name()))
            .collect();
        return Err(format!("api must be one of {}, not '{}'", names.join(", "), a.api));
    };
    if matches!(a.action, Action::Fault(_)) {
        return Err(format!(
            "a {} fault takes an HTTP status (\"status\"), not an IPS fault code",
            a.api
        ));
    }
    let Some(route) = a.operation.as_deref() else {
        return Ok(Pattern::Any);
    };
    let pattern = Pattern::route(route)?;
    let claimed = pattern.example_path().and_then(|p| server.rest.find(&p));
    if claimed != Some(api) {
        return Err(format!("'{route}' is not a route of {}", a.api));
    }
    Ok(pattern)
}

/// `{"error":"…"}`.
fn error(status: StatusCode, message: &str) -> Reply {
    json(status, serde_json::json!({ "error": message }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(claims("/_emulator/faults") && claims("/_emulator/faults/12") && claims("/_emulator/faults/"));
        assert!(!claims("/_emulator/faultsx") && !claims("/_emulator/fault"));
    }
}
