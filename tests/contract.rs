//! The published contract of every version: the served documents equal the
//! files in `wsdl/` and `xsd/` (`IPS_BLESS=1` rewrites them from the
//! registry), every URL a client loads them from works, addresses follow
//! the request, subsets describe what they say, and `xmllint` compiles
//! every schema and validates every schema-valid fixture against the
//! schema of its own version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ips_emulator::ips::contract::Version;
use ips_emulator::ips::registry;
use ips_emulator::soap::versions;
use ips_emulator::soap::wsdl::{Document, Subset};

use crate::support::{self, TestServer};

pub async fn get(server: &TestServer, target: &str, host: &str) -> support::Response {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

fn file_of(doc: Document) -> PathBuf {
    support::root().join(doc.dir()).join(doc.file_name())
}

fn blessing() -> bool {
    std::env::var_os("IPS_BLESS").is_some()
}

#[tokio::test]
async fn served_documents_equal_the_files() {
    let server = TestServer::in_memory().await;
    for doc in Document::all() {
        let target = format!("/scene7/webservice/{}", doc.file_name());
        let resp = get(&server, &target, "localhost:8080").await;
        assert_eq!(resp.status, 200, "{target}");
        let file = file_of(doc);
        if blessing() {
            std::fs::write(&file, &resp.body).expect("bless");
        }
        assert!(
            resp.body == support::read(&file),
            "{target} differs from {} (bless with IPS_BLESS=1 after review)",
            file.display()
        );
    }
    let kept: Vec<_> = ["wsdl", "xsd"]
        .iter()
        .flat_map(|d| std::fs::read_dir(support::root().join(d)).expect("dir"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        kept.len(),
        Document::all().len(),
        "stale files in wsdl/ or xsd/: {kept:?}"
    );
    server.stop().await;
}

/// Every URL real clients load a WSDL from.
#[tokio::test]
async fn every_wsdl_url_clients_use_is_served() {
    let server = TestServer::in_memory().await;
    let latest = String::from_utf8(support::read(&file_of(Document::Wsdl(Version::LATEST)))).expect("utf-8");
    for target in [
        "/scene7/services/IpsApiService?wsdl",
        "/scene7/services/IpsApiService?WSDL",
        "/scene7/IpsApi-2014-04-03.wsdl",
        "/scene7/webservice/IpsApi-2014-04-03.wsdl",
    ] {
        let resp = get(&server, target, "localhost:8080").await;
        assert!(
            resp.status == 200 && resp.text() == latest,
            "{target} is not the latest WSDL"
        );
    }
    for v in Version::ALL {
        let name = Document::Wsdl(v).file_name();
        for target in [format!("/scene7/webservice/{name}"), format!("/scene7/{name}")] {
            let resp = get(&server, &target, "localhost:8080").await;
            assert_eq!(resp.status, 200, "{target}");
            assert!(resp.text().contains(versions::namespace(v)), "{target}");
        }
    }
    for missing in ["/scene7/webservice/IpsApi-2023-01-15.wsdl", "/scene7/IpsApi.xsd"] {
        assert_eq!(get(&server, missing, "localhost:8080").await.status, 404, "{missing}");
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

/// `?operations=` narrows the WSDL and, through the import it carries, the
/// schema to the named operations and the types they reach;
/// `?bindings=soap11` drops the SOAP 1.2 binding and port.
#[tokio::test]
async fn subsets_describe_only_what_they_name() {
    let server = TestServer::in_memory().await;
    let wsdl = get(
        &server,
        "/scene7/webservice/IpsApi-2014-04-03.wsdl?operations=copyImage&bindings=soap11",
        "localhost:8080",
    )
    .await;
    assert_eq!(wsdl.status, 200);
    let wsdl = wsdl.text();
    assert!(wsdl.contains("IpsApi-2014-04-03.xsd?operations=copyImage"), "{wsdl}");
    assert!(!wsdl.contains("soap12:") || !wsdl.contains("IpsApiSoap12Port"));
    assert!(!wsdl.contains("IpsApiServiceSoap12Binding"));
    let ops: Vec<_> = wsdl.matches("<operation name=").collect();
    assert_eq!(ops.len(), 2, "one in the port type, one in the binding");
    let xsd = get(
        &server,
        "/scene7/webservice/IpsApi-2014-04-03.xsd?operations=copyImage",
        "h",
    )
    .await
    .text();
    assert!(
        xsd.contains("copyImageParam") && !xsd.contains("complexType name="),
        "{xsd}"
    );
    let xsd = get(
        &server,
        "/scene7/webservice/IpsApi-2014-04-03.xsd?operations=getFolderTree",
        "h",
    )
    .await
    .text();
    assert!(
        xsd.contains("name=\"Folder\"") && !xsd.contains("name=\"Asset\""),
        "{xsd}"
    );
    for bad in [
        "/scene7/webservice/IpsApi-2014-04-03.wsdl?operations=noSuchOperation",
        "/scene7/webservice/IpsApi-2014-04-03.wsdl?bindings=soap12",
        "/scene7/webservice/IpsApi.wsdl?operations=copyImage",
    ] {
        let resp = get(&server, bad, "h").await;
        assert_eq!(resp.status, 400, "{bad}: {}", resp.text());
    }
    server.stop().await;
}

pub fn xmllint() -> Command {
    let probe = Command::new("xmllint").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "xmllint is required (apt-get install libxml2-utils; scripts/test installs it)"
    );
    Command::new("xmllint")
}

/// A driver schema for `xmllint --schema`: the SOAP envelopes and the given
/// (namespace, schema file) pairs, so a whole envelope validates, its Body
/// child strictly.
pub fn driver(scratch: &Path, name: &str, schemas: &[(String, PathBuf)]) -> PathBuf {
    let xsd_dir = support::root().join("tests/xsd");
    let mut imports = vec![
        (
            "http://schemas.xmlsoap.org/soap/envelope/".to_owned(),
            xsd_dir.join("soap11-envelope.xsd"),
        ),
        (
            "http://www.w3.org/2003/05/soap-envelope".to_owned(),
            xsd_dir.join("soap12-envelope.xsd"),
        ),
    ];
    imports.extend(schemas.iter().cloned());
    let body: String = imports
        .iter()
        .map(|(ns, path)| {
            format!(
                "  <xsd:import namespace=\"{ns}\" schemaLocation=\"file://{}\"/>\n",
                path.display()
            )
        })
        .collect();
    let path = scratch.join(format!("{name}.xsd"));
    std::fs::write(
        &path,
        format!("<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n{body}</xsd:schema>\n"),
    )
    .expect("write driver");
    path
}

/// The served schemas of `version`, as (namespace, file).
pub fn our_schemas(version: Version) -> Vec<(String, PathBuf)> {
    match version {
        Version::Pre40 => vec![(versions::IPS_XSD.to_owned(), file_of(Document::Pre40Types))],
        v => vec![
            (versions::namespace(v).to_owned(), file_of(Document::Types(v))),
            (versions::IPS_XSD.to_owned(), file_of(Document::Common)),
        ],
    }
}

/// Runs xmllint over `files` with `schema`; panics with its complaints.
pub fn validate(schema: &Path, files: &[PathBuf], what: &str) {
    if files.is_empty() {
        return;
    }
    let out = xmllint()
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "xmllint rejected {what}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn contract_files_are_well_formed_and_schemas_compile() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for doc in Document::all() {
        let out = xmllint().arg("--noout").arg(file_of(doc)).output().expect("xmllint");
        assert!(
            out.status.success(),
            "{doc:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for v in Version::ALL {
        let schema = driver(scratch.path(), v.label(), &our_schemas(v));
        let probe = scratch.path().join("probe.xml");
        std::fs::write(&probe, "<probe/>").expect("write");
        let out = xmllint()
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&probe)
            .output()
            .expect("xmllint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("No matching global declaration") && !stderr.contains("failed to compile"),
            "{v:?}: the schemas do not compile:\n{stderr}"
        );
    }
}

/// Fixtures in the schema-valid groups that break the schema on purpose
/// (the fault they get is what they test), or call an operation their
/// version does not have.
pub const NOT_SCHEMA_VALID: &[&str] = &[
    "operations/56-getFolderTree-missing-depth.request.xml",
    "operations/105-emptyAssetsFromTrash-missing-array.request.xml",
    "copyImage/70-ns-unversioned-not-in-pre40.request.xml",
    "versions/08-renameAsset-2013-02-15-renameFiles-gone.request.xml",
    "versions/12-getAssetsByName-pre40-not-in-version.request.xml",
    "versions/16-getUserInfo-2014-04-03-header-without-app.request.xml",
    "versions/18-renameAsset-pre40-renameFiles-required.request.xml",
    "versions/20-setAssetsPublishState-pre40-not-in-version.request.xml",
    "versions/21-setAssetPublishState-2009-07-31-no-contexts.request.xml",
    "versions/22-submitJob-exportJob-2008-01-15-not-in-version.request.xml",
    "operations/123-moveFolder-2008-01-15-not-in-version.request.xml",
    "operations/125-checkAssetNames-pre40-not-in-version.request.xml",
    "operations/154-searchAssetsByMetadata-2008-01-15-not-in-version.request.xml",
    "operations/158-batchSetAssetMetadata-pre40-not-in-version.request.xml",
    "operations/129-cdnCacheInvalidation-empty-url-array.request.xml",
    "operations/132-cdnCacheInvalidation-too-many-urls.request.xml",
    "operations/134-getAssetCounts-pre40-not-in-version.request.xml",
    "operations/203-createImageSet-missing-type.request.xml",
    "operations/204-createImageSet-pre40-thumb-not-in-version.request.xml",
    "operations/205-updateAssetSet-2009-07-31-not-in-version.request.xml",
    "versions/23-restoreAssetsFromTrash-pre40-not-in-version.request.xml",
    "operations/180-getPropertySets-pre40-not-in-version.request.xml",
    "operations/213-batchSetImageFields-missing-array.request.xml",
    "operations/216-batchSetThumbAsset-2008-01-15-not-in-version.request.xml",
];

/// What an expected reply's `{{any}}` marker (a value that varies from run
/// to run, such as a timestamp) is validated as: a `dateTime`, which is a
/// valid `string` too.
const ANY_SAMPLE: &str = "2008-01-15T00:00:00.000Z";

/// The version a fixture's Body element speaks, and the fixture with a
/// beta or interim namespace replaced by its version's own.
fn as_version(text: &str) -> Option<(Version, String)> {
    let root = ips_emulator::soap::xml::parse_trusted(text).ok()?;
    let body_child = root.children.iter().find(|c| c.name == "Body")?.children.first()?;
    let ns = body_child.ns.clone()?;
    let version = versions::version_of(&ns)?;
    Some((version, text.replace(&*ns, versions::namespace(version))))
}

/// The request and success-reply fixtures of the schema-valid groups.
pub fn schema_valid_fixtures() -> Vec<(String, PathBuf)> {
    let mut entries = Vec::new();
    for (group, dir) in [
        ("copyImage", "fixtures/soap/copyImage"),
        ("operations", "fixtures/soap/operations"),
        ("versions", "fixtures/soap/versions"),
        ("story", "fixtures/story"),
        ("metadata", "fixtures/metadata"),
        ("jobs/1", "fixtures/jobs/1-ingest-publish"),
        ("jobs/2", "fixtures/jobs/2-export"),
        ("jobs/3", "fixtures/jobs/3-bad-sources"),
        ("jobs/4", "fixtures/jobs/4-reprocess-audit"),
    ] {
        let dir = support::root().join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            // A story's GET (an image, an archive) has an empty request.
            let is_request = name.ends_with(".request.xml") && !support::read(&path).is_empty();
            // A fault can be sent with 200 too (faultHttpStatusCode).
            let is_success = name.ends_with(".response.xml")
                && std::fs::read_to_string(dir.join(name.replace(".response.xml", ".response.http")))
                    .is_ok_and(|h| h.starts_with("HTTP 200"))
                && !String::from_utf8_lossy(&support::read(&path)).contains(":Fault>");
            let key = format!("{group}/{name}");
            if (is_request || is_success) && !NOT_SCHEMA_VALID.contains(&key.as_str()) {
                entries.push((key, path));
            }
        }
    }
    entries
}

#[test]
fn fixtures_validate_against_the_schemas_of_their_version() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut by_version: BTreeMap<Version, Vec<PathBuf>> = BTreeMap::new();
    for (key, path) in schema_valid_fixtures() {
        let text = String::from_utf8(support::read(&path)).expect("utf-8");
        let Some((version, text)) = as_version(&text) else {
            panic!("{key}: no IPS request or reply in a known namespace");
        };
        let copy = scratch.path().join(key.replace('/', "-"));
        std::fs::write(&copy, text.replace(ips_emulator::soap::canon::ANY, ANY_SAMPLE)).expect("write");
        by_version.entry(version).or_default().push(copy);
    }
    let total: usize = by_version.values().map(Vec::len).sum();
    assert!(total > 100, "only {total} files to validate");
    for (version, files) in by_version {
        let schema = driver(scratch.path(), version.label(), &our_schemas(version));
        validate(&schema, &files, &format!("{} fixtures", version.label()));
    }
}

/// Each version's WSDL describes exactly the operations the emulator
/// implements in that version: the same names in the port type and in both
/// bindings, in registry order.
#[test]
fn each_wsdl_lists_exactly_the_operations_of_its_version() {
    for v in Version::ALL {
        let text = Document::Wsdl(v).generate(&Subset::default());
        let root = ips_emulator::soap::xml::parse_trusted(&text).expect("well-formed");
        let implemented: Vec<&str> = registry::in_version(v).map(|o| o.name).collect();
        assert!(implemented.len() >= 13, "{v:?}");
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
            assert_eq!(
                names,
                implemented,
                "{v:?} {} {:?}",
                section.name,
                section.attr(None, "name")
            );
            lists += 1;
        }
        assert_eq!(lists, 3, "one portType and two bindings");
    }
    let pre40: Vec<&str> = registry::in_version(Version::Pre40).map(|o| o.name).collect();
    for later in [
        "copyImage",
        "moveAssets",
        "deleteAssets",
        "setUrlModifier",
        "replaceImage",
        "getAssetsByName",
        "setAssetsPublishState",
    ] {
        assert!(!pre40.contains(&later), "{later} came with 4.0");
    }
    assert!(
        pre40.contains(&"setAssetPublishState"),
        "setAssetPublishState came with 3.8"
    );
}
