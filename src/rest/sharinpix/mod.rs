//! SharinPix's API over HTTP (`/api/v1/…`): its routes, its bodies (JSON or
//! Rails-style forms) read into `crate::sharinpix`'s requests, its replies
//! written as JSON with the headers SharinPix sends, and (in `error`) its
//! errors.
//!
//! | route | facade |
//! |---|---|
//! | `GET images/:id` | `SharinPix::image` |
//! | `POST images/:id/duplicate` (`album_id`) | `SharinPix::duplicate_image` |
//! | `DELETE images/:id` → 204 | `SharinPix::delete_image` |
//! | `GET albums` | `SharinPix::albums` |
//! | `POST albums` | `SharinPix::create_album` |
//! | `GET albums/:id` | `SharinPix::album` |
//! | `POST albums/:id/duplicate` (`destination_id`, `tags`) | `SharinPix::duplicate_album` |
//! | `GET albums/:id/images` | `SharinPix::album_images` |
//! | `POST albums/:id/upload` (multipart: `upload_form.params`, `file`) | `SharinPix::receive_upload` |
//! | `POST albums/:id/images` (`cloudinary`, `metadatas`) | `SharinPix::add_uploaded` |
//! | `POST imports` (`album_id`, `url`, `filename`, `import_type`, `metadatas`) | `SharinPix::import` |
//! | `GET imports/:id` | `SharinPix::import_status` |

mod error;
mod json;
mod upload;

use std::sync::Arc;

use super::form;
use super::{Request, Response};
use crate::app::AppState;
use crate::sharinpix::{AlbumDuplicate, Caller, Error, ImageDuplicate, ImportRequest, SharinPix};

/// The media type of every JSON reply.
const JSON: &str = "application/json; charset=utf-8";
/// Where the API lives.
const PREFIX: &str = "/api/v1/";

/// Why a request got no answer from the facade.
pub(super) type Failure = super::Failure<Error>;

/// Whether `path` is one of SharinPix's.
pub(super) fn claims(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// The "busy" reply, for a request the service had no room to read.
pub(super) fn busy() -> Response {
    error::response(&Failure::Api(Error::Busy))
}

/// SharinPix's reply for an error `status` (an injected fault's).
pub(super) fn error_reply(status: u16, message: &str) -> Response {
    error::reply(status, message)
}

/// The adapter, with the facade it calls.
#[derive(Debug)]
pub(super) struct Adapter {
    facade: SharinPix,
}

impl Adapter {
    pub(super) fn new(state: Arc<AppState>) -> Adapter {
        Adapter {
            facade: SharinPix::new(state),
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
        let rest = path.strip_prefix(PREFIX).unwrap_or_default().trim_end_matches('/');
        let segments: Vec<String> = rest.split('/').map(form::path_decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let m = req.method.as_str();
        let get = m == "GET" || m == "HEAD";
        match (segments.as_slice(), m) {
            (["images", id], _) if get => self.get_image(req, id).await,
            (["images", id], "DELETE") => self.delete_image(req, id).await,
            (["images", _], _) => Err(Failure::Method("GET, DELETE")),
            (["images", id, "duplicate"], "POST") => self.duplicate_image(req, id).await,
            (["albums"], _) if get => self.albums(req).await,
            (["albums"], "POST") => self.create_album(req).await,
            (["albums"], _) => Err(Failure::Method("GET, POST")),
            (["albums", id], _) if get => self.album(req, id).await,
            (["albums", id, "duplicate"], "POST") => self.duplicate_album(req, id).await,
            (["albums", id, "images"], _) if get => self.album_images(req, id).await,
            (["albums", id, "images"], "POST") => self.add_uploaded(req, id).await,
            (["albums", id, "upload"], "POST") => self.receive_upload(req, id).await,
            (["imports"], "POST") => self.import(req).await,
            (["imports", id], _) if get => self.import_status(req, id).await,
            (["images", _, "duplicate"] | ["albums", _, "duplicate"] | ["albums", _, "upload"] | ["imports"], _) => {
                Err(Failure::Method("POST"))
            }
            (["albums", _, "images"], _) => Err(Failure::Method("GET, POST")),
            (["albums", _] | ["imports", _], _) => Err(Failure::Method("GET")),
            _ => Err(Failure::NoRoute),
        }
    }

    async fn caller(&self, req: &Request) -> Result<Caller, Failure> {
        Ok(self.facade.caller(req.authorization.as_deref()).await?)
    }

    async fn get_image(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let image = self.facade.image(&caller, id).await?;
        Ok(reply(&caller, 200, &json::ImageJson::from(&image)))
    }

    async fn delete_image(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        self.facade.delete_image(&caller, id).await?;
        let mut done = reply(&caller, 204, &());
        done.body.clear();
        Ok(done)
    }

    async fn duplicate_image(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let body = body(&req)?;
        let dup = ImageDuplicate {
            album_id: json::string(&body, "album_id")?,
        };
        let image = self.facade.duplicate_image(&caller, id, dup).await?;
        Ok(reply(&caller, 200, &json::ImageJson::from(&image)))
    }

    async fn albums(&self, req: Request) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let albums = self.facade.albums(&caller).await?;
        let out: Vec<json::AlbumJson<'_>> = albums.iter().map(json::AlbumJson::from).collect();
        Ok(reply(&caller, 200, &out))
    }

    async fn create_album(&self, req: Request) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        body(&req)?;
        let album = self.facade.create_album(&caller).await?;
        Ok(reply(&caller, 200, &json::AlbumJson::from(&album)))
    }

    async fn album(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let album = self.facade.album(&caller, id).await?;
        Ok(reply(&caller, 200, &json::AlbumJson::from(&album)))
    }

    async fn duplicate_album(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let body = body(&req)?;
        let dup = AlbumDuplicate {
            destination_id: json::string(&body, "destination_id")?,
            tags: json::flag(&body, "tags")?,
        };
        let album = self.facade.duplicate_album(&caller, id, dup).await?;
        Ok(reply(&caller, 200, &json::AlbumJson::from(&album)))
    }

    async fn album_images(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let images = self.facade.album_images(&caller, id).await?;
        let out: Vec<json::ImageJson<'_>> = images.iter().map(json::ImageJson::from).collect();
        Ok(reply(&caller, 200, &out))
    }

    async fn receive_upload(&self, req: Request, album: &str) -> Result<Response, Failure> {
        let body = req.body.map_err(Failure::Body)?;
        let form = upload::read(req.content_type.as_deref(), body).await?;
        let uploaded = self.facade.receive_upload(album, form).await?;
        let mut out = Response::json(200, &uploaded.fields);
        out.content_type = JSON;
        Ok(out)
    }

    async fn add_uploaded(&self, req: Request, album: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let body = body(&req)?;
        let cloudinary = json::object(&body, "cloudinary")?;
        let metadatas = json::object(&body, "metadatas")?;
        let image = self.facade.add_uploaded(&caller, album, cloudinary, metadatas).await?;
        Ok(reply(&caller, 200, &json::ImageJson::from(&image)))
    }

    async fn import(&self, req: Request) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let body = body(&req)?;
        let mut metadatas = json::object(&body, "metadatas")?;
        metadatas.extend(json::object(&body, "metadata")?);
        let request = ImportRequest {
            album_id: json::string(&body, "album_id")?,
            url: json::string(&body, "url")?,
            filename: json::string(&body, "filename")?,
            import_type: json::string(&body, "import_type")?,
            metadatas,
            params: body,
        };
        let import = self.facade.import(&caller, request).await?;
        Ok(reply(&caller, 200, &json::ImportJson::from(&import)))
    }

    async fn import_status(&self, req: Request, id: &str) -> Result<Response, Failure> {
        let caller = self.caller(&req).await?;
        let import = self.facade.import_status(&caller, id).await?;
        Ok(reply(&caller, 200, &json::ImportJson::from(&import)))
    }
}

/// The request's body as one object (see `json::body_object`).
fn body(req: &Request) -> Result<serde_json::Map<String, serde_json::Value>, Failure> {
    let bytes = req.body.as_ref().map_err(|b| Failure::Body(*b))?;
    Ok(json::body_object(req.content_type.as_deref(), bytes)?)
}

/// A JSON reply with the headers SharinPix sends on every answer.
fn reply(caller: &Caller, status: u16, value: &impl serde::Serialize) -> Response {
    let mut out = Response::json(status, value);
    out.content_type = JSON;
    out.headers.extend([
        ("Cache-Control", "no-cache, no-store".to_owned()),
        ("Pragma", "no-cache".to_owned()),
        ("Expires", "Fri, 01 Jan 1990 00:00:00 GMT".to_owned()),
        ("X-token", caller.token.clone()),
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_its_prefix_only() {
        assert!(claims("/api/v1/images/x/duplicate") && claims("/api/v1/albums"));
        assert!(!claims("/api/v2/albums") && !claims("/images/1") && !claims("/api/v1"));
    }
}
