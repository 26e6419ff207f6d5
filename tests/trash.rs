//! The trash end to end: a deleted asset is found with `trashState`
//! `InTrash`, keeps its name and its stored file, is neither served nor
//! changed, comes back with `restoreAssetsFromTrash`, and goes for good
//! with `emptyAssetsFromTrash`, its file with it unless another asset
//! names it.

use crate::support::{self, TestServer, SOAP_HEADERS};

const V2008: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const V2014: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";

/// `op` in namespace `ns` with `body` inside its Param element, as ipsuser
/// in `c|6`.
async fn call_in(server: &TestServer, ns: &str, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password><appName>trash</appName><appVersion>1</appVersion></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{ns}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await
}

async fn call(server: &TestServer, op: &str, body: &str) -> support::Response {
    call_in(server, V2008, op, body).await
}

/// A batch operation on `handles`; its reply's text.
async fn batch(server: &TestServer, op: &str, handles: &[&str]) -> String {
    let items: String = handles.iter().map(|h| format!("<items>{h}</items>")).collect();
    let resp = call(server, op, &format!("<assetHandleArray>{items}</assetHandleArray>")).await;
    assert_eq!(resp.status, 200, "{op}: {}", resp.text());
    resp.text()
}

/// The text of every `<element>`, in order.
fn all(text: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    text.match_indices(&open)
        .map(|(i, _)| text[i + open.len()..].split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// The names a whole-company search with `trashState` finds (none given:
/// the default).
async fn search(server: &TestServer, trash_state: Option<&str>) -> Vec<String> {
    let state = trash_state
        .map(|s| format!("<trashState>{s}</trashState>"))
        .unwrap_or_default();
    let resp = call(
        server,
        "searchAssets",
        &format!("<includeSubfolders>true</includeSubfolders>{state}"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    all(&resp.text(), "name")
}

async fn copy(server: &TestServer, name: &str, modifier: &str) -> support::Response {
    let body = support::copy_image(name, modifier);
    support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
}

async fn served(server: &TestServer, name: &str) -> u16 {
    let raw = format!("GET /is/image/ApiTestCo/{name} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await.status
}

#[tokio::test]
async fn delete_search_restore_delete_empty_releases_only_unshared_bytes() {
    let server = TestServer::in_memory().await;
    let seeded = server.state.store.list().expect("list");
    // A rendering has a file of its own; a plain copy shares the seed's.
    let own = support::returned_handle(&copy(&server, "rendered", "wid=100&amp;fmt=png").await);
    let shared = support::returned_handle(&copy(&server, "plain", "").await);
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len() + 1);

    // Delete: both go to the trash, keeping their files.
    let deleted = batch(&server, "deleteAssets", &[&own, &shared]).await;
    assert_eq!(all(&deleted, "successCount"), ["2"], "{deleted}");
    assert_eq!(server.state.store.list().expect("list").len(), seeded.len() + 1);
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS + 2);
    assert_eq!(search(&server, None).await, ["macbookwin1"]);
    assert_eq!(search(&server, Some("NotInTrash")).await, ["macbookwin1"]);
    assert_eq!(search(&server, Some("InTrash")).await, ["plain", "rendered"]);
    assert_eq!(search(&server, Some("Any")).await, ["macbookwin1", "plain", "rendered"]);
    assert!(search(&server, Some("InEmptiedTrash")).await.is_empty());
    assert_eq!(served(&server, "rendered").await, 403);
    assert_eq!(served(&server, "macbookwin1").await, 200);

    // Lookups: with the state where the version's Asset shows it.
    let items = format!("<assetHandleArray><items>{own}</items></assetHandleArray>");
    let newer = call_in(&server, V2014, "getAssets", &items).await.text();
    assert_eq!(all(&newer, "trashState"), ["InTrash"], "{newer}");
    assert!(all(&call(&server, "getAssets", &items).await.text(), "name").is_empty());
    let by_name = call_in(
        &server,
        V2014,
        "getAssetsByName",
        "<nameArray><items>RENDERED</items></nameArray>",
    )
    .await
    .text();
    assert_eq!(all(&by_name, "trashState"), ["InTrash"], "{by_name}");

    // The name stays taken; nothing but the trash operations changes it.
    let clash = copy(&server, "rendered", "").await;
    assert_eq!(support::fault_code(&clash), Some(30000), "{}", clash.text());
    let renamed = call(
        &server,
        "renameAsset",
        &format!("<assetHandle>{own}</assetHandle><newName>other</newName><validateName>true</validateName>"),
    )
    .await;
    assert_eq!(support::fault_code(&renamed), Some(30001));
    assert!(renamed.text().contains("is in the trash"), "{}", renamed.text());
    let again = call(&server, "deleteAsset", &format!("<assetHandle>{own}</assetHandle>")).await;
    assert_eq!(support::fault_code(&again), Some(30001), "{}", again.text());

    // Restore: one back, a live asset refused in its place in the list.
    let restored = batch(&server, "restoreAssetsFromTrash", &["a|739|1|537", &own]).await;
    assert_eq!(all(&restored, "successCount"), ["1"], "{restored}");
    assert_eq!(all(&restored, "reason"), ["Asset 'a|739|1|537' is not in the trash"]);
    assert_eq!(search(&server, None).await, ["macbookwin1", "rendered"]);
    assert_eq!(served(&server, "rendered").await, 200);
    let newer = call_in(&server, V2014, "getAssets", &items).await.text();
    assert_eq!(all(&newer, "trashState"), ["NotInTrash"]);

    // Delete and empty: the rendering's file goes; the plain copy's stays
    // for the seed asset that shares it.
    assert_eq!(
        all(&batch(&server, "deleteAssets", &[&own]).await, "successCount"),
        ["1"]
    );
    let emptied = batch(&server, "emptyAssetsFromTrash", &[&own, "a|739|1|537", &shared]).await;
    assert_eq!(all(&emptied, "successCount"), ["2"], "{emptied}");
    assert_eq!(all(&emptied, "assetHandle"), ["a|739|1|537"], "the live asset is kept");
    assert_eq!(server.state.store.list().expect("list"), seeded);
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS);
    assert!(search(&server, Some("InTrash")).await.is_empty());
    assert_eq!(served(&server, "macbookwin1").await, 200);

    // Gone for good: not restorable, and the name is free again.
    let gone = batch(&server, "restoreAssetsFromTrash", &[&own]).await;
    assert!(all(&gone, "reason")[0].contains("was not found"), "{gone}");
    assert_eq!(copy(&server, "rendered", "").await.status, 200);
    server.stop().await;
}

/// Whether `ApiTestCo/uploads/` (2014-04-03) reports a change among its
/// children later than its own: without any, `childLastModified` is its
/// `lastModified`.
async fn children_changed(server: &TestServer) -> bool {
    let resp = call_in(
        server,
        V2014,
        "getFolders",
        "<folderPath>ApiTestCo/uploads/</folderPath>",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let text = resp.text();
    all(&text, "childLastModified") != all(&text, "lastModified")
}

#[tokio::test]
async fn folders_and_moves_leave_the_trash_out() {
    let server = TestServer::in_memory().await;
    let moved = call(
        &server,
        "moveAsset",
        "<assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/uploads/</folderHandle>",
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert!(children_changed(&server).await, "the asset moved in");
    assert_eq!(
        all(&batch(&server, "deleteAssets", &["a|739|1|537"]).await, "successCount"),
        ["1"]
    );
    assert!(
        !children_changed(&server).await,
        "only a trashed asset: no child change"
    );

    // A move onto a trashed asset is refused item by item.
    let refused = call(
        &server,
        "moveAssets",
        "<assetMoveArray><items><assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle></items></assetMoveArray>",
    )
    .await
    .text();
    assert_eq!(all(&refused, "code"), ["30001"], "{refused}");

    // Deleting the folder empties its trashed asset with it.
    let deleted = call(
        &server,
        "deleteFolder",
        "<folderHandle>ApiTestCo/uploads/</folderHandle>",
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(server.asset_count().await, support::SEEDED_ASSETS - 1);
    server.stop().await;
}
