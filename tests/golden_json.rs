//! Golden JSON exchanges of the REST facades: every
//! `fixtures/rest/<api>/<case>.json` holds one request and the reply it must
//! get from a fresh server. The reply's status, its headers (but the
//! transport's) and its JSON body are compared structurally: object keys
//! and array items exactly, with `"{{any}}"` standing for any value, a
//! string holding `{{any}}` matching any text in its place, and the
//! server's own `http://host:port` written `{{base}}`. Run with
//! `IPS_BLESS=1` to (re)write each case's `response`, with the values that
//! differ from run to run (times, tokens, a retry delay) masked; then
//! review the diff.
//!
//! A case file:
//!
//! ```json
//! { "server": { "kameleoon_rate": [1, 0] },          // optional limits
//!   "before": [ { "method": "GET", "path": "…", "client": "…" } ], // optional, replies unchecked
//!   "request": { "method": "POST", "path": "/images/1001/clone",
//!                "client": "kameleoon-demo",          // a bearer token for this client
//!                "authorization": "Bearer x",        // or this header as it is
//!                "sharinpix_claims": { … },          // or a SharinPix token of these claims
//!                "headers": { "Content-Type": "application/json" },
//!                "json": { … } | "text": "…" | "multipart": [ part, … ] },
//!   "response": { "status": 200, "headers": { … }, "body": … } }
//! ```
//!
//! A multipart part is `{ "name", "filename"?, "content_type"?, and one of
//! "text", "file" (a path from the repository root) or "zeros" (a count) }`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::support::{self, TestServer};

/// Stands for any value (or, inside a string, any text).
const ANY: &str = "{{any}}";
/// Stands for the server's `http://host:port`.
const BASE: &str = "{{base}}";
/// Object keys whose values differ from run to run.
const VOLATILE: &[&str] = &[
    "time",
    "timestamp",
    "date",
    "access_token",
    "created_at",
    "updated_at",
    "expires_at",
    "signature",
];
/// Reply headers that belong to the transport, not the API.
const TRANSPORT: &[&str] = &[
    "date",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
];
const BOUNDARY: &str = "golden-json-boundary";

fn cases(api: &str) -> Vec<PathBuf> {
    let dir = support::root().join("fixtures/rest").join(api);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", dir.display());
    cases
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A multipart body of the parts a case lists.
fn multipart(parts: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        let name = str_of(part, "name").expect("a part's name");
        out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = str_of(part, "filename") {
            out.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if let Some(t) = str_of(part, "content_type") {
            out.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if let Some(text) = str_of(part, "text") {
            out.extend_from_slice(text.as_bytes());
        } else if let Some(file) = str_of(part, "file") {
            out.extend_from_slice(&support::read(&support::root().join(file)));
        } else if let Some(n) = part.get("zeros").and_then(Value::as_u64) {
            out.resize(out.len() + n as usize, 0);
        } else {
            panic!("a part needs text, file or zeros: {part}");
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// A bearer token for `client` (secret `ips-emulator`, as seeded).
async fn token(addr: SocketAddr, client: &str) -> String {
    let body = format!("grant_type=client_credentials&client_id={client}&client_secret=ips-emulator");
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let resp = support::exchange(
        addr,
        &support::request("POST", "/oauth/token", &headers, body.as_bytes()),
    )
    .await;
    assert_eq!(resp.status, 200, "token for {client}: {}", resp.text());
    let granted: Value = serde_json::from_slice(&resp.body).expect("token JSON");
    str_of(&granted, "access_token").expect("access_token").to_owned()
}

/// Sends a case's request; gives the reply.
async fn send(addr: SocketAddr, req: &Value) -> support::Response {
    let method = str_of(req, "method").expect("method");
    let path = str_of(req, "path").expect("path");
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(client) = str_of(req, "client") {
        headers.push(("Authorization".into(), format!("Bearer {}", token(addr, client).await)));
    }
    if let Some(claims) = req.get("sharinpix_claims") {
        // Signed with the demo secret, without `iss`, as SharinPix's
        // documents sign theirs.
        let token = ips_emulator::sharinpix::mint(&claims.to_string(), None, "ips-emulator").expect("claims");
        headers.push(("Authorization".into(), format!("Token token=\"{token}\"")));
    }
    if let Some(auth) = str_of(req, "authorization") {
        headers.push(("Authorization".into(), auth.to_owned()));
    }
    for (name, value) in req.get("headers").and_then(Value::as_object).into_iter().flatten() {
        headers.push((name.clone(), value.as_str().expect("header value").to_owned()));
    }
    let body = if let Some(v) = req.get("json") {
        serde_json::to_vec(v).expect("JSON body")
    } else if let Some(text) = str_of(req, "text") {
        text.as_bytes().to_vec()
    } else if let Some(parts) = req.get("multipart").and_then(Value::as_array) {
        headers.push((
            "Content-Type".into(),
            format!("multipart/form-data; boundary={BOUNDARY}"),
        ));
        multipart(parts)
    } else {
        Vec::new()
    };
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    support::exchange(addr, &support::request(method, path, &headers, &body)).await
}

/// A server for a case: the default limits but those it names.
async fn server_for(case: &Value) -> TestServer {
    let mut limits = ips_emulator::Limits::default();
    if let Some(rate) = case.pointer("/server/kameleoon_rate").and_then(Value::as_array) {
        let n = |i: usize| {
            rate.get(i)
                .and_then(Value::as_u64)
                .expect("kameleoon_rate [short, hourly]") as u32
        };
        limits.kameleoon_rate = (n(0), n(1));
    }
    TestServer::start(support::options(ips_emulator::DataLocation::InMemory, limits)).await
}

/// The reply as a case records it, its server's address written `{{base}}`.
fn recorded(resp: &support::Response, addr: SocketAddr) -> Value {
    let base = format!("http://{addr}");
    let mut headers = Map::new();
    for (name, value) in &resp.headers {
        let name = name.to_ascii_lowercase();
        if !TRANSPORT.contains(&name.as_str()) {
            headers.insert(name, Value::String(value.replace(&base, BASE)));
        }
    }
    let body = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => rebase(v, &base),
        Err(_) => Value::String(resp.text()),
    };
    json!({ "status": resp.status, "headers": headers, "body": body })
}

fn rebase(v: Value, base: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(base, BASE)),
        Value::Array(items) => Value::Array(items.into_iter().map(|i| rebase(i, base)).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, i)| (k, rebase(i, base))).collect()),
        other => other,
    }
}

/// What blessing writes: volatile values masked.
fn masked(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, i)| {
                    let i = if VOLATILE.contains(&k.as_str()) {
                        Value::String(ANY.into())
                    } else {
                        masked(i)
                    };
                    (k, i)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(masked).collect()),
        // The seconds until a rate-limited client is taken again.
        Value::String(s) => match s.split_once("; retry in ") {
            Some((head, tail)) => match tail.split_once(' ') {
                Some((secs, rest)) if secs.bytes().all(|b| b.is_ascii_digit()) => {
                    Value::String(format!("{head}; retry in {ANY} {rest}"))
                }
                _ => Value::String(s),
            },
            None => Value::String(s),
        },
        other => other,
    }
}

/// Whether `actual` text matches `pattern`, where `{{any}}` stands for any
/// run of characters.
fn glob(pattern: &str, actual: &str) -> bool {
    let mut pieces = pattern.split(ANY);
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i + 1 == pieces.len() {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Compares structurally; gives the first difference's JSON pointer.
fn compare(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    let differs = || Err(format!("{at}: expected {expected}, got {actual}"));
    match (expected, actual) {
        (Value::String(e), _) if e == ANY => Ok(()),
        (Value::String(e), Value::String(a)) if e.contains(ANY) => {
            if glob(e, a) {
                Ok(())
            } else {
                differs()
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            if keys(e) != keys(a) {
                return Err(format!("{at}: keys {:?} expected, got {:?}", keys(e), keys(a)));
            }
            e.iter().try_for_each(|(k, v)| compare(v, &a[k], &format!("{at}/{k}")))
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (e, a))| compare(e, a, &format!("{at}/{i}"))),
        _ if expected == actual => Ok(()),
        _ => differs(),
    }
}

async fn run_case(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut case: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let server = server_for(&case).await;
    for before in case.get("before").and_then(Value::as_array).into_iter().flatten() {
        let resp = send(server.addr, before).await;
        assert!(resp.status < 300, "a 'before' request failed: {}", resp.text());
    }
    let request = case.get("request").ok_or("no request")?;
    let resp = send(server.addr, request).await;
    let actual = recorded(&resp, server.addr);
    server.stop().await;
    if bless {
        case["response"] = masked(actual);
        let mut out = serde_json::to_string_pretty(&case).map_err(|e| e.to_string())?;
        out.push('\n');
        std::fs::write(path, out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = case.get("response").ok_or("no response (bless with IPS_BLESS=1)")?;
    compare(expected, &actual, "").map_err(|diff| format!("{diff}\n--- actual\n{actual:#}"))
}

async fn run_api(api: &str) {
    let bless = std::env::var_os("IPS_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases(api) {
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if let Err(e) = run_case(&case, bless).await {
            failures.push(format!("{api}/{name}: {e}"));
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
async fn kameleoon_json_fixtures() {
    run_api("kameleoon").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharinpix_json_fixtures() {
    run_api("sharinpix").await;
}

#[test]
fn the_comparison_masks_only_what_it_should() {
    let expected = json!({"a": ANY, "b": [1, "x {{any}} z"], "c": {"d": "{{base}}/p"}});
    assert!(compare(
        &expected,
        &json!({"a": [7], "b": [1, "x yy z"], "c": {"d": "{{base}}/p"}}),
        ""
    )
    .is_ok());
    for actual in [
        json!({"a": 1, "b": [1, "x yy"], "c": {"d": "{{base}}/p"}}),
        json!({"a": 1, "b": [1, "x y z"], "c": {"d": "/p"}}),
        json!({"a": 1, "b": [1, "x y z", 2], "c": {"d": "{{base}}/p"}}),
        json!({"a": 1, "b": [1, "x y z"], "c": {"d": "{{base}}/p"}, "e": 0}),
        json!({"b": [1, "x y z"], "c": {"d": "{{base}}/p"}}),
    ] {
        assert!(compare(&expected, &actual, "").is_err(), "{actual}");
    }
    assert!(glob("a{{any}}b{{any}}c", "a1b2c") && !glob("a{{any}}b", "a1c") && glob("{{any}}", "x"));
    let masked = masked(json!({"time": 5, "list": [{"date": "d"}], "message": "over; retry in 9 s"}));
    assert_eq!(
        masked,
        json!({"time": ANY, "list": [{"date": ANY}], "message": "over; retry in {{any}} s"})
    );
}
