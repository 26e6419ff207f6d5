//! Image Serving for stored assets: `GET /is/image/<company>/<asset>?<commands>`.
//!
//! This is how a regression test looks at what a copy made: the stored bytes
//! when there are no commands, otherwise a rendering with the same pipeline
//! `copyImage` uses. Like Image Serving, the asset's stored modifier applies
//! before the request's commands and its post-modifier after them.

use std::sync::Arc;

use super::blobs::{commands_around, render_stored, RenderFailure, ATTEMPTS};
use crate::app::AppState;
use crate::{catalog, cpu, memory, render, store};

/// A reply body and how to label it.
#[derive(Debug)]
pub struct Served {
    /// The image bytes.
    pub bytes: Arc<[u8]>,
    /// Its MIME type.
    pub mime: &'static str,
    /// A strong validator: the stored bytes' hash, or a hash of that and the
    /// commands for a rendering (renderings are deterministic).
    pub etag: String,
}

/// Why an image could not be served.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such company or asset (or not an image).
    #[error("Unable to find image '{0}'")]
    NotFound(String),
    /// The asset exists but no publish has put it on the Image Server, and
    /// only published assets are served (`--require-publish`).
    #[error("Unable to find image '{0}': it has not been published")]
    NotPublished(String),
    /// The commands or the source image could not be rendered.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// The catalog failed.
    #[error(transparent)]
    Catalog(#[from] catalog::Error),
    /// The blob store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The render's memory was not granted.
    #[error(transparent)]
    Memory(#[from] memory::Refused),
    /// Blocking work could not be scheduled.
    #[error(transparent)]
    Task(#[from] cpu::Interrupted),
}

impl From<RenderFailure> for Error {
    fn from(f: RenderFailure) -> Self {
        match f {
            RenderFailure::Store(e) => Error::Store(e),
            RenderFailure::Render(e) => Error::Render(e),
            RenderFailure::Memory(e) => Error::Memory(e),
            RenderFailure::Task(e) => Error::Task(e),
        }
    }
}

impl Error {
    /// Whether the request waited past its deadline for the catalog, a CPU
    /// or memory, and nothing was done.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Error::Catalog(catalog::Error::Busy(_))
                | Error::Memory(memory::Refused::Busy(_))
                | Error::Task(cpu::Interrupted::Busy(_))
        )
    }

    /// Whether the request is at fault (as opposed to the service).
    pub fn is_client(&self) -> bool {
        match self {
            Error::NotFound(_) | Error::NotPublished(_) => true,
            Error::Render(r) => r.is_client(),
            Error::Memory(m) => matches!(m, memory::Refused::TooLarge { .. }),
            _ => false,
        }
    }
}

/// Serves `asset` of `company` (both already URL-decoded) with the raw,
/// still-encoded `query` as Image Serving commands; when only published
/// assets are served, an asset no publish has reached is refused. The row
/// is read again when a concurrent replacement released the bytes it named
/// in between.
pub async fn serve(state: &Arc<AppState>, company: &str, asset: &str, query: &str) -> Result<Served, Error> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (found, published) = state
            .catalog
            .asset_for_serving(company.to_owned(), asset.to_owned())
            .await?
            .filter(|(a, _)| a.asset_type == "Image")
            .ok_or_else(|| Error::NotFound(format!("{company}/{asset}")))?;
        if state.limits.require_publish && !published {
            return Err(Error::NotPublished(format!("{company}/{asset}")));
        }
        match serve_row(state, &found, query).await {
            Err(Error::Store(e)) if e.is_missing(&found.content_hash) && attempts < ATTEMPTS => continue,
            served => return served,
        }
    }
}

/// Serves the image `found` names: its stored bytes, or a rendering.
async fn serve_row(state: &Arc<AppState>, found: &catalog::Asset, query: &str) -> Result<Served, Error> {
    let commands = commands_around(found, query);
    let store = state.store.clone();
    if commands.is_empty() {
        let hash = found.content_hash.clone();
        let bytes = cpu::offload(move || store.get(&hash)).await??;
        return Ok(Served {
            bytes,
            mime: render::mime_for(found.format.as_deref().unwrap_or_default()),
            etag: format!("\"{}\"", found.content_hash),
        });
    }
    let modifier = render::modifier::parse(&commands).map_err(render::Error::from)?;
    let etag = format!(
        "\"{}\"",
        store::content_hash(format!("{}\n{commands}", found.content_hash).as_bytes())
    );
    let rendered = render_stored(state, found.content_hash.clone(), modifier).await?;
    Ok(Served {
        bytes: rendered.bytes.into(),
        mime: rendered.mime,
        etag,
    })
}
