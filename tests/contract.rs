//! The published contract: served bytes equal the files, addresses follow the
//! request, and `xmllint` validates every schema-valid request fixture and
//! every success reply against our XSDs.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{self, TestServer};

async fn get(server: &TestServer, target: &str, host: &str) -> support::Response {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

#[tokio::test]
async fn served_documents_equal_the_files() {
    let server = TestServer::in_memory().await;
    for (target, file) in [
        (
            "/scene7/webservice/IpsApi-2008-01-15.wsdl",
            "wsdl/IpsApi-2008-01-15.wsdl",
        ),
        ("/scene7/services/IpsApiService?wsdl", "wsdl/IpsApi-2008-01-15.wsdl"),
        ("/scene7/IpsApi-2008-01-15.wsdl", "wsdl/IpsApi-2008-01-15.wsdl"),
        ("/scene7/webservice/IpsApi-2008-01-15.xsd", "xsd/IpsApi-2008-01-15.xsd"),
        ("/scene7/webservice/IpsApi.xsd", "xsd/IpsApi.xsd"),
    ] {
        let resp = get(&server, target, "localhost:8080").await;
        assert_eq!(resp.status, 200, "{target}");
        assert_eq!(
            resp.body,
            support::read(&support::root().join(file)),
            "{target} differs from {file}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn addresses_follow_the_host_and_service_url() {
    let server = TestServer::in_memory().await;
    let wsdl = get(
        &server,
        "/scene7/webservice/IpsApi-2008-01-15.wsdl",
        "emulator.test:9999",
    )
    .await
    .text();
    assert!(
        wsdl.contains(r#"location="http://emulator.test:9999/scene7/services/IpsApiService""#),
        "{wsdl}"
    );
    assert!(wsdl.contains("http://emulator.test:9999/scene7/webservice/IpsApi.xsd"));
    assert!(!wsdl.contains("localhost:8080"));
    let wsdl = get(
        &server,
        "/scene7/webservice/IpsApi-2008-01-15.wsdl?serviceUrl=http%3A%2F%2Flocalhost%3A8081",
        "h:1",
    )
    .await
    .text();
    assert!(wsdl.contains(r#"location="http://localhost:8081/scene7/services/IpsApiService""#));
    let hostile = get(&server, "/scene7/webservice/IpsApi-2008-01-15.wsdl", "x\"><evil")
        .await
        .text();
    assert!(
        !hostile.contains("<evil") && hostile.contains(&format!("http://{}/scene7/", server.addr)),
        "unusable Host falls back to the bound address"
    );
    let odd = get(
        &server,
        "/scene7/services/IpsApiService?wsdl&serviceUrl=javascript:alert(1)",
        "h:1",
    )
    .await
    .text();
    assert!(
        odd.contains(r#"location="http://h:1/scene7/services/IpsApiService""#),
        "unacceptable serviceUrl ignored"
    );
    server.stop().await;
}

fn xmllint() -> Command {
    let probe = Command::new("xmllint").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "xmllint is required (apt-get install libxml2-utils; scripts/test installs it)"
    );
    Command::new("xmllint")
}

/// Our XSDs describe the 2008-01-15 namespace; fixtures in other versioned
/// namespaces are checked with that namespace swapped in. Bodies in the
/// unversioned pre-4.0 namespace are not covered by these schemas.
fn as_2008(text: &str) -> Option<String> {
    let root = ips_emulator::soap::xml::parse(text, 1000, false).ok()?;
    let body_child = root.children.iter().find(|c| c.name == "Body")?.children.first()?;
    if body_child.ns.as_deref() == Some(ips_emulator::soap::IPS_XSD) {
        return None;
    }
    let mut out = text.to_owned();
    for v in ["2013-02-15", "2014-04-03", "2016-01-14-beta"] {
        out = out.replace(
            &format!("http://www.scene7.com/IpsApi/xsd/{v}"),
            "http://www.scene7.com/IpsApi/xsd/2008-01-15",
        );
    }
    Some(out)
}

/// Fixtures in the schema-valid groups that break the schema on purpose
/// (the fault they get is what they test).
const NOT_SCHEMA_VALID: &[&str] = &["operations/56-getFolderTree-missing-depth.request.xml"];

/// What an expected reply's `{{any}}` marker (a value that varies from run
/// to run, such as a timestamp) is validated as: a `dateTime`, which is a
/// valid `string` too.
const ANY_SAMPLE: &str = "2008-01-15T00:00:00.000Z";

#[test]
fn fixtures_validate_against_the_schemas() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut entries: Vec<(&str, PathBuf)> = Vec::new();
    for (group, dir) in [
        ("copyImage", "fixtures/soap/copyImage"),
        ("operations", "fixtures/soap/operations"),
        ("story", "fixtures/story"),
    ] {
        let dir = support::root().join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        entries.extend(paths.into_iter().map(|p| (group, p)));
    }
    for (group, path) in entries {
        let dir = path.parent().expect("in a group").to_path_buf();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if NOT_SCHEMA_VALID.contains(&format!("{group}/{name}").as_str()) {
            continue;
        }
        let is_request = name.ends_with(".request.xml");
        let is_success = name.ends_with(".response.xml")
            && std::fs::read_to_string(dir.join(name.replace(".response.xml", ".response.http")))
                .is_ok_and(|h| h.starts_with("HTTP 200"));
        if !(is_request || is_success) {
            continue;
        }
        let Some(text) = as_2008(&String::from_utf8(support::read(&path)).expect("utf-8")) else {
            continue;
        };
        let text = text.replace(ips_emulator::soap::canon::ANY, ANY_SAMPLE);
        let copy = scratch.path().join(format!("{group}-{name}"));
        std::fs::write(&copy, text).expect("write");
        files.push(copy);
    }
    assert!(files.len() > 40, "only {} files to validate", files.len());
    let out = xmllint()
        .arg("--noout")
        .arg("--schema")
        .arg(support::root().join("tests/xsd/validate.xsd"))
        .args(&files)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "xmllint rejected fixtures:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn contract_files_are_well_formed_schemas() {
    for file in [
        "wsdl/IpsApi-2008-01-15.wsdl",
        "xsd/IpsApi-2008-01-15.xsd",
        "xsd/IpsApi.xsd",
    ] {
        let out = xmllint()
            .arg("--noout")
            .arg(support::root().join(file))
            .output()
            .expect("xmllint");
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The WSDL describes exactly the operations the SOAP endpoint implements:
/// the same names in the portType and in both bindings, in the same order.
#[test]
fn the_wsdl_lists_exactly_the_implemented_operations() {
    let text = String::from_utf8(support::read(&support::root().join("wsdl/IpsApi-2008-01-15.wsdl"))).expect("utf-8");
    let root = ips_emulator::soap::xml::parse(&text, 100, false).expect("well-formed");
    let implemented: Vec<&str> = ips_emulator::ips::OperationKind::ALL.iter().map(|k| k.name()).collect();
    let mut lists = 0;
    for section in root
        .children
        .iter()
        .filter(|c| c.name == "portType" || c.name == "binding")
    {
        let names: Vec<&str> = section
            .children
            .iter()
            .filter(|c| c.name == "operation")
            .filter_map(|c| c.attr(None, "name"))
            .collect();
        assert_eq!(names, implemented, "{} {:?}", section.name, section.attr(None, "name"));
        lists += 1;
    }
    assert_eq!(lists, 3, "one portType and two bindings");
}
