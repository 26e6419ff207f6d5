//! The outbound client (`http::outbound::HyperFetcher`) against small
//! servers on loopback ports: plain and TLS, well-behaved and not. Each
//! server counts the connections it accepts, so "refused without
//! connecting" is checked, not assumed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ips_emulator::http::outbound::HyperFetcher;
use ips_emulator::outbound::{AllowList, FetchError, Fetcher, Policy, Settings, Stage};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A request as a test server read it.
#[derive(Clone, Debug)]
struct Seen {
    /// The request line and headers.
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// What a server does once it has read a request.
enum Reply {
    /// Sends these bytes and closes.
    Send(Vec<u8>),
    /// Sends these bytes and keeps the connection open, sending nothing more.
    SendAndHold(Vec<u8>),
    /// Never answers.
    Silent,
}

struct Server {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

type Answer = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

async fn serve(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    serve_with(None, Arc::new(answer)).await
}

/// A server on 127.0.0.1, plain or (with an acceptor) TLS.
async fn serve_with(tls: Option<TlsAcceptor>, answer: Answer) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = Server {
        addr: listener.local_addr().expect("addr"),
        connections: Arc::new(AtomicUsize::new(0)),
        seen: Arc::new(Mutex::new(Vec::new())),
    };
    let (connections, seen) = (server.connections.clone(), server.seen.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let (tls, answer, seen) = (tls.clone(), answer.clone(), seen.clone());
            tokio::spawn(async move {
                match tls {
                    None => handle(stream, &*answer, &seen).await,
                    // A failed handshake is the client refusing the certificate.
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            handle(stream, &*answer, &seen).await;
                        }
                    }
                }
            });
        }
    });
    server
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    answer: &(dyn Fn(&Seen) -> Reply + Send + Sync),
    seen: &Mutex<Vec<Seen>>,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    seen.lock().expect("lock").push(request.clone());
    match answer(&request) {
        Reply::Send(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::SendAndHold(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Reply::Silent => tokio::time::sleep(Duration::from_secs(60)).await,
    }
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Seen> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut buf).await.ok().filter(|&n| n > 0)?;
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut body = raw[end + 4..].to_vec();
    let request = Seen { head, body: Vec::new() };
    let length: usize = request.header("content-length").map_or(0, |v| v.parse().unwrap_or(0));
    while body.len() < length {
        let n = stream.read(&mut buf).await.ok().filter(|&n| n > 0)?;
        body.extend_from_slice(&buf[..n]);
    }
    Some(Seen { body, ..request })
}

/// A whole response with a Content-Length.
fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A 200 response head and `count` chunks of 512 bytes, and the last
/// chunk if `last`.
fn chunked(count: usize, last: bool) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..count {
        out.extend_from_slice(b"200\r\n");
        out.extend_from_slice(&[b'x'; 512]);
        out.extend_from_slice(b"\r\n");
    }
    if last {
        out.extend_from_slice(b"0\r\n\r\n");
    }
    out
}

fn redirect(status: &str, location: &str) -> Reply {
    Reply::Send(response(status, &[("Location", location)], b""))
}

/// Loopback only, a 1 KiB cap, short timeouts.
fn policy() -> Policy {
    Policy {
        max_bytes: 1024,
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(10),
        ..Policy::default()
    }
}

fn fetcher(policy: Policy) -> HyperFetcher {
    HyperFetcher::new(&Settings {
        policy,
        ca_files: Vec::new(),
    })
    .expect("the client builds")
}

#[tokio::test]
async fn a_get_returns_the_body_its_type_and_the_final_url() {
    let server = serve(|_| {
        Reply::Send(response(
            "200 OK",
            &[("Content-Type", "image/jpeg")],
            b"not really a jpeg",
        ))
    })
    .await;
    let url = server.url("/images/a.jpg?wid=10");
    let fetched = fetcher(policy()).get(&url).await.expect("fetched");
    assert_eq!(fetched.bytes, Bytes::from_static(b"not really a jpeg"));
    assert_eq!(fetched.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(fetched.final_url, url);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].line(), "GET /images/a.jpg?wid=10 HTTP/1.1");
    assert_eq!(seen[0].header("host"), Some(server.addr.to_string().as_str()));
    assert_eq!(
        seen[0].header("user-agent"),
        Some(concat!("ips-emulator/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(seen[0].header("connection"), Some("close"));
}

#[tokio::test]
async fn a_status_other_than_2xx_is_an_error_carrying_it() {
    let server = serve(|s| match s.line() {
        l if l.starts_with("GET /missing") => Reply::Send(response("404 Not Found", &[], b"no")),
        _ => Reply::Send(response("500 Internal Server Error", &[], b"")),
    })
    .await;
    let client = fetcher(policy());
    let host = server.addr.to_string();
    assert_eq!(
        client.get(&server.url("/missing")).await,
        Err(FetchError::Status {
            host: host.clone(),
            status: 404
        })
    );
    assert_eq!(
        client
            .post(&server.url("/callback"), "text/plain", Bytes::from_static(b"x"))
            .await,
        Err(FetchError::Status { host, status: 500 })
    );
    let err = client.get(&server.url("/missing")).await.expect_err("404");
    assert_eq!(
        err.to_string(),
        format!("{} answered with HTTP status 404", server.addr)
    );
}

#[tokio::test]
async fn hosts_the_policy_does_not_allow_are_refused_without_connecting() {
    let server = serve(|_| Reply::Send(response("200 OK", &[], b"ok"))).await;
    let port = server.addr.port();
    let loopback = fetcher(policy());
    for (url, host) in [
        ("http://10.0.0.1/x".to_owned(), "10.0.0.1:80".to_owned()),
        ("http://example.invalid/x".to_owned(), "example.invalid:80".to_owned()),
        (
            "https://[::ffff:10.0.0.1]/".to_owned(),
            "[::ffff:10.0.0.1]:443".to_owned(),
        ),
        (
            "http://127.0.0.1.example.invalid/".to_owned(),
            "127.0.0.1.example.invalid:80".to_owned(),
        ),
    ] {
        assert_eq!(
            loopback.get(&url).await,
            Err(FetchError::HostNotAllowed { host }),
            "{url}"
        );
    }
    assert_eq!(
        loopback.get("ftp://127.0.0.1/x").await,
        Err(FetchError::SchemeNotAllowed("ftp".into()))
    );
    let only = |entries: &[&str]| {
        fetcher(Policy {
            allow: AllowList::parse(entries).expect("list"),
            ..policy()
        })
    };
    // The address of a listening server, refused by name-only, port and
    // range lists: nothing connects.
    let refusals = [
        (only(&["localhost"]), server.url("/")),
        (only(&["127.0.0.1:1"]), server.url("/")),
        (only(&["10.0.0.0/8"]), format!("http://localhost:{port}/")),
        (only(&[]), server.url("/")),
    ];
    for (client, url) in &refusals {
        assert!(
            matches!(client.get(url).await, Err(FetchError::HostNotAllowed { .. })),
            "{url} with {:?}",
            client.policy().allow
        );
    }
    assert_eq!(server.connections(), 0, "no refused fetch connected");
    // An unlisted name is allowed when all it resolves to is.
    let ranges = only(&["127.0.0.0/8", "::1"]);
    let fetched = ranges
        .get(&format!("http://localhost:{port}/x"))
        .await
        .expect("fetched");
    assert_eq!(fetched.bytes, Bytes::from_static(b"ok"));
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_redirect_to_a_disallowed_host_is_refused() {
    let server = serve(|s| match s.line() {
        l if l.starts_with("GET /to-private") => redirect("302 Found", "http://10.0.0.1/secret"),
        l if l.starts_with("GET /to-name") => redirect("301 Moved Permanently", "//example.invalid:8080/x"),
        l if l.starts_with("GET /to-ftp") => redirect("307 Temporary Redirect", "ftp://127.0.0.1/x"),
        l if l.starts_with("GET /to-userinfo") => redirect("302 Found", "http://user@127.0.0.1/x"),
        _ => Reply::Send(response("200 OK", &[], b"ok")),
    })
    .await;
    let client = fetcher(policy());
    assert_eq!(
        client.get(&server.url("/to-private")).await,
        Err(FetchError::RedirectNotAllowed {
            host: "10.0.0.1:80".into()
        })
    );
    assert_eq!(
        client.get(&server.url("/to-name")).await,
        Err(FetchError::RedirectNotAllowed {
            host: "example.invalid:8080".into()
        })
    );
    assert_eq!(
        client.get(&server.url("/to-ftp")).await,
        Err(FetchError::SchemeNotAllowed("ftp".into()))
    );
    assert_eq!(
        client.get(&server.url("/to-userinfo")).await,
        Err(FetchError::Exchange {
            host: server.addr.to_string(),
            reason: "redirected to an invalid URL: a user name or password in the URL is not accepted".into()
        })
    );
    assert_eq!(server.connections(), 4, "one connection per request, none further");
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let server = serve(|s| match s.line() {
        l if l.starts_with("GET /a/start") => redirect("301 Moved Permanently", "next"),
        l if l.starts_with("GET /a/next") => redirect("303 See Other", "/final?x=1"),
        l if l.starts_with("GET /final") => Reply::Send(response("200 OK", &[], b"arrived")),
        _ => redirect("302 Found", "/loop"),
    })
    .await;
    let client = fetcher(Policy {
        max_redirects: 3,
        ..policy()
    });
    let fetched = client.get(&server.url("/a/start")).await.expect("followed");
    assert_eq!(fetched.bytes, Bytes::from_static(b"arrived"));
    assert_eq!(fetched.final_url, server.url("/final?x=1"));
    assert_eq!(server.connections(), 3);
    assert_eq!(
        client.get(&server.url("/loop")).await,
        Err(FetchError::TooManyRedirects { limit: 3 })
    );
    assert_eq!(server.connections(), 3 + 4, "the first request and 3 redirects");
}

#[tokio::test]
async fn a_body_declared_over_the_cap_is_refused_before_it_is_read() {
    // The server declares a large body and sends none of it: only the
    // Content-Length can end this fetch before the read timeout.
    let server = serve(|_| Reply::SendAndHold(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".to_vec())).await;
    let started = Instant::now();
    let result = fetcher(policy()).get(&server.url("/big")).await;
    assert_eq!(result, Err(FetchError::TooLarge { limit: 1024 }));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // One byte past the cap too.
    let server = serve(|_| Reply::Send(response("200 OK", &[], &[7; 1025]))).await;
    assert_eq!(
        fetcher(policy()).get(&server.url("/")).await,
        Err(FetchError::TooLarge { limit: 1024 })
    );
}

#[tokio::test]
async fn a_chunked_body_is_refused_as_soon_as_it_passes_the_cap() {
    // 4 chunks of 512 bytes and never the last chunk: reading the whole
    // body would wait for the read timeout.
    let endless = chunked(4, false);
    let server = serve(move |_| Reply::SendAndHold(endless.clone())).await;
    let started = Instant::now();
    let result = fetcher(policy()).get(&server.url("/stream")).await;
    assert_eq!(result, Err(FetchError::TooLarge { limit: 1024 }));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // Exactly the cap, chunked, is accepted.
    let exact = chunked(2, true);
    let server = serve(move |_| Reply::Send(exact.clone())).await;
    let fetched = fetcher(policy()).get(&server.url("/")).await.expect("at the cap");
    assert_eq!(fetched.bytes.len(), 1024);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = serve(|_| Reply::Silent).await;
    let after = Duration::from_millis(300);
    let client = fetcher(Policy {
        read_timeout: after,
        ..policy()
    });
    let started = Instant::now();
    assert_eq!(
        client.get(&server.url("/")).await,
        Err(FetchError::Timeout {
            host: server.addr.to_string(),
            stage: Stage::Response,
            after
        })
    );
    let took = started.elapsed();
    assert!(took >= after && took < Duration::from_secs(3), "{took:?}");
    // A body that stops half way is bounded by the same deadline.
    let server = serve(|_| Reply::SendAndHold(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf".to_vec())).await;
    assert!(matches!(
        client.get(&server.url("/")).await,
        Err(FetchError::Timeout {
            stage: Stage::Response,
            ..
        })
    ));
}

#[tokio::test]
async fn post_delivers_its_body_and_type_and_follows_only_307_and_308() {
    let server = serve(|s| match s.line() {
        l if l.starts_with("POST /moved") => redirect("307 Temporary Redirect", "/callback"),
        l if l.starts_with("POST /found") => redirect("302 Found", "/callback"),
        _ => Reply::Send(response("204 No Content", &[], b"")),
    })
    .await;
    let client = fetcher(policy());
    let body = Bytes::from_static(b"<job><state>done</state></job>");
    let status = client
        .post(&server.url("/callback"), "application/xml", body.clone())
        .await
        .expect("posted");
    assert_eq!(status, 204);
    let seen = server.seen();
    assert_eq!(seen[0].line(), "POST /callback HTTP/1.1");
    assert_eq!(seen[0].header("content-type"), Some("application/xml"));
    assert_eq!(seen[0].body, body.to_vec());
    assert_eq!(
        client
            .post(&server.url("/moved"), "text/plain", Bytes::from_static(b"again"))
            .await,
        Ok(204)
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        (seen[2].line(), seen[2].body.as_slice()),
        ("POST /callback HTTP/1.1", &b"again"[..])
    );
    // A 302 would turn the POST into a GET: not followed.
    assert_eq!(
        client.post(&server.url("/found"), "text/plain", Bytes::new()).await,
        Err(FetchError::Status {
            host: server.addr.to_string(),
            status: 302
        })
    );
    assert_eq!(server.seen().len(), 4);
}

/// A TLS server for `localhost` whose certificate is self-signed, and a PEM
/// file holding that certificate.
async fn tls_server(dir: &std::path::Path) -> (Server, std::path::PathBuf) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let pem = dir.join("loopback.pem");
    std::fs::write(&pem, cert.pem()).expect("write pem");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    #[allow(deprecated)] // see src/http/outbound.rs
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("server config");
    let answer: Answer = Arc::new(|_| Reply::Send(response("200 OK", &[("Content-Type", "text/plain")], b"over tls")));
    (serve_with(Some(TlsAcceptor::from(Arc::new(config))), answer).await, pem)
}

#[tokio::test]
async fn https_trusts_extra_roots_and_only_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, pem) = tls_server(dir.path()).await;
    let port = server.addr.port();
    let trusting = HyperFetcher::new(&Settings {
        policy: policy(),
        ca_files: vec![pem.clone()],
    })
    .expect("client with the extra root");
    let fetched = trusting
        .get(&format!("https://localhost:{port}/x"))
        .await
        .expect("fetched over TLS");
    assert_eq!(fetched.bytes, Bytes::from_static(b"over tls"));
    assert_eq!(fetched.final_url, format!("https://localhost:{port}/x"));
    // The certificate names localhost, not 127.0.0.1.
    match trusting.get(&format!("https://127.0.0.1:{port}/x")).await {
        Err(FetchError::Tls { host, reason }) => {
            assert_eq!(host, format!("127.0.0.1:{port}"));
            assert!(reason.contains("certificate"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Without the extra root the certificate is not trusted.
    match fetcher(policy()).get(&format!("https://localhost:{port}/x")).await {
        Err(FetchError::Tls { reason, .. }) => assert!(reason.contains("UnknownIssuer"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.seen().len(), 1, "only the trusted handshake reached HTTP");
}

#[tokio::test]
async fn an_unusable_ca_file_is_a_setup_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").expect("write");
    let missing = dir.path().join("missing.pem");
    for path in [empty, missing] {
        let err = HyperFetcher::new(&Settings {
            policy: policy(),
            ca_files: vec![path.clone()],
        })
        .expect_err("refused");
        assert!(
            err.to_string().starts_with(&format!("--fetch-ca {}: ", path.display())),
            "{err}"
        );
    }
}
