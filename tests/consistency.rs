//! Catalog and store stay consistent: concurrent copies, restarts, failing
//! writes, and blobs that vanished behind the service's back.

use std::collections::BTreeSet;

use ips_emulator::catalog::Catalog;
use ips_emulator::store::{self, Store};
use ips_emulator::{DataLocation, Limits, Options, SeedSource};

use crate::support::{self, TestServer, SOAP_HEADERS};

async fn copy(server: &TestServer, name: &str) -> support::Response {
    support::exchange(
        server.addr,
        &support::soap_request(support::copy_image(name, "").as_bytes(), SOAP_HEADERS),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_copies_then_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = DataLocation::Dir(dir.path().to_owned());
    let server = TestServer::start(support::options(data.clone(), Limits::default())).await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            let body = support::copy_image(&format!("parallel-{i}"), "");
            support::exchange(addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
        }));
    }
    let mut handles = BTreeSet::new();
    for t in tasks {
        let resp = t.await.expect("task");
        assert_eq!(resp.status, 200, "{}", resp.text());
        handles.insert(support::returned_handle(&resp));
    }
    assert_eq!(handles.len(), 64, "handles are distinct");
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 64);
    let blobs_before = server.state.store.list().expect("list");
    server.stop().await;

    // Restart on the same directory: nothing lost, seed not re-applied,
    // handles continue where they stopped.
    let server = TestServer::start(support::options(data, Limits::default())).await;
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 64);
    assert_eq!(
        server.state.store.list().expect("list"),
        blobs_before,
        "copies share the source's blob"
    );
    let next = copy(&server, "after-restart").await;
    assert_eq!(support::returned_handle(&next), "a|1007|1|644");
    server.stop().await;
}

#[tokio::test]
async fn same_seed_same_requests_same_handles() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = TestServer::in_memory().await;
        let mut handles = Vec::new();
        for name in ["one", "two", "three"] {
            handles.push(support::returned_handle(&copy(&server, name).await));
        }
        runs.push(handles);
        server.stop().await;
    }
    assert_eq!(runs[0], ["a|943|1|580", "a|944|1|581", "a|945|1|582"]);
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn a_failing_store_write_leaves_no_row_and_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed_dir = support::root().join("fixtures/seed");
    // Block the second seed image's blob path with a non-empty directory, so
    // its rename into place fails after the first image was stored.
    let blocked = store::content_hash(&support::read(&seed_dir.join("images/otherco-photo.png")));
    std::fs::create_dir_all(
        dir.path()
            .join("store")
            .join(&blocked[..2])
            .join(&blocked)
            .join("occupied"),
    )
    .expect("block");
    // This test reopens the SQLite file itself.
    let options = Options {
        catalog: None,
        data: DataLocation::Dir(dir.path().to_owned()),
        seed: SeedSource::Dir(seed_dir),
        limits: Limits::default(),
        emulator_api: true,
        fetch: Default::default(),
    };
    let err = ips_emulator::open(&options).await.expect_err("the seed must fail");
    assert!(err.to_string().contains("store"), "{err}");

    let (catalog, worker) = Catalog::open(&dir.path().join("catalog.db")).expect("reopen");
    assert!(catalog.is_empty().await.expect("query"), "no row was committed");
    assert_eq!(catalog.count_assets().await.expect("count"), 0);
    drop(catalog);
    worker.join();
    let store = Store::open_dir(&dir.path().join("store")).expect("store");
    assert_eq!(
        store.list().expect("list"),
        vec![blocked],
        "only the blocker remains: the first image's blob was removed"
    );
}

#[tokio::test]
async fn a_vanished_source_blob_is_a_fault_not_a_dangling_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(support::options(
        DataLocation::Dir(dir.path().to_owned()),
        Limits::default(),
    ))
    .await;
    let source = store::content_hash(&support::read(
        &support::root().join("fixtures/seed/images/macbookwin1.jpg"),
    ));
    std::fs::remove_file(dir.path().join("store").join(&source[..2]).join(&source)).expect("remove blob");
    let resp = copy(&server, "orphan").await;
    assert_eq!(
        (resp.status, support::fault_code(&resp)),
        (500, Some(30000)),
        "{}",
        resp.text()
    );
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS);
    // Whoever asks, the vanished blob is refused the same way.
    let other = support::copy_image_as("ipsadmin@ips.test", "ips-emulator", "a|739|1|537", "still-fails", "");
    assert_eq!(
        support::exchange(server.addr, &support::soap_request(other.as_bytes(), SOAP_HEADERS))
            .await
            .status,
        500
    );
    server.stop().await;
}

#[tokio::test]
async fn embedded_seed_equals_the_seed_directory() {
    let from_dir = Options {
        catalog: support::shared_catalog(&DataLocation::InMemory),
        data: DataLocation::InMemory,
        seed: SeedSource::Dir(support::root().join("fixtures/seed")),
        limits: Limits::default(),
        emulator_api: true,
        fetch: Default::default(),
    };
    let a = TestServer::start(from_dir).await;
    let b = TestServer::in_memory().await;
    assert_eq!(a.asset_count().await, b.asset_count().await);
    assert_eq!(
        a.state.catalog.referenced_blobs().await.expect("a"),
        b.state.catalog.referenced_blobs().await.expect("b")
    );
    for name in ips_emulator::seed::embedded_file_names() {
        assert!(support::root().join("fixtures/seed").join(name).is_file(), "{name}");
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn start_up_removes_files_no_asset_names() {
    // A rendering stored just before a crash, whose row never committed.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = DataLocation::Dir(dir.path().to_owned());
    let server = TestServer::start(support::options(data.clone(), Limits::default())).await;
    let orphan = server.state.store.put(b"a rendering nobody names").expect("put");
    let before = server.state.store.list().expect("list");
    assert!(before.contains(&orphan));
    server.stop().await;

    let server = TestServer::start(support::options(data, Limits::default())).await;
    let after = server.state.store.list().expect("list");
    if server.state.catalog.is_shared() {
        // Another instance may be about to name a file this young.
        assert_eq!(after, before, "a shared store keeps a young unnamed file");
    } else {
        assert!(!after.contains(&orphan), "the orphan was swept");
        assert_eq!(after.len(), before.len() - 1, "everything named was kept");
    }
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS);
    server.stop().await;
}
