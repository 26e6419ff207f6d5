//! An image's own fields and parts end to end: fields, a thumbnail, zoom
//! targets and image maps set through their operations and read back
//! through `getAssets` in 2008-01-15 and 2014-04-03; changes in place,
//! deletions, and an image in the trash refused.

use ips_emulator::handles::AssetHandle;

use crate::support::{self, TestServer, SOAP_HEADERS};

const V2008: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const V2014: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
const SEED: &str = "a|739|1|537";

/// `op` in namespace `ns` with `body` inside its Param element, as ipsuser
/// in `c|6`; the reply, which must be a 200.
async fn call_in(server: &TestServer, ns: &str, op: &str, body: &str) -> String {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{ns}"><companyHandle>c|6</companyHandle>{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    let resp = support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(resp.status, 200, "{op}: {}", resp.text());
    resp.text()
}

async fn call(server: &TestServer, op: &str, body: &str) -> String {
    call_in(server, V2008, op, body).await
}

/// The text of every `<element>`, in order.
fn all(text: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    text.match_indices(&open)
        .map(|(i, _)| text[i + open.len()..].split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// The one `<element>`'s text.
fn one(text: &str, element: &str) -> String {
    let found = all(text, element);
    assert_eq!(found.len(), 1, "{element} in {text}");
    found[0].clone()
}

async fn get_asset(server: &TestServer, ns: &str, handle: &str) -> String {
    call_in(
        server,
        ns,
        "getAssets",
        &format!("<assetHandleArray><items>{handle}</items></assetHandleArray>"),
    )
    .await
}

fn zoom_target(name: &str, x: u32) -> String {
    format!(
        "<items><name>{name}</name><xPosition>{x}</xPosition><yPosition>5</yPosition><width>40</width>\
         <height>30</height><userData>{name} data</userData></items>"
    )
}

#[tokio::test]
async fn fields_thumbnail_targets_and_maps_read_back_in_old_and_new_versions() {
    let server = TestServer::in_memory().await;
    let before = get_asset(&server, V2008, SEED).await;
    assert_eq!(one(&before, "resolution"), "0.0");
    assert!(
        before.contains("<userData/>") && before.contains("<zoomTargets/>"),
        "{before}"
    );

    let set = call(
        &server,
        "batchSetImageFields",
        &format!(
            "<updateArray><items><assetHandle>{SEED}</assetHandle><resolution>72</resolution><anchorX>50</anchorX>\
             <anchorY>100</anchorY><userData>nada1</userData></items></updateArray>"
        ),
    )
    .await;
    assert_eq!(one(&set, "successCount"), "1", "{set}");
    // A later update of one field leaves the others as they are.
    call(
        &server,
        "batchSetImageFields",
        &format!(
            "<updateArray><items><assetHandle>{SEED}</assetHandle><resolution>150.5</resolution></items></updateArray>"
        ),
    )
    .await;
    let thumb = call_in(
        &server,
        V2014,
        "batchSetThumbAsset",
        &format!("<updateArray><items><assetHandle>{SEED}</assetHandle><thumbAssetHandle>{SEED}</thumbAssetHandle></items></updateArray>"),
    )
    .await;
    assert_eq!(one(&thumb, "successCount"), "1", "{thumb}");

    let targets = call(
        &server,
        "setZoomTargets",
        &format!(
            "<assetHandle>{SEED}</assetHandle><zoomTargetArray>{}{}</zoomTargetArray>",
            zoom_target("Left", 0),
            zoom_target("Right", 60)
        ),
    )
    .await;
    assert_eq!(all(&targets, "items"), ["zt|1", "zt|2"], "{targets}");
    // Saving with a handle changes that target in place.
    let saved = call(
        &server,
        "saveZoomTarget",
        &format!(
            "<assetHandle>{SEED}</assetHandle><zoomTargetHandle>zt|2</zoomTargetHandle><name>Wide</name>\
             <xPosition>70</xPosition><yPosition>8</yPosition><width>90</width><height>20</height><userData>wide</userData>"
        ),
    )
    .await;
    assert_eq!(one(&saved, "zoomTargetHandle"), "zt|2");
    let map = call(
        &server,
        "saveImageMap",
        &format!(
            "<assetHandle>{SEED}</assetHandle><name>Spot</name><shapeType>Polygon</shapeType>\
             <region>0,0,20,0,10,20</region><action>http://example.com/spot</action><position>0</position>\
             <enabled>false</enabled>"
        ),
    )
    .await;
    assert_eq!(one(&map, "imageMapHandle"), "im|1");

    for ns in [V2008, V2014] {
        let asset = get_asset(&server, ns, SEED).await;
        assert_eq!(one(&asset, "resolution"), "150.5", "{ns}: {asset}");
        assert_eq!(one(&asset, "anchorX"), "50");
        assert_eq!(one(&asset, "anchorY"), "100");
        assert_eq!(all(&asset, "zoomTargetHandle"), ["zt|1", "zt|2"]);
        assert_eq!(all(&asset, "xPosition"), ["0", "70"]);
        // The image's own userData first, then each target's.
        assert_eq!(all(&asset, "userData"), ["nada1", "Left data", "wide"]);
        assert_eq!(one(&asset, "imageMapHandle"), "im|1");
        assert_eq!(one(&asset, "region"), "0,0,20,0,10,20");
        assert_eq!(one(&asset, "shapeType"), "Polygon");
        assert_eq!(one(&asset, "enabled"), "false");
        // Zoom targets' position came with 2013-02-15.
        let positions = all(&asset, "position");
        if ns == V2014 {
            assert_eq!(positions, ["0", "1", "0"]);
        } else {
            assert_eq!(positions, ["0"], "only the image map's: {asset}");
        }
    }
    // searchAssets finds the image by its user data; SKU, description and
    // comments are empty.
    for (field, value, found) in [("UserData", "nada1", 1), ("UserData", "nada2", 0), ("Sku", "", 1)] {
        let conditions = format!(
            "<includeSubfolders>true</includeSubfolders><systemFieldConditionArray><items><field>{field}</field>\
             <op>Equals</op><value>{value}</value></items></systemFieldConditionArray>"
        );
        let search = call(&server, "searchAssets", &conditions).await;
        assert_eq!(all(&search, "assetHandle").len(), found, "{field}={value}: {search}");
    }
    let handle = AssetHandle::parse(SEED).expect("handle");
    let details = server
        .state
        .catalog
        .asset_details(6, vec![handle])
        .await
        .expect("details");
    assert_eq!(details[0].image.thumb_asset_id, Some(details[0].asset.id));

    // Deleting one target and the map leaves the other target.
    call(&server, "deleteZoomTarget", "<zoomTargetHandle>zt|1</zoomTargetHandle>").await;
    call(&server, "deleteImageMap", "<imageMapHandle>im|1</imageMapHandle>").await;
    let asset = get_asset(&server, V2014, SEED).await;
    assert_eq!(all(&asset, "zoomTargetHandle"), ["zt|2"]);
    assert!(all(&asset, "imageMapHandle").is_empty(), "{asset}");
}

#[tokio::test]
async fn an_image_in_the_trash_is_not_changed_and_emptying_it_takes_its_parts() {
    let server = TestServer::in_memory().await;
    let copy = support::exchange(
        server.addr,
        &support::soap_request(support::copy_image("Parts", "").as_bytes(), SOAP_HEADERS),
    )
    .await;
    let copied = support::returned_handle(&copy);
    let saved = call(
        &server,
        "setZoomTargets",
        &format!(
            "<assetHandle>{copied}</assetHandle><zoomTargetArray>{}</zoomTargetArray>",
            zoom_target("A", 1)
        ),
    )
    .await;
    assert_eq!(all(&saved, "items"), ["zt|1"]);
    call(
        &server,
        "deleteAssets",
        &format!("<assetHandleArray><items>{copied}</items></assetHandleArray>"),
    )
    .await;
    let fields = call(
        &server,
        "batchSetImageFields",
        &format!("<updateArray><items><assetHandle>{copied}</assetHandle><userData>x</userData></items></updateArray>"),
    )
    .await;
    assert_eq!(one(&fields, "errorCount"), "1", "{fields}");
    assert!(fields.contains("is in the trash"), "{fields}");
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><deleteZoomTargetParam xmlns="{V2008}"><companyHandle>c|6</companyHandle><zoomTargetHandle>zt|1</zoomTargetHandle></deleteZoomTargetParam></soapenv:Body></soapenv:Envelope>"#
    );
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"deleteZoomTarget\""),
    ];
    let refused = support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(refused.status, 500);
    assert!(
        refused.text().contains("30001") && refused.text().contains("in the trash"),
        "{}",
        refused.text()
    );

    call(
        &server,
        "emptyAssetsFromTrash",
        &format!("<assetHandleArray><items>{copied}</items></assetHandleArray>"),
    )
    .await;
    // The target went with its image: its handle names nothing now.
    let gone = support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert!(gone.text().contains("was not found"), "{}", gone.text());
}
