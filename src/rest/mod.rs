//! The REST facades' side of HTTP, without hyper: a request as `http` hands
//! it over (method, path, query, the headers that matter, the body or why
//! it could not be read), the API that claims its path, and the reply.
//! Each API has an adapter here that routes its paths, reads its bodies
//! (JSON with serde_json, forms, multipart) into the facade's typed
//! requests, writes the facade's answers as JSON, and maps the facade's
//! errors to the API's documented error body, in one place per API.
//!
//! Adding an API: its facade module beside `kameleoon`, its adapter
//! directory here, a variant of [`Api`] and a line in [`Apis::find`] and
//! [`Apis::handle`]; for fault injection and the journal, its name in
//! [`Api::ALL`] and [`Api::name`], and its error reply in
//! [`Apis::error_reply`].

pub mod form;
mod kameleoon;
mod sharinpix;

use std::sync::Arc;

use bytes::Bytes;

use crate::app::AppState;

/// The largest JSON or form body a REST request may have; multipart
/// bodies (uploads) get the service's whole body limit.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// Why a body could not be read (`http` found out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFailure {
    /// Larger than its limit.
    TooLarge,
    /// It did not arrive in time.
    Timeout,
    /// Broken framing or a corrupt compressed stream.
    Broken,
    /// A content coding the service does not decode.
    UnsupportedCoding,
}

impl BodyFailure {
    /// What went wrong, for an error body.
    pub fn message(self) -> &'static str {
        match self {
            BodyFailure::TooLarge => "the request body is too large",
            BodyFailure::Timeout => "the request body did not arrive in time",
            BodyFailure::Broken => "the request body is malformed",
            BodyFailure::UnsupportedCoding => "the request body's Content-Encoding is not supported",
        }
    }
}

/// Why a request got no answer from its API's facade (`E`, the facade's
/// error); each adapter maps it to its API's error reply in one place.
#[derive(Debug)]
enum Failure<E> {
    /// The facade refused it.
    Api(E),
    /// Its body could not be read.
    Body(BodyFailure),
    /// No such endpoint (under a path the API claims).
    NoRoute,
    /// The endpoint takes other methods.
    Method(&'static str),
}

impl<E> From<E> for Failure<E> {
    fn from(e: E) -> Self {
        Failure::Api(e)
    }
}

/// A request to a REST API.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `POST`, … as sent.
    pub method: String,
    /// The path, not decoded.
    pub path: String,
    /// The query string, not decoded.
    pub query: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Authorization`.
    pub authorization: Option<String>,
    /// The body, decoded from its content coding.
    pub body: Result<Bytes, BodyFailure>,
}

/// A REST reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Other headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON reply.
    pub(crate) fn json(status: u16, value: &impl serde::Serialize) -> Response {
        Response {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            // Serialising plain structs of strings and numbers cannot fail.
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }
}

/// The REST APIs served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// Kameleoon's Automation API (`/oauth/token`, `/images…`).
    Kameleoon,
    /// SharinPix's API (`/api/v1/…`).
    SharinPix,
}

// Fault injection and the journal (`/_emulator/faults`, `/_emulator/requests`).
impl Api {
    /// Every REST API.
    pub const ALL: &[Api] = &[Api::Kameleoon, Api::SharinPix];

    /// The API's name in `/_emulator/faults` and the journal.
    pub fn name(self) -> &'static str {
        match self {
            Api::Kameleoon => "kameleoon",
            Api::SharinPix => "sharinpix",
        }
    }

    /// The API with this name.
    pub fn from_name(name: &str) -> Option<Api> {
        Api::ALL.iter().copied().find(|api| api.name() == name)
    }
}

/// Every REST API's adapter, with the state their facades keep.
#[derive(Debug)]
pub struct Apis {
    kameleoon: kameleoon::Adapter,
    sharinpix: sharinpix::Adapter,
}

impl Apis {
    /// The APIs over `state`.
    pub fn new(state: Arc<AppState>) -> Apis {
        Apis {
            kameleoon: kameleoon::Adapter::new(state.clone()),
            sharinpix: sharinpix::Adapter::new(state),
        }
    }

    /// The API that serves `path`, if any does.
    pub fn find(&self, path: &str) -> Option<Api> {
        if kameleoon::claims(path) {
            Some(Api::Kameleoon)
        } else {
            sharinpix::claims(path).then_some(Api::SharinPix)
        }
    }

    /// How large a body a request with this `Content-Type` may have, within
    /// the service's limit.
    pub fn body_limit(content_type: Option<&str>, max_body_bytes: usize) -> usize {
        if form::media_type_is(content_type, "multipart/form-data") {
            max_body_bytes
        } else {
            MAX_JSON_BODY.min(max_body_bytes)
        }
    }

    /// Answers a request to `api`.
    pub async fn handle(&self, api: Api, req: Request) -> Response {
        match api {
            Api::Kameleoon => self.kameleoon.handle(req).await,
            Api::SharinPix => self.sharinpix.handle(req).await,
        }
    }

    /// `api`'s documented error reply with this HTTP status (400 to 599)
    /// and message, for a fault armed through `/_emulator/faults`.
    pub fn error_reply(api: Api, status: u16, message: &str) -> Response {
        match api {
            Api::Kameleoon => kameleoon::error_reply(status, message),
            Api::SharinPix => sharinpix::error_reply(status, message),
        }
    }

    /// The "busy" answer of `api`, for a request that was not read.
    pub fn busy(&self, api: Api) -> Response {
        match api {
            Api::Kameleoon => kameleoon::busy(),
            Api::SharinPix => sharinpix::busy(),
        }
    }
}
