//! The endpoints that take a request body: the SOAP endpoint, the bare
//! `<Request>` endpoint AEM's code posts to, and the upload servlet. Each
//! body is checked against its declared length before a byte of it is read,
//! read within the size limit and deadline, decoded from gzip or deflate,
//! and handed to `soap`; every SOAP call is journalled.

use std::time::{Instant, SystemTime};

use base64::Engine;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, StatusCode};

use super::body::{self, BodyError};
use super::reply::{body_error, closing, header_str, plain, respond, Reply};
use super::Server;
use crate::auth::Credentials;
use crate::{cpu, journal, multipart, soap};

/// Media types the SOAP endpoints accept. The SOAP version is decided by the
/// envelope, not by which of these was sent (clients mix them up).
const SOAP_MEDIA_TYPES: &[&str] = &["text/xml", "application/soap+xml", "application/xml"];

/// How a SOAP-endpoint body frames its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Framing {
    /// A SOAP 1.1 or 1.2 envelope (`/scene7/services/IpsApiService`).
    Envelope,
    /// A bare `<Request>` document (`/scene7/api/IpsApiService`).
    Bare,
}

/// Reads a request's body under the service's limits: refused from its
/// declared length before anything is read (hyper sends `100 Continue` only
/// once the body is polled), and decoded from its content coding.
async fn read_body(server: &Server, req: Request<Incoming>) -> Result<Bytes, Reply> {
    read_body_within(server, req, server.state.limits.max_body_bytes)
        .await
        .map_err(body_error)
}

/// Reads a request's body as [`read_body`] does, within `limit` bytes,
/// compressed or decoded.
pub(super) async fn read_body_within(
    server: &Server,
    req: Request<Incoming>,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let timeout = server.state.limits.body_timeout;
    let headers = req.headers();
    let declared = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let coding = body::coding(header_str(headers, header::CONTENT_ENCODING))?;
    let raw = body::read(req.into_body(), limit, timeout).await?;
    // An identity body is kept as it came, never copied.
    if coding == body::Coding::Identity {
        return Ok(raw);
    }
    let decoded = if raw.len() <= 16 * 1024 {
        body::decode(coding, &raw, limit)
    } else {
        cpu::offload(move || body::decode(coding, &raw, limit))
            .await
            .unwrap_or(Err(BodyError::Broken))
    };
    decoded.map(Bytes::from)
}

/// The SOAP endpoint, or the bare one.
pub(super) async fn soap_endpoint(server: &Server, req: Request<Incoming>, framing: Framing) -> Reply {
    let started = Instant::now();
    let arrived = SystemTime::now();
    let headers = req.headers();
    let content_type = header_str(headers, header::CONTENT_TYPE).map(str::to_owned);
    if content_type.is_some()
        && !SOAP_MEDIA_TYPES
            .iter()
            .any(|t| soap::media_type_is(content_type.as_deref(), t))
    {
        return closing(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "SOAP requests must be text/xml or application/soap+xml\n",
        ));
    }
    let soap_actions = headers
        .get_all("soapaction")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let basic = header_str(headers, header::AUTHORIZATION).and_then(basic_credentials);
    let accept_gzip = body::accepts_gzip(header_str(headers, header::ACCEPT_ENCODING));
    let body = match read_body(server, req).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    let request = soap::SoapRequest {
        // Taken over without a copy when nothing else holds the bytes.
        body: Vec::from(body),
        content_type,
        soap_actions,
        basic,
    };
    let reply = match framing {
        Framing::Envelope => soap::handle(&server.state, request).await,
        Framing::Bare => soap::handle_bare(&server.state, request).await,
    };
    tracing::info!(
        operation = reply.operation.as_deref().unwrap_or("-"),
        status = reply.status,
        fault = reply.fault_code,
        micros = started.elapsed().as_micros() as u64,
        "soap request"
    );
    let reply = record(server, reply, arrived, started);
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if reply.gzip_response.unwrap_or(accept_gzip) {
        let mut r = respond(status, reply.content_type, Bytes::from(body::gzip(&reply.body)));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        r
    } else {
        respond(status, reply.content_type, Bytes::from(reply.body))
    }
}

/// Journals a SOAP call (when the emulator controls are on).
fn record(server: &Server, mut reply: soap::SoapResponse, arrived: SystemTime, started: Instant) -> soap::SoapResponse {
    if server.state.emulator_api {
        server.state.journal.record(journal::Entry {
            time: arrived,
            api: crate::faults::IPS,
            operation: reply.operation.take(),
            namespace: reply.namespace.take(),
            user: reply.user.take(),
            outcome: match reply.fault_kind {
                None => journal::Outcome::Ok,
                Some(kind) => journal::Outcome::Fault {
                    kind,
                    code: reply.fault_code,
                },
            },
            status: reply.status,
            duration: started.elapsed(),
            injected: reply.injected,
        });
    }
    reply
}

/// `POST /scene7/UploadFile`, Scene7's upload servlet: the body is read
/// under the same limits as a SOAP body, split into its form parts here, and
/// the parts go to `soap::upload`. A body that is not readable
/// `multipart/form-data` gets 415 or 400 in plain text: without its parts
/// there is no `faultHttpStatusCode` to honour, nor any XML to answer in.
pub(super) async fn upload_file(server: &Server, req: Request<Incoming>) -> Reply {
    let started = Instant::now();
    let content_type = header_str(req.headers(), header::CONTENT_TYPE).unwrap_or_default();
    if !soap::media_type_is(Some(content_type), "multipart/form-data") {
        return closing(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UploadFile requests must be multipart/form-data\n",
        ));
    }
    let boundary = match multipart::boundary(content_type) {
        Ok(b) => b,
        Err(e) => return closing(malformed_form(e)),
    };
    let body = match read_body(server, req).await {
        Ok(b) => b,
        Err(reply) => return reply,
    };
    // The scan is linear but a full body is megabytes: off the runtime.
    let parsed = if body.len() <= 64 * 1024 {
        multipart::parse(&body, &boundary)
    } else {
        match cpu::offload(move || multipart::parse(&body, &boundary)).await {
            Ok(parsed) => parsed,
            Err(_) => return closing(plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")),
        }
    };
    let parts = match parsed {
        Ok(parts) => parts
            .into_iter()
            .map(|p| soap::upload::FormPart {
                name: p.name,
                filename: p.filename,
                data: p.data,
            })
            .collect(),
        Err(e) => return malformed_form(e),
    };
    let reply = soap::upload::handle(&server.state, parts).await;
    tracing::info!(
        operation = "UploadFile",
        status = reply.status,
        fault = reply.fault_code,
        files = reply.files,
        micros = started.elapsed().as_micros() as u64,
        "upload request"
    );
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, soap::upload::CONTENT_TYPE, Bytes::from(reply.body))
}

fn malformed_form(e: multipart::MultipartError) -> Reply {
    respond(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        Bytes::from(format!("malformed multipart/form-data body: {e}\n")),
    )
}

/// `Authorization: Basic base64(user:password)`. A malformed value yields
/// credentials that cannot match, so it fails as a wrong password would.
fn basic_credentials(value: &str) -> Option<Credentials> {
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|d| d.split_once(':')) {
        Some((user, password)) => Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        },
        None => Credentials {
            user: String::new(),
            password: String::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth() {
        let c = basic_credentials("Basic aXBzdXNlckBpcHMudGVzdDppcHMtZW11bGF0b3I=").expect("basic");
        assert_eq!(
            (c.user.as_str(), c.password.as_str()),
            ("ipsuser@ips.test", "ips-emulator")
        );
        assert_eq!(basic_credentials("Basic !!!").expect("malformed").user, "");
        assert!(basic_credentials("Bearer x").is_none());
    }
}
