//! Settings that reach below `main`, validated once at start-up.

use std::time::Duration;

/// Scene7's MaxMessageSize: the default cap on a request body, and on a file
/// fetched by URL.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Request and image limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body accepted, before and after gzip decoding
    /// (Scene7's MaxMessageSize is 16 MiB).
    pub max_body_bytes: usize,
    /// Deepest XML element nesting accepted.
    pub max_xml_depth: usize,
    /// Time allowed for a request's headers to arrive.
    pub header_timeout: Duration,
    /// Time allowed for a request's body to arrive.
    pub body_timeout: Duration,
    /// Rendering defaults and limits, including the caps applied to images
    /// entering the catalog (`render.image`).
    pub render: crate::render::RenderConfig,
    /// Bytes all renders in progress may hold together.
    pub render_memory: u64,
    /// Requests handled at once; more are answered "busy" at once.
    pub max_in_flight: usize,
    /// How long a request may wait for the catalog, a CPU or render memory
    /// before it is answered "busy" (its work never started).
    pub max_wait: Duration,
    /// `/is/image` serves only assets a publish has put on the Image Server
    /// (`--require-publish`); otherwise every stored image.
    pub require_publish: bool,
    /// The least time a job stays Running (`--job-hold`), so that a
    /// client's polling loop sees it.
    pub job_hold: Duration,
    /// Kameleoon's request rate limits per API client: at most `.0`
    /// requests in any 10 seconds and `.1` in any hour (0: no limit).
    pub kameleoon_rate: (u32, u32),
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: MAX_MESSAGE_BYTES,
            max_xml_depth: 100,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            render: crate::render::RenderConfig::default(),
            render_memory: crate::memory::Memory::default_bytes(),
            max_in_flight: 512,
            max_wait: Duration::from_secs(5),
            require_publish: false,
            job_hold: Duration::ZERO,
            kameleoon_rate: (50, 1000),
        }
    }
}
