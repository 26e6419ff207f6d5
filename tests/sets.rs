//! Sets and derived assets end to end: an image set made of two copies,
//! its members read back in order, replaced, updated; the associations
//! both ways; the set as `getAssets` shows it; a member emptied from the
//! trash leaving the set; an asset set and its definition; a derived asset
//! among its owner's associations.

use crate::support::{self, TestServer, SOAP_HEADERS};

const V2008: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const V2014: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";

/// `op` in namespace `ns` with `body` inside its Param element, as ipsuser
/// in `c|6`.
async fn call_in(server: &TestServer, ns: &str, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password><appName>sets</appName><appVersion>1</appVersion></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{ns}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await
}

/// `op` in 2014-04-03, which must succeed; its reply's text.
async fn ok(server: &TestServer, op: &str, body: &str) -> String {
    let resp = call_in(server, V2014, op, body).await;
    assert_eq!(resp.status, 200, "{op}: {}", resp.text());
    resp.text()
}

/// `op` in 2014-04-03, which must be refused with `code`; the reason.
async fn refused(server: &TestServer, op: &str, body: &str, code: &str) -> String {
    let resp = call_in(server, V2014, op, body).await;
    let text = resp.text();
    assert_eq!(resp.status, 500, "{op}: {text}");
    assert_eq!(all(&text, "tns:code"), [code], "{op}: {text}");
    all(&text, "tns:reason").concat()
}

/// The text of every `<element>`, in order.
fn all(text: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    text.match_indices(&open)
        .map(|(i, _)| text[i + open.len()..].split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// The part of `text` inside `<element>…</element>` (empty when absent).
fn inside<'a>(text: &'a str, element: &str) -> &'a str {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    text.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map_or("", |(inner, _)| inner)
}

async fn copy(server: &TestServer, name: &str) -> String {
    let body = support::copy_image(name, "");
    let resp = support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await;
    support::returned_handle(&resp)
}

fn member_array(handles: &[&str]) -> String {
    let items: String = handles
        .iter()
        .map(|h| format!("<items><assetHandle>{h}</assetHandle><pageReset>false</pageReset></items>"))
        .collect();
    format!("<memberArray>{items}</memberArray>")
}

async fn members(server: &TestServer, set: &str) -> Vec<String> {
    let text = ok(
        server,
        "getImageSetMembers",
        &format!("<assetHandle>{set}</assetHandle>"),
    )
    .await;
    all(&text, "assetHandle")
}

#[tokio::test]
async fn an_image_set_lives_with_its_members() {
    let server = TestServer::in_memory().await;
    let one = copy(&server, "one").await;
    let two = copy(&server, "two").await;
    let text = ok(
        &server,
        "createImageSet",
        "<folderHandle>ApiTestCo/</folderHandle><name>Spring</name><type>ImageSet</type>",
    )
    .await;
    let set = all(&text, "assetHandle").concat();
    assert!(set.starts_with("a|") && set.contains("|22|"), "{set}");
    assert!(members(&server, &set).await.is_empty(), "a new set is empty");

    ok(
        &server,
        "setImageSetMembers",
        &format!("<assetHandle>{set}</assetHandle>{}", member_array(&[&two, &one])),
    )
    .await;
    assert_eq!(
        members(&server, &set).await,
        [two.as_str(), one.as_str()],
        "in the order given"
    );
    let text = ok(
        &server,
        "getImageSetMembers",
        &format!("<assetHandle>{set}</assetHandle>"),
    )
    .await;
    assert_eq!(all(&text, "pageReset"), ["true", "true"], "image sets force pageReset");

    // A refused member changes nothing.
    let reason = refused(
        &server,
        "updateImageSet",
        &format!(
            "<assetHandle>{set}</assetHandle>{}",
            member_array(&[&one, "a|300|1|200"])
        ),
        "30001",
    )
    .await;
    assert!(reason.contains("'a|300|1|200' was not found"), "{reason}");
    assert_eq!(members(&server, &set).await, [two.as_str(), one.as_str()]);
    let reason = refused(
        &server,
        "setImageSetMembers",
        &format!("<assetHandle>{set}</assetHandle>{}", member_array(&[&set])),
        "30001",
    )
    .await;
    assert!(reason.contains("is a ImageSet asset"), "{reason}");

    ok(
        &server,
        "updateImageSet",
        &format!(
            "<assetHandle>{set}</assetHandle>{}<thumbAssetHandle>{two}</thumbAssetHandle>",
            member_array(&[&one])
        ),
    )
    .await;
    assert_eq!(members(&server, &set).await, [one.as_str()]);

    // Both directions: the set holds `one`; `one` is in the set.
    let of_set = ok(
        &server,
        "getAssociatedAssets",
        &format!("<assetHandle>{set}</assetHandle>"),
    )
    .await;
    assert_eq!(all(inside(&of_set, "memberArray"), "assetHandle"), [one.as_str()]);
    assert_eq!(all(inside(&of_set, "thumbAsset"), "assetHandle"), [two.as_str()]);
    let of_one = ok(
        &server,
        "getAssociatedAssets",
        &format!("<assetHandle>{one}</assetHandle>"),
    )
    .await;
    assert_eq!(all(inside(&of_one, "containerArray"), "assetHandle"), [set.as_str()]);
    assert!(all(inside(&of_one, "memberArray"), "assetHandle").is_empty());

    // getAssets shows the set with its type and no image of its own.
    let found = ok(
        &server,
        "getAssets",
        &format!("<assetHandleArray><items>{set}</items></assetHandleArray>"),
    )
    .await;
    assert_eq!(all(&found, "type"), ["ImageSet"]);
    assert_eq!(all(&found, "name"), ["Spring"]);
    assert!(!found.contains("<imageInfo>"), "{found}");
    // The name is taken in the company, whatever the case.
    let reason = refused(
        &server,
        "copyImage",
        "<assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>SPRING</name><urlModifier></urlModifier>",
        "30000",
    )
    .await;
    assert!(reason.contains("SPRING"), "{reason}");

    // Trashed, a member stays; emptied from the trash, it leaves the set.
    let batch = |op: &'static str, h: String| {
        let server = &server;
        async move {
            ok(
                server,
                op,
                &format!("<assetHandleArray><items>{h}</items></assetHandleArray>"),
            )
            .await
        }
    };
    batch("deleteAssets", one.clone()).await;
    assert_eq!(members(&server, &set).await, [one.as_str()]);
    let emptied = batch("emptyAssetsFromTrash", one.clone()).await;
    assert_eq!(all(&emptied, "successCount"), ["1"], "{emptied}");
    assert!(
        members(&server, &set).await.is_empty(),
        "an emptied member leaves its set"
    );
}

#[tokio::test]
async fn an_asset_set_holds_what_its_definition_names() {
    let server = TestServer::in_memory().await;
    let one = copy(&server, "one").await;
    let text = ok(
        &server,
        "createAssetSet",
        "<folderHandle>ApiTestCo/</folderHandle><name>Media</name><subType>MediaSet</subType>",
    )
    .await;
    let set = all(&text, "assetHandle").concat();
    assert!(set.contains("|44|"), "{set}");
    let definition = format!("${{getCatalogId([{one}])}};${{getFilePath([a|739|1|537])}};1");
    ok(
        &server,
        "setAssetSetDefinition",
        &format!("<assetHandle>{set}</assetHandle><setDefinition>{definition}</setDefinition>"),
    )
    .await;
    let found = ok(
        &server,
        "getAssets",
        &format!("<assetHandleArray><items>{set}</items></assetHandleArray>"),
    )
    .await;
    assert_eq!(all(&found, "type"), ["AssetSet"]);
    assert_eq!(all(&found, "subType"), ["MediaSet"]);
    assert_eq!(
        all(inside(&found, "assetSetInfo"), "setDefinition"),
        [definition.as_str()]
    );
    let of_set = ok(
        &server,
        "getAssociatedAssets",
        &format!("<assetHandle>{set}</assetHandle>"),
    )
    .await;
    assert_eq!(
        all(inside(&of_set, "memberArray"), "assetHandle"),
        [one.as_str(), "a|739|1|537"]
    );
    // A definition naming what the company does not have changes nothing.
    let reason = refused(
        &server,
        "updateAssetSet",
        &format!("<assetHandle>{set}</assetHandle><setDefinition>${{getCatalogId([a|300|1|200])}}</setDefinition>"),
        "30001",
    )
    .await;
    assert!(reason.contains("a|300|1|200"), "{reason}");
    let found = ok(
        &server,
        "getAssets",
        &format!("<assetHandleArray><items>{set}</items></assetHandleArray>"),
    )
    .await;
    assert_eq!(all(inside(&found, "assetSetInfo"), "setDefinition"), [definition]);
    // An image set operation refuses an asset set.
    let reason = refused(
        &server,
        "getImageSetMembers",
        &format!("<assetHandle>{set}</assetHandle>"),
        "30001",
    )
    .await;
    assert!(reason.contains("not an ImageSet or SpinSet"), "{reason}");
}

#[tokio::test]
async fn a_derived_asset_shares_its_owners_bytes_and_is_associated_with_it() {
    let server = TestServer::in_memory().await;
    let text = ok(
        &server,
        "createDerivedAsset",
        "<ownerHandle>a|739|1|537</ownerHandle><folderHandle>ApiTestCo/</folderHandle><name>cropped</name><type>AdjustedView</type><urlModifier>crop=0,0,10,10</urlModifier>",
    )
    .await;
    let derived = all(&text, "assetHandle").concat();
    assert!(derived.contains("|10|"), "{derived}");
    let found = ok(
        &server,
        "getAssets",
        &format!("<assetHandleArray><items>{derived}</items></assetHandleArray>"),
    )
    .await;
    assert_eq!(all(&found, "type"), ["AdjustedView"]);
    assert_eq!(all(inside(&found, "imageInfo"), "urlModifier"), ["crop=0,0,10,10"]);
    let owner = ok(
        &server,
        "getAssets",
        "<assetHandleArray><items>a|739|1|537</items></assetHandleArray>",
    )
    .await;
    assert_eq!(all(&found, "width"), all(&owner, "width"), "the owner's image");
    let of_owner = ok(&server, "getAssociatedAssets", "<assetHandle>a|739|1|537</assetHandle>").await;
    assert_eq!(
        all(inside(&of_owner, "derivedArray"), "assetHandle"),
        [derived.as_str()]
    );
    let of_derived = ok(
        &server,
        "getAssociatedAssets",
        &format!("<assetHandle>{derived}</assetHandle>"),
    )
    .await;
    assert_eq!(all(inside(&of_derived, "ownerArray"), "assetHandle"), ["a|739|1|537"]);
    // Only an Image is an owner, and only the two derived types are made.
    let reason = refused(
        &server,
        "createDerivedAsset",
        &format!("<ownerHandle>{derived}</ownerHandle><folderHandle>ApiTestCo/</folderHandle><name>again</name><type>LayerView</type>"),
        "30001",
    )
    .await;
    assert!(reason.contains("not an Image"), "{reason}");
    // The same requests after a reset give the same handles.
    let reset = "POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(support::exchange(server.addr, reset.as_bytes()).await.status, 200);
    let again = ok(
        &server,
        "createDerivedAsset",
        "<ownerHandle>a|739|1|537</ownerHandle><folderHandle>ApiTestCo/</folderHandle><name>cropped</name><type>AdjustedView</type><urlModifier>crop=0,0,10,10</urlModifier>",
    )
    .await;
    assert_eq!(all(&again, "assetHandle").concat(), derived);
    // 2008-01-15 has the operations too.
    let old = call_in(
        &server,
        V2008,
        "getAssociatedAssets",
        "<assetHandle>a|739|1|537</assetHandle>",
    )
    .await;
    assert_eq!(old.status, 200, "{}", old.text());
}
