//! Publish state end to end: `setAssetPublishState` and
//! `setAssetsPublishState` mark assets, `getAssets` reports the mark, and
//! with `--require-publish` `/is/image` serves only what a publish reached.
//!
//! The emulator's publish jobs are not driven here: the test publishes by
//! calling the catalog's `publish` directly, which is what a publish job
//! does, so this covers the marks, the publish's choice of assets and the
//! serving rule, not the job operations.

use ips_emulator::catalog::PublishScope;
use ips_emulator::{DataLocation, Limits};

use crate::support::{self, TestServer, SOAP_HEADERS};

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const SEED: &str = "a|739|1|537";

/// `op` with `body` inside its Param element, as ipsuser in `c|6`.
async fn call(server: &TestServer, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{NS}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    let resp = support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(resp.status, 200, "{op}: {}", resp.text());
    resp
}

async fn mark(server: &TestServer, handle: &str, state: &str) {
    call(
        server,
        "setAssetPublishState",
        &format!("<assetHandle>{handle}</assetHandle><publishState>{state}</publishState>"),
    )
    .await;
}

/// `readyForPublish` of the asset, as `getAssets` reports it.
async fn ready_for_publish(server: &TestServer, handle: &str) -> String {
    let text = call(
        server,
        "getAssets",
        &format!("<assetHandleArray><items>{handle}</items></assetHandleArray>"),
    )
    .await
    .text();
    let start = text
        .find("<readyForPublish>")
        .unwrap_or_else(|| panic!("no readyForPublish in {text}"))
        + "<readyForPublish>".len();
    text[start..].split('<').next().unwrap_or_default().to_owned()
}

async fn image(server: &TestServer, name: &str) -> support::Response {
    let raw = format!("GET /is/image/ApiTestCo/{name} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

async fn publish(server: &TestServer, scope: PublishScope) -> Vec<String> {
    let outcome = server.state.catalog.publish(6, scope).await.expect("publish");
    outcome.published.into_iter().map(|(_, name)| name).collect()
}

#[tokio::test]
async fn with_require_publish_only_published_assets_are_served() {
    let limits = Limits {
        require_publish: true,
        ..Limits::default()
    };
    let server = TestServer::start(support::options(DataLocation::InMemory, limits)).await;
    let seed_bytes = support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"));

    // Nothing is published yet: the seed asset and a new copy are refused
    // as the Image Server refuses what it does not hold, in plain text.
    let copy_body = support::copy_image("Copy_macbookwin1", "");
    let copied = support::exchange(server.addr, &support::soap_request(copy_body.as_bytes(), SOAP_HEADERS)).await;
    let copy = support::returned_handle(&copied);
    for name in ["macbookwin1", "Copy_macbookwin1"] {
        let refused = image(&server, name).await;
        assert_eq!(refused.status, 403, "{name}");
        assert_eq!(refused.header("content-type"), Some("text/plain; charset=utf-8"));
        assert!(refused.text().contains("not been published"), "{}", refused.text());
    }
    let missing = image(&server, "nothing-here").await;
    assert_eq!(missing.status, 403);
    assert!(!missing.text().contains("published"), "{}", missing.text());

    // The copy is held back; a full publish takes the seed asset only.
    mark(&server, &copy, "NotMarkedForPublish").await;
    assert_eq!(ready_for_publish(&server, &copy).await, "false");
    assert_eq!(ready_for_publish(&server, SEED).await, "true");
    assert_eq!(publish(&server, PublishScope::Full).await, ["macbookwin1"]);
    let served = image(&server, "macbookwin1").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, seed_bytes);
    assert_eq!(image(&server, "Copy_macbookwin1").await.status, 403);

    // Marked through the batch operation, the copy goes out with the next
    // incremental publish, which leaves the unchanged seed asset alone.
    let batch = call(
        &server,
        "setAssetsPublishState",
        &format!(
            "<publishStateUpdateArray><items><assetHandle>{copy}</assetHandle><publishState>MarkedForPublish</publishState></items></publishStateUpdateArray>"
        ),
    )
    .await;
    assert!(
        batch.text().contains("<successCount>1</successCount>"),
        "{}",
        batch.text()
    );
    assert_eq!(ready_for_publish(&server, &copy).await, "true");
    assert_eq!(publish(&server, PublishScope::Incremental).await, ["Copy_macbookwin1"]);
    let served = image(&server, "Copy_macbookwin1").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, seed_bytes);
    server.stop().await;
}

#[tokio::test]
async fn without_require_publish_unpublished_assets_are_served() {
    let server = TestServer::in_memory().await;
    mark(&server, SEED, "NotMarkedForPublish").await;
    assert_eq!(ready_for_publish(&server, SEED).await, "false");
    let served = image(&server, "macbookwin1").await;
    assert_eq!(served.status, 200, "{}", served.text());
    // searchAssets' publishState filter goes by the mark.
    for (state, rows) in [("NotMarkedForPublish", 1), ("MarkedForPublish", 0)] {
        let found = call(
            &server,
            "searchAssets",
            &format!("<includeSubfolders>true</includeSubfolders><publishState>{state}</publishState>"),
        )
        .await
        .text();
        assert!(
            found.contains(&format!("<totalRows>{rows}</totalRows>")),
            "{state}: {found}"
        );
    }
    server.stop().await;
}
