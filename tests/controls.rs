//! The emulator controls: `POST /_emulator/reset`, the request journal at
//! `/_emulator/requests`, and `--no-emulator-api`.

use std::collections::BTreeSet;

use ips_emulator::{DataLocation, Limits, SeedSource};

use crate::support::{self, TestServer, SOAP_HEADERS};

async fn copy_as(server: &TestServer, user: &str, password: &str, name: &str, modifier: &str) -> support::Response {
    let body = support::copy_image_as(user, password, "a|739|1|537", name, modifier);
    support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
}

async fn copy(server: &TestServer, name: &str, modifier: &str) -> support::Response {
    copy_as(server, "ipsuser@ips.test", "ips-emulator", name, modifier).await
}

fn request(method: &str, path: &str) -> Vec<u8> {
    format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .into_bytes()
}

async fn call(server: &TestServer, method: &str, path: &str) -> support::Response {
    support::exchange(server.addr, &request(method, path)).await
}

fn json(resp: &support::Response) -> serde_json::Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.text()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_restores_the_seed_and_the_handle_sequence() {
    let server = TestServer::in_memory().await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mut handles = Vec::new();
        for name in ["one", "two"] {
            handles.push(support::returned_handle(&copy(&server, name, "").await));
        }
        runs.push(handles);
        let resp = call(&server, "POST", "/_emulator/reset").await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert_eq!(resp.header("content-type"), Some("application/json"));
        let body = json(&resp);
        assert_eq!(
            (&body["reset"], &body["companies"], &body["users"], &body["assets"]),
            (&true.into(), &3.into(), &8.into(), &support::SEEDED_ASSETS.into()),
            "{body}"
        );
        assert_eq!(server.asset_count().await, support::SEEDED_ASSETS);
    }
    assert_eq!(runs[0], ["a|943|1|580", "a|944|1|581"]);
    assert_eq!(
        runs[0], runs[1],
        "the same requests after a reset give the same handles"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_removes_renderings_no_asset_names_any_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(support::options(
        DataLocation::Dir(dir.path().to_owned()),
        Limits::default(),
    ))
    .await;
    let seed_blobs = server.state.store.list().expect("list");
    assert_eq!(seed_blobs.len() as u64, support::SEEDED_ASSETS);
    let resp = copy(&server, "small", "wid=40&amp;fmt=png").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(server.state.store.list().expect("list").len(), seed_blobs.len() + 1);
    let rendered = server.state.store.list().expect("list");
    let resp = call(&server, "POST", "/_emulator/reset").await;
    if server.state.catalog.is_shared() {
        // Another instance may be about to name a file this young.
        assert_eq!(json(&resp)["removed_blobs"], 0, "{}", resp.text());
        assert_eq!(server.state.store.list().expect("list"), rendered);
    } else {
        assert_eq!(json(&resp)["removed_blobs"], 1, "{}", resp.text());
        assert_eq!(server.state.store.list().expect("list"), seed_blobs);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_while_copies_are_in_flight_leaves_every_row_with_its_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(support::options(
        DataLocation::Dir(dir.path().to_owned()),
        Limits::default(),
    ))
    .await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            // Renderings of different sizes, so each has its own blob.
            let modifier = if i % 2 == 0 {
                String::new()
            } else {
                format!("wid={}&amp;fmt=png", 20 + i)
            };
            let body = support::copy_image(&format!("racing-{i}"), &modifier);
            support::exchange(addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
        }));
        if i % 8 == 4 {
            let addr = server.addr;
            tasks.push(tokio::spawn(async move {
                support::exchange(addr, &request("POST", "/_emulator/reset")).await
            }));
        }
    }
    for t in tasks {
        let resp = t.await.expect("task");
        assert_eq!(resp.status, 200, "{}", resp.text());
    }
    let store = server.state.store.clone();
    let missing = server
        .state
        .catalog
        .sweep_blobs(move |named| named.iter().filter(|h| !store.contains(h)).cloned().collect::<Vec<_>>())
        .await
        .expect("check");
    assert!(missing.is_empty(), "rows name missing blobs: {missing:?}");
    // And the sequence starts over after a final reset.
    call(&server, "POST", "/_emulator/reset").await;
    assert_eq!(
        support::returned_handle(&copy(&server, "after", "").await),
        "a|943|1|580"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_rereads_a_seed_directory_and_forgets_verified_passwords() {
    let seed = tempfile::tempdir().expect("tempdir");
    let fixtures = support::root().join("fixtures/seed");
    std::fs::create_dir_all(seed.path().join("images")).expect("mkdir");
    let files = ips_emulator::seed::embedded_file_names().chain(["seed.json"]);
    for file in files {
        std::fs::copy(fixtures.join(file), seed.path().join(file)).expect("copy seed");
    }
    let mut options = support::options(DataLocation::InMemory, Limits::default());
    options.seed = SeedSource::Dir(seed.path().to_owned());
    let server = TestServer::start(options).await;
    let resp = copy(&server, "before", "").await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    // ipsuser's password changes in the seed; the old one was verified and
    // remembered, which a reset must forget.
    let text = std::fs::read_to_string(fixtures.join("seed.json")).expect("seed.json");
    let mut seed_json: serde_json::Value = serde_json::from_str(&text).expect("parse");
    for user in seed_json["users"].as_array_mut().expect("users") {
        if user["email"] == "ipsuser@ips.test" {
            let user = user.as_object_mut().expect("object");
            user.remove("password_hash");
            user.insert("password".into(), "changed-password".into());
        }
    }
    std::fs::write(seed.path().join("seed.json"), seed_json.to_string()).expect("write");
    let resp = call(&server, "POST", "/_emulator/reset").await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    let old = copy(&server, "with-old", "").await;
    assert_eq!(support::fault_code(&old), Some(10001), "{}", old.text());
    let new = copy_as(&server, "ipsuser@ips.test", "changed-password", "with-new", "").await;
    assert_eq!(support::returned_handle(&new), "a|943|1|580");

    // A seed that became invalid is refused and changes nothing.
    std::fs::write(seed.path().join("seed.json"), "{").expect("write");
    let resp = call(&server, "POST", "/_emulator/reset").await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert_eq!(json(&resp)["reset"], false);
    assert!(
        !resp.text().contains(&seed.path().to_string_lossy().into_owned()),
        "no path in the reply"
    );
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_records_each_soap_call_without_passwords() {
    let server = TestServer::in_memory().await;
    assert_eq!(
        json(&call(&server, "DELETE", "/_emulator/requests").await)["cleared"],
        0
    );
    copy(&server, "journalled", "").await;
    copy_as(&server, "ipsuser@ips.test", "wrong-password", "refused", "").await;
    let not_soap = support::soap_request(b"<e:Envelope xmlns:e=\"urn:not-soap\"/>", SOAP_HEADERS);
    support::exchange(server.addr, &not_soap).await;
    // Not SOAP calls: not journalled.
    call(&server, "GET", "/_emulator/health").await;

    let resp = call(&server, "GET", "/_emulator/requests").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let text = resp.text();
    for secret in ["ips-emulator", "wrong-password"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let entries = json(&resp);
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 3, "{text}");
    let ns = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
    let fields = |e: &serde_json::Value| {
        (
            e["operation"].clone(),
            e["namespace"].clone(),
            e["user"].clone(),
            e["outcome"].clone(),
            e["status"].clone(),
        )
    };
    assert_eq!(
        fields(&entries[0]),
        (
            "copyImage".into(),
            ns.into(),
            "ipsuser@ips.test".into(),
            "ok".into(),
            200.into()
        )
    );
    assert_eq!(
        fields(&entries[1]),
        (
            "copyImage".into(),
            ns.into(),
            serde_json::Value::Null,
            "10001".into(),
            500.into()
        )
    );
    assert_eq!(entries[1]["fault"], "authenticationFault");
    assert_eq!(entries[2]["outcome"], "VersionMismatch");
    for e in entries {
        let time = e["time"].as_str().expect("time");
        assert!(
            time.len() == 24 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
            "{time}"
        );
        assert!(e["duration_ms"].as_f64().expect("duration") >= 0.0);
    }

    assert_eq!(
        json(&call(&server, "DELETE", "/_emulator/requests").await)["cleared"],
        3
    );
    assert_eq!(
        json(&call(&server, "GET", "/_emulator/requests").await),
        serde_json::json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_methods_are_refused() {
    let server = TestServer::in_memory().await;
    for (method, path, allow) in [
        ("GET", "/_emulator/reset", "POST"),
        ("DELETE", "/_emulator/reset", "POST"),
        ("POST", "/_emulator/requests", "GET, HEAD, DELETE"),
        ("PUT", "/_emulator/requests", "GET, HEAD, DELETE"),
    ] {
        let resp = call(&server, method, path).await;
        assert_eq!(
            (resp.status, resp.header("allow")),
            (405, Some(allow)),
            "{method} {path}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn without_the_emulator_api_only_health_answers() {
    let mut options = support::options(DataLocation::InMemory, Limits::default());
    options.emulator_api = false;
    let server = TestServer::start(options).await;
    copy(&server, "unjournalled", "").await;
    for (method, path) in [
        ("POST", "/_emulator/reset"),
        ("GET", "/_emulator/requests"),
        ("DELETE", "/_emulator/requests"),
    ] {
        assert_eq!(call(&server, method, path).await.status, 404, "{method} {path}");
    }
    assert_eq!(call(&server, "GET", "/_emulator/health").await.status, 200);
    assert!(server.state.journal.entries().is_empty(), "nothing journalled");
    assert_eq!(
        server.asset_count().await,
        support::SEEDED_ASSETS + 1,
        "and nothing reset"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_keeps_renderings_pinned_by_copies_in_flight() {
    // A pinned blob no row names yet survives a reset's sweep.
    let server = TestServer::in_memory().await;
    let store = server.state.store.clone();
    let bytes = b"a rendering whose row is not written yet".to_vec();
    let hash = ips_emulator::store::content_hash(&bytes);
    let pin = store.pin(&hash);
    store.put(&bytes).expect("put");
    call(&server, "POST", "/_emulator/reset").await;
    assert!(store.contains(&hash), "pinned: kept");
    drop(pin);
    let resp = call(&server, "POST", "/_emulator/reset").await;
    assert_eq!(json(&resp)["removed_blobs"], 1);
    assert!(!store.contains(&hash), "unpinned and unnamed: removed");
    let names: BTreeSet<String> = server.state.store.list().expect("list").into_iter().collect();
    assert_eq!(names.len() as u64, support::SEEDED_ASSETS);
    server.stop().await;
}
