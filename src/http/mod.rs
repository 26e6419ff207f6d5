//! HTTP/1.x transport: the accept loops (plain and TLS), per-connection
//! settings, and the graceful drain. The only module that names hyper and
//! rustls.
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
mod facades;
mod faults;
pub mod outbound;
mod reply;
mod routes;
mod serving;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::app::AppState;
pub use tls::{TlsError, TlsIdentity};

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
    /// The REST facades' state (their tokens and request counts).
    rest: crate::rest::Apis,
}

/// The HTTPS listener beside the plain one: its socket and what it presents.
#[derive(Debug)]
pub struct TlsListener {
    /// The bound socket.
    pub listener: TcpListener,
    /// The certificate and key.
    pub identity: TlsIdentity,
}

/// Marks a request that came over TLS (a request extension), so that the
/// URLs the service writes into its replies say `https`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Secure;

/// Serves HTTP on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with_tls(listener, None, state, shutdown).await
}

/// Serves HTTP on `listener` and, if given, HTTPS on `tls`, until
/// `shutdown` resolves, then drains both. Both share one bound on requests
/// in flight, the header timeout (which also bounds a TLS handshake) and
/// the drain; a failed handshake ends only its own connection.
pub async fn serve_with_tls(
    listener: TcpListener,
    tls: Option<TlsListener>,
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
    crate::ips::jobs::watch_leases(&state);
    let server = Arc::new(Server {
        in_flight: Arc::new(Semaphore::new(state.limits.max_in_flight.max(1))),
        rest: crate::rest::Apis::new(state.clone()),
        state,
        local,
        draining: AtomicBool::new(false),
    });
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (accepted, secure) = tokio::select! {
            accepted = listener.accept() => (accepted, false),
            accepted = accept_on(tls.as_ref()) => (accepted, true),
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                // Out of file descriptors and the like: back off instead
                // of spinning, and keep serving the connections we have.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        match tls.as_ref().filter(|_| secure) {
            None => connection(server.clone(), TokioIo::new(stream), peer, watcher, false),
            Some(tls) => handshake(server.clone(), tls.identity.acceptor().clone(), stream, peer, watcher),
        }
    }
    server.draining.store(true, Ordering::SeqCst);
    drop(listener);
    drop(tls);
    tracing::info!("draining in-flight requests");
    // Running jobs end at their next step, recorded as interrupted.
    server.state.tasks.shut_down(DRAIN_DEADLINE).await;
    if tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown()).await.is_err() {
        tracing::warn!("drain deadline passed; dropping remaining connections");
    }
    Ok(())
}

/// The next connection on the HTTPS listener; never, without one.
async fn accept_on(tls: Option<&TlsListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match tls {
        Some(tls) => tls.listener.accept().await,
        None => std::future::pending().await,
    }
}

/// Completes a TLS handshake within the header timeout, then serves the
/// connection; a handshake that fails or stalls ends this connection only.
fn handshake(server: Arc<Server>, acceptor: TlsAcceptor, stream: TcpStream, peer: SocketAddr, watcher: Watcher) {
    let timeout = server.state.limits.header_timeout;
    tokio::spawn(async move {
        match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => connection(server, TokioIo::new(stream), peer, watcher, true),
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    });
}

/// Serves one connection's requests on a task of its own, watched by the
/// graceful drain.
fn connection<IO>(server: Arc<Server>, io: TokioIo<IO>, peer: SocketAddr, watcher: Watcher, secure: bool)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let header_timeout = server.state.limits.header_timeout;
    let service = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        let server = server.clone();
        if secure {
            req.extensions_mut().insert(Secure);
        }
        async move { Ok::<_, std::convert::Infallible>(admission::admit(&server, req).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::spawn(async move {
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
        }
    });
}

/// Percent-decoding is the REST layer's, where forms need it too.
use crate::rest::form::percent_decode;

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
