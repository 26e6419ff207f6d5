//! Request routing: the SOAP endpoint, the upload servlet, the published
//! contract, Image Serving of stored assets, health; the other emulator
//! controls are in `controls`.

use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime};

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Version};

use super::body::{self, BodyError};
use super::{controls, multipart, Server};
use crate::auth::Credentials;
use crate::journal;
use crate::soap::{self, wsdl};

pub(super) type Reply = Response<Full<Bytes>>;

/// Media types the SOAP endpoint accepts. The SOAP version is decided by the
/// envelope, not by which of these was sent (clients mix them up).
const SOAP_MEDIA_TYPES: &[&str] = &["text/xml", "application/soap+xml", "application/xml"];

pub(super) async fn route(server: &Server, req: Request<Incoming>) -> Reply {
    let close = wants_close(&req) || server.draining.load(Ordering::Relaxed);
    let path = req.uri().path().to_owned();
    let mut reply = match (req.method(), path.as_str()) {
        (&Method::POST, "/scene7/services/IpsApiService") => soap_endpoint(server, req).await,
        (&Method::GET | &Method::HEAD, "/scene7/services/IpsApiService") if has_wsdl_query(req.uri().query()) => {
            contract(server, &req, wsdl::Document::Wsdl)
        }
        (_, "/scene7/services/IpsApiService") => method_not_allowed("POST"),
        (&Method::POST, "/scene7/UploadFile") => upload_file(server, req).await,
        (_, "/scene7/UploadFile") => method_not_allowed("POST"),
        (_, controls::RESET | controls::REQUESTS) => controls::route(server, req).await,
        (method, p) => match contract_path(p) {
            Some(doc) if matches!(*method, Method::GET | Method::HEAD) => contract(server, &req, doc),
            Some(_) => method_not_allowed("GET, HEAD"),
            None if p == "/_emulator/health" => health(),
            None if p.starts_with("/is/image/") => match *method {
                Method::GET | Method::HEAD => image(server, &req).await,
                _ => method_not_allowed("GET, HEAD"),
            },
            None => plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    };
    if close {
        reply
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    reply
}

/// HTTP/1.0 without keep-alive, or an explicit `Connection: close`: the
/// connection ends after this reply, so say so.
fn wants_close(req: &Request<Incoming>) -> bool {
    let has = |t: &str| {
        req.headers()
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|x| x.trim().eq_ignore_ascii_case(t))
    };
    has("close") || (req.version() == Version::HTTP_10 && !has("keep-alive"))
}

fn has_wsdl_query(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|p| p.eq_ignore_ascii_case("wsdl") || p.to_ascii_lowercase().starts_with("wsdl="))
    })
}

/// `/scene7/webservice/<file>`, and the WSDL also at `/scene7/<file>`, a path
/// some client code loads it from.
fn contract_path(path: &str) -> Option<wsdl::Document> {
    if let Some(name) = path.strip_prefix("/scene7/webservice/") {
        return wsdl::Document::from_file_name(name);
    }
    path.strip_prefix("/scene7/")
        .and_then(wsdl::Document::from_file_name)
        .filter(|d| *d == wsdl::Document::Wsdl)
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn contract(server: &Server, req: &Request<Incoming>, doc: wsdl::Document) -> Reply {
    let base = base_url(server, req.headers());
    let service_url = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("serviceUrl="))
            .map(percent_decode)
            .filter(|u| wsdl::is_acceptable_service_url(u))
    });
    let text = doc.render(&base, service_url.as_deref());
    respond(StatusCode::OK, doc.content_type(), Bytes::from(text))
}

/// `http://<Host>` (or `https` behind a proxy that says so); the bound
/// address when the client sent no usable Host.
fn base_url(server: &Server, headers: &HeaderMap) -> String {
    let scheme = match header_str(headers, "x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    let host = header_str(headers, header::HOST)
        .filter(|h| {
            !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .map_or_else(|| server.local.to_string(), str::to_owned);
    format!("{scheme}://{host}")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn health() -> Reply {
    respond(
        StatusCode::OK,
        "application/json",
        Bytes::from_static(b"{\"status\":\"ok\"}\n"),
    )
}

/// `/is/image/<company>/<asset>?<commands>`. Errors are plain text with
/// status 403, as Image Serving answers most errors; they are never cached.
async fn image(server: &Server, req: &Request<Incoming>) -> Reply {
    let path = req.uri().path();
    let object = path.strip_prefix("/is/image/").unwrap_or_default();
    // Each path element is decoded on its own, as Image Serving does.
    let parts: Vec<String> = object.split('/').map(percent_decode_path).collect();
    let (company, asset) = match parts.as_slice() {
        [company, asset] if !company.is_empty() && !asset.is_empty() => (company, asset),
        _ => return image_error(StatusCode::FORBIDDEN, format!("Unable to find image '{object}'")),
    };
    let query = req.uri().query().unwrap_or_default();
    match crate::serving::serve(&server.state, company, asset, query).await {
        Ok(served) => {
            let etag = HeaderValue::from_str(&served.etag).ok();
            let not_modified = header_str(req.headers(), header::IF_NONE_MATCH).is_some_and(|v| {
                // If-None-Match compares weakly: a W/ prefix does not matter.
                v.split(',')
                    .map(|t| t.trim())
                    .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == served.etag)
            });
            let mut reply = if not_modified {
                let mut r = Response::new(Full::new(Bytes::new()));
                *r.status_mut() = StatusCode::NOT_MODIFIED;
                r
            } else {
                respond(StatusCode::OK, served.mime, Bytes::from_owner(served.bytes))
            };
            if let Some(etag) = etag {
                reply.headers_mut().insert(header::ETAG, etag);
            }
            reply
        }
        Err(e) if e.is_client() => image_error(StatusCode::FORBIDDEN, e.to_string()),
        Err(e) => {
            tracing::error!(error = %e, "image serving failed");
            image_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
        }
    }
}

fn image_error(status: StatusCode, message: String) -> Reply {
    let mut reply = respond(status, "text/plain; charset=utf-8", Bytes::from(message + "\n"));
    reply
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    reply
}

/// Decodes `%xx` in a path element (a `+` stays a `+` in paths).
fn percent_decode_path(s: &str) -> String {
    percent_decode(&s.replace('+', "%2B"))
}

async fn soap_endpoint(server: &Server, req: Request<Incoming>) -> Reply {
    let started = Instant::now();
    let arrived = SystemTime::now();
    let limits = server.state.limits;
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
    // Refuse an oversized body from its declared length, before reading a
    // byte of it: hyper sends `100 Continue` only once the body is polled.
    let declared = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return body_error(BodyError::TooLarge);
    }
    let coding = match body::coding(header_str(headers, header::CONTENT_ENCODING)) {
        Ok(c) => c,
        Err(e) => return body_error(e),
    };
    let soap_action = header_str(headers, "soapaction").map(str::to_owned);
    let basic = header_str(headers, header::AUTHORIZATION).and_then(basic_credentials);
    let accept_gzip = body::accepts_gzip(header_str(headers, header::ACCEPT_ENCODING));
    let raw = match body::read(req.into_body(), limits.max_body_bytes, limits.body_timeout).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let decoded = match decode_off_runtime(coding, raw, limits.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let mut reply = soap::handle(
        &server.state,
        soap::SoapRequest {
            body: decoded,
            content_type,
            soap_action,
            basic,
        },
    )
    .await;
    tracing::info!(
        operation = reply.operation.as_deref().unwrap_or("-"),
        status = reply.status,
        fault = reply.fault_code,
        micros = started.elapsed().as_micros() as u64,
        "soap request"
    );
    if server.state.emulator_api {
        server.state.journal.record(journal::Entry {
            time: arrived,
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
        });
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let gzip = reply.gzip_response.unwrap_or(accept_gzip);
    if gzip {
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

/// `POST /scene7/UploadFile`, Scene7's upload servlet: the body is read
/// under the same limits as a SOAP body, split into its form parts here, and
/// the parts go to `soap::upload`. A body that is not readable
/// `multipart/form-data` gets 415 or 400 in plain text: without its parts
/// there is no `faultHttpStatusCode` to honour, nor any XML to answer in.
async fn upload_file(server: &Server, req: Request<Incoming>) -> Reply {
    let started = Instant::now();
    let limits = server.state.limits;
    let headers = req.headers();
    let content_type = header_str(headers, header::CONTENT_TYPE).unwrap_or_default();
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
    let declared = header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return body_error(BodyError::TooLarge);
    }
    let coding = match body::coding(header_str(headers, header::CONTENT_ENCODING)) {
        Ok(c) => c,
        Err(e) => return body_error(e),
    };
    let raw = match body::read(req.into_body(), limits.max_body_bytes, limits.body_timeout).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    // Files are kept as slices of this one buffer, so an identity body is
    // never copied.
    let body = if coding == body::Coding::Identity {
        raw
    } else {
        match decode_off_runtime(coding, raw, limits.max_body_bytes).await {
            Ok(b) => Bytes::from(b),
            Err(e) => return body_error(e),
        }
    };
    // The scan is linear but a full body is megabytes: off the runtime.
    let parsed = if body.len() <= 64 * 1024 {
        multipart::parse(&body, &boundary)
    } else {
        match tokio::task::spawn_blocking(move || multipart::parse(&body, &boundary)).await {
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

/// Small bodies are decoded in place; big ones on the blocking pool.
async fn decode_off_runtime(coding: body::Coding, raw: Bytes, limit: usize) -> Result<Vec<u8>, BodyError> {
    if coding == body::Coding::Identity {
        return Ok(raw.to_vec());
    }
    if raw.len() <= 16 * 1024 {
        return body::decode(coding, &raw, limit);
    }
    tokio::task::spawn_blocking(move || body::decode(coding, &raw, limit))
        .await
        .map_err(|_| BodyError::Broken)?
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

pub(super) fn body_error(e: BodyError) -> Reply {
    let (status, text) = match e {
        BodyError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n"),
        BodyError::Timeout => (StatusCode::REQUEST_TIMEOUT, "request body not received in time\n"),
        BodyError::Broken => (StatusCode::BAD_REQUEST, "malformed request body\n"),
        BodyError::UnsupportedCoding => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported Content-Encoding\n"),
    };
    closing(plain(status, text))
}

/// Replies sent without reading the whole body end the connection.
fn closing(mut reply: Reply) -> Reply {
    reply
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    reply
}

pub(super) fn method_not_allowed(allow: &'static str) -> Reply {
    let mut r = closing(plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n"));
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

pub(super) fn plain(status: StatusCode, text: &'static str) -> Reply {
    respond(status, "text/plain; charset=utf-8", Bytes::from_static(text.as_bytes()))
}

pub(super) fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Reply {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
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

    #[test]
    fn paths_and_queries() {
        assert_eq!(
            contract_path("/scene7/webservice/IpsApi-2008-01-15.wsdl"),
            Some(wsdl::Document::Wsdl)
        );
        assert_eq!(
            contract_path("/scene7/IpsApi-2008-01-15.wsdl"),
            Some(wsdl::Document::Wsdl)
        );
        assert_eq!(
            contract_path("/scene7/webservice/IpsApi.xsd"),
            Some(wsdl::Document::CommonXsd)
        );
        assert_eq!(contract_path("/scene7/IpsApi.xsd"), None);
        assert_eq!(contract_path("/scene7/webservice/IpsApi-2013-02-15.wsdl"), None);
        assert!(has_wsdl_query(Some("wsdl")) && has_wsdl_query(Some("WSDL")) && has_wsdl_query(Some("x=1&wsdl")));
        assert!(!has_wsdl_query(Some("wsdlx")) && !has_wsdl_query(None));
        assert_eq!(percent_decode("http%3A%2F%2Flocalhost%3A8081"), "http://localhost:8081");
    }
}
