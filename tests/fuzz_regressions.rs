//! What the fuzz targets (`fuzz/`, `scripts/fuzz`) once failed on stays
//! fixed: every file under `fixtures/fuzz/<target>/` is replayed through the
//! same target function the fuzzer runs, compiled here from
//! `fuzz/src/lib.rs`, without AFL. The malformed documents the `xml`
//! target found are also checked to be refused for their own reason, and
//! to be a client fault inside a real request. The checks the targets apply
//! are shown to fail where they should.

use std::path::PathBuf;

use crate::support;

#[path = "../fuzz/src/lib.rs"]
mod targets;

// The seed writer's `main` belongs to its binary and goes unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/bin/seeds.rs"]
mod seeds;

type Target = fn(&[u8]) -> targets::Outcome;

const TARGETS: &[(&str, Target)] = &[
    ("soap", targets::soap),
    ("xml", targets::xml),
    ("modifier", targets::modifier),
    ("multipart", targets::multipart),
    ("image", targets::image),
];

fn findings() -> Vec<(&'static str, Target, PathBuf)> {
    let mut out = Vec::new();
    for (name, target) in TARGETS {
        let dir = support::root().join("fixtures/fuzz").join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (*name, *target, f)));
    }
    out
}

fn key(name: &str, file: &std::path::Path) -> String {
    format!("{name}/{}", file.file_name().unwrap_or_default().to_string_lossy())
}

#[test]
fn saved_findings_stay_fixed() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, target, file) in findings() {
        ran += 1;
        let data = std::fs::read(&file).expect("read finding");
        match std::panic::catch_unwind(|| target(&data)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{}: {e}", key(name, &file))),
            Err(_) => failures.push(format!("{}: panicked", key(name, &file))),
        }
    }
    // Every xml finding and the soap one, at least.
    assert!(ran > REFUSED.len(), "only {ran} findings under fixtures/fuzz/");
    assert!(
        failures.is_empty(),
        "fuzz findings fail again:\n{}",
        failures.join("\n")
    );
}

/// The documents under `fixtures/fuzz/xml/`, found by the `xml` target,
/// and what the parser says of each: none is well-formed XML (README.md,
/// "Decisions", XML), so each must be refused for its own reason and not
/// for some other one.
const REFUSED: &[(&str, &str)] = &[
    ("attribute-repeated-by-prefix.xml", "same namespace and local name"),
    ("bare-ampersand-in-namespace.xml", "malformed or undefined reference"),
    ("cdata-end-in-text.xml", "']]>'"),
    ("char-ref-in-attribute.xml", "reference to U+0001"),
    ("dashes-in-comment.xml", "`--`"),
    ("empty-prefix-binding.xml", "bound to an empty name"),
    // The mismatched end tag's name is quoted, cut between characters.
    ("error-message-cut-inside-a-character.xml", "but `</éé"),
    ("lt-in-attribute.xml", "holds a '<'"),
];

#[test]
fn xml_findings_are_refused_for_their_reason() {
    let dir = support::root().join("fixtures/fuzz/xml");
    for (file, reason) in REFUSED {
        let text = String::from_utf8(support::read(&dir.join(file))).expect("UTF-8");
        let err = ips_emulator::soap::xml::parse(&text, 100, false).expect_err(file).0;
        assert!(err.contains(reason), "{file}: {err}");
    }
}

/// The kinds of `REFUSED`, inside a copyImage request, are the client
/// fault every syntax error is (30003, HTTP 500) with their own reason, and
/// copy nothing; and so is the UTF-16 request the `soap` target found.
#[tokio::test]
async fn malformed_requests_are_client_faults() {
    let server = support::TestServer::in_memory().await;
    let assets = server.asset_count().await;
    let envelope = support::copy_image("Copy", "");
    let mut requests: Vec<(&str, Vec<u8>)> = [
        (
            "same namespace and local name",
            "<name>",
            r#"<name xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2">"#,
        ),
        ("malformed or undefined reference", "<name>", r#"<name xmlns:p="a&b">"#),
        ("outside a CDATA section", "<name>Copy", "<name>Copy]]>"),
        ("reference to U+0001", "<name>", r#"<name a="&#1;">"#),
        ("found in a comment", "<name>Copy", "<name>Copy<!-- -- -->"),
        ("bound to an empty name", "<name>", r#"<name xmlns:p="">"#),
        ("an attribute value holds a", "<name>", r#"<name a="<">"#),
    ]
    .into_iter()
    .map(|(reason, from, to)| {
        assert!(envelope.contains(from));
        let body = envelope.replacen(from, to, 1);
        (reason, support::soap_request(body.as_bytes(), support::SOAP_HEADERS))
    })
    .collect();
    let found = support::read(&support::root().join("fixtures/fuzz/soap/utf16-error-message-cut-inside-a-character"));
    let (head, body) = found.split_at(found.windows(2).position(|w| w == b"\n\n").expect("headers") + 2);
    let head = String::from_utf8_lossy(head);
    let headers: Vec<(&str, &str)> = head.lines().filter_map(|l| l.split_once(": ")).collect();
    requests.push(("malformed XML", support::soap_request(body, &headers)));
    for (reason, raw) in requests {
        let resp = support::exchange(server.addr, &raw).await;
        let text = resp.text();
        assert_eq!(resp.status, 500, "{reason}: {text}");
        assert_eq!(support::fault_code(&resp), Some(30003), "{reason}: {text}");
        assert!(
            text.contains("<faultcode>soapenv:Client</faultcode>"),
            "{reason}: {text}"
        );
        assert!(text.contains(reason), "{reason}: {text}");
    }
    assert_eq!(server.asset_count().await, assets);
    server.stop().await;
}

/// Every target passes a fixture it is seeded from, so a target that fails
/// on everything (a broken harness) is caught here rather than as a flood
/// of findings.
#[test]
fn targets_pass_ordinary_inputs() {
    let root = support::root();
    let doc = std::fs::read(root.join("fixtures/soap/copyImage/01-doc-example.request.xml")).expect("fixture");
    let mut soap = b"Content-Type: text/xml; charset=utf-8\nSOAPAction: \"copyImage\"\n\n".to_vec();
    soap.extend_from_slice(&doc);
    let mut image = b"wid=20&fmt=png\n".to_vec();
    image.extend_from_slice(&std::fs::read(root.join("fixtures/render/gif-two-colours.png")).expect("fixture"));
    let multipart = b"multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; name=\"auth\"\r\n\r\n<x/>\r\n--b--\r\n";
    let inputs: [(&str, &[u8]); 5] = [
        ("soap", &soap),
        ("xml", &doc),
        ("modifier", b"wid=100&rotate=30&fmt=png-alpha"),
        ("multipart", multipart),
        ("image", &image),
    ];
    for ((name, target), (input_name, input)) in TARGETS.iter().zip(inputs) {
        assert_eq!(*name, input_name);
        assert_eq!(target(input), Ok(()), "{name}");
    }
}

/// The seed writer finds every file it reads (`scripts/fuzz` runs it before
/// fuzzing), and each target gets seeds its own function passes.
#[test]
fn every_target_gets_seeds() {
    let out = tempfile::tempdir().expect("temp dir");
    let counts = seeds::write_seeds(&support::root(), out.path());
    let names: Vec<&str> = counts.iter().map(|(t, _)| *t).collect();
    assert_eq!(names, TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    for ((name, target), (_, count)) in TARGETS.iter().zip(&counts) {
        assert!(*count > 0, "no {name} seeds");
        let seed = std::fs::read(out.path().join(name).join("seed-0000")).expect("a seed");
        assert_eq!(target(&seed), Ok(()), "{name}");
    }
}

/// The reply check refuses what is not well-formed XML, and takes what is.
#[test]
fn the_reply_check_tells_xml_from_not() {
    for good in [
        "<a/>",
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1\"><b>&lt;&#x41;<![CDATA[<]]></b><!--c--></a>\n",
        "<p:a xmlns:p=\"urn:x\" p:x=\"1\" x=\"2\"/>",
    ] {
        assert_eq!(targets::well_formed(good.as_bytes()), Ok(()), "{good}");
    }
    for bad in [
        "",
        "<a>",
        "<a></b>",
        "<a/><b/>",
        "text<a/>",
        "<a/>text",
        "<a>&nbsp;</a>",
        "<a>&#1;</a>",
        "<a>\u{1}</a>",
        "<a>]]></a>",
        "<p:a/>",
        "<a p:x=\"1\"/>",
        "<a x=\"1\" x=\"2\"/>",
        "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:x=\"1\" q:x=\"2\"/>",
        "<!DOCTYPE a><a/>",
        "<a/><?xml version=\"1.0\"?>",
        "<a><!-- -- --></a>",
        "<a x=\"<\"/>",
        "<a x=\"&#1;\"/>",
        "<a xmlns:p=\"\"/>",
    ] {
        assert!(targets::well_formed(bad.as_bytes()).is_err(), "{bad:?} passed");
    }
    assert!(targets::well_formed(b"<a>\xff</a>").is_err());
}
