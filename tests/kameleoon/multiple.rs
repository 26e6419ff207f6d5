//! `POST /images/multiple`: a file uploaded to several sites at once, seen
//! through IPS and Image Serving, and every refusal leaving the catalog,
//! the store and the id sequence as they were.

use std::net::SocketAddr;

use serde_json::{json, Value};

use super::{assert_error, call, ips_lookup, json_of, rate_limited, served, snapshot, token, without_date};
use crate::support::{self, exchange, Response, TestServer};

/// A PNG no seed asset has (160×107): new bytes for the store.
pub const FRESH_PNG: &str = "fixtures/rest/kameleoon/upload.png";

const BOUNDARY: &str = "kameleoon-upload-boundary";

/// One form part: name, filename, Content-Type, content.
pub type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// The `Content-Type` of the forms [`form`] writes.
pub fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A `multipart/form-data` body of these parts.
pub fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, content_type, data) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = filename {
            out.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if let Some(t) = content_type {
            out.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub fn fresh_png() -> Vec<u8> {
    support::read(&support::root().join(FRESH_PNG))
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(24, 8, |x, y| image::Rgb([x as u8 * 10, y as u8 * 30, 7]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

async fn upload(addr: SocketAddr, bearer: &str, parts: &[Part<'_>]) -> Response {
    let content_type = form_type();
    let headers = [("Authorization", bearer), ("Content-Type", content_type.as_str())];
    call(addr, "POST", "/images/multiple", &headers, &form(parts)).await
}

/// The image an upload of [`FRESH_PNG`] makes on `site` as `id`.
fn expected(addr: SocketAddr, id: i64, site: i64, name: &str, asset: &str) -> Value {
    let size = fresh_png().len() as u64;
    json!({
        "id": id, "name": name, "fileName": "wid-160.png", "format": "PNG",
        "width": 160, "height": 107, "size": size, "fileWeight": size.div_ceil(1024),
        "siteId": site, "createdById": 1, "path": format!("/is/image/ApiTestCo/{asset}"), "source": "UPLOAD",
        "sourceUrl": format!("http://{addr}/is/image/ApiTestCo/{asset}"), "shared": false,
        "tags": ["launch", "hero"], "keywords": [], "altText": "A rocket", "description": "Lift-off"
    })
}

#[tokio::test]
async fn an_upload_makes_one_image_per_site_over_one_stored_file() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let (assets, files) = snapshot(&server).await;
    let png = fresh_png();
    let args =
        br#"{"siteIds":[1,3],"name":"hero","altText":"A rocket","description":"Lift-off","tags":["launch","hero"]}"#;
    let resp = upload(
        addr,
        &bearer,
        &[
            ("image-to-upload", Some("wid-160.png"), Some("image/png"), &png),
            ("arg0", None, Some("application/json"), args),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(resp
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let made: Vec<Value> = json_of(&resp)
        .as_array()
        .expect("array")
        .iter()
        .cloned()
        .map(without_date)
        .collect();
    assert_eq!(
        made,
        [
            expected(addr, 1002, 1, "hero", "hero-1002"),
            expected(addr, 1003, 3, "hero", "hero-1003")
        ]
    );
    // Two assets, one stored file: the bytes are shared.
    assert_eq!(snapshot(&server).await, (assets + 2, files + 1));
    // Each is an IPS asset in its site's folder.
    let first = ips_lookup(addr, "hero-1002").await;
    assert!(first.contains("<folder>ApiTestCo/</folder>"), "{first}");
    let second = ips_lookup(addr, "hero-1003").await;
    assert!(second.contains("<folder>ApiTestCo/uploads/</folder>"), "{second}");
    // Image Serving serves the uploaded bytes.
    let image = served(addr, "/is/image/ApiTestCo/hero-1003").await;
    assert_eq!(image.status, 200);
    assert_eq!(image.body, png);
    // The API reads and lists them.
    let auth = [("Authorization", bearer.as_str())];
    let again = call(addr, "GET", "/images/1003", &auth, b"").await;
    assert_eq!(without_date(json_of(&again)), made[1]);
    let list = json_of(&call(addr, "GET", "/images", &auth, b"").await);
    let ids: Vec<i64> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [1001, 1002, 1003]);
    server.stop().await;
}

#[tokio::test]
async fn several_files_are_named_by_their_file_names_file_by_file() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let (assets, files) = snapshot(&server).await;
    let png = fresh_png();
    let gif = encoded(image::ImageFormat::Gif);
    let resp = upload(
        addr,
        &bearer,
        &[
            ("arg0", Some("blob"), Some("application/json"), br#"{"siteIds":[3,1]}"#),
            ("image-to-upload", Some("C:\\photos\\wid-160.png"), None, &png),
            ("image-to-upload", Some("two.gif"), Some("image/gif"), &gif),
        ],
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let made = json_of(&resp);
    let summary: Vec<(i64, i64, &str, &str, &str)> = made
        .as_array()
        .expect("array")
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().expect("id"),
                i["siteId"].as_i64().expect("site"),
                i["name"].as_str().expect("name"),
                i["fileName"].as_str().expect("fileName"),
                i["format"].as_str().expect("format"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1002, 3, "wid-160", "wid-160.png", "PNG"),
            (1003, 1, "wid-160", "wid-160.png", "PNG"),
            (1004, 3, "two", "two.gif", "GIF"),
            (1005, 1, "two", "two.gif", "GIF"),
        ]
    );
    assert_eq!(
        (made[2]["width"].as_u64(), made[2]["height"].as_u64()),
        (Some(24), Some(8))
    );
    assert_eq!(made[0]["tags"], json!([]));
    assert_eq!(snapshot(&server).await, (assets + 4, files + 2));
    server.stop().await;
}

/// A refused upload: its parts (or a whole raw body and Content-Type), and
/// the status expected.
struct Refusal<'a> {
    what: &'a str,
    content_type: Option<String>,
    body: Vec<u8>,
    status: u16,
}

fn refusal<'a>(what: &'a str, parts: &[Part<'_>], status: u16) -> Refusal<'a> {
    Refusal {
        what,
        content_type: Some(form_type()),
        body: form(parts),
        status,
    }
}

#[tokio::test]
async fn refused_uploads_change_nothing() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let before = snapshot(&server).await;
    let png = fresh_png();
    let file: Part<'_> = ("image-to-upload", Some("wid-160.png"), Some("image/png"), &png);
    let args = |json: &'static str| -> Part<'static> { ("arg0", None, None, json.as_bytes()) };
    let site1 = args(r#"{"siteIds":[1]}"#);
    let text = b"this is not an image".to_vec();
    let oversized = vec![0_u8; 5_242_881];
    let tiff = encoded(image::ImageFormat::Tiff);
    let cases = vec![
        refusal("another client's site", &[file, args(r#"{"siteIds":[1,2]}"#)], 403),
        refusal("an unknown site", &[file, args(r#"{"siteIds":[77]}"#)], 403),
        refusal("no arg0", &[file], 400),
        refusal("arg0 not JSON", &[file, args(r#"{"siteIds":[1]"#)], 400),
        refusal("arg0 without siteIds", &[file, args(r#"{"name":"x"}"#)], 400),
        refusal(
            "an unknown field",
            &[file, args(r#"{"siteIds":[1],"keywords":[]}"#)],
            400,
        ),
        refusal("a wrongly typed site", &[file, args(r#"{"siteIds":["1"]}"#)], 400),
        refusal("no sites", &[file, args(r#"{"siteIds":[]}"#)], 400),
        refusal("a repeated site", &[file, args(r#"{"siteIds":[1,1]}"#)], 400),
        refusal("no file", &[site1], 400),
        refusal(
            "a file without a filename",
            &[("image-to-upload", None, None, &png), site1],
            400,
        ),
        refusal("an unknown part", &[file, site1, ("extra", None, None, b"x")], 400),
        refusal("arg0 twice", &[file, site1, site1], 400),
        refusal("a blank name", &[file, args(r#"{"siteIds":[1],"name":" "}"#)], 422),
        refusal(
            "not an image",
            &[("image-to-upload", Some("a.png"), None, &text), site1],
            422,
        ),
        refusal(
            "over 5,242,880 bytes",
            &[("image-to-upload", Some("big.png"), None, &oversized), site1],
            422,
        ),
        refusal("a TIFF", &[("image-to-upload", Some("a.tif"), None, &tiff), site1], 422),
        refusal(
            "an empty file",
            &[("image-to-upload", Some("a.png"), None, b""), site1],
            422,
        ),
        Refusal {
            what: "a JSON body",
            content_type: Some("application/json".into()),
            body: br#"{"siteIds":[1]}"#.to_vec(),
            status: 400,
        },
        Refusal {
            what: "a malformed form",
            content_type: Some(form_type()),
            body: b"--kameleoon-upload-boundary\r\nno headers end here".to_vec(),
            status: 400,
        },
    ];
    for case in cases {
        let mut headers = vec![("Authorization", bearer.as_str())];
        if let Some(t) = &case.content_type {
            headers.push(("Content-Type", t.as_str()));
        }
        let resp = call(addr, "POST", "/images/multiple", &headers, &case.body).await;
        assert_error(&resp, case.status);
        assert_eq!(snapshot(&server).await, before, "{} changed something", case.what);
    }
    let png_form = form(&[file, site1]);
    let content_type = form_type();
    for bearer in [None, Some("Bearer x.y.z")] {
        let mut headers = vec![("Content-Type", content_type.as_str())];
        headers.extend(bearer.map(|b| ("Authorization", b)));
        assert_error(&call(addr, "POST", "/images/multiple", &headers, &png_form).await, 401);
    }
    let wrong_method = call(addr, "PUT", "/images/multiple", &[("Authorization", &bearer)], b"").await;
    assert_error(&wrong_method, 405);
    assert_eq!(snapshot(&server).await, before);
    // No id was used up: the next image is 1002.
    let resp = upload(addr, &bearer, &[file, site1]).await;
    assert_eq!(json_of(&resp)[0]["id"], 1002, "{}", resp.text());
    server.stop().await;
}

/// A site whose folder IPS deleted is refused by the catalog, after the
/// file was stored: the file is released again, and nothing stays.
#[tokio::test]
async fn a_site_without_its_folder_is_refused_and_the_stored_file_released() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let envelope = include_str!("../../fixtures/soap/operations/07-deleteFolder.request.xml");
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"deleteFolder\""),
    ];
    let deleted = exchange(addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let before = snapshot(&server).await;
    let png = fresh_png();
    let resp = upload(
        addr,
        &bearer,
        &[
            ("image-to-upload", Some("wid-160.png"), None, &png),
            ("arg0", None, None, br#"{"siteIds":[1,3]}"#),
        ],
    )
    .await;
    assert_error(&resp, 422);
    assert_eq!(snapshot(&server).await, before, "no asset, no stored file");
    let id = json_of(
        &upload(
            addr,
            &bearer,
            &[
                ("image-to-upload", Some("wid-160.png"), None, &png),
                ("arg0", None, None, br#"{"siteIds":[1]}"#),
            ],
        )
        .await,
    )[0]["id"]
        .clone();
    assert_eq!(id, 1002, "no id was used up");
    server.stop().await;
}

/// An upload counts against the client's rate limit like any request.
#[tokio::test]
async fn uploads_count_against_the_rate_limit() {
    let (server, bearer) = rate_limited(1).await;
    let addr = server.addr;
    let png = fresh_png();
    let parts: [Part<'_>; 2] = [
        ("image-to-upload", Some("wid-160.png"), None, &png),
        ("arg0", None, None, br#"{"siteIds":[1]}"#),
    ];
    assert_eq!(upload(addr, &bearer, &parts).await.status, 200);
    let before = snapshot(&server).await;
    let over = upload(addr, &bearer, &parts).await;
    assert_error(&over, 429);
    assert_eq!(snapshot(&server).await, before, "a refused upload stores nothing");
    server.stop().await;
}
