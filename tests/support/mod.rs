//! Test harness: start a real server on a loopback port, talk raw HTTP to it.

#![allow(dead_code)]

pub mod digest;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ips_emulator::{AppState, DataLocation, Limits, Options, SeedSource};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// The repository root.
/// How many assets the demo seed holds (each with bytes of its own).
pub const SEEDED_ASSETS: u64 = 8;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running server.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The HTTPS listener's address, when started with one.
    pub tls_addr: Option<SocketAddr>,
    pub state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    worker: Option<ips_emulator::catalog::Worker>,
}

impl TestServer {
    pub async fn start(options: Options) -> TestServer {
        Self::start_with_tls(options, None).await
    }

    /// A server with an HTTPS listener beside the plain one, presenting
    /// `identity`.
    pub async fn start_with_tls(options: Options, identity: Option<ips_emulator::http::TlsIdentity>) -> TestServer {
        let (state, worker) = ips_emulator::open(&options).await.expect("open state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut tls_addr = None;
        let mut tls = None;
        if let Some(identity) = identity {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tls_addr = Some(listener.local_addr().expect("addr"));
            tls = Some(ips_emulator::http::TlsListener { listener, identity });
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let run_state = state.clone();
        let task = tokio::spawn(async move {
            ips_emulator::run_with_tls(listener, tls, run_state, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            addr,
            tls_addr,
            state,
            stop: Some(stop),
            task: Some(task),
            worker: Some(worker),
        }
    }

    pub async fn in_memory() -> TestServer {
        Self::start(options(DataLocation::InMemory, Limits::default())).await
    }

    /// Stops serving, drops the state and waits for the catalog to close.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
        let worker = self.worker.take().expect("worker");
        drop(self);
        tokio::task::spawn_blocking(move || worker.join()).await.expect("join");
    }

    pub async fn asset_count(&self) -> u64 {
        self.state.catalog.count_assets().await.expect("count")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn options(data: DataLocation, limits: Limits) -> Options {
    Options {
        catalog: shared_catalog(&data),
        data,
        seed: SeedSource::Embedded,
        limits,
        emulator_api: true,
        fetch: Default::default(),
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, with any gzip content coding removed.
    pub body: Vec<u8>,
    /// Everything received before the final response (e.g. `100 Continue`).
    pub interim: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes and reads until the server closes the connection.
pub async fn exchange(addr: SocketAddr, raw: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(raw).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), stream.read_to_end(&mut buf))
        .await
        .expect("response within 30 s")
        .expect("read");
    parse_response(&buf)
}

/// Parses one response (skipping interim 1xx responses).
pub fn parse_response(buf: &[u8]) -> Response {
    let mut rest = buf;
    let mut interim = String::new();
    loop {
        let end =
            find(rest, b"\r\n\r\n").unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(buf)));
        let head = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 4..];
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status");
        if (100..200).contains(&status) {
            interim.push_str(&head);
            continue;
        }
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            })
            .collect();
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        let mut body = match get("content-length") {
            Some(n) => rest[..n.parse::<usize>().expect("length").min(rest.len())].to_vec(),
            None if get("transfer-encoding").is_some_and(|t| t.contains("chunked")) => dechunk(rest),
            None => rest.to_vec(),
        };
        if get("content-encoding").as_deref() == Some("gzip") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut out)
                .expect("gunzip");
            body = out;
        }
        return Response {
            status,
            headers,
            body,
            interim,
        };
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = find(rest, b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).expect("chunk size");
        rest = &rest[end + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    out
}

/// A POST to the SOAP endpoint with `Connection: close`.
pub fn soap_request(body: &[u8], headers: &[(&str, &str)]) -> Vec<u8> {
    request("POST", "/scene7/services/IpsApiService", headers, body)
}

/// A request with `Connection: close` and these headers and body.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n");
    for (n, v) in headers {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

pub const SOAP_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "text/xml; charset=utf-8"),
    ("SOAPAction", "\"copyImage\""),
];

/// A copyImage envelope as `ipsuser@ips.test`.
pub fn copy_image(name: &str, url_modifier: &str) -> String {
    copy_image_as("ipsuser@ips.test", "ips-emulator", "a|739|1|537", name, url_modifier)
}

pub fn copy_image_as(user: &str, password: &str, asset: &str, name: &str, url_modifier: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>{user}</user><password>{password}</password></authHeader></soapenv:Header><soapenv:Body><copyImageParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandle>{asset}</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>{name}</name><urlModifier>{url_modifier}</urlModifier></copyImageParam></soapenv:Body></soapenv:Envelope>"#
    )
}

/// The asset handle in a copyImage reply.
pub fn returned_handle(resp: &Response) -> String {
    let text = resp.text();
    let start = text
        .find("<assetHandle>")
        .unwrap_or_else(|| panic!("no handle in {text}"))
        + "<assetHandle>".len();
    let end = text[start..].find('<').expect("end") + start;
    text[start..end].to_owned()
}

/// The IPS fault code in a fault reply.
pub fn fault_code(resp: &Response) -> Option<i32> {
    let text = resp.text();
    let start = text.find(":code>")? + ":code>".len();
    text[start..].split('<').next()?.parse().ok()
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// With `IPS_TEST_POSTGRES` set (a PostgreSQL server's URL, as
/// `scripts/postgres` prints it), every server a test starts keeps its
/// catalog there: a new database for an in-memory server, one per data
/// directory otherwise, so that a restart on the same directory finds its
/// catalog again.
pub fn shared_catalog(data: &DataLocation) -> Option<String> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let server = std::env::var("IPS_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
    let name = match data {
        DataLocation::InMemory => format!(
            "ips_m{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        DataLocation::Dir(dir) => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            dir.hash(&mut h);
            format!("ips_d{:016x}", h.finish())
        }
    };
    let admin = server.clone();
    let db = name.clone();
    // The blocking client must not run on the test's runtime.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to IPS_TEST_POSTGRES");
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&db])
            .expect("list databases")
            .is_some();
        if !exists {
            client
                .batch_execute(&format!("CREATE DATABASE {db}"))
                .expect("create a test database");
        }
    })
    .join()
    .expect("create a test database");
    let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}
