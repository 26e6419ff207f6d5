//! Why a fetch failed, in words a job log can show its reader, and why the
//! client could not be set up.
//!
//! A message names the server as `host:port`, never the whole URL (whose
//! query may hold a signed token), and holds no file path or debug dump.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Why a fetch or a post failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL cannot be used.
    #[error("invalid URL: {0}")]
    BadUrl(String),
    /// A scheme other than `http` or `https`.
    #[error("URL scheme \"{0}\" is not allowed; only http and https are")]
    SchemeNotAllowed(String),
    /// The host (`host:port`) is not allowed by the policy.
    #[error("host {host} is not on the emulator's fetch allow list")]
    HostNotAllowed {
        /// `host:port`.
        host: String,
    },
    /// A redirect led to a host the policy does not allow.
    #[error("redirected to host {host}, which is not on the emulator's fetch allow list")]
    RedirectNotAllowed {
        /// `host:port`.
        host: String,
    },
    /// More redirects in a row than the policy allows.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The policy's limit.
        limit: u32,
    },
    /// The server could not be reached.
    #[error("cannot connect to {host}: {reason}")]
    Connect {
        /// `host:port`.
        host: String,
        /// Why.
        reason: String,
    },
    /// Connecting, or the exchange after it, took too long.
    #[error("timed out {stage} {host} (after {})", seconds(.after))]
    Timeout {
        /// `host:port`.
        host: String,
        /// What was being waited for.
        stage: Stage,
        /// The limit that passed.
        after: Duration,
    },
    /// The server answered with a status other than 2xx (or a redirect
    /// that is not followed).
    #[error("{host} answered with HTTP status {status}")]
    Status {
        /// `host:port`.
        host: String,
        /// The status code.
        status: u16,
    },
    /// The response's body is larger than the policy allows.
    #[error("the response is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The policy's limit.
        limit: u64,
    },
    /// The TLS handshake failed (an untrusted certificate, a name mismatch,
    /// no common protocol version).
    #[error("TLS with {host} failed: {reason}")]
    Tls {
        /// `host:port`.
        host: String,
        /// Why.
        reason: String,
    },
    /// The connection broke, or the response is not usable HTTP.
    #[error("the exchange with {host} failed: {reason}")]
    Exchange {
        /// `host:port`.
        host: String,
        /// Why.
        reason: String,
    },
}

/// What a timeout interrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Resolving the name, connecting and the TLS handshake
    /// (`Policy::connect_timeout`).
    Connect,
    /// Sending the request and receiving the whole response
    /// (`Policy::read_timeout`).
    Response,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Connect => "connecting to",
            Stage::Response => "waiting for the response of",
        })
    }
}

/// `5 s`, `0.25 s`.
fn seconds(d: &Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// Why the outbound client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A `--fetch-ca` file cannot be read or holds no usable certificate.
    #[error("--fetch-ca {}: {reason}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The TLS configuration cannot be built.
    #[error("TLS set-up: {0}")]
    Tls(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_server_and_the_limit() {
        let timeout = FetchError::Timeout {
            host: "127.0.0.1:8080".into(),
            stage: Stage::Response,
            after: Duration::from_millis(250),
        };
        assert_eq!(
            timeout.to_string(),
            "timed out waiting for the response of 127.0.0.1:8080 (after 0.25 s)"
        );
        let timeout = FetchError::Timeout {
            host: "h:80".into(),
            stage: Stage::Connect,
            after: Duration::from_secs(5),
        };
        assert_eq!(timeout.to_string(), "timed out connecting to h:80 (after 5 s)");
        let status = FetchError::Status {
            host: "h:80".into(),
            status: 404,
        };
        assert_eq!(status.to_string(), "h:80 answered with HTTP status 404");
        assert_eq!(
            FetchError::HostNotAllowed {
                host: "10.0.0.1:80".into()
            }
            .to_string(),
            "host 10.0.0.1:80 is not on the emulator's fetch allow list"
        );
    }
}
