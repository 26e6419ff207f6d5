//! Property sets end to end: a set created, read, updated (merged and
//! replaced) and deleted, with handles that do not come back; and the
//! maintenance flow that finds the company's CDN invalidation template
//! through the application-settings type and purges a URL built from it.

use crate::support::{self, TestServer};

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
const NS_2014: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
const ADMIN: &str = "companyadmin@ips.test";

async fn call(server: &TestServer, user: &str, ns: &str, op: &str, body: &str) -> support::Response {
    let envelope = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>{user}</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><{op}Param xmlns="{ns}">{body}</{op}Param></soapenv:Body></soapenv:Envelope>"#
    );
    let action = format!("\"{op}\"");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", action.as_str()),
    ];
    support::exchange(server.addr, &support::soap_request(envelope.as_bytes(), &headers)).await
}

/// Calls `op` and expects a reply, not a fault.
async fn ok(server: &TestServer, user: &str, op: &str, body: &str) -> String {
    let resp = call(server, user, NS, op, body).await;
    assert_eq!(resp.status, 200, "{op}: {}", resp.text());
    resp.text()
}

/// The text of every `<element>`, in order, with the XML escapes undone.
fn all(text: &str, element: &str) -> Vec<String> {
    let open = format!("<{element}>");
    text.match_indices(&open)
        .map(|(i, _)| {
            let start = i + open.len();
            let raw = text[start..].split('<').next().unwrap_or_default();
            raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        })
        .collect()
}

fn property_array(pairs: &[(&str, &str)]) -> String {
    let items: String = pairs
        .iter()
        .map(|(n, v)| format!("<items><name>{n}</name><value>{v}</value></items>"))
        .collect();
    format!("<propertyArray>{items}</propertyArray>")
}

/// The `(name, value)` pairs of the one set `getPropertySets` lists for
/// `owner`.
async fn properties_of(server: &TestServer, owner: &str, type_handle: &str) -> Vec<(String, String)> {
    let text = ok(
        server,
        ADMIN,
        "getPropertySets",
        &format!("<typeHandle>{type_handle}</typeHandle><primaryOwnerHandle>{owner}</primaryOwnerHandle>"),
    )
    .await;
    assert_eq!(all(&text, "setHandle").len(), 1, "{text}");
    all(&text, "name").into_iter().zip(all(&text, "value")).collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn a_set_is_created_read_merged_replaced_and_deleted() {
    let server = TestServer::in_memory().await;
    // The company admin's own settings: a user-owned set of the global
    // type, beside the company's seeded one.
    let owner = "u|2|companyadmin@ips.test";
    let created = ok(
        &server,
        ADMIN,
        "createPropertySet",
        &format!(
            "<typeHandle>pt|1</typeHandle><primaryOwnerHandle>{owner}</primaryOwnerHandle>{}",
            property_array(&[("a", "1"), ("b", "2")])
        ),
    )
    .await;
    assert_eq!(all(&created, "setHandle"), ["ps|2"]);
    assert_eq!(
        properties_of(&server, owner, "pt|1").await,
        owned(&[("a", "1"), ("b", "2")])
    );

    let merge = format!(
        "<setHandle>ps|2</setHandle>{}",
        property_array(&[("b", "20"), ("c", "3")])
    );
    ok(&server, ADMIN, "updatePropertySet", &merge).await;
    assert_eq!(
        properties_of(&server, owner, "pt|1").await,
        owned(&[("a", "1"), ("b", "20"), ("c", "3")])
    );

    let replace = format!(
        "<setHandle>ps|2</setHandle><replaceProperties>true</replaceProperties>{}",
        property_array(&[("z", "26")])
    );
    ok(&server, ADMIN, "updatePropertySet", &replace).await;
    assert_eq!(properties_of(&server, owner, "pt|1").await, owned(&[("z", "26")]));

    // The company's seeded set is untouched.
    let company = properties_of(&server, "c|6", "pt|1").await;
    assert_eq!(company[0].0, "application_cdn_invalidation_template");

    ok(&server, ADMIN, "deletePropertySet", "<setHandle>ps|2</setHandle>").await;
    let gone = call(&server, ADMIN, NS, "deletePropertySet", "<setHandle>ps|2</setHandle>").await;
    assert_eq!(support::fault_code(&gone), Some(30001), "{}", gone.text());
    let listed = ok(
        &server,
        ADMIN,
        "getPropertySets",
        &format!("<typeHandle>pt|1</typeHandle><primaryOwnerHandle>{owner}</primaryOwnerHandle>"),
    )
    .await;
    assert!(all(&listed, "setHandle").is_empty(), "{listed}");

    // A deleted set's handle is not handed out again.
    let again = ok(
        &server,
        ADMIN,
        "createPropertySet",
        &format!("<typeHandle>pt|1</typeHandle><primaryOwnerHandle>{owner}</primaryOwnerHandle><propertyArray/>"),
    )
    .await;
    assert_eq!(all(&again, "setHandle"), ["ps|3"]);
}

#[tokio::test]
async fn a_second_set_of_a_single_set_type_replaces_the_first() {
    let server = TestServer::in_memory().await;
    let body = format!(
        "<typeHandle>pt|1</typeHandle><primaryOwnerHandle>c|6</primaryOwnerHandle>{}",
        property_array(&[("x", "1")])
    );
    let created = ok(&server, ADMIN, "createPropertySet", &body).await;
    assert_eq!(all(&created, "setHandle"), ["ps|2"]);
    assert_eq!(properties_of(&server, "c|6", "pt|1").await, owned(&[("x", "1")]));
    let old = call(
        &server,
        ADMIN,
        NS,
        "updatePropertySet",
        "<setHandle>ps|1</setHandle><propertyArray/>",
    )
    .await;
    assert_eq!(support::fault_code(&old), Some(30001), "{}", old.text());
}

#[tokio::test]
async fn other_companies_sets_are_out_of_reach() {
    let server = TestServer::in_memory().await;
    let foreign = call(
        &server,
        "otheruser@ips.test",
        NS,
        "getPropertySets",
        "<typeHandle>pt|1</typeHandle><primaryOwnerHandle>c|6</primaryOwnerHandle>",
    )
    .await;
    assert_eq!(support::fault_code(&foreign), Some(20000), "{}", foreign.text());
    let own = call(
        &server,
        "otheruser@ips.test",
        NS,
        "getPropertySets",
        "<typeHandle>pt|1</typeHandle><primaryOwnerHandle>c|21</primaryOwnerHandle>",
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert!(all(&own.text(), "setHandle").is_empty());
    for op in ["updatePropertySet", "deletePropertySet"] {
        let body = if op == "updatePropertySet" {
            "<setHandle>ps|1</setHandle><propertyArray/>"
        } else {
            "<setHandle>ps|1</setHandle>"
        };
        let resp = call(&server, "otheruser@ips.test", NS, op, body).await;
        let code = support::fault_code(&resp);
        // otheruser is an IpsUser: deleting is refused by user type first.
        let expected = if op == "deletePropertySet" { 20003 } else { 30001 };
        assert_eq!(code, Some(expected), "{op}: {}", resp.text());
    }
    let still = properties_of(&server, "c|6", "pt|1").await;
    assert_eq!(still.len(), 1);
}

#[tokio::test]
async fn the_cdn_template_is_found_through_the_application_settings_type() {
    let server = TestServer::in_memory().await;
    // As client code does it: the global types, no company given.
    let types = ok(&server, ADMIN, "getPropertySetTypes", "").await;
    let names = all(&types, "name");
    let at = names
        .iter()
        .position(|n| n == "Adobe.SPS.ApplicationSetting")
        .unwrap_or_else(|| panic!("no application settings type: {types}"));
    let type_handle = all(&types, "typeHandle")[at].clone();

    let settings = properties_of(&server, "c|6", &type_handle).await;
    let template = settings
        .iter()
        .find(|(n, _)| n == "application_cdn_invalidation_template")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no template among {settings:?}"));
    let url = template.replace("<ID>", "macbookwin1");
    assert_eq!(url, "http://localhost:8080/is/image/ApiTestCo/macbookwin1");

    let purge = call(
        &server,
        ADMIN,
        NS_2014,
        "cdnCacheInvalidation",
        &format!("<companyHandle>c|6</companyHandle><urlArray><items>{url}</items></urlArray>"),
    )
    .await;
    assert_eq!(purge.status, 200, "{}", purge.text());
    assert_eq!(all(&purge.text(), "invalidationHandle"), ["6|1"]);

    // The same template read for another company's root ID is refused: the
    // purge checks the URL, so the template's root ID matters.
    let foreign = template
        .replace("ApiTestCo", "OtherCo")
        .replace("<ID>", "otherco-photo");
    let refused = call(
        &server,
        ADMIN,
        NS_2014,
        "cdnCacheInvalidation",
        &format!("<companyHandle>c|6</companyHandle><urlArray><items>{foreign}</items></urlArray>"),
    )
    .await;
    assert_eq!(support::fault_code(&refused), Some(30001), "{}", refused.text());
}
