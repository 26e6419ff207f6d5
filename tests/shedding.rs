//! Load shedding: past the bound on requests in flight, or past a request's
//! deadline for waiting, the answer is "busy" at once, and nothing the
//! request asked for is done.

use std::time::Duration;

use ips_emulator::config::Limits;
use ips_emulator::DataLocation;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::support::{self, TestServer};

fn limits(max_in_flight: usize, max_wait: Duration, render_memory: u64) -> Limits {
    Limits {
        max_in_flight,
        max_wait,
        render_memory,
        ..Limits::default()
    }
}

fn header<'a>(resp: &'a support::Response, name: &str) -> Option<&'a str> {
    resp.header(name)
}

#[tokio::test]
async fn past_the_in_flight_bound_every_endpoint_answers_busy_at_once() {
    let server = TestServer::start(support::options(
        DataLocation::InMemory,
        limits(1, Duration::from_secs(5), 1 << 30),
    ))
    .await;
    // One request in flight: its headers are in, its body is not.
    let body = support::copy_image("first", "");
    let raw = support::soap_request(body.as_bytes(), support::SOAP_HEADERS);
    let split = raw.len() - 10;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(&raw[..split]).await.expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;

    // SOAP 1.1: a Server fault 30000 with HTTP 503.
    let shed = support::copy_image("shed", "");
    let resp = support::exchange(
        server.addr,
        &support::soap_request(shed.as_bytes(), support::SOAP_HEADERS),
    )
    .await;
    assert_eq!(resp.status, 503, "{}", resp.text());
    assert_eq!(support::fault_code(&resp), Some(30000));
    assert!(
        resp.text().contains("soapenv:Server") || resp.text().contains(":Server<"),
        "{}",
        resp.text()
    );
    assert!(resp.text().contains("busy"), "{}", resp.text());
    assert_eq!(header(&resp, "retry-after"), Some("1"));
    assert_eq!(header(&resp, "connection"), Some("close"));
    // SOAP 1.2 by its media type.
    let v12 = support::soap_request(
        shed.as_bytes(),
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
    );
    let resp = support::exchange(server.addr, &v12).await;
    assert_eq!(resp.status, 503);
    assert!(
        resp.text().contains("http://www.w3.org/2003/05/soap-envelope"),
        "{}",
        resp.text()
    );
    assert!(resp.text().contains("Receiver"), "{}", resp.text());
    // Everything else: a plain 503.
    let get = b"GET /is/image/ApiTestCo/macbookwin1?wid=50 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let resp = support::exchange(server.addr, get).await;
    assert_eq!(resp.status, 503);
    assert_eq!(header(&resp, "retry-after"), Some("1"));

    // The request in flight completes.
    slow.write_all(&raw[split..]).await.expect("write rest");
    let first = support::parse_response(&read_all(slow).await);
    assert_eq!(first.status, 200, "{}", first.text());
    // With room again, requests are served.
    let again = support::copy_image("again", "");
    let resp = support::exchange(
        server.addr,
        &support::soap_request(again.as_bytes(), support::SOAP_HEADERS),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

async fn read_all(mut stream: TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut out))
        .await
        .expect("reply in time")
        .expect("read");
    out
}

/// A render whose estimate is a few hundred MB.
const LARGE: &str = "wid=4000&hei=4000&fit=stretch&fmt=tif";

#[tokio::test]
async fn a_request_waiting_past_its_patience_is_answered_busy_and_does_nothing() {
    let server = TestServer::start(support::options(
        DataLocation::InMemory,
        limits(512, Duration::from_millis(100), 600 << 20),
    ))
    .await;
    let stored_before = server.state.store.list().expect("list").len();
    // Most of the budget is taken (as by another render) for the whole
    // time the two requests below wait.
    let memory = server.state.memory.clone();
    let held = memory.reserve(memory.limit() - (16 << 20)).await.expect("reserve");

    // The same large render through copyImage and through /is/image, at
    // once: neither gets its memory within 100 ms.
    let body = support::copy_image("waited", &LARGE.replace('&', "&amp;"));
    let copy = support::soap_request(body.as_bytes(), support::SOAP_HEADERS);
    let get = format!("GET /is/image/ApiTestCo/macbookwin1?{LARGE} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let (copy, image) = tokio::join!(
        support::exchange(server.addr, &copy),
        support::exchange(server.addr, get.as_bytes())
    );
    assert_eq!(
        (copy.status, support::fault_code(&copy)),
        (503, Some(30000)),
        "{}",
        copy.text()
    );
    assert!(copy.text().contains("busy"), "{}", copy.text());
    assert_eq!(header(&copy, "retry-after"), Some("1"));
    assert_eq!(image.status, 503, "/is/image was not refused");
    assert_eq!(header(&image, "retry-after"), Some("1"));

    // Nothing was made: no asset, no stored file; their waits left the
    // budget as it was.
    let made = server
        .state
        .catalog
        .asset_by_name("ApiTestCo".into(), "waited".into())
        .await
        .expect("lookup");
    assert!(made.is_none());
    assert_eq!(server.state.store.list().expect("list").len(), stored_before);
    drop(held);
    assert_eq!(memory.available(), memory.limit());

    // With the memory back, the same copy is made.
    let body = support::copy_image("waited", &LARGE.replace('&', "&amp;"));
    let resp = support::exchange(
        server.addr,
        &support::soap_request(body.as_bytes(), support::SOAP_HEADERS),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn work_longer_than_the_patience_is_not_cut_short() {
    // A 50 ms patience, and a render that takes several times that: only
    // waits count, so the copy is made and recorded.
    let server = TestServer::start(support::options(
        DataLocation::InMemory,
        limits(512, Duration::from_millis(50), 1 << 30),
    ))
    .await;
    let started = std::time::Instant::now();
    let body = support::copy_image("slow", &LARGE.replace('&', "&amp;"));
    let resp = support::exchange(
        server.addr,
        &support::soap_request(body.as_bytes(), support::SOAP_HEADERS),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        started.elapsed() > Duration::from_millis(50),
        "the render was too quick to show anything"
    );
    let made = server
        .state
        .catalog
        .asset_by_name("ApiTestCo".into(), "slow".into())
        .await
        .expect("lookup");
    assert!(made.is_some());
}
