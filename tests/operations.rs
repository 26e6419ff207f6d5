//! The operations around copyImage, end to end: what a regression suite does
//! with a copy (look it up, rename, move, replace, delete) keeps the catalog
//! and the store consistent, including when calls on the same asset race.

use crate::support::{self, TestServer, SOAP_HEADERS};

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";

/// An envelope for `op` with `body` inside its Param element, as ipsuser.
fn envelope(op: &str, body: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{NS}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    )
}

async fn call(server: &TestServer, op: &str, body: &str) -> support::Response {
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(
        server.addr,
        &support::soap_request(envelope(op, body).as_bytes(), &headers),
    )
    .await
}

async fn copy(server: &TestServer, name: &str, modifier: &str) -> String {
    let body = support::copy_image(name, modifier);
    let resp = support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    support::returned_handle(&resp)
}

/// The text of every `<name>` element, in order.
fn all(text: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    text.match_indices(&open)
        .map(|(i, _)| {
            let start = i + open.len();
            text[start..].split('<').next().unwrap_or_default().to_owned()
        })
        .collect()
}

async fn get_assets(server: &TestServer, handles: &[&str]) -> String {
    let items: String = handles.iter().map(|h| format!("<items>{h}</items>")).collect();
    let resp = call(
        server,
        "getAssets",
        &format!("<assetHandleArray>{items}</assetHandleArray>"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.text()
}

async fn get(server: &TestServer, target: &str) -> support::Response {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

#[tokio::test]
async fn a_copy_can_be_found_renamed_moved_and_deleted() {
    let server = TestServer::in_memory().await;
    let handle = copy(&server, "Copy_macbookwin1", "").await;
    assert_eq!(handle, "a|943|1|580");

    let found = get_assets(&server, &[&handle]).await;
    assert_eq!(all(&found, "name"), ["Copy_macbookwin1"]);
    assert_eq!(all(&found, "folder"), ["ApiTestCo/"]);
    assert_eq!(all(&found, "width"), ["640"]);
    assert_eq!(all(&found, "height"), ["427"]);
    assert_eq!(all(&found, "createUser"), ["ipsuser@ips.test"]);

    let renamed = call(
        &server,
        "renameAsset",
        &format!("<assetHandle>{handle}</assetHandle><newName>Renamed</newName><validateName>true</validateName>"),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    let moved = call(
        &server,
        "moveAsset",
        &format!("<assetHandle>{handle}</assetHandle><folderHandle>ApiTestCo/uploads/</folderHandle>"),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let by_name = call(
        &server,
        "getAssetsByName",
        "<nameArray><items>renamed</items></nameArray>",
    )
    .await;
    assert_eq!(all(&by_name.text(), "assetHandle"), std::slice::from_ref(&handle));
    assert_eq!(all(&by_name.text(), "folder"), ["ApiTestCo/uploads/"]);

    // Only the subfolder holds it now.
    let search = call(
        &server,
        "searchAssets",
        "<folder>ApiTestCo/uploads/</folder><includeSubfolders>false</includeSubfolders>",
    )
    .await;
    assert_eq!(all(&search.text(), "totalRows"), ["1"]);
    assert_eq!(all(&search.text(), "name"), ["Renamed"]);

    let store_before = server.state.store.list().expect("list");
    let deleted = call(&server, "deleteAsset", &format!("<assetHandle>{handle}</assetHandle>")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    // In the trash: still a row, gone from 2008-01-15 lookups.
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 1);
    // The copy shared the source's file, which the source still names.
    assert_eq!(server.state.store.list().expect("list"), store_before);
    assert_eq!(get(&server, "/is/image/ApiTestCo/macbookwin1").await.status, 200);
    assert!(all(&get_assets(&server, &[&handle]).await, "assetHandle").is_empty());
    server.stop().await;
}

#[tokio::test]
async fn emptying_a_rendered_copy_from_the_trash_removes_its_file_and_nothing_else() {
    let server = TestServer::in_memory().await;
    let seeded = server.state.store.list().expect("list");
    let handle = copy(&server, "thumb", "wid=100&amp;fmt=png").await;
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len() + 1);
    let items = format!("<assetHandleArray><items>{handle}</items><items>a|999</items></assetHandleArray>");
    let resp = call(&server, "deleteAssets", &items).await;
    assert_eq!(all(&resp.text(), "successCount"), ["1"]);
    assert_eq!(all(&resp.text(), "errorCount"), ["1"]);
    // In the trash it keeps its file, for a restore.
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len() + 1);
    let resp = call(&server, "emptyAssetsFromTrash", &items).await;
    assert_eq!(all(&resp.text(), "successCount"), ["1"], "{}", resp.text());
    assert_eq!(server.state.store.list().expect("list"), seeded);
    server.stop().await;
}

#[tokio::test]
async fn names_stay_unique_per_company() {
    let server = TestServer::in_memory().await;
    let handle = copy(&server, "second", "").await;
    let before = get_assets(&server, &[&handle]).await;
    let clash = call(
        &server,
        "renameAsset",
        &format!("<assetHandle>{handle}</assetHandle><newName>MACBOOKWIN1</newName><validateName>false</validateName>"),
    )
    .await;
    assert_eq!(support::fault_code(&clash), Some(30000), "{}", clash.text());
    assert!(clash.text().contains("Asset ID 'MACBOOKWIN1' is already in use."));
    // Nothing about the asset changed, not even its modification time.
    assert_eq!(get_assets(&server, &[&handle]).await, before);
    server.stop().await;
}

#[tokio::test]
async fn replacing_an_image_keeps_its_handle_and_releases_unshared_bytes() {
    let server = TestServer::in_memory().await;
    let seeded = server.state.store.list().expect("list");
    // A plain copy shares the source's file, so replacing the source must
    // keep that file for the copy.
    let sharing = copy(&server, "sharing", "").await;
    let resp = call(
        &server,
        "replaceImage",
        "<assetHandle>a|739|1|537</assetHandle><urlModifier>wid=100&amp;fmt=png</urlModifier>",
    )
    .await;
    assert_eq!(support::returned_handle(&resp), "a|739|1|537", "{}", resp.text());
    let served = get(&server, "/is/image/ApiTestCo/macbookwin1").await;
    assert_eq!(served.header("content-type"), Some("image/png"));
    let image = image::load_from_memory(&served.body).expect("png");
    assert_eq!((image.width(), image.height()), (100, 67));
    let listing = server.state.store.list().expect("list");
    assert_eq!(listing.len(), seeded.len() + 1, "old bytes kept for the copy");
    assert_eq!(all(&get_assets(&server, &[&sharing]).await, "width"), ["640"]);

    // Once nothing names the old bytes (the copy is deleted and emptied
    // from the trash), they go.
    let deleted = call(&server, "deleteAsset", &format!("<assetHandle>{sharing}</assetHandle>")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len() + 1);
    let items = format!("<assetHandleArray><items>{sharing}</items></assetHandleArray>");
    let emptied = call(&server, "emptyAssetsFromTrash", &items).await;
    assert_eq!(all(&emptied.text(), "successCount"), ["1"], "{}", emptied.text());
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len());
    assert_eq!(all(&get_assets(&server, &["a|739|1|537"]).await, "width"), ["100"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_to_one_asset_lose_nothing() {
    let server = TestServer::in_memory().await;
    let handle = copy(&server, "contended", "").await;
    let server = std::sync::Arc::new(server);

    // Renames race: every one succeeds on its own, and the asset ends with
    // one of their names.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (server, handle) = (server.clone(), handle.clone());
        tasks.push(tokio::spawn(async move {
            let body = format!(
                "<assetHandle>{handle}</assetHandle><newName>name-{i}</newName><validateName>true</validateName>"
            );
            call(&server, "renameAsset", &body).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 200);
    }
    let names = all(&get_assets(&server, &[&handle]).await, "name");
    assert_eq!(names.len(), 1);
    assert!(names[0].starts_with("name-"), "{names:?}");

    // Deletes race: exactly one puts it in the trash, the rest find it
    // there already.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (server, handle) = (server.clone(), handle.clone());
        tasks.push(tokio::spawn(async move {
            let resp = call(&server, "deleteAsset", &format!("<assetHandle>{handle}</assetHandle>")).await;
            (
                resp.status,
                support::fault_code(&resp),
                resp.text().contains("is in the trash"),
            )
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("task"));
    }
    assert_eq!(outcomes.iter().filter(|o| o.0 == 200).count(), 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .filter(|o| o.0 != 200)
        .all(|o| o.1 == Some(30001) && o.2));
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 1);

    // Emptying races: exactly one removes it, the rest find nothing.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (server, handle) = (server.clone(), handle.clone());
        tasks.push(tokio::spawn(async move {
            let items = format!("<assetHandleArray><items>{handle}</items></assetHandleArray>");
            all(
                &call(&server, "emptyAssetsFromTrash", &items).await.text(),
                "successCount",
            )
        }));
    }
    let mut emptied = 0;
    for t in tasks {
        let counts = t.await.expect("task");
        assert!(counts == ["1"] || counts == ["0"], "{counts:?}");
        emptied += usize::from(counts == ["1"]);
    }
    assert_eq!(emptied, 1);
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS);
}

#[tokio::test]
async fn search_pages_cover_every_match_once() {
    let server = TestServer::in_memory().await;
    for i in 0..5 {
        copy(&server, &format!("page-{i}"), "").await;
    }
    let mut seen = Vec::new();
    for page in 1..=4 {
        let resp = call(
            &server,
            "searchAssets",
            &format!(
                "<includeSubfolders>true</includeSubfolders><systemFieldConditionArray><items><field>Name</field><op>StartsWith</op><value>page-</value></items></systemFieldConditionArray><recordsPerPage>2</recordsPerPage><resultsPage>{page}</resultsPage><sortBy>Name</sortBy>"
            ),
        )
        .await;
        assert_eq!(all(&resp.text(), "totalRows"), ["5"], "{}", resp.text());
        seen.extend(all(&resp.text(), "name"));
    }
    assert_eq!(seen, ["page-0", "page-1", "page-2", "page-3", "page-4"]);
    server.stop().await;
}

#[tokio::test]
async fn stored_modifiers_set_by_set_url_modifier_apply_when_served() {
    let server = TestServer::in_memory().await;
    let resp = call(
        &server,
        "setUrlModifier",
        "<assetHandle>a|739|1|537</assetHandle><urlModifier>wid=200</urlModifier><urlPostApplyModifier>fmt=png</urlPostApplyModifier>",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let found = get_assets(&server, &["a|739|1|537"]).await;
    assert_eq!(all(&found, "urlModifier"), ["wid=200"]);
    assert_eq!(all(&found, "urlPostApplyModifier"), ["fmt=png"]);
    // The post-modifier overrides the request's format; the stored size is
    // overridden by the request's own.
    let served = get(&server, "/is/image/ApiTestCo/macbookwin1?fmt=jpeg&wid=50").await;
    assert_eq!(served.header("content-type"), Some("image/png"));
    let image = image::load_from_memory(&served.body).expect("png");
    assert_eq!(image.width(), 50);
    // Absent fields leave the stored values alone.
    let resp = call(
        &server,
        "setUrlModifier",
        "<assetHandle>a|739|1|537</assetHandle><urlModifier></urlModifier>",
    )
    .await;
    assert_eq!(resp.status, 200);
    let found = get_assets(&server, &["a|739|1|537"]).await;
    assert_eq!(all(&found, "urlModifier"), Vec::<String>::new());
    assert_eq!(all(&found, "urlPostApplyModifier"), ["fmt=png"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replacements_build_on_each_other() {
    let server = std::sync::Arc::new(TestServer::in_memory().await);
    // Each halves the image: applied one after the other, 640 px become
    // 160; a lost replacement would leave 320.
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            call(
                &server,
                "replaceImage",
                "<assetHandle>a|739|1|537</assetHandle><urlModifier>scl=2</urlModifier>",
            )
            .await
        }));
    }
    for t in tasks {
        let resp = t.await.expect("task");
        assert_eq!(resp.status, 200, "{}", resp.text());
    }
    assert_eq!(all(&get_assets(&server, &["a|739|1|537"]).await, "width"), ["160"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_and_serving_race_replacements_without_failing() {
    let server = std::sync::Arc::new(TestServer::in_memory().await);
    // A replacement releases the bytes it replaced: a copy or a serve that
    // read the asset just before must render from the new bytes rather
    // than fail on the old ones being gone.
    for round in 0..6 {
        let mut tasks = Vec::new();
        let s = server.clone();
        tasks.push(tokio::spawn(async move {
            call(
                &s,
                "replaceImage",
                "<assetHandle>a|739|1|537</assetHandle><urlModifier>rotate=180</urlModifier>",
            )
            .await
        }));
        for i in 0..3 {
            let s = server.clone();
            tasks.push(tokio::spawn(async move {
                let body = support::copy_image(&format!("race_{round}_{i}"), "wid=64");
                support::exchange(s.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
            }));
            let s = server.clone();
            tasks.push(tokio::spawn(async move {
                get(&s, &format!("/is/image/ApiTestCo/macbookwin1?wid={}", 40 + i)).await
            }));
        }
        for t in tasks {
            let resp = t.await.expect("task");
            assert_eq!(resp.status, 200, "round {round}: {}", resp.text());
        }
    }
}

#[tokio::test]
async fn oversized_requests_are_refused_and_nothing_is_echoed_at_length() {
    let server = TestServer::in_memory().await;
    // More items than an array may hold.
    let items: String = (0..1001).map(|i| format!("<items>a|{i}</items>")).collect();
    let resp = call(
        &server,
        "getAssets",
        &format!("<assetHandleArray>{items}</assetHandleArray>"),
    )
    .await;
    assert_eq!(support::fault_code(&resp), Some(30001), "{}", resp.text());
    let paths: String = (0..101)
        .map(|i| format!("<items>assetArray/items/f{i}</items>"))
        .collect();
    let resp = call(
        &server,
        "getAssets",
        &format!(
            "<assetHandleArray><items>a|739</items></assetHandleArray><excludeFieldArray>{paths}</excludeFieldArray>"
        ),
    )
    .await;
    assert_eq!(support::fault_code(&resp), Some(30001), "{}", resp.text());

    // A 64 KiB operation name and namespace: the fault names them only in
    // part, and so does the journal.
    let long = "x".repeat(64 * 1024);
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><{long}Param xmlns="urn:{long}"/></soapenv:Body></soapenv:Envelope>"#
    );
    let resp = support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await;
    assert_eq!(support::fault_code(&resp), Some(30003));
    assert!(resp.body.len() < 2048, "a {}-byte fault", resp.body.len());
    let journal = get(&server, "/_emulator/requests").await;
    assert!(journal.body.len() < 2048, "a {}-byte journal", journal.body.len());
    server.stop().await;
}

/// `moveFolder` (2012-02-14 and later) takes a folder with its subfolders
/// and assets under another folder: the assets keep their handles and are
/// served from the new path; a name already taken there is refused and
/// changes nothing.
#[tokio::test]
async fn a_folder_moves_with_what_it_holds() {
    let server = TestServer::in_memory().await;
    let handle = copy(&server, "Moved", "").await;
    let move_to = |dest: &'static str| {
        envelope(
            "moveFolder",
            &format!("<folderHandle>ApiTestCo/uploads/</folderHandle><destFolderHandle>{dest}</destFolderHandle>"),
        )
        .replace(NS, "http://www.scene7.com/IpsApi/xsd/2012-02-14")
    };
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"moveFolder\""),
    ];
    for folder in [
        "ApiTestCo/archive",
        "ApiTestCo/uploads/deep",
        "ApiTestCo/taken",
        "ApiTestCo/taken/uploads",
    ] {
        let made = call(&server, "createFolder", &format!("<folderPath>{folder}</folderPath>")).await;
        assert_eq!(made.status, 200, "{}", made.text());
    }
    let moved = call(
        &server,
        "moveAsset",
        &format!("<assetHandle>{handle}</assetHandle><folderHandle>ApiTestCo/uploads/deep/</folderHandle>"),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text());

    let resp = support::exchange(
        server.addr,
        &support::soap_request(move_to("ApiTestCo/archive/").as_bytes(), &headers),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(all(&resp.text(), "folderHandle"), ["ApiTestCo/archive/uploads/"]);
    let folders = call(&server, "getFolders", "").await.text();
    let paths = all(&folders, "path");
    assert!(
        paths.contains(&"ApiTestCo/archive/uploads/deep/".to_owned()),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|p| p.starts_with("ApiTestCo/uploads/")), "{paths:?}");
    let asset = get_assets(&server, &[&handle]).await;
    assert_eq!(all(&asset, "folder"), ["ApiTestCo/archive/uploads/deep/"]);
    assert_eq!(get(&server, "/is/image/ApiTestCo/Moved?wid=10").await.status, 200);

    // `ApiTestCo/taken/` already has an `uploads/`: refused, nothing moves.
    let clash = move_to("ApiTestCo/taken/").replace("ApiTestCo/uploads/", "ApiTestCo/archive/uploads/");
    let resp = support::exchange(server.addr, &support::soap_request(clash.as_bytes(), &headers)).await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert!(resp.text().contains("ApiTestCo/taken/uploads/"), "{}", resp.text());
    let asset = get_assets(&server, &[&handle]).await;
    assert_eq!(all(&asset, "folder"), ["ApiTestCo/archive/uploads/deep/"]);
    server.stop().await;
}

/// A CDN invalidation (2014-04-03) is recorded and its status is `Done`
/// at once; another company's handle is not found.
#[tokio::test]
async fn a_cdn_invalidation_is_done_at_once() {
    let server = TestServer::in_memory().await;
    let send = |op: &'static str, body: String| {
        let envelope = envelope(op, &body)
            .replace(NS, "http://www.scene7.com/IpsApi/xsd/2014-04-03")
            .replace("ipsuser@ips.test", "ipsadmin@ips.test");
        let action = format!("\"{op}\"");
        let addr = server.addr;
        async move {
            let headers = [
                ("Content-Type", "text/xml; charset=utf-8"),
                ("SOAPAction", action.as_str()),
            ];
            support::exchange(addr, &support::soap_request(envelope.as_bytes(), &headers)).await
        }
    };
    let purge = send(
        "cdnCacheInvalidation",
        "<urlArray><items>http://h/is/image/ApiTestCo/macbookwin1?wid=10</items></urlArray>".into(),
    )
    .await;
    assert_eq!(purge.status, 200, "{}", purge.text());
    let handle = all(&purge.text(), "invalidationHandle").pop().expect("a handle");
    let status = send(
        "getCdnCacheInvalidationStatus",
        format!("<invalidationHandle>{handle}</invalidationHandle>"),
    )
    .await;
    assert_eq!(status.status, 200, "{}", status.text());
    assert_eq!(all(&status.text(), "status"), ["Done"]);
    assert_eq!(all(&status.text(), "completionTime").len(), 1);
    let foreign = send(
        "getCdnCacheInvalidationStatus",
        format!("<invalidationHandle>21|{}</invalidationHandle>", &handle[2..]),
    )
    .await;
    assert_eq!(foreign.status, 500, "{}", foreign.text());
    server.stop().await;
}

/// `getAssetCounts` counts the company's live assets by type: a copy adds
/// one, a deletion (to the trash) takes it away again.
#[tokio::test]
async fn asset_counts_follow_copies_and_deletions() {
    let server = TestServer::in_memory().await;
    let count = || async {
        let resp = call(&server, "getAssetCounts", "").await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        (all(&resp.text(), "assetType"), all(&resp.text(), "count"))
    };
    assert_eq!(count().await, (vec!["Image".to_owned()], vec!["1".to_owned()]));
    let handle = copy(&server, "Counted", "").await;
    assert_eq!(count().await.1, ["2"]);
    let deleted = call(&server, "deleteAsset", &format!("<assetHandle>{handle}</assetHandle>")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(count().await.1, ["1"]);
    server.stop().await;
}
