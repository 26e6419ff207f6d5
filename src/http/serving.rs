//! `GET`/`HEAD /is/image/<company>/<asset>?<commands>`: Image Serving of
//! stored assets. Errors are plain text with status 403, as Image Serving
//! answers most errors, and are never cached; a matching `If-None-Match`
//! gets 304.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::reply::{header_str, respond, Reply};
use super::{percent_decode, Server};
use crate::ips::serving as image_serving;

pub(super) async fn image(server: &Server, req: &Request<Incoming>) -> Reply {
    let path = req.uri().path();
    let object = path.strip_prefix("/is/image/").unwrap_or_default();
    // Each path element is decoded on its own, as Image Serving does.
    let parts: Vec<String> = object.split('/').map(percent_decode_path).collect();
    let (company, asset) = match parts.as_slice() {
        [company, asset] if !company.is_empty() && !asset.is_empty() => (company, asset),
        _ => return image_error(StatusCode::FORBIDDEN, format!("Unable to find image '{object}'")),
    };
    let query = req.uri().query().unwrap_or_default();
    match image_serving::serve(&server.state, company, asset, query).await {
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
        Err(e) if e.is_busy() => super::admission::busy(),
        Err(e) => {
            tracing::error!(error = %e, "image serving failed");
            image_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
        }
    }
}

/// Longest error message sent, in bytes.
const MAX_MESSAGE: usize = 512;

fn image_error(status: StatusCode, mut message: String) -> Reply {
    // The message may quote the request's path: keep a line's worth.
    let mut end = message.len().min(MAX_MESSAGE);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message.truncate(end);
    message.push('\n');
    let mut reply = respond(status, "text/plain; charset=utf-8", Bytes::from(message));
    reply
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    reply
}

/// Decodes `%xx` in a path element (a `+` stays a `+` in paths).
fn percent_decode_path(s: &str) -> String {
    percent_decode(&s.replace('+', "%2B"))
}

/// Where export jobs' archives are served: `/scene7/export/<job id>/<name>.zip`.
pub(super) const EXPORT: &str = "/scene7/export/";

/// `GET`/`HEAD` of an export job's archive.
pub(super) async fn export(server: &Server, req: &Request<Incoming>) -> Reply {
    let rest = req.uri().path().strip_prefix(EXPORT).unwrap_or_default();
    let not_found = || super::reply::plain(StatusCode::NOT_FOUND, "not found\n");
    let Some((id, file)) = rest.split_once('/') else {
        return not_found();
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    match crate::ips::jobs::archive(&server.state, id, &percent_decode_path(file)).await {
        Ok(Some(bytes)) => {
            let mut reply = respond(StatusCode::OK, "application/zip", Bytes::from_owner(bytes));
            reply
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
            reply
        }
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "serving an export archive failed");
            super::reply::plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
        }
    }
}
