//! Three instances of the server binary on one PostgreSQL catalog and one
//! store directory, under a mixed load sent round-robin (copies, copies
//! with a render, reads, `/is/image`). One instance is killed with SIGKILL
//! mid-load. Then: every acknowledged copy is in the catalog under the
//! handle its reply gave, no two assets share a handle, every row's bytes
//! are in the store, and the survivors answer alike and report healthy.
//!
//! Needs `IPS_TEST_POSTGRES` (`scripts/postgres start` prints it);
//! `scripts/test` runs it as `cargo test --test shared`.

#[path = "../support/mod.rs"]
mod support;

#[path = "../crash/server.rs"]
#[allow(dead_code)]
mod server;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ips_emulator::DataLocation;
use server::{Reply, Server};

/// Instances sharing the catalog and store.
const INSTANCES: usize = 3;
/// Concurrent clients.
const CLIENTS: usize = 6;
/// Requests each client sends.
const REQUESTS: usize = 60;
/// The instance killed, after this many requests in all.
const VICTIM: usize = 1;
const KILL_AFTER: usize = CLIENTS * REQUESTS / 3;

fn catalog_url() -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    support::shared_catalog(&DataLocation::Dir(dir.path().to_owned()))
        .expect("IPS_TEST_POSTGRES must name a PostgreSQL server (scripts/postgres start prints one)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_lose_no_acknowledged_write_when_one_is_killed() {
    let url = catalog_url();
    let data = tempfile::tempdir().expect("tempdir");
    let logs = tempfile::tempdir().expect("tempdir");
    // Started together: they race to migrate and seed the empty catalog.
    let starts = (0..INSTANCES).map(|i| {
        let log = logs.path().join(format!("instance-{i}.log"));
        let (data, url) = (data.path().to_owned(), url.clone());
        async move { Server::start_with(&data, log, &["--catalog", &url]).await }
    });
    let mut servers: Vec<Option<Server>> = futures_join(starts).await.into_iter().map(Some).collect();
    let addrs: Vec<_> = servers.iter().flatten().map(|s| s.addr).collect();

    let sent = Arc::new(AtomicUsize::new(0));
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::channel::<()>(1);
    let clients = (0..CLIENTS)
        .map(|c| {
            let (addrs, sent, kill_tx) = (addrs.clone(), sent.clone(), kill_tx.clone());
            tokio::spawn(async move { client(c, &addrs, &sent, &kill_tx).await })
        })
        .collect::<Vec<_>>();
    drop(kill_tx);
    let killer = async {
        if kill_rx.recv().await.is_some() {
            if let Some(victim) = servers[VICTIM].take() {
                victim.kill();
            }
        }
    };
    let (outcomes, ()) = tokio::join!(futures_join(clients), killer);
    let mut acknowledged: BTreeMap<String, String> = BTreeMap::new();
    let (mut lost, mut reads) = (0, 0);
    for outcome in outcomes {
        let outcome = outcome.expect("client task");
        acknowledged.extend(outcome.copies);
        lost += outcome.lost;
        reads += outcome.reads;
    }
    assert!(servers[VICTIM].is_none(), "the victim was killed");
    assert!(
        lost > 0,
        "the kill came while requests were still being sent to the victim"
    );
    assert!(
        acknowledged.len() > CLIENTS * REQUESTS / 3,
        "most copies acknowledged: {}",
        acknowledged.len()
    );
    println!(
        "{} copies acknowledged, {reads} reads answered, {lost} exchanges lost to the kill",
        acknowledged.len()
    );

    let rows = catalog_rows(&url);
    for (name, handle) in &acknowledged {
        let row = rows.iter().find(|r| &r.name == name);
        let row = row.unwrap_or_else(|| panic!("acknowledged copy {name} ({handle}) is not in the catalog"));
        assert_eq!(&row.handle(), handle, "{name} has the handle its reply gave");
    }
    let handles: HashSet<String> = rows.iter().map(Row::handle).collect();
    assert_eq!(handles.len(), rows.len(), "every asset has a handle of its own");
    let records: HashSet<i64> = rows.iter().map(|r| r.record).collect();
    assert_eq!(records.len(), rows.len(), "every image has a record id of its own");
    let store = data.path().join("store");
    for row in rows.iter().filter(|r| !r.hash.is_empty()) {
        let file = store.join(&row.hash[..2]).join(&row.hash);
        assert!(
            file.is_file(),
            "{} names {}, which is not in the store",
            row.name,
            row.hash
        );
    }

    let survivors: Vec<_> = servers.iter().flatten().map(|s| s.addr).collect();
    let probe: BTreeSet<_> = acknowledged.values().take(5).cloned().collect();
    let mut answers = Vec::new();
    for addr in &survivors {
        let health = answered(server::send(*addr, &support::request("GET", "/_emulator/health", &[], b"")).await);
        assert_eq!(health.status, 200, "{}", health.text());
        assert!(health.text().contains("\"postgres\""), "{}", health.text());
        let body = get_assets(&probe.iter().cloned().collect::<Vec<_>>());
        let reply = answered(server::send(*addr, &support::soap_request(body.as_bytes(), &headers("getAssets"))).await);
        assert_eq!(reply.status, 200, "{}", reply.text());
        answers.push(reply.text());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "the survivors answer alike");
}

/// What one client saw.
struct Outcome {
    /// Acknowledged copies: name → handle.
    copies: Vec<(String, String)>,
    reads: usize,
    lost: usize,
}

async fn client(
    c: usize,
    addrs: &[std::net::SocketAddr],
    sent: &AtomicUsize,
    kill: &tokio::sync::mpsc::Sender<()>,
) -> Outcome {
    let mut out = Outcome {
        copies: Vec::new(),
        reads: 0,
        lost: 0,
    };
    for n in 0..REQUESTS {
        let total = sent.fetch_add(1, Ordering::SeqCst);
        if total == KILL_AFTER {
            let _ = kill.send(()).await;
        }
        let addr = addrs[(c + n) % addrs.len()];
        let name = format!("shared-{c}-{n}");
        let (raw, copy) = match n % 4 {
            0 | 1 => (
                support::soap_request(support::copy_image(&name, "").as_bytes(), support::SOAP_HEADERS),
                true,
            ),
            2 => (
                support::soap_request(support::copy_image(&name, "wid=64").as_bytes(), support::SOAP_HEADERS),
                true,
            ),
            _ => (
                support::request("GET", "/is/image/ApiTestCo/macbookwin1?wid=80", &[], b""),
                false,
            ),
        };
        match server::send(addr, &raw).await {
            Reply::Answered(resp) if resp.status == 200 && copy => {
                out.copies.push((name, support::returned_handle(&resp)));
            }
            Reply::Answered(resp) if resp.status == 200 => out.reads += 1,
            Reply::Answered(resp) => panic!("{name} on {addr}: HTTP {} {}", resp.status, resp.text()),
            Reply::Lost(_) => out.lost += 1,
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    out
}

fn answered(reply: Reply) -> support::Response {
    match reply {
        Reply::Answered(r) => r,
        Reply::Lost(why) => panic!("a survivor did not answer: {why}"),
    }
}

fn headers(action: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("Content-Type", "text/xml; charset=utf-8"),
        (
            "SOAPAction",
            match action {
                "getAssets" => "\"getAssets\"",
                _ => "\"\"",
            },
        ),
    ]
}

fn get_assets(handles: &[String]) -> String {
    let items: String = handles.iter().map(|h| format!("<items>{h}</items>")).collect();
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><getAssetsParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandleArray>{items}</assetHandleArray></getAssetsParam></soapenv:Body></soapenv:Envelope>"#
    )
}

/// An asset row as the database holds it.
struct Row {
    id: i64,
    type_code: i64,
    record: i64,
    name: String,
    hash: String,
}

impl Row {
    fn handle(&self) -> String {
        format!("a|{}|{}|{}", self.id, self.type_code, self.record)
    }
}

/// Every asset row, read straight from PostgreSQL (off the runtime: the
/// client blocks).
fn catalog_rows(url: &str) -> Vec<Row> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        client
            .query(
                "SELECT id, type_code, type_record_id, name, content_hash FROM assets ORDER BY id",
                &[],
            )
            .expect("assets")
            .iter()
            .map(|r| Row {
                id: r.get(0),
                type_code: r.get(1),
                record: r.get(2),
                name: r.get(3),
                hash: r.get(4),
            })
            .collect()
    })
    .join()
    .expect("read the catalog")
}

/// Runs futures to completion concurrently, keeping their order.
async fn futures_join<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pending.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.into_iter().flatten().collect()
}
