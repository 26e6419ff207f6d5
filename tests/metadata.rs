//! Metadata beyond the golden cases and the replay story: the bounds of a
//! batch (a call may not multiply its values past what the catalog takes in
//! one job), and that a refused batch changes nothing.

use crate::support::{self, TestServer};

const V2014: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";

/// `op` with `body` inside its Param element, as ipsuser in `c|6`.
async fn call(server: &TestServer, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{V2014}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await
}

/// One group of a batch: `assets` copies of the seed image's handle, each
/// to get `updates` updates of `tags` Subjects tags (`tag-<i>-xxx…`).
fn group(assets: usize, updates: usize, tags: usize) -> String {
    let handles: String = (0..assets).map(|_| "<items>a|739|1|537</items>").collect();
    // Long values keep the request within the XML reader's ratio of
    // elements to bytes: the multiplication, not the document, is refused.
    let values: String = (0..tags)
        .map(|i| format!("<items>tag-{i}-{}</items>", "x".repeat(60)))
        .collect();
    let update = format!(
        "<items><fieldHandle>m|6|IMAGE|Subjects</fieldHandle><setTagValueArray>{values}</setTagValueArray></items>"
    );
    let updates: String = (0..updates).map(|_| update.as_str()).collect();
    format!("<items><assetHandleArray>{handles}</assetHandleArray><updateArray>{updates}</updateArray></items>")
}

async fn unique_subjects(server: &TestServer) -> String {
    let resp = call(
        server,
        "getUniqueMetadataValues",
        "<fieldHandle>m|6|IMAGE|Subjects</fieldHandle>",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_cannot_multiply_its_values_past_the_caps() {
    let server = TestServer::in_memory().await;
    // 11 assets each setting 100 updates of 100 tags: 110,000 values from a
    // request holding 10,000.
    let many_values = format!("<updateArray>{}</updateArray>", group(11, 100, 100));
    let resp = call(&server, "batchSetAssetMetadata", &many_values).await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert!(
        resp.text().contains(">30001<") && resp.text().contains("more than 100000 values"),
        "{}",
        resp.text()
    );
    // 1,001 assets over two groups.
    let many_assets = format!("<updateArray>{}{}</updateArray>", group(600, 1, 1), group(401, 1, 1));
    let resp = call(&server, "batchSetAssetMetadata", &many_assets).await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert!(resp.text().contains("at most 1000"), "{}", resp.text());
    // Neither wrote anything; a batch within the caps does.
    assert!(!unique_subjects(&server).await.contains("tag-0"));
    let within = format!("<updateArray>{}</updateArray>", group(10, 1, 100));
    let resp = call(&server, "batchSetAssetMetadata", &within).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        resp.text().contains("<successCount>10</successCount>"),
        "{}",
        resp.text()
    );
    assert!(unique_subjects(&server).await.contains("<items>tag-99-"));
    server.stop().await;
}

/// A tag or `values` condition with an empty or oversized value list is a
/// clear 30001, not a query SQLite cannot run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_lists_of_conditions_are_bounded() {
    let server = TestServer::in_memory().await;
    let tag = |values: &str| {
        format!(
            "<includeSubfolders>true</includeSubfolders><tagConditionArray><items><fieldHandle>m|6|IMAGE|Subjects</fieldHandle><op>MatchesAll</op><valueArray>{values}</valueArray></items></tagConditionArray>"
        )
    };
    let many: String = (0..101).map(|i| format!("<items>t{i}</items>")).collect();
    for body in [tag(""), tag(&many)] {
        let resp = call(&server, "searchAssets", &body).await;
        assert_eq!(resp.status, 500, "{}", resp.text());
        assert!(
            resp.text().contains(">30001<") && resp.text().contains("1 to 100 values"),
            "{}",
            resp.text()
        );
    }
    let resp = call(&server, "searchAssets", &tag("<items>rocket</items>")).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    server.stop().await;
}

/// A fractional bound on an integer key compares as a number (on
/// PostgreSQL a parameter takes the column's type unless told otherwise).
#[tokio::test]
async fn a_fractional_bound_on_the_asset_id_compares_as_a_number() {
    let server = TestServer::in_memory().await;
    let search = |op: &str, value: &str| {
        format!(
            "<metadataConditionArray><items><fieldHandle>asset_id</fieldHandle><op>{op}</op><doubleVal>{value}</doubleVal></items></metadataConditionArray><recordsPerPage>100</recordsPerPage>"
        )
    };
    let total = |resp: &support::Response| -> u64 {
        let text = resp.text();
        let start = text.find("totalRows>").map(|i| i + "totalRows>".len());
        let start = start.unwrap_or_else(|| panic!("no totalRows in {text}"));
        text[start..]
            .split('<')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count")
    };
    // The seed image is asset 739.
    let above = call(&server, "searchAssetsByMetadata", &search("GreaterThan", "738.5")).await;
    assert_eq!(above.status, 200, "{}", above.text());
    let below = call(&server, "searchAssetsByMetadata", &search("LessThan", "738.5")).await;
    assert_eq!(below.status, 200, "{}", below.text());
    let exact = call(&server, "searchAssetsByMetadata", &search("Equals", "739")).await;
    assert_eq!(exact.status, 200, "{}", exact.text());
    let all = call(&server, "searchAssetsByMetadata", &search("GreaterThan", "0.5")).await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(total(&exact), 1, "{}", exact.text());
    assert!(total(&above) >= 1, "{}", above.text());
    assert_eq!(
        total(&above) + total(&below),
        total(&all),
        "every asset of the company is on one side: {}",
        all.text()
    );
    server.stop().await;
}
