//! A small HTTP/1.x client, for `replay`: one request per connection, plain
//! `http://` only, the reply's body read whole (within a limit) and its
//! gzip or deflate content coding removed.
//!
//! HTTP/1.1 goes through hyper's connection-level client. HTTP/1.0 requests
//! (what some legacy SOAP stacks still send) are written and read by hand,
//! so what goes on the wire is exactly an HTTP/1.0 request and nothing hyper
//! would add for keep-alive. Header names go out as hyper writes them
//! (lower case) over 1.1, as given over 1.0; HTTP compares them without
//! regard to case.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue};
use hyper::Version;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::body;

/// Largest reply body accepted, before or after decoding.
const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// How long one exchange (connect, send, read the whole reply) may take.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Client failures.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not a plain `http://` URL this client can use.
    #[error("URL {url:?}: {why}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Nothing accepted the connection.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// `host:port`.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A header line cannot be sent as given.
    #[error("header {0:?} is not a valid HTTP header")]
    Header(String),
    /// The exchange broke off, or the reply is not HTTP.
    #[error("HTTP exchange failed: {0}")]
    Exchange(String),
    /// The reply did not arrive in time.
    #[error("no complete reply within {0:?}")]
    Timeout(Duration),
}

impl ClientError {
    /// Whether the server could not be reached at all (as opposed to an
    /// exchange that went wrong).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Connect { .. })
    }
}

/// A parsed `http://host[:port][/path][?query]` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `host[:port]`, as given: the `Host` header.
    authority: String,
    /// `host:port`, to connect to.
    addr: String,
    /// Path and query, at least `/`.
    path: String,
}

impl Url {
    /// Parses a plain `http://` URL.
    pub fn parse(url: &str) -> Result<Url, ClientError> {
        let bad = |why| ClientError::Url {
            url: url.to_owned(),
            why,
        };
        let rest = match url.strip_prefix("http://") {
            Some(rest) => rest,
            None if url.starts_with("https://") => return Err(bad("only plain http:// is supported")),
            None => return Err(bad("must start with http://")),
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        // A fragment is never sent.
        let path = path.split('#').next().unwrap_or_default();
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        if authority.contains('@') {
            return Err(bad("user information in the URL is not supported"));
        }
        // `[::1]:8080` has a port; `[::1]` and `host` do not.
        let has_port = match authority.rfind(']') {
            Some(end) => authority[end..].contains(':'),
            None => authority.contains(':'),
        };
        let addr = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Url {
            authority: authority.to_owned(),
            addr,
            path,
        })
    }

    /// The same host with another path (and query).
    pub fn with_path(&self, path: &str) -> Url {
        Url {
            path: path.to_owned(),
            ..self.clone()
        }
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Path and query.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority, self.path)
    }
}

/// The HTTP version a request goes out in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/1.0, written by hand.
    Http10,
    /// HTTP/1.1, through hyper.
    Http11,
}

/// A request to send. The client adds `Host` (from the URL) and
/// `Content-Length`; everything else is up to the caller, repeated names
/// included.
#[derive(Clone, Debug)]
pub struct Request {
    /// `POST`, `GET`, …
    pub method: String,
    /// The HTTP version.
    pub version: HttpVersion,
    /// Header lines, in order.
    pub headers: Vec<(String, String)>,
    /// The body, sent as is.
    pub body: Vec<u8>,
}

/// A reply.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header lines as received (names lower case over HTTP/1.1).
    pub headers: Vec<(String, String)>,
    /// The body, with any gzip or deflate content coding removed.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `req` to `url` on a new connection and reads the whole reply.
pub async fn send(url: &Url, req: Request) -> Result<Response, ClientError> {
    let headers = checked_headers(&req.headers)?;
    let exchange = async {
        let unreachable = |source| ClientError::Connect {
            addr: url.addr.clone(),
            source,
        };
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&url.addr))
            .await
            .map_err(|_| unreachable(std::io::ErrorKind::TimedOut.into()))?
            .map_err(unreachable)?;
        // Requests are small and answered at once: no Nagle delay.
        let _ = stream.set_nodelay(true);
        match req.version {
            HttpVersion::Http11 => over_hyper(stream, url, &req.method, headers, req.body).await,
            HttpVersion::Http10 => http10(stream, url, &req.method, &req.headers, &req.body).await,
        }
    };
    let mut resp = tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
        .await
        .map_err(|_| ClientError::Timeout(EXCHANGE_TIMEOUT))??;
    let coding = body::coding(resp.header("content-encoding"))
        .map_err(|_| ClientError::Exchange("the reply has a Content-Encoding this client cannot decode".into()))?;
    if coding != body::Coding::Identity {
        resp.body = body::decode(coding, &resp.body, MAX_REPLY_BYTES)
            .map_err(|e| ClientError::Exchange(format!("the reply's content coding: {e:?}")))?;
    }
    Ok(resp)
}

fn broken(e: impl fmt::Display) -> ClientError {
    ClientError::Exchange(e.to_string())
}

/// Validates header lines as HTTP allows them (no line breaks, a token for
/// a name), whichever way they are then written.
fn checked_headers(headers: &[(String, String)]) -> Result<Vec<(HeaderName, HeaderValue)>, ClientError> {
    headers
        .iter()
        .map(|(name, value)| {
            let bad = || ClientError::Header(format!("{name}: {value}"));
            Ok((
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?,
                HeaderValue::from_str(value).map_err(|_| bad())?,
            ))
        })
        .collect()
}

async fn over_hyper(
    stream: TcpStream,
    url: &Url,
    method: &str,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
) -> Result<Response, ClientError> {
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(broken)?;
    // The connection is driven by its own task while this one waits for the
    // reply; it ends when the server closes or when it is aborted below.
    let driver = tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "client connection ended with an error");
        }
    });
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(url.path.as_str())
        .version(Version::HTTP_11)
        .header(hyper::header::HOST, url.authority.as_str());
    for (name, value) in headers {
        // `header` appends: repeated names stay repeated.
        builder = builder.header(name, value);
    }
    let request = builder.body(Full::new(Bytes::from(body))).map_err(broken)?;
    let result = async {
        let response = sender.send_request(request).await.map_err(broken)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = Limited::new(response.into_body(), MAX_REPLY_BYTES)
            .collect()
            .await
            .map_err(broken)?
            .to_bytes()
            .to_vec();
        Ok(Response { status, headers, body })
    }
    .await;
    driver.abort();
    result
}

/// Writes an HTTP/1.0 request and reads the reply until the server closes
/// the connection, as HTTP/1.0 without keep-alive has it.
async fn http10(
    mut stream: TcpStream,
    url: &Url,
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Response, ClientError> {
    let mut head = format!("{method} {} HTTP/1.0\r\nHost: {}\r\n", url.path, url.authority);
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    stream.write_all(&raw).await.map_err(broken)?;
    let mut reply = Vec::new();
    (&mut stream)
        .take(MAX_REPLY_BYTES as u64 + 64 * 1024)
        .read_to_end(&mut reply)
        .await
        .map_err(broken)?;
    parse_reply(&reply)
}

/// Parses a whole HTTP/1.x reply, skipping interim (1xx) ones.
fn parse_reply(mut rest: &[u8]) -> Result<Response, ClientError> {
    let malformed = |why: &str| ClientError::Exchange(format!("malformed reply: {why}"));
    loop {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| malformed("no end of headers"))?;
        let head = std::str::from_utf8(&rest[..end]).map_err(|_| malformed("headers are not text"))?;
        rest = &rest[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = match status_line.split(' ').collect::<Vec<_>>().as_slice() {
            [version, code, ..] if version.starts_with("HTTP/1.") => {
                code.parse().map_err(|_| malformed("bad status code"))?
            }
            _ => return Err(malformed("bad status line")),
        };
        if (100..200).contains(&status) {
            continue;
        }
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                l.split_once(':')
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .ok_or_else(|| malformed("bad header line"))
            })
            .collect::<Result<_, _>>()?;
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if get("transfer-encoding").is_some() {
            return Err(malformed("Transfer-Encoding in a reply to HTTP/1.0"));
        }
        let body = match get("content-length") {
            Some(n) => {
                let n: usize = n.parse().map_err(|_| malformed("bad Content-Length"))?;
                rest.get(..n)
                    .ok_or_else(|| malformed("body shorter than Content-Length"))?
            }
            None => rest,
        };
        if body.len() > MAX_REPLY_BYTES {
            return Err(malformed("body too large"));
        }
        return Ok(Response {
            status,
            headers,
            body: body.to_vec(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("http://127.0.0.1:8080/scene7/services/IpsApiService").expect("url");
        assert_eq!(
            (u.authority(), u.addr.as_str(), u.path()),
            ("127.0.0.1:8080", "127.0.0.1:8080", "/scene7/services/IpsApiService")
        );
        assert_eq!(
            u.with_path("/_emulator/reset").to_string(),
            "http://127.0.0.1:8080/_emulator/reset"
        );
        let u = Url::parse("http://localhost").expect("url");
        assert_eq!((u.addr.as_str(), u.path()), ("localhost:80", "/"));
        let u = Url::parse("http://[::1]/x?wsdl#frag").expect("url");
        assert_eq!((u.addr.as_str(), u.path()), ("[::1]:80", "/x?wsdl"));
        assert_eq!(Url::parse("http://[::1]:9/").expect("url").addr, "[::1]:9");
        assert_eq!(Url::parse("http://h?q").expect("url").path(), "/?q");
        for bad in ["https://h/", "ftp://h/", "h:80/x", "http:///x", "http://u:p@h/"] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replies() {
        let r = parse_reply(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 500 Internal Server Error\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n\r\nabcdef",
        )
        .expect("reply");
        assert_eq!(
            (r.status, r.header("content-type"), r.body.as_slice()),
            (500, Some("text/xml"), &b"abc"[..])
        );
        let r = parse_reply(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end").expect("reply");
        assert_eq!(r.body, b"to the end");
        for bad in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"garbage\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab",
        ] {
            assert!(parse_reply(bad).is_err());
        }
    }

    #[test]
    fn header_lines_are_checked() {
        assert!(checked_headers(&[("SOAPAction".into(), "\"\"".into())]).is_ok());
        assert!(checked_headers(&[("SOAPAction".into(), String::new())]).is_ok());
        assert!(checked_headers(&[("Bad Name".into(), "x".into())]).is_err());
        assert!(checked_headers(&[("X".into(), "a\r\nInjected: 1".into())]).is_err());
    }
}
