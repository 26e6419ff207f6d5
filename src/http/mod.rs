//! HTTP/1.x transport: the accept loop, per-connection settings, and the
//! graceful drain. The only module that names hyper.
//!
//! Slow clients are bounded: hyper's header timeout needs a timer, which is
//! set here; bodies get their own deadline in `routes`. On shutdown the loop
//! stops accepting, every connection finishes its in-flight request and
//! closes (answering `Connection: close`), and after the drain deadline the
//! rest are dropped.

mod admission;
mod body;
pub mod client;
mod controls;
mod endpoints;
pub(crate) mod multipart;
pub mod outbound;
mod reply;
mod routes;
mod serving;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::AppState;

/// How long in-flight requests may take to finish after shutdown begins.
const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

/// Per-server facts the routes need.
#[derive(Debug)]
pub(crate) struct Server {
    state: Arc<AppState>,
    /// The address the listener is bound to (for WSDL addresses when a
    /// client sends no Host).
    local: SocketAddr,
    /// Set once shutdown begins: every reply then says `Connection: close`.
    draining: AtomicBool,
    /// One permit per request being handled (`--max-in-flight`).
    in_flight: Arc<Semaphore>,
}

/// Serves HTTP on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    state.set_public_url(public_url(local));
    // Jobs a previous process left running are marked failed, and
    // scheduled ones armed, before the first request.
    if let Err(e) = crate::ips::jobs::recover(&state).await {
        tracing::error!(error = %e, "could not recover the jobs of the last run");
    }
    let server = Arc::new(Server {
        in_flight: Arc::new(Semaphore::new(state.limits.max_in_flight.max(1))),
        state,
        local,
        draining: AtomicBool::new(false),
    });
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead
                    // of spinning, and keep serving the connections we have.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let header_timeout = server.state.limits.header_timeout;
        let for_service = server.clone();
        let service = service_fn(move |req| {
            let server = for_service.clone();
            async move { Ok::<_, std::convert::Infallible>(admission::admit(&server, req).await) }
        });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    server.draining.store(true, Ordering::SeqCst);
    drop(listener);
    tracing::info!("draining in-flight requests");
    // Running jobs end at their next step, recorded as interrupted.
    server.state.tasks.shut_down(DRAIN_DEADLINE).await;
    if tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown()).await.is_err() {
        tracing::warn!("drain deadline passed; dropping remaining connections");
    }
    Ok(())
}

/// Decodes `%xx` escapes and `+` (a space, in query strings); bytes that do
/// not make UTF-8 are replaced.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `http://<address>` of the listener; an unspecified address (all
/// interfaces) is reached on loopback.
fn public_url(local: std::net::SocketAddr) -> String {
    let ip = match local.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", std::net::SocketAddr::new(ip, local.port()))
}
