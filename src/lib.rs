//! ips-emulator: a local stand-in for Adobe Scene7's IPS SOAP API.
//!
//! Layers, top to bottom (see ARCHITECTURE.md): `http` (hyper) → `soap`
//! (XML) → `ips` (operations and their contract) → `auth`, `catalog` (SQL),
//! `store` (files), `render` (images); beside `soap` and `ips`, `rest` (JSON)
//! → the REST facades (`kameleoon`) over the same catalog and store. `handles` is the shared vocabulary;
//! `app` holds the shared state; `lifecycle` opens, resets and sweeps it;
//! `seed` loads a catalog's starting content; `outbound` is the rules and
//! the interface of requests to other servers, which `http` implements.

// Unsafe code is refused everywhere except where a module explicitly allows
// it: the libjpeg-turbo cropping calls in `render::decode`, which the
// turbojpeg crate does not wrap.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod deadline;
pub mod faults;
#[doc(hidden)]
pub mod fuzzing;
pub mod handles;
pub mod http;
mod ingest;
pub mod ips;
pub mod journal;
pub mod kameleoon;
pub mod lifecycle;
pub mod memory;
mod multipart;
pub mod outbound;
pub mod render;
pub mod replay;
pub mod rest;
pub mod seed;
pub mod sharinpix;
pub mod soap;
pub mod store;
pub mod tasks;

use std::future::Future;
use std::sync::Arc;

pub use app::AppState;
pub use config::Limits;
pub use lifecycle::{reset, DataLocation, Options, ResetError, ResetSummary, StartError};
pub use seed::SeedSource;

/// Opens the service's state (`lifecycle::open`), with the outbound HTTP
/// client (`http::outbound`) built from `options.fetch`. Keep the returned
/// worker and `join` it after the state is dropped.
pub async fn open(options: &Options) -> Result<(Arc<AppState>, catalog::Worker), StartError> {
    let fetcher = http::outbound::HyperFetcher::new(&options.fetch)?;
    lifecycle::open(options, Arc::new(fetcher)).await
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http::serve(listener, state, shutdown).await
}

/// Serves HTTP on `listener` and HTTPS on `tls` until `shutdown` resolves,
/// then drains both.
pub async fn run_with_tls(
    listener: tokio::net::TcpListener,
    tls: Option<http::TlsListener>,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http::serve_with_tls(listener, tls, state, shutdown).await
}
