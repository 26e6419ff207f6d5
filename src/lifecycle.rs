//! The service's life: opening its state (catalog, store, seed), resetting
//! it to the seed, and sweeping stored files no asset names.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::AppState;
use crate::config::Limits;
use crate::outbound::{self, Fetcher};
use crate::seed::{self, SeedSource};
use crate::{catalog, store};

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
    /// A shared catalog on PostgreSQL (`postgres://…`) instead of SQLite in
    /// `data`; the image files stay where `data` says.
    pub catalog: Option<String>,
    /// The seed applied to an empty catalog.
    pub seed: SeedSource,
    /// Limits.
    pub limits: Limits,
    /// Whether the emulator controls (`/_emulator/reset`,
    /// `/_emulator/requests`, `/_emulator/faults`, …) are served (and the
    /// request journal kept).
    pub emulator_api: bool,
    /// What outbound requests may do, and the extra roots they trust
    /// (`crate::open` builds the client from it).
    pub fetch: outbound::Settings,
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
    /// The outbound client could not be built.
    #[error(transparent)]
    Outbound(#[from] outbound::SetupError),
}

/// Opens the catalog and store, and applies the seed if the catalog is empty.
/// Keep the returned worker and `join` it after the state is dropped, so the
/// database closes cleanly. Outbound requests go through `fetcher`
/// (`options.fetch` is not read here: `crate::open` builds the hyper client
/// from it, and a test may hand in any `Fetcher`).
pub async fn open(
    options: &Options,
    fetcher: Arc<dyn Fetcher>,
) -> Result<(Arc<AppState>, catalog::Worker), StartError> {
    let (catalog, worker, store) = match &options.data {
        DataLocation::InMemory => {
            let (catalog, worker) = match &options.catalog {
                Some(url) => open_shared(url).await?,
                None => catalog::Catalog::open_in_memory()?,
            };
            (catalog, worker, store::Store::in_memory())
        }
        DataLocation::Dir(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
                path: dir.clone(),
                source,
            })?;
            let (catalog, worker) = match &options.catalog {
                Some(url) => open_shared(url).await?,
                None => catalog::Catalog::open(&dir.join("catalog.db"))?,
            };
            let store = match &options.catalog {
                Some(_) => store::Store::open_shared_dir(&dir.join("store"), SHARED_GRACE)?,
                None => store::Store::open_dir(&dir.join("store"))?,
            };
            (catalog, worker, store)
        }
    };
    let image_limits = options.limits.render.image;
    match seed::apply(&options.seed, &catalog, &store, image_limits).await? {
        seed::Outcome::Applied => tracing::info!("seed applied to the empty catalog"),
        seed::Outcome::KeptExisting => tracing::info!("catalog already has content; seed not applied"),
    }
    let state = AppState::new(
        catalog,
        store,
        options.limits,
        options.seed.clone(),
        options.emulator_api,
        fetcher,
    );
    let removed: usize = sweep_unreferenced_blobs::<StartError>(&state).await?;
    if removed > 0 {
        tracing::info!(removed, "removed stored files no asset names");
    }
    Ok((state, worker))
}

/// How old a stored file no row names must be before an instance sharing
/// the store removes it: longer than any upload takes between storing its
/// bytes and committing its row.
pub const SHARED_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// Opens the PostgreSQL catalog off the async runtime (connecting and
/// migrating block).
async fn open_shared(url: &str) -> Result<(catalog::Catalog, catalog::Worker), StartError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || catalog::Catalog::open_postgres(&url))
        .await
        .map_err(|_| StartError::Catalog(catalog::Error::Closed))?
        .map_err(StartError::Catalog)
}

/// Removes stored files no asset names, and says how many. A crash (or the
/// drain deadline) between storing a rendering and committing its row leaves
/// such a file at start-up; a reset leaves every file only the old content
/// named. It runs on the catalog worker, so no row naming a file can commit
/// between the check and the removal, and it removes only unpinned files, so
/// a rendering in flight whose row is not yet written is spared.
async fn sweep_unreferenced_blobs<E>(state: &Arc<AppState>) -> Result<usize, E>
where
    E: From<catalog::Error> + From<store::Error>,
{
    let store = state.store.clone();
    let swept = state
        .catalog
        .sweep_blobs(move |referenced| -> Result<usize, store::Error> {
            let mut removed = 0;
            for hash in store.list()? {
                if !referenced.contains(&hash) && store.remove_unpinned(&hash)? {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await?;
    Ok(swept?)
}

/// What [`reset`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetSummary {
    /// What the seed loaded.
    pub restored: seed::Restored,
    /// Stored files no asset named any more, removed.
    pub removed_blobs: usize,
}

/// Why a reset failed. If the seed could not be loaded, the catalog is as it
/// was.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// The seed could not be read or loaded.
    #[error("seed: {0}")]
    Seed(#[from] seed::Error),
    /// The sweep could not ask the catalog.
    #[error("catalog: {0}")]
    Catalog(#[from] catalog::Error),
    /// The sweep could not list or remove stored files.
    #[error("store: {0}")]
    Store(#[from] store::Error),
}

/// How long a reset waits for running jobs to stop.
const JOB_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Puts the service back to the seed it started with (`POST
/// /_emulator/reset`): the catalog's whole content and handle counters, so
/// the same request sequence gives the same handles again; and disarms
/// every fault armed through `/_emulator/faults`. Requests may be
/// in flight: the reset is one catalog job, so each of their jobs runs
/// wholly before or wholly after it.
pub async fn reset(state: &Arc<AppState>) -> Result<ResetSummary, ResetError> {
    // Faults armed for the old run would hit the new one's calls.
    state.faults.reset();
    // Running jobs stop before their next item, so that none writes into
    // the restored catalog; one still busy with an item after a few
    // seconds finds its job gone and records nothing.
    state.tasks.stop_all();
    let _ = tokio::time::timeout(JOB_STOP_WAIT, state.tasks.idle()).await;
    let restored = seed::reset(&state.seed, &state.catalog, &state.store, state.limits.render.image).await;
    if restored.is_ok() {
        // Users may have changed or gone: nothing verified against the old
        // ones may be trusted.
        state.auth.forget_all();
    }
    // Swept even after a failure, which may have left seed files unnamed.
    let removed_blobs = sweep_unreferenced_blobs::<ResetError>(state).await;
    Ok(ResetSummary {
        restored: restored?,
        removed_blobs: removed_blobs?,
    })
}
