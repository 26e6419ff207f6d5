//! Outbound HTTP requests: the one way the service reaches other servers
//! (an upload job's source URLs, a job's completion callback), and the
//! rules every such request follows. No hyper here: `http::outbound`
//! implements `Fetcher`, and the layers above use the trait.
//!
//! The rules (`Policy`):
//! - only `http` and `https` URLs, parsed strictly (`Url`);
//! - only hosts the allow list admits, by the rule of `Policy::addresses`,
//!   checked before anything is sent and again for each redirect's target;
//!   the connection goes to the addresses that were checked, never to a
//!   second resolution of the name;
//! - at most `max_redirects` redirects (301, 302, 303, 307, 308) in a row;
//!   a POST follows only 307 and 308, which keep its method and body;
//! - `connect_timeout` for resolving, connecting and the TLS handshake,
//!   then `read_timeout` for sending the request and receiving the whole
//!   response;
//! - a response body of at most `max_bytes`, refused from its
//!   `Content-Length` before it is read, or as soon as the bytes received
//!   pass the limit (so no more than the limit and one chunk is held);
//! - any status but 2xx is an error that carries the code.

mod allow;
mod error;
mod resolve;
mod url;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

pub use allow::{AllowError, AllowList};
pub use error::{FetchError, SetupError, Stage};
pub use url::{Host, Scheme, Url};

/// What outbound requests may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The hosts and addresses requests may go to (`--fetch-allow`).
    pub allow: AllowList,
    /// Redirects followed in a row before giving up.
    pub max_redirects: u32,
    /// Time for resolving the host, connecting and the TLS handshake.
    pub connect_timeout: Duration,
    /// Time, once connected, for sending the request and receiving the
    /// whole response, body included.
    pub read_timeout: Duration,
    /// Largest response body accepted.
    pub max_bytes: u64,
}

impl Default for Policy {
    /// Loopback only, 5 redirects, 5 s to connect, 30 s for the exchange,
    /// and bodies up to the request body limit's default (16 MiB).
    fn default() -> Self {
        Policy {
            allow: AllowList::loopback(),
            max_redirects: 5,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            max_bytes: crate::config::MAX_MESSAGE_BYTES as u64,
        }
    }
}

/// Everything the outbound client is built from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The rules.
    pub policy: Policy,
    /// PEM files whose certificates are trusted as roots besides the
    /// built-in ones (Mozilla's, from `webpki-roots`): `--fetch-ca`.
    pub ca_files: Vec<PathBuf>,
}

/// A fetched response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The body.
    pub bytes: Bytes,
    /// The `Content-Type` header, if any (and if it is text).
    pub content_type: Option<String>,
    /// The URL the body came from, after redirects.
    pub final_url: String,
}

/// A boxed future, so that `Fetcher` can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Makes outbound requests within a `Policy`.
pub trait Fetcher: Send + Sync + fmt::Debug {
    /// GETs `url`, following redirects, and returns the body.
    fn get<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Fetched, FetchError>>;

    /// POSTs `body` as `content_type` to `url` (following 307 and 308
    /// redirects only) and returns the status, always a 2xx; the
    /// response's body is not read.
    fn post<'a>(&'a self, url: &'a str, content_type: &'a str, body: Bytes) -> BoxFuture<'a, Result<u16, FetchError>>;
}
