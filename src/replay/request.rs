//! A case's request as its files describe it: the body of `.request.xml`,
//! the header lines and directives of `.request.http`, and the
//! placeholders filled in.
//!
//! Directives (lines of `.request.http` starting with `#`): `#http/1.0`,
//! `#path /p` (post there instead of to the SOAP endpoint), `#get` (a GET
//! of that path, with no body: an archive a job log names, an image), and
//! `#poll N` (send again until the reply matches, for at most N seconds: a
//! client's polling loop). Other `#` lines are comments.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use base64::Engine;

use super::{read_text, sibling, Credentials};
use crate::http::client::{self, HttpVersion};

/// The longest a `#poll` may wait.
const MAX_POLL: Duration = Duration::from_secs(600);

/// A case's request, where it goes, and how long to keep sending it.
pub(super) struct CaseRequest {
    /// The request.
    pub request: client::Request,
    /// The path it goes to when the fixture names one
    /// (`#path /scene7/api/IpsApiService`) instead of the SOAP endpoint's.
    pub path: Option<String>,
    /// `#poll`: how long to send it again until its reply matches.
    pub poll: Option<Duration>,
}

/// Values for the placeholders: `{{base}}` (the server's
/// `scheme://host:port`) and the credentials'.
pub(super) struct Fill<'a> {
    /// `{{base}}`.
    pub base: &'a str,
    /// `{{user}}`, `{{password}}` and `{{basic}}`.
    pub credentials: Option<&'a Credentials>,
}

/// The request as the fixture describes it, as `tests/golden.rs` sends it.
pub(super) fn build(case: &Path, with: &Fill<'_>) -> Result<CaseRequest, String> {
    let body = std::fs::read(case).map_err(|e| format!("{}: {e}", case.display()))?;
    let body = fill(&base(&body, with.base), with.credentials, true)?.into_owned();
    let mut request = CaseRequest {
        request: client::Request {
            method: "POST".to_owned(),
            version: HttpVersion::Http11,
            headers: vec![
                ("Content-Type".to_owned(), "text/xml; charset=utf-8".to_owned()),
                ("SOAPAction".to_owned(), "\"copyImage\"".to_owned()),
            ],
            body,
        },
        path: None,
        poll: None,
    };
    let header_file = sibling(case, ".request.http");
    if let Some(text) = read_text(&header_file)? {
        let text = String::from_utf8(fill(&base(text.as_bytes(), with.base), with.credentials, false)?.into_owned())
            .map_err(|_| format!("{}: not UTF-8", header_file.display()))?;
        request.request.headers.clear();
        for line in text.lines() {
            directive(&mut request, line).map_err(|why| format!("{}: {why}", header_file.display()))?;
        }
    }
    if request.request.version == HttpVersion::Http11 {
        // One request per connection, as the golden harness sends it.
        let close = ("Connection".to_owned(), "close".to_owned());
        request.request.headers.insert(0, close);
    }
    Ok(request)
}

/// Applies one line of `.request.http`: a directive, a comment or a header.
fn directive(request: &mut CaseRequest, line: &str) -> Result<(), String> {
    if line == "#http/1.0" {
        request.request.version = HttpVersion::Http10;
    } else if line == "#get" {
        request.request.method = "GET".to_owned();
        request.request.body.clear();
    } else if let Some(p) = line.strip_prefix("#path ").filter(|p| p.starts_with('/')) {
        request.path = Some(p.trim().to_owned());
    } else if let Some(seconds) = line.strip_prefix("#poll ") {
        let seconds: u64 = seconds
            .trim()
            .parse()
            .map_err(|_| format!("{line:?}: #poll takes a number of seconds"))?;
        request.poll = Some(Duration::from_secs(seconds).min(MAX_POLL));
    } else if line.trim().is_empty() || line.starts_with('#') {
        // Blank lines and comments.
    } else {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("{line:?} is not a header line"))?;
        let value = value.trim_start_matches([' ', '\t']).to_owned();
        request.request.headers.push((name.to_owned(), value));
    }
    Ok(())
}

/// Replaces `{{base}}` (an ASCII pattern, so a body in another encoding
/// is left as it is).
pub(super) fn base<'a>(text: &'a [u8], base: &str) -> Cow<'a, [u8]> {
    replace(text, &[("{{base}}", base.as_bytes())])
}

/// Replaces each pattern by its value, left to right.
fn replace<'a>(text: &'a [u8], pairs: &[(&str, &[u8])]) -> Cow<'a, [u8]> {
    let used = pairs
        .iter()
        .any(|(p, _)| text.windows(p.len()).any(|w| w == p.as_bytes()));
    if !used {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        let found = pairs
            .iter()
            .find_map(|(p, value)| rest.strip_prefix(p.as_bytes()).map(|after| (value, after)));
        match found {
            Some((value, after)) => {
                out.extend_from_slice(value);
                rest = after;
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    Cow::Owned(out)
}

/// Replaces the credential placeholders; `xml` escapes the values for XML
/// text. A placeholder without credentials is the case's failure.
pub(super) fn fill<'a>(text: &'a [u8], credentials: Option<&Credentials>, xml: bool) -> Result<Cow<'a, [u8]>, String> {
    const PLACEHOLDERS: [&str; 3] = ["{{user}}", "{{password}}", "{{basic}}"];
    let used = |p: &str| text.windows(p.len()).any(|w| w == p.as_bytes());
    let Some(first) = PLACEHOLDERS.into_iter().find(|p| used(p)) else {
        return Ok(Cow::Borrowed(text));
    };
    let Some(c) = credentials else {
        return Err(format!("the request uses {first}: give --user and --password"));
    };
    let escape = |s: &str| if xml { crate::soap::escape(s) } else { s.to_owned() };
    let values = [
        escape(&c.user),
        escape(&c.password),
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.user, c.password)),
    ];
    let pairs: Vec<(&str, &[u8])> = PLACEHOLDERS
        .iter()
        .zip(&values)
        .map(|(p, v)| (*p, v.as_bytes()))
        .collect();
    Ok(Cow::Owned(replace(text, &pairs).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let creds = Credentials {
            user: "a&b@x".into(),
            password: "p<w>".into(),
        };
        let plain = b"<user>u</user>";
        assert!(matches!(fill(plain, None, true), Ok(Cow::Borrowed(_))));
        let filled = fill(
            b"<user>{{user}}</user><password>{{password}}</password>",
            Some(&creds),
            true,
        )
        .expect("fill");
        assert_eq!(&*filled, &b"<user>a&amp;b@x</user><password>p&lt;w&gt;</password>"[..]);
        let header = fill(b"Authorization: Basic {{basic}}", Some(&creds), false).expect("fill");
        assert_eq!(&*header, &b"Authorization: Basic YSZiQHg6cDx3Pg=="[..]);
        let missing = fill(b"{{password}}", None, true).expect_err("no credentials");
        assert!(
            missing.contains("{{password}}") && missing.contains("--user"),
            "{missing}"
        );
        assert!(!format!("{creds:?}").contains("p<w>"));
        let based = base(b"<u>{{base}}/a?{{base}}</u>", "http://h:1");
        assert_eq!(&*based, &b"<u>http://h:1/a?http://h:1</u>"[..]);
        assert!(matches!(base(b"{{bas}}", "x"), Cow::Borrowed(_)));
    }

    fn directives(lines: &[&str]) -> Result<CaseRequest, String> {
        let mut request = CaseRequest {
            request: client::Request {
                method: "POST".into(),
                version: HttpVersion::Http11,
                headers: Vec::new(),
                body: b"x".to_vec(),
            },
            path: None,
            poll: None,
        };
        for line in lines {
            directive(&mut request, line)?;
        }
        Ok(request)
    }

    #[test]
    fn directives_and_headers() {
        let r = directives(&["#get", "#path /scene7/export/1/a.zip", "#poll 30", "# note", "X-A: 1"]).expect("ok");
        assert_eq!(r.request.method, "GET");
        assert!(r.request.body.is_empty());
        assert_eq!(r.path.as_deref(), Some("/scene7/export/1/a.zip"));
        assert_eq!(r.poll, Some(Duration::from_secs(30)));
        assert_eq!(r.request.headers, vec![("X-A".to_owned(), "1".to_owned())]);
        assert_eq!(directives(&["#poll 99999"]).expect("ok").poll, Some(MAX_POLL));
        assert!(directives(&["#poll soon"]).is_err());
        assert!(directives(&["not a header"]).is_err());
    }
}
