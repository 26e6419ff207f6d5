//! `POST imports` and `GET imports/:id`: an image imported from a URL. The
//! import is recorded and answered at once (`image_id` null, as SharinPix
//! answers); a task then fetches the URL through the service's one outbound
//! client (its allow-list, redirect, time and size rules), checks that the
//! bytes are an image, stores them and makes the image, which sets the
//! import's `image_id`. A fetch or check that fails sets no image; the
//! import then says why in an `error` field.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::record::format_name;
use super::{check_album_id, Ability, Caller, Error, SharinPix};
use crate::app::AppState;
use crate::catalog::{NewImageSource, SharinPixImport, SharinPixNewImage};
use crate::deadline;
use crate::ingest::{self, UploadedFile};

/// What `POST imports` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportRequest {
    /// `album_id`.
    pub album_id: Option<String>,
    /// `url`.
    pub url: Option<String>,
    /// `filename` (default: the URL's last segment).
    pub filename: Option<String>,
    /// `import_type` (`url`).
    pub import_type: Option<String>,
    /// `metadatas` (or `metadata`): kept on the image.
    pub metadatas: Map<String, Value>,
    /// Every parameter as sent, echoed in `params`.
    pub params: Map<String, Value>,
}

/// An import, field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// `id`.
    pub id: String,
    /// `organization_id`.
    pub organization_id: String,
    /// `image_id`, once made.
    pub image_id: Option<String>,
    /// `import_type`.
    pub import_type: Option<String>,
    /// `album_id`.
    pub album_id: String,
    /// `params`.
    pub params: Map<String, Value>,
    /// Why the import failed, if it did.
    pub error: Option<String>,
    /// `created_at`.
    pub created_at: String,
    /// `updated_at`.
    pub updated_at: String,
}

impl From<SharinPixImport> for Import {
    fn from(row: SharinPixImport) -> Import {
        let params = match serde_json::from_str(&row.params) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Import {
            id: row.id,
            organization_id: row.org,
            image_id: row.image_id,
            import_type: row.import_type,
            album_id: row.album,
            params,
            error: row.error,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl SharinPix {
    /// `POST imports`: needs `image_upload` on the album.
    pub async fn import(&self, caller: &Caller, req: ImportRequest) -> Result<Import, Error> {
        let album = req
            .album_id
            .ok_or_else(|| Error::BadRequest("album_id is required".into()))?;
        check_album_id(&album)?;
        caller.require(&album, &[Ability::ImageUpload])?;
        let url = req.url.ok_or_else(|| Error::BadRequest("url is required".into()))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::Unprocessable(format!("url must be http or https, not '{url}'")));
        }
        let filename = req.filename.unwrap_or_else(|| {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("import").to_owned()
        });
        let params = Value::Object(req.params).to_string();
        let row = self
            .state
            .catalog
            .sharinpix_create_import(caller.org.clone(), album.clone(), req.import_type, params)
            .await
            .map_err(|e| super::images::refusal(e, &album))?;
        let work = Work {
            org: caller.org.clone(),
            album,
            import: (row.id.clone(), row.created_at.clone()),
            generation: self.state.tasks.generation(),
            url,
            filename,
            metadatas: Value::Object(req.metadatas).to_string(),
        };
        let state = self.state.clone();
        tokio::spawn(async move { work.run(&state).await });
        Ok(row.into())
    }

    /// `GET imports/:id`.
    pub async fn import_status(&self, caller: &Caller, id: &str) -> Result<Import, Error> {
        self.state
            .catalog
            .sharinpix_import(caller.org.clone(), id.to_owned())
            .await?
            .map(Import::from)
            .ok_or_else(|| Error::NotFound(format!("no import {id}")))
    }
}

/// An import's fetch, store and image.
struct Work {
    org: String,
    album: String,
    /// The import's id and when it was made: ids start over after a reset,
    /// so the pair names this import and no later one.
    import: (String, String),
    /// The resets there had been when it was made: after another, the
    /// import is gone and the task ends without writing.
    generation: u64,
    url: String,
    filename: String,
    metadatas: String,
}

impl Work {
    async fn run(self, state: &Arc<AppState>) {
        // One of the job workers' slots, so that imports are bounded as
        // URL uploads are; none once the service is shutting down.
        let Some(_slot) = state.tasks.slot().await else {
            return;
        };
        if state.tasks.generation() != self.generation {
            return;
        }
        // Not bound by any request's patience: the caller was answered.
        let outcome = deadline::exempt(self.fetch_and_make(state)).await;
        if let Err(why) = outcome {
            tracing::info!(import = %self.import.0, %why, "SharinPix import failed");
            let (id, created) = self.import.clone();
            if let Err(e) = deadline::exempt(state.catalog.sharinpix_fail_import(id, created, why)).await {
                tracing::warn!(error = %e, "could not record a failed import");
            }
        }
    }

    async fn fetch_and_make(&self, state: &Arc<AppState>) -> Result<(), String> {
        let fetched = state.fetcher.get(&self.url).await.map_err(|e| e.to_string())?;
        let files = [UploadedFile {
            filename: Some(self.filename.clone()),
            bytes: fetched.bytes,
        }];
        let infos = ingest::probe(state, &files).await.map_err(|e| reason(&e))?;
        let mut stored = ingest::store(state, &files, infos).await.map_err(|e| reason(&e))?;
        let content = stored.contents.pop().ok_or("nothing was stored")?;
        let infos = serde_json::json!({
            "format": format_name(Some(&content.format)),
            "original_filename": self.filename,
            "url": self.url,
        });
        let made = state
            .catalog
            .sharinpix_add_image(SharinPixNewImage {
                org: self.org.clone(),
                album: self.album.clone(),
                filename: self.filename.clone(),
                infos: infos.to_string(),
                metadatas: self.metadatas.clone(),
                source: NewImageSource::Stored(content),
                import: Some(self.import.clone()),
            })
            .await;
        stored.held.settle(state, made.is_ok()).await;
        made.map(|_| ())
            .map_err(|e| format!("the image could not be recorded: {e}"))
    }
}

/// Why a fetched file was not taken in, for the import's `error`.
fn reason(e: &ingest::Error) -> String {
    match e {
        ingest::Error::NotAnImage { error, .. } => format!("not an acceptable image: {error}"),
        ingest::Error::Store(e) => format!("the file could not be stored: {e}"),
        ingest::Error::Task(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_read_back_from_rows() {
        let import = Import::from(SharinPixImport {
            id: "i".into(),
            org: "o".into(),
            album: "a".into(),
            import_type: Some("url".into()),
            params: r#"{"url":"https://x/y.jpg"}"#.into(),
            image_id: None,
            error: None,
            created_at: "t".into(),
            updated_at: "t".into(),
        });
        assert_eq!(import.params["url"], "https://x/y.jpg");
        assert_eq!(import.album_id, "a");
    }
}
