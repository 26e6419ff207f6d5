//! `ips-emulator replay`: sends recorded requests to a server and checks
//! its replies against the recorded ones, in the golden fixture format of
//! `fixtures/soap/README.md`.
//!
//! Every `*.request.xml` under a directory (recursively, in path order) is
//! one case: its request is built by [`request`] (headers, `#` directives
//! such as `#get` and `#poll N`, placeholders) and its reply checked by
//! [`expect`] (`.response.http`, `.response.xml` with `{{any}}`,
//! `.response.txt`, `.response.entries`).
//!
//! `{{base}}` in a case's files is the server's `scheme://host:port`, so a
//! job's source URL or an archive's URL can point back at the server under
//! test. `{{user}}` and `{{password}}` in a request (and `{{basic}}`, the
//! HTTP Basic token, in a header file) are replaced by the credentials
//! given, so a suite need not store them.

mod expect;
mod request;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::http::client::{self, ClientError, HttpVersion, Url};

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

/// How long `#poll` waits between sends.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// Runs one case: `Ok` with what differed (nothing if it passed), `Err` if
/// the exchange itself failed. A `#poll` case is sent again until its
/// reply matches or its time is up; then the last reply's differences are
/// the case's.
async fn run_case(url: &Url, case: &Path, credentials: Option<&Credentials>) -> Result<Vec<String>, ClientError> {
    let server = format!("http://{}", url.authority());
    let fill = request::Fill {
        base: &server,
        credentials,
    };
    let built = match request::build(case, &fill) {
        Ok(r) => r,
        Err(problem) => return Ok(vec![problem]),
    };
    let target = match &built.path {
        Some(path) => url.with_path(path),
        None => url.clone(),
    };
    let begun = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let resp = client::send(&target, built.request.clone()).await?;
        let mut problems = expect::compare(case, &resp, &server).unwrap_or_else(|problem| vec![problem]);
        match built.poll {
            Some(limit) if !problems.is_empty() && begun.elapsed() + POLL_EVERY <= limit => {
                tokio::time::sleep(POLL_EVERY).await;
            }
            Some(limit) if !problems.is_empty() => {
                problems.insert(
                    0,
                    format!("still no match after {tries} tries in {} s", limit.as_secs()),
                );
                return Ok(problems);
            }
            _ => return Ok(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
