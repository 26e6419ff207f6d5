//! Every API version, against the schemas: each operation's success reply
//! in each version validates against that version's served XSD, and for
//! 2013-02-15 and 2014-04-03 also against Adobe's own schema; the requests
//! sent for 2013-02-15 and 2014-04-03 validate against Adobe's schema too;
//! and the contracts served for those two versions are Adobe's, operation
//! by operation, field by field.
//!
//! Adobe's schemas come from the digests in `tests/adobe/` (rebuilt as XML
//! Schemas), and also from Adobe's WSDLs themselves when they are at hand
//! (`IPS_ADOBE_WSDL_DIR`, by default `../shared/reference/wsdl`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ips_emulator::ips::contract::Version;
use ips_emulator::ips::registry;
use ips_emulator::soap::versions;
use ips_emulator::soap::wsdl::{Document, Subset};

use crate::contract::{driver, our_schemas, validate};
use crate::support::digest::Digest;
use crate::support::{self, TestServer};

/// The two versions Adobe's WSDLs are known for.
const ADOBE_VERSIONS: [Version; 2] = [Version::V2013_02_15, Version::V2014_04_03];

const NS_2008: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";

fn adobe_dir() -> PathBuf {
    let dir = std::env::var_os("IPS_ADOBE_WSDL_DIR")
        .map_or_else(|| support::root().join("../shared/reference/wsdl"), PathBuf::from);
    if dir.is_absolute() {
        dir
    } else {
        support::root().join(dir)
    }
}

/// Adobe's WSDL of `version`, when it is at hand.
fn adobe_wsdl(version: Version) -> Option<String> {
    let path = adobe_dir().join(Document::Wsdl(version).file_name());
    std::fs::read_to_string(path).ok()
}

fn digest_file(version: Version) -> PathBuf {
    support::root()
        .join("tests/adobe")
        .join(format!("IpsApi-{}.digest", version.label()))
}

/// The committed digest of Adobe's WSDL for `version`.
fn adobe_digest(version: Version) -> Digest {
    let text = String::from_utf8(support::read(&digest_file(version))).expect("utf-8");
    Digest::from_text(&text)
}

/// The digests in `tests/adobe/` are what Adobe's WSDLs say (checked, or
/// rewritten with `IPS_BLESS=1`, where the WSDLs are at hand).
#[test]
fn adobe_digests_are_adobes_wsdls() {
    for version in ADOBE_VERSIONS {
        let from_wsdl = adobe_wsdl(version).map(|wsdl| {
            let title = format!(
                "Facts of Adobe's IpsApi-{}.wsdl: operations, messages, elements and types (tests/support/digest.rs)",
                version.label()
            );
            support::digest::digest(&wsdl, &[]).to_text(&title)
        });
        if let (Some(text), Some(_)) = (&from_wsdl, std::env::var_os("IPS_BLESS")) {
            std::fs::write(digest_file(version), text).expect("bless");
        }
        let committed = adobe_digest(version);
        assert!(
            committed.types.len() > 200 && committed.operations.len() > 150,
            "{version:?}: the digest is not a whole contract"
        );
        match from_wsdl {
            Some(text) => assert!(
                Digest::from_text(&text) == committed,
                "{} differs from Adobe's WSDL (bless with IPS_BLESS=1)",
                digest_file(version).display()
            ),
            None => eprintln!(
                "note: Adobe's WSDL for {} is not in {}; the committed digest is used as it is",
                version.label(),
                adobe_dir().display()
            ),
        }
    }
}

/// Our contract's facts for `version`: its WSDL and the schemas it imports.
fn our_digest(version: Version) -> Digest {
    let subset = Subset::default();
    let wsdl = Document::Wsdl(version).generate(&subset);
    let schemas = vec![
        Document::Types(version).generate(&subset),
        Document::Common.generate(&subset),
    ];
    support::digest::digest(&wsdl, &schemas)
}

/// For the operations implemented, the 2013-02-15 and 2014-04-03 contracts
/// are Adobe's: operations, messages (with the fault and header messages),
/// the request and reply elements, every type they reach (names, types,
/// occurrence and order of every field), `authHeader` and the fault
/// elements.
#[test]
fn served_2013_and_2014_contracts_are_adobes() {
    for version in ADOBE_VERSIONS {
        let ours = our_digest(version);
        let implemented: Vec<&str> = registry::in_version(version).map(|o| o.name).collect();
        let adobe = adobe_digest(version);
        let mut theirs = adobe.restricted_to(&implemented);
        for name in [
            "ipsApiFaultException",
            "authenticationFaultException",
            "authorizationFaultException",
            "authHeader",
        ] {
            let message = adobe.messages.get(name).cloned().expect("message");
            theirs.messages.insert(name.to_owned(), message);
        }
        for key in adobe.elements.keys().filter(|(ns, _)| ns == "xsd") {
            theirs.elements.insert(key.clone(), adobe.elements[key].clone());
        }
        if let Some(header) = adobe
            .elements
            .get(&(version.label().to_owned(), "authHeader".to_owned()))
        {
            theirs
                .elements
                .insert((version.label().to_owned(), "authHeader".to_owned()), header.clone());
        }
        let mut ours_ops = ours.operations.clone();
        let mut their_ops = theirs.operations.clone();
        ours_ops.sort();
        their_ops.sort();
        assert_eq!(ours_ops, their_ops, "{version:?} operations");
        assert_eq!(ours.messages, theirs.messages, "{version:?} messages");
        let keys = |d: &Digest| d.elements.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&ours), keys(&theirs), "{version:?} elements");
        for (key, shape) in &theirs.elements {
            assert_eq!(&ours.elements[key], shape, "{version:?} element {key:?}");
        }
        assert_eq!(
            ours.types.keys().collect::<Vec<_>>(),
            theirs.types.keys().collect::<Vec<_>>(),
            "{version:?} types"
        );
        for (name, shape) in &theirs.types {
            assert_eq!(&ours.types[name], shape, "{version:?} type {name}");
        }
    }
}

/// A request template: a 2008-01-15 fixture, one per operation, and its
/// SOAPAction.
fn template(operation: &str) -> (String, String) {
    let dir = support::root().join("fixtures/soap");
    let path = if operation == "copyImage" {
        dir.join("copyImage/01-doc-example.request.xml")
    } else {
        std::fs::read_dir(dir.join("operations"))
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
                // A template is the case named by its operation alone,
                // `NN-<operation>.request.xml`, whatever its number.
                name.split_once('-').is_some_and(|(number, rest)| {
                    !number.is_empty()
                        && number.bytes().all(|b| b.is_ascii_digit())
                        && rest == format!("{operation}.request.xml")
                })
            })
            .unwrap_or_else(|| panic!("no template for {operation}"))
    };
    let body = String::from_utf8(support::read(&path)).expect("utf-8");
    (body, format!("\"{operation}\""))
}

/// The template in `version`'s namespace, with the fields that version
/// does not have taken out.
fn in_version(template: &str, version: Version) -> String {
    // A template is in the 2008-01-15 namespace, or in its operation's
    // first version's when that is later (`moveFolder`, since 2012-02-14).
    let own = Version::ALL
        .into_iter()
        .map(versions::namespace)
        .filter(|ns| ns.contains("/20"))
        .find(|ns| template.contains(&format!("\"{ns}\"")))
        .unwrap_or(NS_2008);
    let mut text = template.replace(own, versions::namespace(version));
    if version >= Version::V2012_02_14 {
        text = text
            .lines()
            .filter(|l| !l.contains("renameFiles>"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    // An image map's `enabled` came with 4.0.
    if version == Version::Pre40 {
        text = text
            .lines()
            .filter(|l| !l.contains("<enabled>"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    // The CDN purge's e-mail confirmation went with 2014-04-03.
    if version >= Version::V2014_04_03 {
        text = text
            .lines()
            .filter(|l| !l.contains("<confirmation>"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    text
}

/// What must exist before `operation`'s template can succeed: the job
/// operations' templates name job `j|6||Nightly-1|1`, the first job after
/// a reset, scheduled (or paused, for `resumeJob`; started, for
/// `getJobLogDetails`); the trash operations' templates name the seed's
/// asset, which must be in the trash; `getCdnCacheInvalidationStatus`'s an
/// invalidation; the set operations' templates a set (with a member, and
/// for `getAssociatedAssets` a derived asset too).
async fn set_up(server: &TestServer, operation: &str, version: Version) {
    let submit = |exec_time: &str| {
        in_version(
            &template("submitJob").0.replace(
                "<jobName>Nightly</jobName>",
                &format!("<jobName>Nightly</jobName>{exec_time}"),
            ),
            version,
        )
    };
    let later = submit("<execTime>2999-01-01T00:00:00Z</execTime>");
    let step = |op: &'static str| (in_version(&template(op).0, version), op);
    let steps: Vec<(String, &str)> = match operation {
        "stopJob" | "pauseJob" | "deleteJob" | "executeJob" => vec![(later, "submitJob")],
        "resumeJob" => vec![
            (later, "submitJob"),
            (in_version(&template("pauseJob").0, version), "pauseJob"),
        ],
        "getJobLogDetails" => vec![(submit(""), "submitJob")],
        // The template asks for `6|1`, the first invalidation after a reset.
        "getCdnCacheInvalidationStatus" => vec![(
            in_version(&template("cdnCacheInvalidation").0, version),
            "cdnCacheInvalidation",
        )],
        "restoreAssetsFromTrash" | "emptyAssetsFromTrash" => {
            vec![(in_version(&template("deleteAssets").0, version), "deleteAssets")]
        }
        // The set templates name `a|943|22|943` and `a|943|44|943`, the
        // first asset made after a reset.
        "setImageSetMembers" | "updateImageSet" => vec![step("createImageSet")],
        "getImageSetMembers" => vec![step("createImageSet"), step("setImageSetMembers")],
        "setAssetSetDefinition" | "updateAssetSet" => vec![step("createAssetSet")],
        "getAssociatedAssets" => vec![
            step("createImageSet"),
            step("setImageSetMembers"),
            step("createDerivedAsset"),
        ],
        // The templates name `zt|1` and `im|1`, the first after a reset.
        "deleteZoomTarget" => vec![(in_version(&template("saveZoomTarget").0, version), "saveZoomTarget")],
        "deleteImageMap" => vec![(in_version(&template("saveImageMap").0, version), "saveImageMap")],
        _ => vec![],
    };
    for (body, op) in steps {
        let action = format!("\"{op}\"");
        let resp = support::exchange(
            server.addr,
            &support::soap_request(
                body.as_bytes(),
                &[("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", &action)],
            ),
        )
        .await;
        assert_eq!(resp.status, 200, "setting up {operation}: {op}: {}", resp.text());
    }
}

async fn reset(server: &TestServer) {
    let raw = "POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(support::exchange(server.addr, raw.as_bytes()).await.status, 200);
}

/// Adobe's schemas for `version`, rebuilt from the digest, written to
/// `scratch`; and those extracted from Adobe's WSDL, when at hand.
fn adobe_drivers(scratch: &Path, version: Version) -> Vec<PathBuf> {
    let ns = versions::namespace(version);
    let mut drivers = Vec::new();
    let write = |tag: &str, schemas: Vec<(String, String)>| {
        let files: Vec<(String, PathBuf)> = schemas
            .into_iter()
            .enumerate()
            .map(|(i, (ns, text))| {
                let path = scratch.join(format!("adobe-{tag}-{}-{i}.xsd", version.label()));
                std::fs::write(&path, text).expect("write schema");
                (ns, path)
            })
            .collect();
        driver(scratch, &format!("adobe-{tag}-{}", version.label()), &files)
    };
    drivers.push(write("digest", adobe_digest(version).to_schemas(ns)));
    if let Some(wsdl) = adobe_wsdl(version) {
        drivers.push(write("wsdl", extract_schemas(&wsdl)));
    }
    drivers
}

/// The `<schema>` elements of a WSDL as standalone documents, each with the
/// namespace declarations of its ancestors.
fn extract_schemas(wsdl: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = wsdl;
    while let Some(start) = rest.find("<schema ") {
        let end = rest[start..].find("</schema>").expect("schema end") + start + "</schema>".len();
        let text = &rest[start..end];
        let ns = text
            .split("targetNamespace=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap_or_default()
            .to_owned();
        out.push((ns, format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}\n")));
        rest = &rest[end..];
    }
    assert_eq!(out.len(), 2, "a versioned and an unversioned schema");
    out
}

#[tokio::test]
async fn every_reply_in_every_version_validates() {
    let server = TestServer::in_memory().await;
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut replies: BTreeMap<Version, Vec<PathBuf>> = BTreeMap::new();
    let mut requests: BTreeMap<Version, Vec<PathBuf>> = BTreeMap::new();
    let mut sent = 0;
    for version in Version::ALL {
        for op in registry::in_version(version) {
            let (template, action) = template(op.name);
            let request = in_version(&template, version);
            reset(&server).await;
            set_up(&server, op.name, version).await;
            let resp = support::exchange(
                server.addr,
                &support::soap_request(
                    request.as_bytes(),
                    &[("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", &action)],
                ),
            )
            .await;
            let text = resp.text();
            assert!(
                resp.status == 200 && !text.contains(":Fault>"),
                "{} in {}: {} {text}",
                op.name,
                version.label(),
                resp.status
            );
            // A batch template's items must all succeed: a reply listing
            // failures would leave the success shape unchecked.
            assert!(
                !text.contains("<errorCount>") || text.contains("<errorCount>0</errorCount>"),
                "{} in {}: {text}",
                op.name,
                version.label()
            );
            assert!(text.contains(&format!(
                "<{}Return xmlns=\"{}\"",
                op.name,
                versions::namespace(version)
            )));
            let name = format!("{}-{}", version.label(), op.name);
            let reply = scratch.path().join(format!("{name}.reply.xml"));
            std::fs::write(&reply, text).expect("write");
            replies.entry(version).or_default().push(reply);
            let req = scratch.path().join(format!("{name}.request.xml"));
            std::fs::write(&req, &request).expect("write");
            requests.entry(version).or_default().push(req);
            sent += 1;
        }
    }
    assert_eq!(
        sent,
        Version::ALL
            .iter()
            .map(|v| registry::in_version(*v).count())
            .sum::<usize>()
    );
    for (version, files) in &replies {
        let schema = driver(
            scratch.path(),
            &format!("ours-{}", version.label()),
            &our_schemas(*version),
        );
        validate(
            &schema,
            files,
            &format!("{} replies against the served XSD", version.label()),
        );
        validate(
            &schema,
            &requests[version],
            &format!("{} requests against the served XSD", version.label()),
        );
    }
    for version in ADOBE_VERSIONS {
        for schema in adobe_drivers(scratch.path(), version) {
            let what = format!("{} against Adobe's schema ({})", version.label(), schema.display());
            validate(&schema, &replies[&version], &format!("replies {what}"));
            validate(&schema, &requests[&version], &format!("requests {what}"));
        }
    }
    server.stop().await;
}

/// The request fixtures in the 2013-02-15 and 2014-04-03 namespaces (and
/// the betas that speak 2014-04-03) validate against Adobe's schema.
#[test]
fn request_fixtures_of_2013_and_2014_validate_against_adobes_schema() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut by_version: BTreeMap<Version, Vec<PathBuf>> = BTreeMap::new();
    for (key, path) in crate::contract::schema_valid_fixtures() {
        if !key.ends_with(".request.xml") {
            continue;
        }
        let text = String::from_utf8(support::read(&path)).expect("utf-8");
        let Ok(root) = ips_emulator::soap::xml::parse_trusted(&text) else {
            continue;
        };
        let ns = root
            .children
            .iter()
            .find(|c| c.name == "Body")
            .and_then(|b| b.children.first())
            .and_then(|c| c.ns.clone())
            .unwrap_or_default();
        let Some(version) = versions::version_of(&ns).filter(|v| ADOBE_VERSIONS.contains(v)) else {
            continue;
        };
        let copy = scratch.path().join(key.replace('/', "-"));
        std::fs::write(&copy, text.replace(&*ns, versions::namespace(version))).expect("write");
        by_version.entry(version).or_default().push(copy);
    }
    let total: usize = by_version.values().map(Vec::len).sum();
    assert!(total >= 8, "only {total} request fixtures in 2013-02-15/2014-04-03");
    for (version, files) in by_version {
        for schema in adobe_drivers(scratch.path(), version) {
            validate(&schema, &files, &format!("{} request fixtures", version.label()));
        }
    }
}
