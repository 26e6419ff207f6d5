//! The URLs the outbound client takes: absolute `http` and `https` URLs,
//! parsed strictly, and a redirect's `Location` resolved against one
//! (RFC 3986 §5).
//!
//! Strict where a lax reading could send a request somewhere other than
//! where the URL seems to point: no user information (`http://a@b/`), no
//! percent-escapes or non-ASCII in the host (give an IDN in its `xn--`
//! form), no IPv4 address in any form but four decimal parts (`127.1`,
//! `0x7f.0.0.1` and `2130706433` are refused rather than guessed at), no
//! IPv6 zone, no control characters. Lenient where it cannot matter: the
//! scheme and host are compared without regard to case, the fragment is
//! dropped, and characters a request line cannot carry (space, `"`, `<`,
//! `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, non-ASCII) are percent-encoded.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::allow::{check_name, parse_port};
use super::FetchError;

/// Longest URL accepted.
const MAX_URL: usize = 8192;

/// The schemes allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http`.
    Http,
    /// `https`.
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// A URL's host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A name, lower case, without a trailing dot.
    Name(String),
    /// An address.
    Ip(IpAddr),
}

/// An absolute `http` or `https` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    scheme: Scheme,
    host: Host,
    port: u16,
    /// Starts with `/`; dot segments removed.
    path: String,
    /// Without the `?`.
    query: Option<String>,
}

fn bad(why: &str) -> FetchError {
    FetchError::BadUrl(why.to_owned())
}

impl Url {
    /// Parses an absolute URL; a scheme other than `http` or `https` is
    /// `SchemeNotAllowed`, anything else wrong `BadUrl`.
    pub fn parse(url: &str) -> Result<Url, FetchError> {
        check_text(url)?;
        let (scheme, rest) = split_scheme(url).ok_or_else(|| bad("not an absolute URL (no scheme)"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => return Err(FetchError::SchemeNotAllowed(other.to_owned())),
        };
        let rest = rest
            .strip_prefix("//")
            .ok_or_else(|| bad("no host (expected scheme://host/…)"))?;
        Url::from_authority(scheme, rest)
    }

    /// Resolves `reference` (a redirect's `Location`) against this URL.
    pub fn join(&self, reference: &str) -> Result<Url, FetchError> {
        check_text(reference)?;
        if split_scheme(reference).is_some() {
            return Url::parse(reference);
        }
        if let Some(rest) = reference.strip_prefix("//") {
            return Url::from_authority(self.scheme, rest);
        }
        let reference = reference.split('#').next().unwrap_or_default();
        let (path, query) = split_query(reference);
        let query = match query {
            Some(q) => Some(encode(q)),
            // An empty reference is the base itself, query and all.
            None if path.is_empty() => self.query.clone(),
            None => None,
        };
        let path = if path.is_empty() {
            self.path.clone()
        } else if path.starts_with('/') {
            remove_dot_segments(&encode(path))
        } else {
            let dir = &self.path[..=self.path.rfind('/').unwrap_or(0)];
            remove_dot_segments(&encode(&format!("{dir}{path}")))
        };
        Ok(Url {
            path,
            query,
            host: self.host.clone(),
            ..*self
        })
    }

    fn from_authority(scheme: Scheme, rest: &str) -> Result<Url, FetchError> {
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(end);
        let (host, port) = parse_authority(authority)?;
        let (path, query) = split_query(target);
        let path = if path.is_empty() { "/" } else { path };
        Ok(Url {
            scheme,
            host,
            port: port.unwrap_or(scheme.default_port()),
            path: remove_dot_segments(&encode(path)),
            query: query.map(encode),
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port, the scheme's default if the URL names none.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The request target: path and query.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The `Host` header: the host, and the port unless it is the scheme's
    /// default.
    pub fn authority(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host_text()
        } else {
            self.host_port()
        }
    }

    /// `host:port`, always with the port: how messages name a server.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host_text(), self.port)
    }

    fn host_text(&self) -> String {
        match &self.host {
            Host::Name(n) => n.clone(),
            Host::Ip(IpAddr::V6(v6)) => format!("[{v6}]"),
            Host::Ip(ip) => ip.to_string(),
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}{}", self.authority(), self.target())
    }
}

fn check_text(url: &str) -> Result<(), FetchError> {
    if url.len() > MAX_URL {
        return Err(bad("longer than 8192 characters"));
    }
    if url.chars().any(char::is_control) {
        return Err(bad("it holds a control character"));
    }
    Ok(())
}

/// `(scheme, rest)` if `s` starts with a scheme and `:` (RFC 3986 §3.1).
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let valid = starts && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

fn split_query(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// The host and the port, if given.
fn parse_authority(authority: &str) -> Result<(Host, Option<u16>), FetchError> {
    if authority.is_empty() {
        return Err(bad("no host"));
    }
    if authority.contains('@') {
        return Err(bad("a user name or password in the URL is not accepted"));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or_else(|| bad("unclosed [ in the host"))?;
        let v6: Ipv6Addr = inside.parse().map_err(|_| bad("not a valid IPv6 address"))?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(|| bad("text after ] in the host"))?),
        };
        (Host::Ip(IpAddr::V6(v6)), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        (parse_host(host)?, port)
    };
    let port = port.map(|p| parse_port(p).map_err(bad)).transpose()?;
    Ok((host, port))
}

/// A name or a dotted-quad IPv4 address.
fn parse_host(host: &str) -> Result<Host, FetchError> {
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(v4)));
    }
    check_name(host).map_err(bad)?;
    let name = host.strip_suffix('.').unwrap_or(host);
    Ok(Host::Name(name.to_ascii_lowercase()))
}

/// Percent-encodes what a request line cannot carry; `%` is left alone,
/// taken to begin an escape already made.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 3986 §5.2.4 on a path starting with `/`.
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            s => {
                out.push(s);
                continue;
            }
        }
        // `/a/..` and `/a/.` name the directory: keep the trailing slash.
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn absolute_urls() {
        let u = url("HTTP://Images.Example.COM./a/b.jpg?x=1&y=%20#frag");
        assert_eq!(u.scheme(), Scheme::Http);
        assert_eq!(u.host(), &Host::Name("images.example.com".into()));
        assert_eq!((u.port(), u.target()), (80, "/a/b.jpg?x=1&y=%20".to_owned()));
        assert_eq!(u.authority(), "images.example.com");
        assert_eq!(u.host_port(), "images.example.com:80");
        assert_eq!(u.to_string(), "http://images.example.com/a/b.jpg?x=1&y=%20");
        let u = url("https://127.0.0.1:8443");
        assert_eq!(u.host(), &Host::Ip("127.0.0.1".parse().expect("ip")));
        assert_eq!(
            (u.port(), u.target(), u.authority()),
            (8443, "/".into(), "127.0.0.1:8443".into())
        );
        let u = url("https://[::1]/x");
        assert_eq!(
            (u.port(), u.authority(), u.host_port()),
            (443, "[::1]".into(), "[::1]:443".into())
        );
        assert_eq!(url("http://h?q").target(), "/?q");
        assert_eq!(url("http://h/a b/ü?c d").target(), "/a%20b/%C3%BC?c%20d");
        assert_eq!(url("http://h/a/./b/../c").target(), "/a/c");
        assert_eq!(url("http://h:80/").to_string(), "http://h/");
    }

    #[test]
    fn schemes_other_than_http_and_https_are_not_allowed() {
        for (u, scheme) in [
            ("ftp://h/x", "ftp"),
            ("FILE:///etc/passwd", "file"),
            ("gopher:x", "gopher"),
        ] {
            assert_eq!(Url::parse(u), Err(FetchError::SchemeNotAllowed(scheme.into())), "{u}");
        }
    }

    #[test]
    fn ambiguous_or_broken_urls_are_refused() {
        for u in [
            "",
            "/relative",
            "example.com/x",
            "http:/x",
            "http:///x",
            "http://user:pass@127.0.0.1/",
            "http://127.0.0.1@evil.test/",
            "http://evil.test\\@127.0.0.1/",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://127.0.0.0x1/",
            "http://256.0.0.1/",
            "http://[::1/",
            "http://[fe80::1%25eth0]/",
            "http://[::1]x/",
            "http://::1/",
            "http://h:/",
            "http://h:0/",
            "http://h:65536/",
            "http://h:8o/",
            "http://bücher.example/",
            "http://a..b/",
            "http://%31%32%37.0.0.1/",
            "http://h/\r\nX: y",
            "http://h/\t",
        ] {
            match Url::parse(u) {
                Err(FetchError::BadUrl(_)) => {}
                other => panic!("{u:?}: {other:?}"),
            }
        }
        assert!(Url::parse(&format!("http://h/{}", "a".repeat(MAX_URL))).is_err());
    }

    #[test]
    fn redirect_locations_resolve_against_the_url() {
        let base = url("http://h:81/a/b/c?q=1");
        for (location, expected) in [
            ("http://other/x", "http://other/x"),
            ("https://other:444", "https://other:444/"),
            ("//other/y", "http://other/y"),
            ("/root?z", "http://h:81/root?z"),
            ("d", "http://h:81/a/b/d"),
            ("../d", "http://h:81/a/d"),
            ("../../../../d", "http://h:81/d"),
            ("./", "http://h:81/a/b/"),
            ("..", "http://h:81/a/"),
            ("?r=2", "http://h:81/a/b/c?r=2"),
            ("", "http://h:81/a/b/c?q=1"),
            ("#frag", "http://h:81/a/b/c?q=1"),
            ("d e#f", "http://h:81/a/b/d%20e"),
        ] {
            assert_eq!(
                base.join(location).map(|u| u.to_string()),
                Ok(expected.to_owned()),
                "{location}"
            );
        }
        assert_eq!(
            base.join("ftp://other/"),
            Err(FetchError::SchemeNotAllowed("ftp".into()))
        );
        assert!(matches!(base.join("//a@b/"), Err(FetchError::BadUrl(_))));
    }
}
