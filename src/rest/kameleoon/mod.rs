//! Kameleoon's Automation API over HTTP: its routes, its request bodies
//! read into `crate::kameleoon`'s typed requests, its replies written as
//! JSON, and (in `error`) its one error body.
//!
//! | route | facade |
//! |---|---|
//! | `POST /oauth/token` (form or JSON) | `Kameleoon::token` |
//! | `GET /images?page&perPage` | `Kameleoon::images` |
//! | `GET /images/{imageId}` | `Kameleoon::image` |
//! | `POST /images/{imageId}/clone` (optional JSON) | `Kameleoon::clone_image` |
//! | `POST /images/multiple` (multipart, in `upload`) | `Kameleoon::upload_images` |

mod error;
mod json;
mod upload;

use std::sync::Arc;

use bytes::Bytes;

use super::form;
use super::{Request, Response};
use crate::app::AppState;
use crate::kameleoon::{Error, Kameleoon, Page, PageRequest, TokenRequest};

/// Why a request got no answer from the facade.
pub(super) type Failure = super::Failure<Error>;

/// Whether `path` is one of Kameleoon's.
pub(super) fn claims(path: &str) -> bool {
    path == "/oauth/token" || path == "/images" || path.starts_with("/images/")
}

/// The adapter, with the facade it calls.
#[derive(Debug)]
pub(super) struct Adapter {
    facade: Kameleoon,
}

/// The "busy" reply, for a request the service had no room to read.
pub(super) fn busy() -> Response {
    error::response(&Failure::Api(Error::Busy))
}

/// The error reply with this status and message (an injected fault).
pub(super) fn error_reply(status: u16, message: &str) -> Response {
    error::reply(status, message)
}

impl Adapter {
    pub(super) fn new(state: Arc<AppState>) -> Adapter {
        Adapter {
            facade: Kameleoon::new(state),
        }
    }

    pub(super) async fn handle(&self, req: Request) -> Response {
        match self.route(req).await {
            Ok(reply) => reply,
            Err(failure) => error::response(&failure),
        }
    }

    async fn route(&self, req: Request) -> Result<Response, Failure> {
        let path = req.path.clone();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let post = req.method == "POST";
        let get = req.method == "GET" || req.method == "HEAD";
        match segments.as_slice() {
            ["oauth", "token"] if post => self.token(req).await,
            ["oauth", "token"] => Err(Failure::Method("POST")),
            ["images"] if get => self.list(req).await,
            ["images"] => Err(Failure::Method("GET")),
            ["images", "multiple"] if post => self.upload(req).await,
            ["images", "multiple"] if !get => Err(Failure::Method("GET, POST")),
            ["images", id] if get => self.get(req, id).await,
            ["images", _] => Err(Failure::Method("GET")),
            ["images", id, "clone"] if post => self.clone(req, id).await,
            ["images", _, "clone"] => Err(Failure::Method("POST")),
            _ => Err(Failure::NoRoute),
        }
    }

    async fn token(&self, req: Request) -> Result<Response, Failure> {
        let body = req.body.map_err(Failure::Body)?;
        let request = if form::media_type_is(req.content_type.as_deref(), "application/json") {
            let b: json::TokenBody = serde_json::from_slice(&body)
                .map_err(|e| Error::BadRequest(format!("the request body is not a valid token request: {e}")))?;
            TokenRequest {
                grant_type: b.grant_type,
                client_id: b.client_id,
                client_secret: b.client_secret,
            }
        } else {
            token_form(&body)?
        };
        let token = self.facade.token(request).await?;
        let mut reply = Response::json(200, &json::TokenJson::from(&token));
        reply.headers.push(("Cache-Control", "no-store".to_owned()));
        Ok(reply)
    }

    async fn list(&self, req: Request) -> Result<Response, Failure> {
        let caller = self.facade.caller(req.authorization.as_deref()).await?;
        let page = self.facade.images(&caller, page_request(req.query.as_deref())?).await?;
        Ok(page_reply(&page))
    }

    async fn get(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.facade.caller(req.authorization.as_deref()).await?;
        let image = self.facade.image(&caller, image_id(id)?).await?;
        Ok(Response::json(200, &json::ImageJson::from(&image)))
    }

    async fn clone(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.facade.caller(req.authorization.as_deref()).await?;
        let id = image_id(id)?;
        let body = req.body.map_err(Failure::Body)?;
        let has_body = !body.iter().all(u8::is_ascii_whitespace);
        if has_body
            && req.content_type.is_some()
            && !form::media_type_is(req.content_type.as_deref(), "application/json")
        {
            return Err(Error::BadRequest("the request body must be application/json".into()).into());
        }
        let overrides = json::overrides(&body)?;
        let image = self.facade.clone_image(&caller, id, overrides).await?;
        Ok(Response::json(200, &json::ImageJson::from(&image)))
    }

    async fn upload(&self, req: Request) -> Result<Response, Failure> {
        let caller = self.facade.caller(req.authorization.as_deref()).await?;
        let body = req.body.map_err(Failure::Body)?;
        let upload = upload::read(req.content_type.as_deref(), body).await?;
        let images = self.facade.upload_images(&caller, upload).await?;
        let images: Vec<json::ImageJson<'_>> = images.iter().map(json::ImageJson::from).collect();
        Ok(Response::json(200, &images))
    }
}

/// `{imageId}`: an int64 (400 if not).
fn image_id(text: &str) -> Result<i64, Error> {
    form::percent_decode(text)
        .parse::<i64>()
        .map_err(|_| Error::BadRequest(format!("imageId must be an integer, not '{text}'")))
}

/// The token form's fields; a repeated or unknown field is a 400.
fn token_form(body: &Bytes) -> Result<TokenRequest, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::BadRequest("the form is not UTF-8".into()))?;
    let mut req = TokenRequest::default();
    for (name, value) in form::pairs(text) {
        let slot = match name.as_str() {
            "grant_type" => &mut req.grant_type,
            "client_id" => &mut req.client_id,
            "client_secret" => &mut req.client_secret,
            // OAuth 2.0 lets a client credentials request name a scope;
            // tokens here have one scope, everything.
            "scope" => continue,
            other => return Err(Error::BadRequest(format!("unknown form field '{other}'"))),
        };
        if slot.replace(value).is_some() {
            return Err(Error::BadRequest(format!("form field '{name}' is repeated")));
        }
    }
    Ok(req)
}

/// `page` and `perPage` from the query; anything else is a 400.
fn page_request(query: Option<&str>) -> Result<PageRequest, Error> {
    let mut req = PageRequest::default();
    for (name, value) in form::pairs(query.unwrap_or_default()) {
        let slot = match name.as_str() {
            "page" => &mut req.page,
            "perPage" => &mut req.per_page,
            other => return Err(Error::BadRequest(format!("unknown query parameter '{other}'"))),
        };
        *slot = value
            .parse()
            .map_err(|_| Error::BadRequest(format!("{name} must be a positive integer, not '{value}'")))?;
    }
    Ok(req)
}

/// A page of images: a JSON array, and where it stands in headers.
fn page_reply(page: &Page) -> Response {
    let images: Vec<json::ImageJson<'_>> = page.images.iter().map(json::ImageJson::from).collect();
    let mut reply = Response::json(200, &images);
    reply.headers.extend([
        ("X-Pagination-Current-Page", page.request.page.to_string()),
        ("X-Pagination-Per-Page", page.request.per_page.to_string()),
        ("X-Pagination-Total-Count", page.total.to_string()),
        ("X-Pagination-Page-Count", page.page_count().to_string()),
    ]);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_queries() {
        let t = token_form(&Bytes::from_static(
            b"grant_type=client_credentials&client_id=kameleoon-demo&client_secret=ips-emulator",
        ))
        .expect("form");
        assert_eq!(t.client_id.as_deref(), Some("kameleoon-demo"));
        assert!(token_form(&Bytes::from_static(b"client_id=a&client_id=b")).is_err());
        assert!(token_form(&Bytes::from_static(b"password=x")).is_err());
        assert_eq!(
            page_request(Some("page=2&perPage=5")).expect("query"),
            PageRequest { page: 2, per_page: 5 }
        );
        assert!(page_request(Some("page=-1")).is_err() && page_request(Some("filter=x")).is_err());
        assert_eq!(image_id("1001").expect("id"), 1001);
        assert!(image_id("abc").is_err() && image_id("99999999999999999999").is_err());
        assert!(claims("/images") && claims("/images/1/clone") && claims("/oauth/token"));
        assert!(!claims("/imagesx") && !claims("/is/image/a/b"));
    }
}
