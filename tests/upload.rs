//! The upload servlet, `POST /scene7/UploadFile`: files become image assets
//! that `/is/image` serves; refusals (bombs, non-images, clashes, bad
//! credentials, broken forms) answer the documented bare faults and leave
//! the catalog and the store exactly as they were.

use std::io::Write as _;

use ips_emulator::handles::AssetHandle;
use ips_emulator::store;

use crate::support::{self, TestServer};

const NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
const BOUNDARY: &str = "O9-ba7tieRtqA4QRSaVk-eDq6658SPrYfvUcJ";

/// A form part: (name, filename, content).
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// A multipart/form-data body shaped like Adobe's example (Java
/// HttpClient's headers included).
fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, data) in parts {
        let disposition = match filename {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        let (ct, cte) = match filename {
            Some(_) => ("application/octet-stream; charset=ISO-8859-1", "binary"),
            None => ("text/plain; charset=US-ASCII", "8bit"),
        };
        write!(
            out,
            "--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        )
        .expect("write");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    write!(out, "--{BOUNDARY}--\r\n").expect("write");
    out
}

async fn post_raw(server: &TestServer, content_type: &str, body: &[u8]) -> support::Response {
    let mut raw = format!(
        "POST /scene7/UploadFile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    support::exchange(server.addr, &raw).await
}

async fn post(server: &TestServer, parts: &[Part<'_>]) -> support::Response {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    post_raw(server, &content_type, &form(parts)).await
}

fn auth_as(user: &str, password: &str, extra: &str) -> String {
    format!(
        r#"
            <authHeader xmlns="{NS}">
                   <user>{user}</user>
                   <password>{password}</password>
                   <locale>en-US</locale>
                   <appName>MyUploadServletTest</appName>
                   <appVersion>1.0</appVersion>{extra}
           </authHeader>
        "#
    )
}

fn auth() -> String {
    auth_as("ipsuser@ips.test", "ips-emulator", "")
}

/// An `uploadPostParam` document for a new job.
fn start(job: &str, overwrite: bool, extra: &str) -> String {
    format!(
        r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobName>{job}</jobName>{extra}<uploadParams><overwrite>{overwrite}</overwrite><readyForPublish>true</readyForPublish><preservePublishState>true</preservePublishState><createMask>true</createMask><manualCropOptions><left>500</left><right>500</right><top>500</top><bottom>500</bottom></manualCropOptions><emailSetting>None</emailSetting></uploadParams></uploadPostParam>"#
    )
}

fn photo() -> Vec<u8> {
    support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"))
}

fn other_photo() -> Vec<u8> {
    support::read(&support::root().join("fixtures/seed/images/otherco-photo.png"))
}

/// A small PNG no seed asset has: new bytes for the store.
fn fresh_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 16, |x, y| image::Rgb([x as u8 * 8, y as u8 * 16, 99]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFF_u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid PNG header declaring 60000×60000 RGB (10.8 GB of pixels) in a
/// file of a few hundred bytes: a decompression bomb.
fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000_u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000_u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0_u8; 1 << 20]).expect("deflate");
    png_chunk(&mut out, b"IDAT", &z.finish().expect("deflate"));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// The `jobHandle` of an `uploadPostReturn`.
fn job_handle(resp: &support::Response) -> String {
    let text = resp.text();
    let start = text
        .find("<jobHandle>")
        .unwrap_or_else(|| panic!("no job handle in {text}"))
        + "<jobHandle>".len();
    let end = text[start..].find('<').expect("end") + start;
    text[start..end].to_owned()
}

fn reason(resp: &support::Response) -> String {
    let text = resp.text();
    let start = text.find(":reason>").unwrap_or_else(|| panic!("no reason in {text}")) + ":reason>".len();
    text[start..].split('<').next().unwrap_or_default().to_owned()
}

/// Catalog and store contents, to prove a refusal changed nothing.
async fn snapshot(server: &TestServer) -> (u64, Vec<String>) {
    (server.asset_count().await, server.state.store.list().expect("list"))
}

async fn get(server: &TestServer, target: &str) -> support::Response {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

#[tokio::test]
async fn a_photo_becomes_an_asset_that_image_serving_serves() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let bytes = photo();
    let params = start(
        "uploadFileServlet-1376682217351",
        false,
        "<destFolder>ApiTestCo/uploads/</destFolder>",
    );
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, params.as_bytes()),
            ("file1", Some("photo.jpg"), &bytes),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("content-type"), Some("text/xml;charset=utf-8"));
    assert_eq!(
        resp.text(),
        format!("<?xml version='1.0' encoding='UTF-8'?><uploadPostReturn xmlns=\"{NS}\"><jobHandle>j|6||uploadFileServlet-1376682217351|1</jobHandle></uploadPostReturn>")
    );

    // A new Image asset, minted from the copy counters, in the folder asked.
    let asset = server
        .state
        .catalog
        .asset_by_name("ApiTestCo".into(), "photo".into())
        .await
        .expect("query")
        .expect("the upload is in the catalog");
    assert_eq!(asset.handle().to_string(), "a|943|1|580");
    assert_eq!(
        (
            asset.folder.as_str(),
            asset.width,
            asset.height,
            asset.format.as_deref(),
            asset.byte_size
        ),
        (
            "ApiTestCo/uploads/",
            Some(640),
            Some(427),
            Some("jpeg"),
            bytes.len() as u64
        )
    );
    let (count, blobs) = snapshot(&server).await;
    assert_eq!(count, before.0 + 1);
    assert_eq!(
        blobs, before.1,
        "identical bytes are stored once: the seed already holds this photo"
    );

    // Image Serving serves exactly the uploaded bytes, and renders them.
    let got = get(&server, "/is/image/ApiTestCo/photo").await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert_eq!(got.body, bytes);
    let small = get(&server, "/is/image/ApiTestCo/photo?wid=100&fmt=png").await;
    assert_eq!(small.status, 200, "{}", small.text());
    let decoded = image::load_from_memory(&small.body).expect("png");
    assert_eq!((decoded.width(), decoded.height()), (100, 67));

    // The job continues by its handle, with its own parameters, and ends.
    let handle = job_handle(&resp);
    let png = other_photo();
    let more = format!(
        r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobHandle>{handle}</jobHandle><endJob>true</endJob></uploadPostParam>"#
    );
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, more.as_bytes()),
            ("file1", Some("ApiTestCo//second.png"), &png),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(job_handle(&resp), handle);
    let second = server
        .state
        .catalog
        .asset(6, AssetHandle::long(944, 1, 581))
        .await
        .expect("second upload");
    assert_eq!(
        (second.name.as_str(), second.folder.as_str(), second.format.as_deref()),
        ("second", "ApiTestCo/", Some("png"))
    );
    let got = get(&server, "/is/image/ApiTestCo/second").await;
    assert_eq!((got.status, got.body == png), (200, true));

    // An ended job takes no more files.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, more.as_bytes()),
        ],
    )
    .await;
    assert_eq!((resp.status, support::fault_code(&resp)), (500, Some(30001)));
    assert!(reason(&resp).contains("has ended"), "{}", resp.text());

    // A new job gets the next id.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, start("next", false, "").as_bytes()),
        ],
    )
    .await;
    assert_eq!(job_handle(&resp), "j|6||next|2");
    server.stop().await;
}

#[tokio::test]
async fn bombs_and_non_images_are_refused_and_nothing_is_stored() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let good = fresh_png();
    let bomb = png_bomb();
    assert!(bomb.len() < 4096, "the bomb is tiny: {} bytes", bomb.len());
    let cases: [(&str, &[u8], &str); 3] = [
        ("bomb.png", &bomb, "60000x60000"),
        (
            "notes.txt",
            b"just some text, certainly not an image\n",
            "not a supported image format",
        ),
        ("truncated.jpg", &photo()[..100], "unreadable image"),
    ];
    for (name, bytes, why) in cases {
        // A good file first: the request is all or nothing.
        let resp = post(
            &server,
            &[
                ("auth", None, auth().as_bytes()),
                ("uploadParams", None, start("refused", false, "").as_bytes()),
                ("file1", Some("good.png"), &good),
                ("file2", Some(name), bytes),
            ],
        )
        .await;
        assert_eq!(resp.status, 500, "{name}: {}", resp.text());
        assert_eq!(support::fault_code(&resp), Some(30001), "{name}");
        let text = resp.text();
        assert!(
            text.starts_with("<?xml version='1.0' encoding='UTF-8'?><tns:ipsApiFault xmlns:tns=\"http://www.scene7.com/IpsApi/xsd\">"),
            "{text}"
        );
        let reason = reason(&resp);
        assert!(reason.contains(name) && reason.contains(why), "{name}: {reason}");
        assert_eq!(snapshot(&server).await, before, "{name} left something behind");
    }
    // No job was recorded for the refused requests.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, start("first", false, "").as_bytes()),
        ],
    )
    .await;
    assert_eq!(job_handle(&resp), "j|6||first|1");
    server.stop().await;
}

#[tokio::test]
async fn credentials_and_fault_status_follow_the_documented_example() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let bytes = photo();
    let expected = "<?xml version='1.0' encoding='UTF-8'?><tns:authenticationFault xmlns:tns=\"http://www.scene7.com/IpsApi/xsd\"><tns:code>10001</tns:code><tns:reason>Invalid username/password</tns:reason></tns:authenticationFault>";
    for (extra, status) in [("", 500), ("\n<faultHttpStatusCode>200</faultHttpStatusCode>", 200)] {
        let wrong = auth_as("ipsuser@ips.test", "wrong", extra);
        let resp = post(
            &server,
            &[
                ("auth", None, wrong.as_bytes()),
                ("uploadParams", None, start("j", false, "").as_bytes()),
                ("file1", Some("x.jpg"), &bytes),
            ],
        )
        .await;
        assert_eq!(resp.status, status, "{extra:?}");
        assert_eq!(resp.header("content-type"), Some("text/xml;charset=utf-8"));
        assert_eq!(resp.text(), expected);
    }
    // No auth part, or one that is not an IPS authHeader: no credentials.
    for parts in [
        vec![("uploadParams", None, start("j", false, "").into_bytes())],
        vec![
            (
                "auth",
                None,
                b"<authHeader><user>ipsuser@ips.test</user></authHeader>".to_vec(),
            ),
            ("uploadParams", None, start("j", false, "").into_bytes()),
        ],
    ] {
        let parts: Vec<Part<'_>> = parts.iter().map(|(n, f, d)| (*n, *f, d.as_slice())).collect();
        let resp = post(&server, &parts).await;
        assert_eq!(
            (resp.status, support::fault_code(&resp)),
            (500, Some(10000)),
            "{}",
            resp.text()
        );
    }
    // User type and company membership, as for copyImage; the status
    // override applies to every fault once the auth part is read.
    let portal = auth_as(
        "portaluser@ips.test",
        "ips-emulator",
        "<faultHttpStatusCode>299</faultHttpStatusCode>",
    );
    let resp = post(
        &server,
        &[
            ("auth", None, portal.as_bytes()),
            ("uploadParams", None, start("j", false, "").as_bytes()),
        ],
    )
    .await;
    assert_eq!((resp.status, support::fault_code(&resp)), (299, Some(20003)));
    assert_eq!(
        reason(&resp),
        "User does not have permission to access operation 'UploadFile'"
    );
    let other = auth_as("otheruser@ips.test", "ips-emulator", "");
    let resp = post(
        &server,
        &[
            ("auth", None, other.as_bytes()),
            ("uploadParams", None, start("j", false, "").as_bytes()),
            ("file1", Some("x.jpg"), &bytes),
        ],
    )
    .await;
    assert_eq!((resp.status, support::fault_code(&resp)), (500, Some(20000)));
    assert_eq!(snapshot(&server).await, before);
    server.stop().await;
}

#[tokio::test]
async fn name_clashes_are_refused_unless_the_job_overwrites() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let png = fresh_png();
    // The seed has `macbookwin1`; names compare without regard to case.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, start("clash", false, "").as_bytes()),
            ("file1", Some("MacBookWin1.png"), &png),
        ],
    )
    .await;
    assert_eq!((resp.status, support::fault_code(&resp)), (500, Some(30000)));
    assert_eq!(reason(&resp), "Asset ID 'MacBookWin1' is already in use.");
    assert_eq!(
        snapshot(&server).await,
        before,
        "the refused file's bytes were released"
    );

    // Two files of one name in one request clash with each other too.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, start("twice", false, "").as_bytes()),
            ("file1", Some("same.png"), &png),
            ("file2", Some("same.jpg"), &photo()),
        ],
    )
    .await;
    assert_eq!(support::fault_code(&resp), Some(30000), "{}", resp.text());
    assert_eq!(snapshot(&server).await, before);

    // Overwriting keeps the asset's handle and replaces its bytes; the old
    // bytes, which nothing names any more, leave the store.
    let old_hash = store::content_hash(&photo());
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            (
                "uploadParams",
                None,
                start("overwrite", true, "<fileName>macbookwin1.png</fileName>").as_bytes(),
            ),
            ("file1", Some("anything.png"), &png),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        job_handle(&resp),
        "j|6||overwrite|1",
        "refused requests consumed no job id"
    );
    let asset = server
        .state
        .catalog
        .asset(6, AssetHandle::long(739, 1, 537))
        .await
        .expect("same handle");
    assert_eq!(
        (asset.name.as_str(), asset.format.as_deref(), asset.byte_size),
        ("macbookwin1", Some("png"), png.len() as u64)
    );
    assert_eq!(server.asset_count().await, before.0);
    let got = get(&server, "/is/image/ApiTestCo/macbookwin1").await;
    assert_eq!((got.status, got.header("content-type")), (200, Some("image/png")));
    assert!(got.body == png);
    let blobs = server.state.store.list().expect("list");
    assert!(!blobs.contains(&old_hash), "the replaced bytes were released");
    assert!(blobs.contains(&store::content_hash(&png)));

    // The refused second file above was inserted, then rolled back with its
    // request: its handle is the next new asset's.
    let resp = post(
        &server,
        &[
            ("auth", None, auth().as_bytes()),
            ("uploadParams", None, start("after", false, "").as_bytes()),
            ("file1", Some("brand-new.jpg"), &photo()),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let new = server
        .state
        .catalog
        .asset_by_name("ApiTestCo".into(), "brand-new".into())
        .await
        .expect("query")
        .expect("uploaded");
    assert_eq!(new.handle().to_string(), "a|943|1|580");
    server.stop().await;
}

#[tokio::test]
async fn unknown_folders_and_jobs_are_refused() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let bytes = photo();
    let cases: Vec<(String, &str, i32, &str)> = vec![
        (
            start("j", false, "<destFolder>nowhere/</destFolder>"),
            "x.jpg",
            30001,
            "Folder 'ApiTestCo/nowhere/' was not found",
        ),
        (start("j", false, ""), "../x.jpg", 30001, "must not contain"),
        (
            format!(
                r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobHandle>j|6||ghost|7</jobHandle></uploadPostParam>"#
            ),
            "x.jpg",
            30001,
            "was not found",
        ),
        (
            format!(
                r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobHandle>j|21||ghost|1</jobHandle></uploadPostParam>"#
            ),
            "x.jpg",
            30001,
            "was not found",
        ),
        (
            format!(r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle></uploadPostParam>"#),
            "x.jpg",
            30002,
            "'jobName'",
        ),
        (
            format!(
                r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobName>j</jobName></uploadPostParam>"#
            ),
            "x.jpg",
            30002,
            "'uploadParams'",
        ),
        ("<not-xml".to_owned(), "x.jpg", 30003, "uploadParams part"),
    ];
    for (params, filename, code, why) in cases {
        let resp = post(
            &server,
            &[
                ("auth", None, auth().as_bytes()),
                ("uploadParams", None, params.as_bytes()),
                ("file1", Some(filename), &bytes),
            ],
        )
        .await;
        assert_eq!(support::fault_code(&resp), Some(code), "{params}: {}", resp.text());
        assert!(reason(&resp).contains(why), "{params}: {}", resp.text());
    }
    assert_eq!(snapshot(&server).await, before);
    server.stop().await;
}

#[tokio::test]
async fn malformed_forms_get_a_clear_4xx() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let good = form(&[("auth", None, auth().as_bytes())]);
    let with_boundary = format!("multipart/form-data; boundary={BOUNDARY}");
    let unterminated = &good[..good.len() - 10];
    let cases: Vec<(&str, &[u8], u16, &str)> = vec![
        ("text/xml", &good, 415, "multipart/form-data"),
        ("multipart/form-data", &good, 400, "no boundary"),
        ("multipart/form-data; boundary=\"\"", &good, 400, "boundary"),
        (&with_boundary, unterminated, 400, "not terminated"),
        (
            &with_boundary,
            b"--O9-ba7tieRtqA4QRSaVk-eDq6658SPrYfvUcJ--\r\n",
            400,
            "no parts",
        ),
        (&with_boundary, b"", 400, "does not contain the boundary"),
    ];
    for (content_type, body, status, why) in cases {
        let resp = post_raw(&server, content_type, body).await;
        assert_eq!(resp.status, status, "{content_type}: {}", resp.text());
        assert!(resp.text().contains(why), "{content_type}: {}", resp.text());
    }
    let get = get(&server, "/scene7/UploadFile").await;
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    assert_eq!(snapshot(&server).await, before);
    server.stop().await;
}

/// An `uploadPostParam` document for a new job with these `uploadParams`.
fn start_with(job: &str, upload_params: &str) -> String {
    format!(
        r#"<uploadPostParam xmlns="{NS}"><companyHandle>c|6</companyHandle><jobName>{job}</jobName><uploadParams>{upload_params}</uploadParams></uploadPostParam>"#
    )
}

#[tokio::test]
async fn ready_for_publish_marks_the_files_and_preserve_publish_state_keeps_a_mark() {
    let server = TestServer::in_memory().await;
    let marked = |name: &'static str| {
        let catalog = server.state.catalog.clone();
        async move {
            catalog
                .asset_details_by_name(6, vec![name.to_owned()])
                .await
                .expect("query")
                .first()
                .expect("uploaded")
                .ready_for_publish
        }
    };
    let upload = |job: &'static str, upload_params: &'static str, name: &'static str| {
        let params = start_with(job, upload_params);
        let server = &server;
        async move {
            let resp = post(
                server,
                &[
                    ("auth", None, auth().as_bytes()),
                    ("uploadParams", None, params.as_bytes()),
                    ("file1", Some(name), &fresh_png()),
                ],
            )
            .await;
            assert_eq!(resp.status, 200, "{job}: {}", resp.text());
        }
    };
    // Scene7 marks uploads unless told not to.
    upload("default", "<overwrite>false</overwrite>", "by-default.png").await;
    assert!(marked("by-default").await);
    upload(
        "held",
        "<overwrite>false</overwrite><readyForPublish>false</readyForPublish>",
        "held.png",
    )
    .await;
    assert!(!marked("held").await);
    // Overwriting with preservePublishState keeps the asset's own mark;
    // without it, the job's mark applies.
    upload(
        "keep",
        "<overwrite>true</overwrite><readyForPublish>true</readyForPublish><preservePublishState>true</preservePublishState>",
        "held.png",
    )
    .await;
    assert!(!marked("held").await);
    upload(
        "take",
        "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>",
        "held.png",
    )
    .await;
    assert!(marked("held").await);
    server.stop().await;
}

/// An asset in the trash keeps its name: an upload of that name clashes,
/// unless its job overwrites, which brings the asset back from the trash
/// with the new bytes (the upload asked for a live asset of that name).
#[tokio::test]
async fn an_upload_onto_a_trashed_name_clashes_or_overwrites_and_restores() {
    let server = TestServer::in_memory().await;
    let handle = AssetHandle::long(739, 1, 537);
    let ipsuser = 3;
    server
        .state
        .catalog
        .delete_asset(6, handle, ipsuser)
        .await
        .expect("to the trash");
    let png = fresh_png();
    let upload = |job: &'static str, overwrite: bool| {
        let png = png.clone();
        let server = &server;
        async move {
            let params = start(job, overwrite, "");
            post(
                server,
                &[
                    ("auth", None, auth().as_bytes()),
                    ("uploadParams", None, params.as_bytes()),
                    ("file1", Some("macbookwin1.png"), &png),
                ],
            )
            .await
        }
    };
    let resp = upload("clash", false).await;
    assert_eq!(support::fault_code(&resp), Some(30000), "{}", resp.text());
    assert_eq!(get(&server, "/is/image/ApiTestCo/macbookwin1").await.status, 403);

    let resp = upload("overwrite", true).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let asset = server.state.catalog.asset(6, handle).await.expect("live again");
    assert!(!asset.in_trash);
    assert_eq!(asset.content_hash, store::content_hash(&png));
    assert_eq!(get(&server, "/is/image/ApiTestCo/macbookwin1").await.status, 200);
    server.stop().await;
}
