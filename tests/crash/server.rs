//! The server binary as a child process on a data directory: started with
//! `--listen 127.0.0.1:0` and found by the address it logs, killed with
//! SIGKILL; and a client that tells a reply from a lost exchange.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{self, Response};

/// A running `ips-emulator serve`.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

/// The line `serve` logs once it listens (after start-up's sweep).
const READY: &str = "serving IPS API at http://";

impl Server {
    /// Starts the binary on `data` and waits until it listens.
    pub async fn start(data: &Path, log: PathBuf) -> Server {
        Self::start_with(data, log, &[]).await
    }

    /// Starts the binary on `data` with more arguments, and waits until it
    /// listens.
    pub async fn start_with(data: &Path, log: PathBuf, args: &[&str]) -> Server {
        let stderr = File::create(&log).expect("create server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ips-emulator"))
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data)
            .args(args)
            .env("IPS_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawn ips-emulator");
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(addr) = listening_address(&text) {
                return Server {
                    child: Some(child),
                    addr,
                    log,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited ({status}) before listening; log:\n{text}");
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("the server did not listen within 60 s; log:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no drain, no checkpoint, no destructor runs.
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL the server");
            child.wait().expect("reap the server");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failing test must not leave its server behind.
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn listening_address(log: &str) -> Option<SocketAddr> {
    let at = log.find(READY)? + READY.len();
    log[at..].split('/').next()?.parse().ok()
}

/// How an exchange ended.
pub enum Reply {
    /// A whole response arrived.
    Answered(Response),
    /// The connection failed or closed early: whether the server acted on
    /// the request is unknown.
    Lost(String),
}

/// Sends `raw` (with `Connection: close`) and reads the whole response.
pub async fn send(addr: SocketAddr, raw: &[u8]) -> Reply {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(raw).await?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    match tokio::time::timeout(Duration::from_secs(30), exchange).await {
        Err(_) => Reply::Lost("no response within 30 s".into()),
        Ok(Err(e)) => Reply::Lost(e.to_string()),
        Ok(Ok(buf)) if complete(&buf) => Reply::Answered(support::parse_response(&buf)),
        Ok(Ok(buf)) => Reply::Lost(format!("connection closed after {} bytes", buf.len())),
    }
}

/// Whether `buf` holds a whole response: headers and the body they announce.
fn complete(buf: &[u8]) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let body = &buf[end + 4..];
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    match length {
        Some(n) => body.len() >= n,
        None if head.contains("chunked") => body.ends_with(b"0\r\n\r\n"),
        None => false,
    }
}

/// A GET.
pub fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes()
}

/// A POST of `body` to `path`.
pub fn post(path: &str, content_type: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

#[test]
fn the_logged_address_is_found() {
    let log = "2026 INFO ips_emulator: serving IPS API at http://127.0.0.1:4321/scene7/services/IpsApiService addr=x";
    assert_eq!(listening_address(log), Some("127.0.0.1:4321".parse().expect("addr")));
    assert_eq!(listening_address("INFO seed applied"), None);
    assert!(complete(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assert!(!complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok"));
    assert!(!complete(b"HTTP/1.1 200 OK\r\nContent-Le"));
}
