//! The HTTPS listener: SOAP, Image Serving and the REST facades over a real
//! TLS connection trusting the self-signed certificate the server made, and
//! failed or stalled handshakes that leave the plain listener serving.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ips_emulator::http::TlsIdentity;
use ips_emulator::{DataLocation, Limits};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::support::{self, exchange, parse_response, Response, TestServer};

fn connector(roots_pem: Option<&Path>) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = roots_pem {
        for cert in CertificateDer::pem_file_iter(pem).expect("pem") {
            roots.add(cert.expect("cert")).expect("root");
        }
    }
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// Sends `raw` over TLS to `addr` as `name`, trusting `cert`, and reads the
/// reply until the server closes.
async fn exchange_tls(addr: SocketAddr, cert: &Path, name: &str, raw: &[u8]) -> Response {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from(name.to_owned()).expect("name");
    let mut tls = connector(Some(cert)).connect(name, tcp).await.expect("handshake");
    tls.write_all(raw).await.expect("write");
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), tls.read_to_end(&mut buf))
        .await
        .expect("reply within 30 s");
    // A peer that closes without close_notify is an error to rustls; the
    // reply before it is whole (HTTP framing says so).
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    }
    parse_response(&buf)
}

async fn tls_server(limits: Limits) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let identity = TlsIdentity::self_signed(dir.path()).expect("identity");
    let server = TestServer::start_with_tls(support::options(DataLocation::InMemory, limits), Some(identity)).await;
    (server, dir)
}

#[tokio::test]
async fn soap_image_serving_and_rest_answer_over_https() {
    let (server, dir) = tls_server(Limits::default()).await;
    let tls = server.tls_addr.expect("tls");
    let cert = dir.path().join(ips_emulator::http::tls::CERT_FILE);
    // The certificate names localhost and the loopback addresses.
    for (name, copy, handle) in [
        ("localhost", "over-tls", "a|943|1|580"),
        ("127.0.0.1", "again", "a|944|1|581"),
    ] {
        let raw = support::soap_request(support::copy_image(copy, "").as_bytes(), support::SOAP_HEADERS);
        let resp = exchange_tls(tls, &cert, name, &raw).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert_eq!(support::returned_handle(&resp), handle);
    }
    let get = b"GET /is/image/ApiTestCo/over-tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let served = exchange_tls(tls, &cert, "127.0.0.1", get).await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served.body,
        support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"))
    );
    // Addresses written into replies say https.
    let wsdl = b"GET /scene7/services/IpsApiService?wsdl HTTP/1.1\r\nHost: localhost:8443\r\nConnection: close\r\n\r\n";
    let text = exchange_tls(tls, &cert, "localhost", wsdl).await.text();
    assert!(
        text.contains("https://localhost:8443/scene7/services/IpsApiService"),
        "{}",
        &text[..text.len().min(400)]
    );
    let form = b"grant_type=client_credentials&client_id=kameleoon-demo&client_secret=ips-emulator";
    let raw = support::request(
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    );
    let token = exchange_tls(tls, &cert, "localhost", &raw).await;
    assert_eq!(token.status, 200, "{}", token.text());
    server.stop().await;
}

#[tokio::test]
async fn failed_and_stalled_handshakes_leave_both_listeners_serving() {
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let (server, dir) = tls_server(limits).await;
    let tls = server.tls_addr.expect("tls");
    let cert = dir.path().join(ips_emulator::http::tls::CERT_FILE);
    // Plain HTTP sent to the TLS port: the connection ends, nothing else.
    let mut wrong = TcpStream::connect(tls).await.expect("connect");
    wrong
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), wrong.read_to_end(&mut buf))
        .await
        .expect("closed");
    assert!(!buf.starts_with(b"HTTP/"), "no HTTP reply on the TLS port");
    // A client that does not trust the certificate fails its handshake.
    let tcp = TcpStream::connect(tls).await.expect("connect");
    let name = ServerName::try_from("localhost".to_owned()).expect("name");
    assert!(connector(None).connect(name, tcp).await.is_err());
    // A client that says nothing is let go after the header timeout.
    let mut silent = TcpStream::connect(tls).await.expect("connect");
    let started = std::time::Instant::now();
    let mut one = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut one))
        .await
        .expect("dropped in time");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    // Both listeners still answer.
    let health = b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(exchange(server.addr, health).await.status, 200);
    assert_eq!(exchange_tls(tls, &cert, "localhost", health).await.status, 200);
    server.stop().await;
}
