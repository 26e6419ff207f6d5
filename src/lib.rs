//! ips-emulator: a local stand-in for Adobe Scene7's IPS SOAP API.
//!
//! Layers, top to bottom (see ARCHITECTURE.md): `http` (hyper) → `soap`
//! (XML) → `ips` (operations) → `auth`, `catalog` (SQL), `store` (files),
//! `render` (images). `handles` is the shared vocabulary; `app` holds the
//! shared state; `seed` loads a catalog's starting content.

// Unsafe code is refused everywhere except where a module explicitly allows
// it: the libjpeg-turbo cropping calls in `render::decode`, which the
// turbojpeg crate does not wrap.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod handles;
pub mod http;
pub mod ips;
pub mod render;
pub mod seed;
pub mod serving;
pub mod soap;
pub mod store;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

pub use app::AppState;
pub use config::Limits;
pub use seed::SeedSource;

/// Where the catalog and the image files live.
#[derive(Clone, Debug)]
pub enum DataLocation {
    /// `catalog.db` and `store/` under this directory (created if missing).
    Dir(PathBuf),
    /// Nothing on disk.
    InMemory,
}

/// Everything needed to open the service's state.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where data lives.
    pub data: DataLocation,
    /// The seed applied to an empty catalog.
    pub seed: SeedSource,
    /// Limits.
    pub limits: Limits,
}

/// Start-up failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// Which directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The catalog could not be opened.
    #[error("catalog: {0}")]
    Catalog(#[from] catalog::Error),
    /// The store could not be opened.
    #[error("store: {0}")]
    Store(#[from] store::Error),
    /// The seed could not be applied.
    #[error("seed: {0}")]
    Seed(#[from] seed::Error),
}

/// Opens the catalog and store, and applies the seed if the catalog is empty.
/// Keep the returned worker and `join` it after the state is dropped, so the
/// database closes cleanly.
pub async fn open(options: &Options) -> Result<(Arc<AppState>, catalog::Worker), StartError> {
    let (catalog, worker, store) = match &options.data {
        DataLocation::InMemory => {
            let (catalog, worker) = catalog::Catalog::open_in_memory()?;
            (catalog, worker, store::Store::in_memory())
        }
        DataLocation::Dir(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
                path: dir.clone(),
                source,
            })?;
            let (catalog, worker) = catalog::Catalog::open(&dir.join("catalog.db"))?;
            (catalog, worker, store::Store::open_dir(&dir.join("store"))?)
        }
    };
    let state = AppState::new(catalog, store, options.limits);
    match seed::apply_to(&state, &options.seed).await? {
        seed::Outcome::Applied => tracing::info!("seed applied to the empty catalog"),
        seed::Outcome::KeptExisting => tracing::info!("catalog already has content; seed not applied"),
    }
    sweep_unreferenced_blobs(&state).await?;
    Ok((state, worker))
}

/// Removes stored files no asset names. A crash (or the drain deadline)
/// between storing a rendering and committing its row leaves such a file;
/// nothing is in flight at start-up, so anything unnamed is garbage.
async fn sweep_unreferenced_blobs(state: &Arc<AppState>) -> Result<(), StartError> {
    let referenced: std::collections::BTreeSet<String> = state.catalog.referenced_blobs().await?.into_iter().collect();
    let store = state.store.clone();
    let removed = tokio::task::spawn_blocking(move || -> Result<usize, store::Error> {
        let mut removed = 0;
        for hash in store.list()? {
            if !referenced.contains(&hash) {
                store.remove(&hash)?;
                removed += 1;
            }
        }
        Ok(removed)
    })
    .await
    .map_err(|e| {
        StartError::Store(store::Error::Io {
            what: "sweep",
            source: std::io::Error::other(e.to_string()),
        })
    })??;
    if removed > 0 {
        tracing::info!(removed, "removed stored files no asset names");
    }
    Ok(())
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http::serve(listener, state, shutdown).await
}
