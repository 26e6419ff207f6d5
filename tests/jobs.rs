//! Jobs, end to end over HTTP: upload by URL from a loopback server, poll
//! the active jobs, publish, export to an archive and download it, stop,
//! pause and resume, and a job interrupted by a restart. Sources that fail
//! or are not allowed leave error lines in the log and nothing else.

use std::net::SocketAddr;
use std::time::Duration;

use ips_emulator::{DataLocation, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{self, TestServer};

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";

/// A SOAP call as `ipsuser@ips.test` in the 2014-04-03 namespace.
async fn call(server: &TestServer, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="{NS}"><user>ipsuser@ips.test</user><password>ips-emulator</password><appName>t</appName><appVersion>1</appVersion></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{NS}">{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await
}

/// The text of every `<name>` element in a reply.
fn all(resp: &support::Response, name: &str) -> Vec<String> {
    let text = resp.text();
    let open = format!("<{name}>");
    text.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split('<').next().map(str::to_owned))
        .collect()
}

fn one(resp: &support::Response, name: &str) -> String {
    all(resp, name)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no <{name}> in {}", resp.text()))
}

/// Serves `routes` (path → (status, body)) on loopback, any number of times.
async fn fixture_server(routes: Vec<(&'static str, u16, Vec<u8>)>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, body) = routes
                    .iter()
                    .find(|(p, _, _)| *p == path)
                    .map(|(_, s, b)| (*s, b.clone()))
                    .unwrap_or((404, b"not found".to_vec()));
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    addr
}

fn photo() -> Vec<u8> {
    support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"))
}

fn upload_urls_job(name: &str, urls: &[(String, &str)]) -> String {
    let items: String = urls
        .iter()
        .map(|(u, d)| format!("<items><sourceUrl>{u}</sourceUrl><destPath>{d}</destPath></items>"))
        .collect();
    format!(
        "<companyHandle>c|6</companyHandle><jobName>{name}</jobName><uploadUrlsJob><urlArray>{items}</urlArray><overwrite>false</overwrite><readyForPublish>true</readyForPublish><createMask>false</createMask><emailSetting>None</emailSetting></uploadUrlsJob>"
    )
}

async fn drain(server: &TestServer) {
    let resp = support::exchange(
        server.addr,
        b"POST /_emulator/jobs/drain HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

async fn log_details(server: &TestServer, job: &str) -> support::Response {
    let resp = call(
        server,
        "getJobLogDetails",
        &format!("<companyHandle>c|6</companyHandle><jobHandle>{job}</jobHandle>"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_by_url_then_publish_then_serve() {
    let server = TestServer::in_memory().await;
    let source = fixture_server(vec![
        ("/photo.jpg", 200, photo()),
        ("/text", 200, b"not an image".to_vec()),
    ])
    .await;
    let before = server.asset_count().await;
    let job = call(
        &server,
        "submitJob",
        &upload_urls_job(
            "ingest",
            &[
                (format!("http://{source}/photo.jpg"), "ApiTestCo/uploads/sunset.jpg"),
                (format!("http://{source}/missing"), "ApiTestCo/uploads/missing.jpg"),
                (format!("http://{source}/text"), "ApiTestCo/uploads/text.jpg"),
                ("http://192.0.2.1/blocked.jpg".into(), "ApiTestCo/uploads/blocked.jpg"),
            ],
        ),
    )
    .await;
    assert_eq!(job.status, 200, "{}", job.text());
    let handle = one(&job, "jobHandle");
    assert!(handle.starts_with("j|6||ingest-"), "{handle}");
    drain(&server).await;

    // One asset, and only one: the failed sources left nothing.
    assert_eq!(server.asset_count().await, before + 1);
    let details = log_details(&server, &handle).await;
    let types = all(&details, "logType");
    assert!(types.contains(&"UploadSuccess".to_owned()), "{types:?}");
    assert_eq!(
        types.iter().filter(|t| *t == "UploadError").count(),
        3,
        "{}",
        details.text()
    );
    assert_eq!(one(&details, "fileSuccessCount"), "1");
    assert_eq!(one(&details, "fileErrorCount"), "3");
    assert!(details.text().contains("404"), "the missing source's status is named");
    assert!(details.text().contains("192.0.2.1"), "the refused host is named");
    // It has left the active jobs.
    let active = call(&server, "getActiveJobs", "<companyHandle>c|6</companyHandle>").await;
    assert!(all(&active, "jobHandle").is_empty(), "{}", active.text());

    let publish = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>pub</jobName><imageServingPublishJob><publishType>Full</publishType><emailSetting>None</emailSetting></imageServingPublishJob>",
    )
    .await;
    assert_eq!(publish.status, 200, "{}", publish.text());
    drain(&server).await;
    let published = log_details(&server, &one(&publish, "jobHandle")).await;
    assert!(published.text().contains("sunset"), "{}", published.text());
    assert_eq!(one(&published, "jobSubType"), "full");

    let image = support::exchange(
        server.addr,
        b"GET /is/image/ApiTestCo/sunset?wid=50 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(image.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_an_archive_the_log_links_to() {
    let server = TestServer::in_memory().await;
    let job = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>out</jobName><exportJob><assetHandleArray><items>a|739|1|537</items><items>a|999|1|999</items></assetHandleArray><fmt>convert</fmt><is_modifier>wid=64&amp;fmt=png</is_modifier><emailSetting>None</emailSetting></exportJob>",
    )
    .await;
    assert_eq!(job.status, 200, "{}", job.text());
    drain(&server).await;
    let details = log_details(&server, &one(&job, "jobHandle")).await;
    let url = all(&details, "assetName")
        .into_iter()
        .find(|n| n.starts_with("http://"))
        .unwrap_or_else(|| panic!("no archive URL in {}", details.text()));
    assert_eq!(one(&details, "fileErrorCount"), "1", "the unknown asset");
    let path = url
        .split_once(&server.addr.to_string())
        .expect("our address")
        .1
        .to_owned();
    let zip = support::exchange(
        server.addr,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert_eq!(&zip.body[..4], b"PK\x03\x04");
    // The one entry is a 64-pixel-wide PNG.
    let name_len = usize::from(u16::from_le_bytes([zip.body[26], zip.body[27]]));
    let name = String::from_utf8_lossy(&zip.body[30..30 + name_len]).into_owned();
    assert!(name.ends_with(".png"), "{name}");
    let data = &zip.body[30 + name_len..];
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes([data[16], data[17], data[18], data[19]]), 64);
    let missing = support::exchange(
        server.addr,
        b"GET /scene7/export/999/out.zip HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(missing.status, 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_job_is_active_until_stopped() {
    let limits = Limits {
        job_hold: Duration::from_secs(30),
        ..Limits::default()
    };
    let server = TestServer::start(support::options(DataLocation::InMemory, limits)).await;
    let job = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>slow</jobName><reprocessAssetsJob><assetHandleArray><items>a|739|1|537</items></assetHandleArray><createMask>false</createMask><emailSetting>None</emailSetting></reprocessAssetsJob>",
    )
    .await;
    let handle = one(&job, "jobHandle");
    let mut running = false;
    for _ in 0..100 {
        let active = call(&server, "getActiveJobs", &format!("<jobHandle>{handle}</jobHandle>")).await;
        if all(&active, "state") == ["Running"] {
            assert_eq!(one(&active, "originalName"), "slow");
            assert_eq!(one(&active, "type"), "ReprocessAssets");
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the job showed as running");
    let paused = call(
        &server,
        "pauseJob",
        &format!("<companyHandle>c|6</companyHandle><jobHandle>{handle}</jobHandle>"),
    )
    .await;
    assert_eq!(paused.status, 200, "{}", paused.text());
    let active = call(&server, "getActiveJobs", &format!("<jobHandle>{handle}</jobHandle>")).await;
    assert_eq!(all(&active, "state"), ["WaitingClient"]);
    let stop = format!("<companyHandle>c|6</companyHandle><jobHandle>{handle}</jobHandle>");
    assert_eq!(call(&server, "stopJob", &stop).await.status, 200);
    drain(&server).await;
    let again = call(&server, "stopJob", &stop).await;
    assert_eq!(support::fault_code(&again), Some(30001), "{}", again.text());
    let details = log_details(&server, &handle).await;
    assert!(details.text().contains("The job was stopped"), "{}", details.text());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_jobs_wait_and_unsupported_kinds_are_refused() {
    let server = TestServer::in_memory().await;
    let later = "<companyHandle>c|6</companyHandle><jobName>later</jobName><execTime>2999-01-01T00:00:00Z</execTime><imageServingPublishJob><publishType>Incremental</publishType><emailSetting>None</emailSetting></imageServingPublishJob>";
    let job = call(&server, "submitJob", later).await;
    let handle = one(&job, "jobHandle");
    let scheduled = call(&server, "getScheduledJobs", "<companyHandle>c|6</companyHandle>").await;
    assert_eq!(all(&scheduled, "jobHandle"), std::slice::from_ref(&handle));
    assert_eq!(one(&scheduled, "triggerState"), "Normal");
    let named = format!("<companyHandle>c|6</companyHandle><jobHandle>{handle}</jobHandle>");
    assert_eq!(call(&server, "executeJob", &named).await.status, 200);
    drain(&server).await;
    let scheduled = call(&server, "getScheduledJobs", "<companyHandle>c|6</companyHandle>").await;
    assert!(all(&scheduled, "jobHandle").is_empty());
    let deleted = call(&server, "deleteJob", &named).await;
    assert_eq!(
        support::fault_code(&deleted),
        Some(30001),
        "an ended job is kept: {}",
        deleted.text()
    );

    let video = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>v</jobName><videoPublishJob><emailSetting>None</emailSetting></videoPublishJob>",
    )
    .await;
    assert_eq!(support::fault_code(&video), Some(30003));
    assert!(video.text().contains("videoPublishJob"), "{}", video.text());
    let none = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>x</jobName>",
    )
    .await;
    assert_eq!(support::fault_code(&none), Some(30002));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_running_at_shutdown_is_failed_at_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = Limits {
        job_hold: Duration::from_secs(60),
        ..Limits::default()
    };
    let options = support::options(DataLocation::Dir(dir.path().to_owned()), limits);
    let server = TestServer::start(options.clone()).await;
    let job = call(
        &server,
        "submitJob",
        "<companyHandle>c|6</companyHandle><jobName>cut</jobName><imageServingPublishJob><publishType>Full</publishType><emailSetting>None</emailSetting></imageServingPublishJob>",
    )
    .await;
    let handle = one(&job, "jobHandle");
    server.stop().await;

    let server = TestServer::start(options).await;
    let active = call(&server, "getActiveJobs", "<companyHandle>c|6</companyHandle>").await;
    assert!(all(&active, "jobHandle").is_empty(), "{}", active.text());
    let details = log_details(&server, &handle).await;
    assert_eq!(one(&details, "fatalError"), "true");
    assert!(
        all(&details, "logType").contains(&"FatalError".to_owned()),
        "{}",
        details.text()
    );
    server.stop().await;
}

/// Requests a loopback receiver took: `(path, body)`.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A loopback receiver of completion notices: answers 200, or 500 on
/// `/fail`, and keeps every request's path and body.
async fn receiver() -> (SocketAddr, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Received::default();
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (path, body) = read_request(&mut stream).await;
                let status = if path == "/fail" { 500 } else { 200 };
                kept.lock().expect("lock").push((path, body));
                let head = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(head.as_bytes()).await;
            });
        }
    });
    (addr, received)
}

/// One request's path and body (by its `Content-Length`).
async fn read_request(stream: &mut tokio::net::TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                return (
                    path,
                    String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned(),
                );
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return (String::new(), String::new()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn publish_job(name: &str, completion: &str) -> String {
    format!(
        "<companyHandle>c|6</companyHandle><jobName>{name}</jobName><imageServingPublishJob><publishType>Full</publishType><emailSetting>None</emailSetting><httpCompletionUrl>{completion}</httpCompletionUrl></imageServingPublishJob>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_notices_are_posted_once_the_job_has_ended() {
    let server = TestServer::in_memory().await;
    let (addr, received) = receiver().await;

    let publish = call(
        &server,
        "submitJob",
        &publish_job("notify", &format!("http://{addr}/done")),
    )
    .await;
    assert_eq!(publish.status, 200, "{}", publish.text());
    let handle = one(&publish, "jobHandle");
    drain(&server).await;
    let notices = received.lock().expect("lock").clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].0, "/done");
    let notice: serde_json::Value = serde_json::from_str(&notices[0].1).expect("a JSON notice");
    assert_eq!(notice["jobHandle"], handle.as_str());
    assert_eq!(notice["originalJobName"], "notify");
    assert_eq!(notice["type"], "ImageServingPublish");
    assert_eq!(notice["state"], "Done");
    assert!(notice["endDate"].is_string(), "{notice}");
    let details = log_details(&server, &handle).await;
    assert!(!details.text().contains("Warning</logType>"), "{}", details.text());

    // A receiver that fails, and a host the policy refuses: a warning line
    // each, and the jobs still ended as their work did.
    let (source, _) = receiver().await;
    let upload = upload_urls_job("notify-fail", &[(format!("http://{source}/none"), "ApiTestCo/x.jpg")]).replace(
        "<emailSetting>None</emailSetting>",
        &format!("<emailSetting>None</emailSetting><postHttpUrl>http://{addr}/fail</postHttpUrl>"),
    );
    let failing = call(&server, "submitJob", &upload).await;
    let refused = call(
        &server,
        "submitJob",
        &publish_job("notify-refused", "http://192.0.2.1/done"),
    )
    .await;
    drain(&server).await;
    let failing = log_details(&server, &one(&failing, "jobHandle")).await;
    assert!(
        all(&failing, "logType").contains(&"UploadUrlsWarning".to_owned()),
        "{}",
        failing.text()
    );
    assert!(failing.text().contains("500"), "{}", failing.text());
    assert_eq!(one(&failing, "fileWarningCount"), "1");
    let refused = log_details(&server, &one(&refused, "jobHandle")).await;
    assert!(
        all(&refused, "logType").contains(&"ImageServingPublishWarning".to_owned()),
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("192.0.2.1"), "{}", refused.text());
    let paths: Vec<String> = received.lock().expect("lock").iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(paths, ["/done", "/fail"]);

    // Not an http(s) URL: refused when submitted.
    let bad = call(&server, "submitJob", &publish_job("notify-bad", "ftp://example.test/x")).await;
    assert_eq!(bad.status, 500, "{}", bad.text());
    assert!(bad.text().contains("httpCompletionUrl"), "{}", bad.text());
    server.stop().await;
}
