//! Kameleoon's Automation API, the image endpoints, over the catalog: API
//! clients get a bearer token (`token`), then clone (`clone`), read (`get`)
//! and list (`list`) the images of their sites, and upload new ones to
//! several sites at once (`upload`). An image is an IPS asset
//! seen through a `kameleoon_images` row; a clone is a new asset sharing the
//! source's stored bytes, so IPS and Image Serving see it like any other.
//! No JSON here: `rest::kameleoon` reads requests and writes replies.

mod clone;
mod get;
mod list;
mod rate;
mod record;
mod token;
mod upload;

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{self, KameleoonClient};

pub use clone::Overrides;
pub use list::{Page, PageRequest};
pub use record::{Format, Image};
pub use token::{Token, TokenRequest, TOKEN_LIFETIME};
pub use upload::{Upload, UploadedFile, MAX_FILE_BYTES, MAX_IMAGES, MAX_SITES};

/// Why a request failed, by the status Kameleoon documents for it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or one that is not valid (or wrong client secret).
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the image or site belongs to another client.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such image.
    #[error("{0}")]
    NotFound(String),
    /// 422: well-formed, but not something that can be done.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: over the client's request rate.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the service is overloaded; nothing was done.
    #[error("the service is busy; try again later")]
    Busy,
    /// 500: something failed inside; the reason is logged, not sent.
    #[error("internal error")]
    Internal(String),
}

impl From<catalog::Error> for Error {
    fn from(e: catalog::Error) -> Self {
        match e {
            catalog::Error::Busy(_) => Error::Busy,
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::auth::Error> for Error {
    fn from(e: crate::auth::Error) -> Self {
        match e {
            crate::auth::Error::Busy(_) => Error::Busy,
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::cpu::Interrupted> for Error {
    fn from(e: crate::cpu::Interrupted) -> Self {
        match e {
            crate::cpu::Interrupted::Busy(_) => Error::Busy,
            other => Error::Internal(other.to_string()),
        }
    }
}

/// An authenticated API client.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client, with its sites.
    pub client: KameleoonClient,
}

impl Caller {
    fn owns(&self, site: i64) -> bool {
        self.client.sites.contains(&site)
    }
}

/// The facade: the service's state and the key its tokens are signed with.
#[derive(Debug)]
pub struct Kameleoon {
    state: Arc<AppState>,
    signer: token::Signer,
    limiter: rate::Limiter,
}

impl Kameleoon {
    /// The facade over `state`, with a fresh signing key (tokens from an
    /// earlier process are not accepted) and the rate limits of
    /// `state.limits`.
    pub fn new(state: Arc<AppState>) -> Kameleoon {
        let limiter = rate::Limiter::new(state.limits.kameleoon_rate);
        Kameleoon {
            state,
            signer: token::Signer::random(),
            limiter,
        }
    }

    /// `http(s)://host:port` of the service's plain listener, for the URLs
    /// images carry.
    fn base_url(&self) -> &str {
        self.state.public_url()
    }
}
