//! The state every request shares, built once at start-up.

use std::sync::{Arc, OnceLock};

use crate::auth::Authenticator;
use crate::catalog::Catalog;
use crate::config::Limits;
use crate::cpu::Cpu;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::memory::Memory;
use crate::outbound::Fetcher;
use crate::seed::SeedSource;
use crate::store::Store;
use crate::tasks::Tasks;

/// Catalog, store, authenticator, limits and the outbound client, shared
/// behind an `Arc`.
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
    /// The CPU budget for blocking work (argon2, decoding, rendering).
    pub cpu: Cpu,
    /// The memory budget for renders.
    pub memory: Memory,
    /// The seed the service started with, which a reset restores.
    pub seed: SeedSource,
    /// Whether the emulator controls (`/_emulator/reset`,
    /// `/_emulator/requests`, `/_emulator/faults`, …) are served and the
    /// journal kept.
    pub emulator_api: bool,
    /// The most recent calls, for `/_emulator/requests`.
    pub journal: Journal,
    /// The faults armed through `/_emulator/faults`.
    pub faults: Faults,
    /// The one way to make outbound HTTP requests (fetching source URLs,
    /// posting callbacks), within the `--fetch-allow` policy.
    pub fetcher: Arc<dyn Fetcher>,
    /// The jobs active in this process.
    pub tasks: Tasks,
    /// `http://<bound address>`, once the listener is bound: where the
    /// service's own URLs (an export's archive) point.
    public_url: OnceLock<String>,
}

impl AppState {
    /// Wires the parts together.
    pub fn new(
        catalog: Catalog,
        store: Store,
        limits: Limits,
        seed: SeedSource,
        emulator_api: bool,
        fetcher: Arc<dyn Fetcher>,
    ) -> Arc<Self> {
        let cpu = Cpu::per_core();
        let tasks = Tasks::new(cpu.permits(), limits.job_hold);
        Arc::new(AppState {
            auth: Authenticator::new(catalog.clone(), cpu.clone()),
            catalog,
            store,
            memory: Memory::new(limits.render_memory),
            limits,
            cpu,
            seed,
            emulator_api,
            journal: Journal::new(if emulator_api { crate::journal::CAPACITY } else { 0 }),
            faults: Faults::default(),
            fetcher,
            tasks,
            public_url: OnceLock::new(),
        })
    }

    /// Records the service's own base URL (the first call wins).
    pub fn set_public_url(&self, url: String) {
        let _ = self.public_url.set(url);
    }

    /// The service's own base URL, `http://host:port`.
    pub fn public_url(&self) -> &str {
        self.public_url.get().map_or("http://127.0.0.1:8080", String::as_str)
    }
}
