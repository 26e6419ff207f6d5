//! Request routing: the SOAP endpoints, the upload servlet, the published
//! contract, Image Serving of stored assets, the REST facades (the paths
//! `rest` claims), health; the emulator's other controls are in `controls`.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode, Version as HttpVersion};

use super::endpoints::{self, Framing};
use super::reply::{closing, header_str, method_not_allowed, plain, plain_owned, respond, Reply};
use super::{controls, facades, faults, percent_decode, serving, Secure, Server};
use crate::ips::contract::Version;
use crate::soap::wsdl;

/// The SOAP endpoint.
pub(super) const SERVICE: &str = "/scene7/services/IpsApiService";
/// The bare `<Request>` endpoint.
pub(super) const API: &str = "/scene7/api/IpsApiService";
/// The upload servlet.
pub(super) const UPLOAD: &str = "/scene7/UploadFile";

pub(super) async fn route(server: &Server, req: Request<Incoming>) -> Reply {
    let close = wants_close(&req) || server.draining.load(Ordering::Relaxed);
    if !only_chunked(req.headers()) {
        // RFC 9112 §6.1: a transfer coding the server does not understand
        // gets 501, and the body's end cannot be found, so the connection
        // ends too.
        return closing(plain(
            StatusCode::NOT_IMPLEMENTED,
            "The only transfer coding accepted is chunked\n",
        ));
    }
    let path = req.uri().path().to_owned();
    let mut reply = match server.rest.find(&path) {
        Some(api) => facades::endpoint(server, api, req).await,
        None => by_path(server, req, &path).await,
    };
    if close {
        reply
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    reply
}

/// The routes of the IPS side and the emulator's own.
async fn by_path(server: &Server, req: Request<Incoming>, path: &str) -> Reply {
    match (req.method(), path) {
        (&Method::POST, SERVICE) => endpoints::soap_endpoint(server, req, Framing::Envelope).await,
        (&Method::GET | &Method::HEAD, SERVICE) if has_wsdl_query(req.uri().query()) => {
            contract(server, &req, wsdl::Document::Wsdl(Version::LATEST))
        }
        (_, SERVICE) => method_not_allowed("POST"),
        (&Method::POST, API) => endpoints::soap_endpoint(server, req, Framing::Bare).await,
        (_, API) => method_not_allowed("POST"),
        (&Method::POST, UPLOAD) => endpoints::upload_file(server, req).await,
        (_, UPLOAD) => method_not_allowed("POST"),
        (_, controls::RESET | controls::REQUESTS | controls::DRAIN) => controls::route(server, req).await,
        (_, p) if faults::claims(p) => controls::route(server, req).await,
        (method, p) => match contract_path(p) {
            Some(doc) if matches!(*method, Method::GET | Method::HEAD) => contract(server, &req, doc),
            Some(_) => method_not_allowed("GET, HEAD"),
            None if p == "/_emulator/health" => health(server).await,
            None if p.starts_with(serving::EXPORT) => match *method {
                Method::GET | Method::HEAD => serving::export(server, &req).await,
                _ => method_not_allowed("GET, HEAD"),
            },
            None if p.starts_with("/is/image/") => match *method {
                Method::GET | Method::HEAD => serving::image(server, &req).await,
                _ => method_not_allowed("GET, HEAD"),
            },
            None => plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    }
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
    has("close") || (req.version() == HttpVersion::HTTP_10 && !has("keep-alive"))
}

/// Whether every `Transfer-Encoding` names only `chunked` (or there is none).
fn only_chunked(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .all(|coding| coding.trim_ascii().eq_ignore_ascii_case(b"chunked"))
}

fn has_wsdl_query(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|p| p.eq_ignore_ascii_case("wsdl") || p.to_ascii_lowercase().starts_with("wsdl="))
    })
}

/// `/scene7/webservice/<file>`, and the WSDLs also at `/scene7/<file>`, a
/// path some client code loads them from.
fn contract_path(path: &str) -> Option<wsdl::Document> {
    if let Some(name) = path.strip_prefix("/scene7/webservice/") {
        return wsdl::Document::from_file_name(name);
    }
    path.strip_prefix("/scene7/")
        .and_then(wsdl::Document::from_file_name)
        .filter(|d| matches!(d, wsdl::Document::Wsdl(_)))
}

/// The query's `name=value` pairs, decoded.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn contract(server: &Server, req: &Request<Incoming>, doc: wsdl::Document) -> Reply {
    let base = base_url(server, req.headers(), req.extensions().get::<Secure>().is_some());
    let pairs = query_pairs(req.uri().query());
    let service_url = pairs
        .iter()
        .find(|(k, _)| k == "serviceUrl")
        .map(|(_, v)| v.as_str())
        .filter(|u| wsdl::is_acceptable_service_url(u));
    let rendered = wsdl::Subset::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .and_then(|subset| doc.render(&base, service_url, &subset));
    match rendered {
        Ok(text) => respond(StatusCode::OK, doc.content_type(), Bytes::from(text)),
        Err(why) => plain_owned(StatusCode::BAD_REQUEST, why + "\n"),
    }
}

/// `http://<Host>` (or `https` over TLS, or behind a proxy that says so);
/// the bound address when the client sent no usable Host.
fn base_url(server: &Server, headers: &HeaderMap, secure: bool) -> String {
    let scheme = match header_str(headers, "x-forwarded-proto") {
        _ if secure => "https",
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

/// Whether the service and its backends answer: 200 with each backend's
/// kind, or 503 naming the one that does not.
async fn health(server: &Server) -> Reply {
    let state = &server.state;
    let catalog = state.catalog.ping().await;
    let store = state.store.probe();
    let part = |r: Result<&str, String>| match r {
        Ok(kind) => serde_json::json!({ "kind": kind, "reachable": true }),
        Err(e) => serde_json::json!({ "reachable": false, "error": e }),
    };
    let ok = catalog.is_ok() && store.is_ok();
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "unavailable" },
        "catalog": part(catalog.map_err(|e| e.to_string())),
        "store": part(store.map_err(|e| e.to_string())),
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    respond(status, "application/json", Bytes::from(format!("{body}\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_queries() {
        let wsdl = |v| Some(wsdl::Document::Wsdl(v));
        assert_eq!(
            contract_path("/scene7/webservice/IpsApi-2008-01-15.wsdl"),
            wsdl(Version::V2008_01_15)
        );
        assert_eq!(
            contract_path("/scene7/IpsApi-2014-04-03.wsdl"),
            wsdl(Version::V2014_04_03)
        );
        assert_eq!(contract_path("/scene7/webservice/IpsApi.wsdl"), wsdl(Version::Pre40));
        assert_eq!(
            contract_path("/scene7/webservice/IpsApi.xsd"),
            Some(wsdl::Document::Common)
        );
        assert_eq!(contract_path("/scene7/IpsApi.xsd"), None);
        assert_eq!(contract_path("/scene7/webservice/IpsApi-2023-01-15.wsdl"), None);
        assert!(has_wsdl_query(Some("wsdl")) && has_wsdl_query(Some("WSDL")) && has_wsdl_query(Some("x=1&wsdl")));
        assert!(!has_wsdl_query(Some("wsdlx")) && !has_wsdl_query(None));
        assert_eq!(
            query_pairs(Some(
                "serviceUrl=http%3A%2F%2Flocalhost%3A8081&operations=copyImage%2CgetAssets&wsdl"
            )),
            [
                ("serviceUrl".to_owned(), "http://localhost:8081".to_owned()),
                ("operations".to_owned(), "copyImage,getAssets".to_owned())
            ]
        );
    }
}
