//! The outbound HTTP client: `outbound::Fetcher` over hyper's HTTP/1.1
//! client connection, on plain TCP or through rustls (the ring provider;
//! Mozilla's roots from `webpki-roots`, plus any `--fetch-ca` files).
//!
//! One request per connection (`Connection: close`), so nothing a server
//! said on one exchange carries over to the next. The rules are
//! `outbound`'s; this file carries them out: each hop's host is checked by
//! `Policy::addresses` before anything is sent, and the connection goes to
//! the addresses it returned; redirects are followed here, by hand, each
//! target checked like the first; the body is read frame by frame against
//! the cap.

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper::header;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};
use tokio_rustls::TlsConnector;

use crate::outbound::{
    BoxFuture, FetchError, Fetched, Fetcher, Host, Policy, Scheme, Settings, SetupError, Stage, Url,
};

/// Sent with every request.
const USER_AGENT: &str = concat!("ips-emulator/", env!("CARGO_PKG_VERSION"));

/// The hyper implementation of `Fetcher`.
pub struct HyperFetcher {
    policy: Policy,
    tls: TlsConnector,
}

impl fmt::Debug for HyperFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperFetcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl HyperFetcher {
    /// A client following `settings.policy` and trusting the built-in roots
    /// and the certificates in `settings.ca_files`.
    pub fn new(settings: &Settings) -> Result<HyperFetcher, SetupError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for path in &settings.ca_files {
            add_pem_roots(&mut roots, path)?;
        }
        // rustls 0.23.48 deprecates its ring provider for lacking
        // post-quantum key exchange, not for a flaw; the other provider,
        // aws-lc-rs, builds a large C library from source on every clean
        // build (the fuzz build included). Fetching source images does not
        // need post-quantum secrecy.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| SetupError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(HyperFetcher {
            policy: settings.policy.clone(),
            tls: TlsConnector::from(Arc::new(config)),
        })
    }

    /// The rules this client follows.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    async fn get_url(&self, url: &str) -> Result<Fetched, FetchError> {
        let Answer {
            url,
            response,
            deadline,
            _driver,
        } = self.follow(url, &Outgoing::Get).await?;
        success(&url, response.status())?;
        let limit = self.policy.max_bytes;
        let headers = response.headers();
        let coding = headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes());
        if coding.is_some_and(|c| !c.eq_ignore_ascii_case(b"identity")) {
            return Err(FetchError::Exchange {
                host: url.host_port(),
                reason: "the response has a Content-Encoding, which was not asked for".to_owned(),
            });
        }
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(FetchError::TooLarge { limit });
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = timeout_at(deadline, read_capped(response.into_body(), limit, &url))
            .await
            .map_err(|_| self.read_timeout(&url))??;
        tracing::debug!(url = %url.host_port(), bytes = bytes.len(), "fetched");
        Ok(Fetched {
            bytes,
            content_type,
            final_url: url.to_string(),
        })
    }

    async fn post_to(&self, url: &str, content_type: &str, body: Bytes) -> Result<u16, FetchError> {
        let answer = self.follow(url, &Outgoing::Post { content_type, body }).await?;
        let status = answer.response.status();
        success(&answer.url, status)?;
        tracing::debug!(url = %answer.url.host_port(), status = status.as_u16(), "posted");
        Ok(status.as_u16())
    }

    /// Sends the request, following redirects within the policy, and
    /// returns the first response that is not a redirect to follow.
    async fn follow(&self, raw: &str, out: &Outgoing<'_>) -> Result<Answer, FetchError> {
        let mut url = Url::parse(raw)?;
        let mut redirects = 0;
        loop {
            let answer = self.exchange(url, out).await.map_err(|e| match e {
                FetchError::HostNotAllowed { host } if redirects > 0 => FetchError::RedirectNotAllowed { host },
                e => e,
            })?;
            let Some(location) = redirect(&answer, out)? else {
                return Ok(answer);
            };
            if redirects == self.policy.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    limit: self.policy.max_redirects,
                });
            }
            redirects += 1;
            url = answer.url.join(&location).map_err(|e| match e {
                // Not the caller's URL that is bad: say whose it is.
                FetchError::BadUrl(why) => FetchError::Exchange {
                    host: answer.url.host_port(),
                    reason: format!("redirected to an invalid URL: {why}"),
                },
                e => e,
            })?;
            // `answer` goes here, and its connection with it.
        }
    }

    /// One request on a new connection, up to the response's head.
    async fn exchange(&self, url: Url, out: &Outgoing<'_>) -> Result<Answer, FetchError> {
        let after = self.policy.connect_timeout;
        let (mut sender, driver) = timeout(after, self.connect(&url))
            .await
            .map_err(|_| FetchError::Timeout {
                host: url.host_port(),
                stage: Stage::Connect,
                after,
            })??;
        let deadline = Instant::now() + self.policy.read_timeout;
        let request = request(&url, out)?;
        let response = timeout_at(deadline, sender.send_request(request))
            .await
            .map_err(|_| self.read_timeout(&url))?
            .map_err(|e| broken(&url, &e))?;
        Ok(Answer {
            url,
            response,
            deadline,
            _driver: driver,
        })
    }

    /// Checks the host, connects to an address the check returned, and
    /// for `https` makes the TLS handshake.
    async fn connect(&self, url: &Url) -> Result<(http1::SendRequest<Full<Bytes>>, Driver), FetchError> {
        let addresses = self.policy.addresses(url).await?;
        let tcp = connect_any(url, &addresses).await?;
        let _ = tcp.set_nodelay(true);
        match url.scheme() {
            Scheme::Http => handshake(url, tcp).await,
            Scheme::Https => {
                let tls = self
                    .tls
                    .connect(server_name(url)?, tcp)
                    .await
                    .map_err(|e| FetchError::Tls {
                        host: url.host_port(),
                        reason: e.to_string(),
                    })?;
                handshake(url, tls).await
            }
        }
    }

    fn read_timeout(&self, url: &Url) -> FetchError {
        FetchError::Timeout {
            host: url.host_port(),
            stage: Stage::Response,
            after: self.policy.read_timeout,
        }
    }
}

impl Fetcher for HyperFetcher {
    fn get<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        Box::pin(self.get_url(url))
    }

    fn post<'a>(&'a self, url: &'a str, content_type: &'a str, body: Bytes) -> BoxFuture<'a, Result<u16, FetchError>> {
        Box::pin(self.post_to(url, content_type, body))
    }
}

/// What to send.
enum Outgoing<'a> {
    Get,
    Post { content_type: &'a str, body: Bytes },
}

/// A response whose head has arrived.
struct Answer {
    url: Url,
    response: Response<Incoming>,
    /// When the whole response must have arrived.
    deadline: Instant,
    /// Drives the connection until the body is read.
    _driver: Driver,
}

/// The task driving a connection, aborted (closing the connection) when
/// this is dropped: once the body is read, or when the fetch ends early.
struct Driver(tokio::task::JoinHandle<()>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn add_pem_roots(roots: &mut rustls::RootCertStore, path: &Path) -> Result<(), SetupError> {
    let fail = |reason: String| SetupError::CaFile {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| fail(format!("not readable PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| fail(format!("not a usable certificate: {e}")))?;
        added += 1;
    }
    if added == 0 {
        return Err(fail("no certificate in it".to_owned()));
    }
    Ok(())
}

/// The first address that accepts a connection.
async fn connect_any(url: &Url, addresses: &[SocketAddr]) -> Result<TcpStream, FetchError> {
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(FetchError::Connect {
        host: url.host_port(),
        reason: last.map_or_else(|| "no address to connect to".to_owned(), |e| e.to_string()),
    })
}

fn server_name(url: &Url) -> Result<ServerName<'static>, FetchError> {
    match url.host() {
        Host::Ip(ip) => Ok(ServerName::IpAddress((*ip).into())),
        Host::Name(name) => ServerName::try_from(name.clone())
            .map_err(|_| FetchError::BadUrl("the host is not a name TLS can verify".to_owned())),
    }
}

/// Starts HTTP/1.1 on `io`; the connection runs in a task of its own.
async fn handshake<S>(url: &Url, io: S) -> Result<(http1::SendRequest<Full<Bytes>>, Driver), FetchError>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (sender, conn) = http1::handshake(TokioIo::new(io)).await.map_err(|e| broken(url, &e))?;
    let driver = tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "outbound connection ended with an error");
        }
    });
    Ok((sender, Driver(driver)))
}

fn request(url: &Url, out: &Outgoing<'_>) -> Result<Request<Full<Bytes>>, FetchError> {
    let builder = Request::builder()
        .uri(url.target())
        .header(header::HOST, url.authority())
        .header(header::USER_AGENT, USER_AGENT)
        .header(header::ACCEPT, "*/*")
        .header(header::ACCEPT_ENCODING, "identity")
        .header(header::CONNECTION, "close");
    let request = match out {
        Outgoing::Get => builder.method(Method::GET).body(Full::new(Bytes::new())),
        Outgoing::Post { content_type, body } => builder
            .method(Method::POST)
            .header(header::CONTENT_TYPE, *content_type)
            .body(Full::new(body.clone())),
    };
    request.map_err(|_| FetchError::BadUrl("the request cannot be written (path or Content-Type)".to_owned()))
}

/// The `Location` to go to next, if the response is a redirect this
/// request follows: any of 301, 302, 303, 307, 308 for a GET; only 307 and
/// 308, which keep the method and body, for a POST.
fn redirect(answer: &Answer, out: &Outgoing<'_>) -> Result<Option<String>, FetchError> {
    let status = answer.response.status();
    let follows = match out {
        Outgoing::Get => matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308),
        Outgoing::Post { .. } => matches!(status.as_u16(), 307 | 308),
    };
    if !follows {
        return Ok(None);
    }
    let location = answer
        .response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FetchError::Exchange {
            host: answer.url.host_port(),
            reason: format!("a {} redirect without a usable Location", status.as_u16()),
        })?;
    Ok(Some(location.to_owned()))
}

fn success(url: &Url, status: StatusCode) -> Result<(), FetchError> {
    if status.is_success() {
        return Ok(());
    }
    Err(FetchError::Status {
        host: url.host_port(),
        status: status.as_u16(),
    })
}

/// The body, refused as soon as it passes `limit`: what is held is at most
/// the limit and the chunk that passed it.
async fn read_capped(mut body: Incoming, limit: u64, url: &Url) -> Result<Bytes, FetchError> {
    let mut bytes = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| broken(url, &e))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if (bytes.len() + data.len()) as u64 > limit {
            return Err(FetchError::TooLarge { limit });
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes.freeze())
}

/// An exchange that broke, with the chain of causes.
fn broken(url: &Url, e: &dyn std::error::Error) -> FetchError {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    FetchError::Exchange {
        host: url.host_port(),
        reason,
    }
}
