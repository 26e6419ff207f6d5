//! `ips-emulator replay`: posts recorded SOAP requests to a server and checks
//! its replies against the recorded ones, in the golden fixture format of
//! `fixtures/soap/README.md`.
//!
//! Every `*.request.xml` under a directory (recursively, in path order) is
//! one case. Its sibling `.request.http`, if any, replaces the default
//! headers (`Content-Type: text/xml; charset=utf-8`, `SOAPAction:
//! "copyImage"`); a `#http/1.0` line sends the case as HTTP/1.0. The reply
//! must match `.response.xml` after canonicalising namespaces, with
//! `{{any}}` matching any element text or attribute value (or equal
//! `.response.txt` exactly), and the status and `Content-Type` recorded in
//! `.response.http`, if there is one.
//!
//! `{{user}}` and `{{password}}` in a request (and `{{basic}}`, the HTTP
//! Basic token, in a header file) are replaced by the credentials given, so
//! a suite need not store them.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::http::client::{self, ClientError, HttpVersion, Url};
use crate::soap::canon;

/// The path of the emulator's reset control, on the endpoint's host.
const RESET_PATH: &str = "/_emulator/reset";

/// The exit status when every case passed.
pub const EXIT_PASSED: u8 = 0;
/// The exit status when some case failed.
pub const EXIT_FAILED: u8 = 1;
/// The exit status when the replay could not run at all.
pub const EXIT_CANNOT_RUN: u8 = 2;

/// When to put the emulator back to its seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// Never.
    Never,
    /// Once, before the first case.
    Once,
    /// Before every case, so each sees the seed as a fresh server would (as
    /// the golden tests run them).
    Each,
}

/// Credentials for the `{{user}}`, `{{password}}` and `{{basic}}`
/// placeholders: a login as authentication takes it (its `Debug` never
/// prints the password).
pub use crate::auth::Credentials;

/// What to replay, and where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The fixture directory.
    pub dir: PathBuf,
    /// The SOAP endpoint, e.g.
    /// `http://127.0.0.1:8080/scene7/services/IpsApiService`.
    pub url: String,
    /// When to reset the emulator.
    pub reset: Reset,
    /// Values for the credential placeholders.
    pub credentials: Option<Credentials>,
}

/// How a replay that ran went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases whose reply matched.
    pub passed: usize,
    /// Names of the cases whose reply did not.
    pub failed: Vec<String>,
}

impl Summary {
    /// [`EXIT_PASSED`] or [`EXIT_FAILED`].
    pub fn exit_code(&self) -> u8 {
        if self.failed.is_empty() {
            EXIT_PASSED
        } else {
            EXIT_FAILED
        }
    }
}

/// Why a replay could not run (exit status [`EXIT_CANNOT_RUN`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory holds no case.
    #[error("{0}: no *.request.xml files")]
    NoCases(PathBuf),
    /// The directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Which path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The URL is unusable or the server unreachable.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The emulator refused to reset.
    #[error("POST {url} answered HTTP {status}{hint}")]
    Reset {
        /// The reset URL.
        url: String,
        /// Its status.
        status: u16,
        /// A likely cause.
        hint: &'static str,
    },
    /// The report could not be written.
    #[error("writing the report: {0}")]
    Output(#[source] std::io::Error),
}

/// The exit status for a replay's result.
pub fn exit_code(result: &Result<Summary, Error>) -> u8 {
    result.as_ref().map_or(EXIT_CANNOT_RUN, Summary::exit_code)
}

/// Replays every case under `options.dir`, writing a line per case (`ok` or
/// `FAIL` and the case's name, then what differed), and a summary line.
pub async fn run(options: &Options, out: &mut dyn Write) -> Result<Summary, Error> {
    let url = Url::parse(&options.url)?;
    let cases = find_cases(&options.dir)?;
    if cases.is_empty() {
        return Err(Error::NoCases(options.dir.clone()));
    }
    let reset_url = url.with_path(RESET_PATH);
    let mut summary = Summary::default();
    for (i, case) in cases.iter().enumerate() {
        if options.reset == Reset::Each || (options.reset == Reset::Once && i == 0) {
            reset(&reset_url).await?;
        }
        let name = case_name(&options.dir, case);
        let problems = match run_case(&url, case, options.credentials.as_ref()).await {
            Ok(problems) => problems,
            // The server is gone: nothing after this can run either.
            Err(e) if e.is_unreachable() => return Err(e.into()),
            Err(e) => vec![e.to_string()],
        };
        if problems.is_empty() {
            writeln!(out, "ok   {name}").map_err(Error::Output)?;
            summary.passed += 1;
        } else {
            writeln!(out, "FAIL {name}").map_err(Error::Output)?;
            for line in problems.iter().flat_map(|p| p.lines()) {
                writeln!(out, "     {line}").map_err(Error::Output)?;
            }
            summary.failed.push(name);
        }
    }
    writeln!(out, "{} passed, {} failed", summary.passed, summary.failed.len()).map_err(Error::Output)?;
    Ok(summary)
}

async fn reset(url: &Url) -> Result<(), Error> {
    let resp = client::send(
        url,
        client::Request {
            method: "POST".into(),
            version: HttpVersion::Http11,
            headers: vec![("Connection".into(), "close".into())],
            body: Vec::new(),
        },
    )
    .await?;
    match resp.status {
        200 => Ok(()),
        status => Err(Error::Reset {
            url: url.to_string(),
            status,
            hint: match status {
                404 => " (not an emulator, or one started with --no-emulator-api)",
                _ => "",
            },
        }),
    }
}

/// Every `*.request.xml` under `dir`, in path order.
fn find_cases(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.to_string_lossy().ends_with(".request.xml") {
            found.push(path);
        }
    }
    Ok(())
}

/// `group/01-name` for `DIR/group/01-name.request.xml`.
fn case_name(dir: &Path, case: &Path) -> String {
    let rel = case.strip_prefix(dir).unwrap_or(case).to_string_lossy().into_owned();
    rel.strip_suffix(".request.xml").map(str::to_owned).unwrap_or(rel)
}

fn sibling(case: &Path, suffix: &str) -> PathBuf {
    let text = case.to_string_lossy();
    PathBuf::from(format!(
        "{}{suffix}",
        text.strip_suffix(".request.xml").unwrap_or(&text)
    ))
}

/// Reads a file that may be absent.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn read_text(path: &Path) -> Result<Option<String>, String> {
    read_optional(path)?
        .map(|b| String::from_utf8(b).map_err(|_| format!("{}: not UTF-8", path.display())))
        .transpose()
}

/// Runs one case: `Ok` with what differed (nothing if it passed), `Err` if
/// the exchange itself failed.
async fn run_case(url: &Url, case: &Path, credentials: Option<&Credentials>) -> Result<Vec<String>, ClientError> {
    let request = match build_request(case, credentials) {
        Ok(r) => r,
        Err(problem) => return Ok(vec![problem]),
    };
    let target = match &request.path {
        Some(path) => url.with_path(path),
        None => url.clone(),
    };
    let resp = client::send(&target, request.request).await?;
    Ok(compare(case, &resp).unwrap_or_else(|problem| vec![problem]))
}

/// A case's request, and the path it goes to when the fixture names one
/// (`#path /scene7/api/IpsApiService`) instead of the SOAP endpoint's.
struct CaseRequest {
    request: client::Request,
    path: Option<String>,
}

/// The request as the fixture describes it, as `tests/golden.rs` sends it.
fn build_request(case: &Path, credentials: Option<&Credentials>) -> Result<CaseRequest, String> {
    let body = std::fs::read(case).map_err(|e| format!("{}: {e}", case.display()))?;
    let body = fill(&body, credentials, true)?.into_owned();
    let mut version = HttpVersion::Http11;
    let mut path = None;
    let mut headers = vec![
        ("Content-Type".to_owned(), "text/xml; charset=utf-8".to_owned()),
        ("SOAPAction".to_owned(), "\"copyImage\"".to_owned()),
    ];
    let header_file = sibling(case, ".request.http");
    if let Some(text) = read_text(&header_file)? {
        let text = String::from_utf8(fill(text.as_bytes(), credentials, false)?.into_owned())
            .map_err(|_| format!("{}: not UTF-8", header_file.display()))?;
        headers.clear();
        for line in text.lines() {
            if line == "#http/1.0" {
                version = HttpVersion::Http10;
            } else if let Some(p) = line.strip_prefix("#path ").filter(|p| p.starts_with('/')) {
                path = Some(p.trim().to_owned());
            } else if line.trim().is_empty() || line.starts_with('#') {
                // Blank lines and comments.
            } else {
                let (name, value) = line
                    .split_once(':')
                    .ok_or_else(|| format!("{}: {line:?} is not a header line", header_file.display()))?;
                headers.push((name.to_owned(), value.trim_start_matches([' ', '\t']).to_owned()));
            }
        }
    }
    if version == HttpVersion::Http11 {
        // One request per connection, as the golden harness sends it.
        headers.insert(0, ("Connection".to_owned(), "close".to_owned()));
    }
    Ok(CaseRequest {
        request: client::Request {
            method: "POST".to_owned(),
            version,
            headers,
            body,
        },
        path,
    })
}

/// Replaces the credential placeholders; `xml` escapes the values for XML
/// text. A placeholder without credentials is the case's failure.
fn fill<'a>(text: &'a [u8], credentials: Option<&Credentials>, xml: bool) -> Result<Cow<'a, [u8]>, String> {
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
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        let found = PLACEHOLDERS
            .iter()
            .zip(&values)
            .find_map(|(p, value)| rest.strip_prefix(p.as_bytes()).map(|after| (value, after)));
        match found {
            Some((value, after)) => {
                out.extend_from_slice(value.as_bytes());
                rest = after;
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// What differs between the reply and the recorded one; empty if nothing.
fn compare(case: &Path, resp: &client::Response) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    if let Some(http) = read_text(&sibling(case, ".response.http"))? {
        for line in http.lines() {
            if let Some(code) = line.strip_prefix("HTTP ") {
                if code.trim() != resp.status.to_string() {
                    problems.push(format!("HTTP status: expected {}, got {}", code.trim(), resp.status));
                }
            } else if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-type") {
                    let got = resp.header("content-type").unwrap_or("(none)");
                    if got != value.trim() {
                        problems.push(format!("Content-Type: expected {}, got {got}", value.trim()));
                    }
                }
            }
        }
    }
    let text = String::from_utf8(resp.body.clone());
    if let Some(want) = read_text(&sibling(case, ".response.xml"))? {
        match text {
            Ok(got) => {
                if let Err(mismatch) = canon::matches(&want, &got) {
                    problems.push(format!("reply differs:\n{mismatch}"));
                    if matches!(mismatch, canon::Mismatch::Actual(_)) {
                        problems.push(format!("the reply was:\n{got}"));
                    }
                }
            }
            Err(_) => problems.push("the reply is not UTF-8 text".to_owned()),
        }
    } else if let Some(want) = read_text(&sibling(case, ".response.txt"))? {
        let got = text.unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        if got != want {
            problems.push(format!("reply differs:\n{}", canon::line_diff(&want, &got)));
        }
    } else {
        problems.push("no recorded reply (.response.xml or .response.txt)".to_owned());
    }
    Ok(problems)
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
    }

    #[test]
    fn names_and_siblings() {
        let dir = Path::new("/f/soap");
        let case = dir.join("copyImage/01-doc.request.xml");
        assert_eq!(case_name(dir, &case), "copyImage/01-doc");
        assert_eq!(
            sibling(&case, ".response.http"),
            dir.join("copyImage/01-doc.response.http")
        );
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(&Ok(Summary::default())), EXIT_PASSED);
        let failed = Summary {
            passed: 1,
            failed: vec!["x".into()],
        };
        assert_eq!(exit_code(&Ok(failed)), EXIT_FAILED);
        assert_eq!(exit_code(&Err(Error::NoCases(PathBuf::from("d")))), EXIT_CANNOT_RUN);
    }
}
