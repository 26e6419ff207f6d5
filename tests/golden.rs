//! Golden SOAP exchanges: every `fixtures/soap/<group>/<case>.request.xml` is
//! posted to a fresh server; the reply must match `<case>.response.xml` after
//! canonicalising namespaces, and the status line and headers must match
//! `<case>.response.http`. Run with `IPS_BLESS=1` to (re)write the expected
//! files, then review the diff.
//!
//! Every fault reply is also checked for the rules that hold for all faults:
//! one Fault in the Body, a short faultstring, nothing echoed that must not
//! be, and no asset written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ips_emulator::soap::canon::{self, canonical};

use crate::support::{self, TestServer};

const SEEDED_ASSETS: u64 = support::SEEDED_ASSETS;

fn cases(group: &str) -> Vec<PathBuf> {
    let dir = support::root().join("fixtures/soap").join(group);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".request.xml"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", dir.display());
    cases
}

fn sibling(request: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(request.to_string_lossy().replace(".request.xml", suffix))
}

/// The raw HTTP request for a fixture.
fn raw_request(case: &Path) -> Vec<u8> {
    let body = support::read(case);
    let header_file = sibling(case, ".request.http");
    let mut version = "HTTP/1.1";
    let mut path = "/scene7/services/IpsApiService".to_owned();
    let mut headers = vec![
        "Content-Type: text/xml; charset=utf-8".to_owned(),
        "SOAPAction: \"copyImage\"".to_owned(),
    ];
    if header_file.exists() {
        headers.clear();
        for line in String::from_utf8(support::read(&header_file)).expect("utf-8").lines() {
            if line == "#http/1.0" {
                version = "HTTP/1.0";
            } else if let Some(p) = line.strip_prefix("#path ") {
                path = p.trim().to_owned();
            } else if !line.trim().is_empty() {
                headers.push(line.to_owned());
            }
        }
    }
    let mut raw = format!("POST {path} {version}\r\nHost: localhost:8080\r\n");
    if version == "HTTP/1.1" {
        raw.push_str("Connection: close\r\n");
    }
    for h in headers {
        raw.push_str(&h);
        raw.push_str("\r\n");
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// The parts of a reply the expected `.response.http` records.
fn http_summary(resp: &support::Response) -> String {
    let mut s = format!("HTTP {}\n", resp.status);
    for name in ["Content-Type", "Content-Encoding"] {
        if let Some(v) = resp.header(name) {
            let _ = writeln!(s, "{name}: {v}");
        }
    }
    s
}

/// Whether a reply is a bare fault element, with no envelope.
fn is_bare_fault(text: &str) -> bool {
    let root = text.trim_start_matches("<?xml version='1.0' encoding='UTF-8'?>");
    root.starts_with("<tns:") && root.contains("Fault xmlns:tns=\"http://www.scene7.com/IpsApi/xsd\"")
}

/// Rules every fault reply obeys, whatever the case.
fn check_fault_rules(case: &str, text: &str) -> Result<(), String> {
    // A SOAP Fault opens and closes; a bare fault (the upload servlet's and
    // the bare endpoint's) is the document's one element.
    let faults = if is_bare_fault(text) {
        2
    } else {
        text.matches(":Fault>").count()
    };
    if faults != 2 {
        return Err(format!(
            "{case}: expected exactly one Fault element, found {}",
            faults / 2
        ));
    }
    for forbidden in [
        "DOCTYPE",
        "ENTITY",
        "/etc/passwd",
        "ips-emulator",
        "sqlite",
        "panicked",
        "/work/",
        "/tmp/",
    ] {
        if text.contains(forbidden) {
            return Err(format!("{case}: fault reply contains {forbidden:?}"));
        }
    }
    if text.len() > 2048 {
        return Err(format!("{case}: fault reply is {} bytes", text.len()));
    }
    Ok(())
}

/// Runs every case of a group. `copies` says that every success makes
/// exactly one new asset (the copyImage groups); other operations may add,
/// remove or keep assets, so only their faults are held to "nothing
/// written".
/// Element values that differ from run to run (times), written as the
/// `{{any}}` marker when blessing so that comparisons skip them.
const VARIABLE: &[&str] = &["created", "lastModified", "childLastModified"];

fn mark_variable(text: &str) -> String {
    let mut out = text.to_owned();
    for name in VARIABLE {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        let mut from = 0;
        while let Some(start) = out[from..].find(&open).map(|i| i + from + open.len()) {
            let Some(end) = out[start..].find(&close).map(|i| i + start) else {
                break;
            };
            out.replace_range(start..end, canon::ANY);
            from = start + canon::ANY.len() + close.len();
        }
    }
    out
}

async fn run_group(group: &str, copies: bool) {
    let bless = std::env::var_os("IPS_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases(group) {
        let name = format!("{group}/{}", case.file_name().unwrap_or_default().to_string_lossy());
        let server = TestServer::in_memory().await;
        let resp = support::exchange(server.addr, &raw_request(&case)).await;
        let summary = http_summary(&resp);
        let text = resp.text();
        let is_xml = resp.header("content-type").is_some_and(|t| t.contains("xml"));
        let (expected_body, actual_body) = if is_xml {
            match canonical(&text) {
                Ok(c) => (sibling(&case, ".response.xml"), c),
                Err(e) => {
                    failures.push(format!("{name}: reply is not well-formed XML ({e}): {text}"));
                    continue;
                }
            }
        } else {
            (sibling(&case, ".response.txt"), text.clone())
        };
        let assets = server.asset_count().await;
        let wrote = assets != SEEDED_ASSETS;
        if text.contains(":Fault>") || is_bare_fault(&text) {
            if let Err(e) = check_fault_rules(&name, &text) {
                failures.push(e);
            }
            if wrote {
                failures.push(format!("{name}: a fault was answered but {assets} assets exist"));
            }
        } else if copies && resp.status == 200 && assets != SEEDED_ASSETS + 1 {
            failures.push(format!("{name}: success but {assets} assets exist (expected one new)"));
        }
        server.stop().await;
        let expected_http = sibling(&case, ".response.http");
        if bless {
            std::fs::write(&expected_http, &summary).expect("bless http");
            // The body file keeps the reply as sent, for readers; only its
            // canonical form is compared.
            let body = if is_xml {
                mark_variable(&text)
            } else {
                actual_body.clone()
            };
            std::fs::write(&expected_body, body).expect("bless body");
            continue;
        }
        let want_http = std::fs::read_to_string(&expected_http).unwrap_or_default();
        if want_http != summary {
            failures.push(format!(
                "{name}: HTTP summary differs\n--- expected\n{want_http}--- actual\n{summary}"
            ));
        }
        let want_body = std::fs::read_to_string(&expected_body).unwrap_or_default();
        let differs = if is_xml {
            canon::matches(&want_body, &text).err().map(|m| m.to_string())
        } else {
            (want_body != actual_body).then(|| format!("--- expected\n{want_body}\n--- actual\n{actual_body}"))
        };
        if let Some(diff) = differs {
            failures.push(format!("{name}: body differs\n{diff}\n--- raw\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden failure(s) (bless with IPS_BLESS=1 after checking):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_image_fixtures() {
    run_group("copyImage", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_request_fixtures() {
    run_group("invalid", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_fixtures() {
    run_group("operations", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_fixtures() {
    run_group("versions", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_request_fixtures() {
    run_group("bare", false).await;
}
