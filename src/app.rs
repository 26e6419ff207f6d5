//! The state every request shares, built once at start-up.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::auth::Authenticator;
use crate::catalog::Catalog;
use crate::config::Limits;
use crate::store::Store;

/// Catalog, store, authenticator and limits, shared behind an `Arc`.
#[derive(Debug)]
pub struct AppState {
    /// The catalog.
    pub catalog: Catalog,
    /// The blob store.
    pub store: Store,
    /// Credential checking, with its verification cache.
    pub auth: Authenticator,
    /// Request and image limits.
    pub limits: Limits,
    /// One permit per core for CPU-heavy blocking work (argon2, decoding).
    pub cpu: Arc<Semaphore>,
}

impl AppState {
    /// Wires the parts together.
    pub fn new(catalog: Catalog, store: Store, limits: Limits) -> Arc<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let cpu = Arc::new(Semaphore::new(cores));
        Arc::new(AppState {
            auth: Authenticator::new(catalog.clone(), cpu.clone()),
            catalog,
            store,
            limits,
            cpu,
        })
    }
}
