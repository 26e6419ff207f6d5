//! Stored image bytes an operation makes or lets go of: a rendering for a
//! copy or a replacement (and for Image Serving), made within the CPU and
//! memory budgets, and a file no asset names any more.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{Asset, NewContent};
use crate::{cpu, memory, render, store};

use super::Error;

/// The Image Serving commands a request on `asset` applies: the stored
/// modifier, then the request's, then the stored post-modifier, so that the
/// last occurrence of a command wins in that precedence.
pub(crate) fn commands_around(asset: &Asset, request: &str) -> String {
    [asset.url_modifier.as_str(), request, asset.url_post_modifier.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

/// How many times work on an asset's bytes starts again from a fresh read of
/// its row, after a concurrent replacement or deletion released the bytes
/// the row named a moment before.
pub(crate) const ATTEMPTS: u32 = 3;

/// Whether `e` is the bytes `asset` named being gone (see [`ATTEMPTS`]).
pub(crate) fn released(e: &Error, asset: &Asset) -> bool {
    matches!(e, Error::Store(s) if s.is_missing(&asset.content_hash))
}

/// Renders the asset's bytes with `commands` and stores the result, within
/// the CPU and memory budgets. The result stays pinned until the returned
/// pin is dropped, so a concurrent failure with identical bytes cannot
/// release it before this caller's row names it.
pub(crate) async fn render_and_store(
    state: &Arc<AppState>,
    asset: &Asset,
    commands: String,
) -> Result<(NewContent, store::Pin), Error> {
    let modifier = render::modifier::parse(&commands).map_err(render::Error::from)?;
    let rendered = render_stored(state, asset.content_hash.clone(), modifier).await?;
    let store = state.store.clone();
    cpu::offload(move || {
        let pin = store.pin(&store::content_hash(&rendered.bytes));
        let content_hash = store.put(&rendered.bytes)?;
        let content = NewContent {
            content_hash,
            width: rendered.info.width,
            height: rendered.info.height,
            format: rendered.info.format.to_owned(),
            byte_size: rendered.bytes.len() as u64,
        };
        Ok((content, pin))
    })
    .await?
}

/// Why stored bytes could not be rendered.
#[derive(Debug)]
pub(crate) enum RenderFailure {
    /// The bytes could not be read.
    Store(store::Error),
    /// The commands or the bytes could not be rendered.
    Render(render::Error),
    /// The render's memory was not granted.
    Memory(memory::Refused),
    /// Blocking work could not run.
    Task(cpu::Interrupted),
}

impl From<RenderFailure> for Error {
    fn from(f: RenderFailure) -> Self {
        match f {
            RenderFailure::Store(e) => Error::Store(e),
            RenderFailure::Render(e) => Error::Render(e),
            RenderFailure::Memory(e) => Error::from(e),
            RenderFailure::Task(e) => Error::from(e),
        }
    }
}

/// Renders the stored bytes `hash` with `modifier`: the bytes are read and
/// the render's peak memory estimated off the runtime, that much memory is
/// reserved from the budget (waiting for it), and the render runs within
/// the CPU budget holding the reservation.
pub(crate) async fn render_stored(
    state: &Arc<AppState>,
    hash: String,
    modifier: render::Modifier,
) -> Result<render::Rendered, RenderFailure> {
    let store = state.store.clone();
    let config = state.limits.render;
    let modifier = Arc::new(modifier);
    let (bytes, needed) = {
        let modifier = modifier.clone();
        cpu::offload(move || {
            let bytes = store.get(&hash).map_err(RenderFailure::Store)?;
            let needed = render::estimate(&bytes, &modifier, &config).map_err(RenderFailure::Render)?;
            Ok::<_, RenderFailure>((bytes, needed))
        })
        .await
        .map_err(RenderFailure::Task)??
    };
    let reservation = state.memory.reserve(needed).await.map_err(RenderFailure::Memory)?;
    state
        .cpu
        .run(move || {
            let _reservation = reservation;
            render::render(&bytes, &modifier, &config)
        })
        .await
        .map_err(RenderFailure::Task)?
        .map_err(RenderFailure::Render)
}

/// Removes a stored file once no asset names it: the same release every
/// path that stores files uses (see `ingest`).
pub(crate) use crate::ingest::release;
