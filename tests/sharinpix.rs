//! SharinPix's API over real HTTP: the source documents' two duplicate
//! requests as they show them (the token re-signed with the demo secret and
//! the same claims, its times moved to now), the copies seen through IPS and
//! Image Serving, reads, albums, deletes, imports by URL, every refusal
//! leaving the catalog and the store as they were, and a reset.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::kameleoon::{call, json_of};
use crate::support::{self, exchange, Response, TestServer};

const PHOTO: &str = "4c4401c9-9cb1-4c50-b15e-b171de99af5e";
const ALBUM: &str = "00100000123BB124";
const FIVE: &str = "00100000123BB44";
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

/// A token for `claims` (without `iss`, as the documents' tokens are).
fn token(claims: Value) -> String {
    ips_emulator::sharinpix::mint(&claims.to_string(), None, "ips-emulator").expect("token")
}

fn header(token: &str) -> String {
    format!("Token token=\"{token}\"")
}

/// The image duplicate document's claims: one ability on the album.
fn duplicate_claims() -> Value {
    json!({"exp": now() + 14_400, "iat": now(), "user_id": "4ed6737b-fdec-499a-a1e2-92a027c079f6",
           "abilities": {ALBUM: {"Access": {"image_duplicate": true}}}})
}

/// The album duplicate document's claims: no abilities at all.
fn user_claims() -> Value {
    json!({"exp": now() + 14_400, "iat": now(), "user_id": "9ed26283-3299-4a05-b9d6-e34278fbd416", "abilities": {}})
}

fn admin() -> String {
    header(&ips_emulator::sharinpix::mint(r#"{"admin":true}"#, Some("sharinpix-demo"), "ips-emulator").expect("token"))
}

/// The fields SharinPix's image object has, in the documents.
const IMAGE_FIELDS: &[&str] = &[
    "id",
    "public_id",
    "infos",
    "exifs",
    "gps",
    "gps_ip",
    "gps_exifs",
    "gps_html",
    "created_at",
    "updated_at",
    "taken_at",
    "width",
    "height",
    "rotation",
    "crop_x",
    "crop_y",
    "crop_w",
    "crop_h",
    "metadatas",
    "original_url",
    "original_width",
    "original_height",
    "external_urls",
    "filename",
    "format",
    "title",
    "description",
    "page",
    "group_id",
    "color",
    "size",
    "processed",
    "processing_error",
    "album_id",
    "thumbnails",
];

fn assert_image_shape(image: &Value) {
    let mut keys: Vec<&str> = image.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = IMAGE_FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want, "{image}");
    for k in ["original", "full_no_sharinpix", "full", "large", "mini"] {
        assert!(image["thumbnails"][k].is_string(), "{image}");
    }
    for k in ["fill100", "fit2000", "mini", "large", "full"] {
        assert!(image["external_urls"][k].is_string(), "{image}");
    }
    assert_eq!(image["id"], image["public_id"]);
}

fn assert_sharinpix_headers(resp: &Response, token: &str) {
    assert_eq!(resp.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(resp.header("cache-control"), Some("no-cache, no-store"));
    assert_eq!(resp.header("x-token"), Some(token));
}

async fn snapshot(server: &TestServer) -> (u64, usize) {
    (
        server.asset_count().await,
        server.state.store.list().expect("list").len(),
    )
}

/// GETs an absolute URL the server handed out, on the server.
async fn get_url(addr: SocketAddr, url: &str) -> Response {
    let path = url
        .strip_prefix(&format!("http://{addr}"))
        .expect("a URL on the server");
    call(addr, "GET", path, &[], b"").await
}

#[tokio::test]
async fn the_documents_image_duplicate_gives_a_copy_ips_and_image_serving_see() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let (assets, files) = snapshot(&server).await;
    let t = token(duplicate_claims());
    let auth = header(&t);
    let path = format!("/api/v1/images/{PHOTO}/duplicate");
    let resp = call(addr, "POST", &path, &[("Authorization", &auth), FORM], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_sharinpix_headers(&resp, &t);
    let copy = json_of(&resp);
    assert_image_shape(&copy);
    assert_eq!(copy["group_id"], PHOTO);
    assert_eq!(copy["album_id"], ALBUM);
    assert_eq!(copy["filename"], "Super Image");
    assert_eq!(copy["format"], "jpg");
    let photo = support::read(&support::root().join("fixtures/seed/images/sharinpix-photo.jpg"));
    let seeded = image::load_from_memory(&photo).expect("the seeded photo");
    assert_eq!(
        (copy["width"].as_u64(), copy["height"].as_u64()),
        (Some(u64::from(seeded.width())), Some(u64::from(seeded.height())))
    );
    assert_eq!(copy["infos"]["tags"], json!([ALBUM]));
    let id = copy["id"].as_str().expect("id").to_owned();
    assert_ne!(id, PHOTO);
    // A new asset sharing the stored bytes.
    assert_eq!(snapshot(&server).await, (assets + 1, files));
    // IPS finds the copy by its name, the image's id, in the album's folder.
    let envelope = include_str!("../fixtures/soap/operations/10-getAssetsByName.request.xml")
        .replace("ipsuser@ips.test", "ipsadmin@ips.test")
        .replace("c|6", "c|31")
        .replace("<items>macbookwin1</items>", &format!("<items>{id}</items>"));
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"getAssetsByName\""),
    ];
    let found = exchange(addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    let text = found.text();
    assert!(
        text.contains(&format!("<name>{id}</name>"))
            && text.contains(&format!("<folder>SharinPixDemo/{ALBUM}/</folder>")),
        "{text}"
    );
    // Image Serving serves the original's bytes and renders the thumbnails.
    let original = get_url(addr, copy["original_url"].as_str().expect("url")).await;
    assert_eq!(original.body, photo);
    let mini = get_url(addr, copy["thumbnails"]["mini"].as_str().expect("url")).await;
    assert_eq!(mini.status, 200, "{}", mini.text());
    let decoded = image::load_from_memory(&mini.body).expect("a decodable thumbnail");
    assert_eq!((decoded.width(), decoded.height()), (100, 100));
    // The copy reads back as it was answered.
    let read = call(
        addr,
        "GET",
        &format!("/api/v1/images/{id}"),
        &[("Authorization", &admin())],
        b"",
    )
    .await;
    assert_eq!(json_of(&read), copy);
    server.stop().await;
}

#[tokio::test]
async fn the_documents_album_duplicate_copies_every_image() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let (assets, files) = snapshot(&server).await;
    let auth = header(&token(user_claims()));
    let path = format!("/api/v1/albums/{FIVE}/duplicate");
    let resp = call(
        addr,
        "POST",
        &path,
        &[("Authorization", &auth), FORM],
        b"destination_id=new_id",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let album = json_of(&resp);
    assert_eq!(
        (album["id"].as_str(), album["public_id"].as_str()),
        (Some("new_id"), Some("new_id"))
    );
    assert_eq!(album["images_count"], 5);
    assert_eq!(album["views_count"], 0);
    assert_eq!(album["organization_id"], "a89b5b70-d820-4911-8c6d-25ab6181e9be");
    assert!(album["upload_form"]["url"].is_string(), "{album}");
    let thumbnails = album["thumbnails"].as_array().expect("thumbnails");
    assert_eq!(thumbnails.len(), 4);
    let sources = call(
        addr,
        "GET",
        &format!("/api/v1/albums/{FIVE}/images"),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    let source_ids: Vec<Value> = json_of(&sources)
        .as_array()
        .expect("images")
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(source_ids.len(), 5);
    for t in thumbnails {
        assert_image_shape(t);
        assert_eq!(t["album_id"], "new_id");
        assert!(source_ids.contains(&t["group_id"]), "{t}");
    }
    assert_eq!(snapshot(&server).await, (assets + 5, files));
    // The destination exists now: a second duplicate into it is refused.
    let again = call(
        addr,
        "POST",
        &path,
        &[("Authorization", &auth), FORM],
        b"destination_id=new_id",
    )
    .await;
    assert_eq!(again.status, 422, "{}", again.text());
    // Without a destination, a new album with a UUID.
    let fresh = call(addr, "POST", &path, &[("Authorization", &auth), JSON], b"{}").await;
    let fresh = json_of(&fresh);
    assert_eq!(fresh["id"].as_str().map(str::len), Some(36), "{fresh}");
    assert_eq!(fresh["images_count"], 5);
    server.stop().await;
}

/// A request to refuse: method, path, Authorization, body, the status.
type Case = (&'static str, String, Option<String>, &'static [u8], u16);

#[tokio::test]
async fn refusals_change_nothing() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let dup = format!("/api/v1/images/{PHOTO}/duplicate");
    let user = header(&token(user_claims()));
    let expired = header(&token(json!({"exp": now() - 10, "admin": true})));
    let future = header(&token(json!({"iat": now() + 3600, "admin": true})));
    let other_key = header(&ips_emulator::sharinpix::mint(r#"{"admin":true}"#, None, "not-the-secret").expect("t"));
    let unknown_iss =
        header(&ips_emulator::sharinpix::mint(r#"{"admin":true}"#, Some("nobody"), "ips-emulator").expect("t"));
    let cases: Vec<Case> = vec![
        ("POST", dup.clone(), None, b"", 401),
        ("POST", dup.clone(), Some("Bearer x.y.z".into()), b"", 401),
        ("POST", dup.clone(), Some(header("not-a-jwt")), b"", 401),
        ("POST", dup.clone(), Some(other_key), b"", 401),
        ("POST", dup.clone(), Some(unknown_iss), b"", 401),
        ("POST", dup.clone(), Some(expired), b"", 401),
        ("POST", dup.clone(), Some(future), b"", 401),
        // A valid token without image_duplicate on the album.
        ("POST", dup.clone(), Some(user.clone()), b"", 401),
        (
            "DELETE",
            format!("/api/v1/images/{PHOTO}"),
            Some(user.clone()),
            b"",
            401,
        ),
        (
            "POST",
            "/api/v1/images/no-such-image/duplicate".into(),
            Some(admin()),
            b"",
            404,
        ),
        (
            "POST",
            "/api/v1/albums/no-such-album/duplicate".into(),
            Some(admin()),
            b"",
            404,
        ),
        (
            "POST",
            format!("/api/v1/albums/{FIVE}/duplicate"),
            Some(admin()),
            b"destination_id=00100000123BB124",
            422,
        ),
        (
            "POST",
            format!("/api/v1/albums/{FIVE}/duplicate"),
            Some(admin()),
            b"destination_id=a%2Fb",
            422,
        ),
        ("POST", dup.clone(), Some(admin()), b"album_id[x][y]=1", 400),
        ("GET", "/api/v1/albums/never-made".into(), Some(user.clone()), b"", 404),
        ("GET", dup.clone(), Some(admin()), b"", 405),
        ("GET", "/api/v1/nothing-here".into(), Some(admin()), b"", 404),
        (
            "POST",
            "/api/v1/imports".into(),
            Some(admin()),
            b"url=http://127.0.0.1/x.jpg",
            400,
        ),
        (
            "POST",
            "/api/v1/imports".into(),
            Some(admin()),
            b"album_id=A&url=ftp://h/x.jpg",
            422,
        ),
        (
            "POST",
            "/api/v1/imports".into(),
            Some(user.clone()),
            b"album_id=A&url=http://h/x.jpg",
            401,
        ),
    ];
    let before = snapshot(&server).await;
    for (method, path, auth, body, status) in cases {
        let mut headers = vec![FORM];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let resp = call(addr, method, &path, &headers, body).await;
        assert_eq!(resp.status, status, "{method} {path} {auth:?}: {}", resp.text());
        if status == 401 {
            assert!(resp.body.is_empty(), "a 401 has an empty body: {}", resp.text());
        } else {
            assert!(json_of(&resp)["errors"][0].is_string(), "{}", resp.text());
        }
    }
    // A JSON body that is not JSON, and one over the 1 MiB limit.
    let bad = call(addr, "POST", &dup, &[("Authorization", &admin()), JSON], b"{").await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    let huge = format!("{{\"album_id\":\"{}\"}}", "x".repeat(2 << 20));
    let large = call(
        addr,
        "POST",
        &dup,
        &[("Authorization", &admin()), JSON],
        huge.as_bytes(),
    )
    .await;
    assert_eq!(large.status, 413, "{}", large.text());
    assert_eq!(snapshot(&server).await, before);
    let albums = json_of(&call(addr, "GET", "/api/v1/albums", &[("Authorization", &admin())], b"").await);
    assert_eq!(albums.as_array().map(Vec::len), Some(2), "{albums}");
    // And no id was used up: the next new id is the first one.
    let made = json_of(&call(addr, "POST", "/api/v1/albums", &[("Authorization", &admin())], b"").await);
    let first = json_of(&call(addr, "POST", "/_emulator/reset", &[], b"").await);
    assert_eq!(first["reset"], true);
    let again = json_of(&call(addr, "POST", "/api/v1/albums", &[("Authorization", &admin())], b"").await);
    assert_eq!(made["id"], again["id"], "the refusals drew no id");
    server.stop().await;
}

#[tokio::test]
async fn reads_albums_and_deletes_follow_abilities() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let list_only = header(&token(json!({"abilities": {ALBUM: {"Access": {"image_list": true}}}})));
    let read = call(
        addr,
        "GET",
        &format!("/api/v1/images/{PHOTO}"),
        &[("Authorization", &list_only)],
        b"",
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(json_of(&read)["group_id"], Value::Null);
    // Created albums get a UUID and are listed after the seeded ones.
    let made = json_of(&call(addr, "POST", "/api/v1/albums", &[("Authorization", &admin())], b"").await);
    let made_id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(made["images_count"], 0);
    let albums = json_of(&call(addr, "GET", "/api/v1/albums", &[("Authorization", &list_only)], b"").await);
    let ids: Vec<&str> = albums
        .as_array()
        .expect("albums")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, [ALBUM, FIVE, made_id.as_str()]);
    // A token naming an album that does not exist yet makes it on GET.
    let names = header(&token(
        json!({"abilities": {"salesforce-record": {"Access": {"see": true}}}}),
    ));
    let new = call(
        addr,
        "GET",
        "/api/v1/albums/salesforce-record",
        &[("Authorization", &names)],
        b"",
    )
    .await;
    assert_eq!(new.status, 200, "{}", new.text());
    // Delete needs image_delete; the image goes to the IPS trash.
    let deleter = header(&token(
        json!({"abilities": {ALBUM: {"Access": {"image_delete": true}}}}),
    ));
    let path = format!("/api/v1/images/{PHOTO}");
    let deleted = call(addr, "DELETE", &path, &[("Authorization", &deleter)], b"").await;
    assert_eq!((deleted.status, deleted.body.len()), (204, 0), "{}", deleted.text());
    assert_eq!(
        call(addr, "GET", &path, &[("Authorization", &admin())], b"")
            .await
            .status,
        404
    );
    let count = json_of(
        &call(
            addr,
            "GET",
            &format!("/api/v1/albums/{ALBUM}"),
            &[("Authorization", &admin())],
            b"",
        )
        .await,
    );
    assert_eq!(count["images_count"], 0);
    server.stop().await;
}

#[tokio::test]
async fn ids_are_the_same_after_a_reset() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let path = format!("/api/v1/images/{PHOTO}/duplicate");
    let first = json_of(&call(addr, "POST", &path, &[("Authorization", &admin())], b"").await);
    let reset = call(addr, "POST", "/_emulator/reset", &[], b"").await;
    assert_eq!(reset.status, 200, "{}", reset.text());
    let gone = call(
        addr,
        "GET",
        &format!("/api/v1/images/{}", first["id"].as_str().expect("id")),
        &[("Authorization", &admin())],
        b"",
    )
    .await;
    assert_eq!(gone.status, 404);
    let again = json_of(&call(addr, "POST", &path, &[("Authorization", &admin())], b"").await);
    assert_eq!(again["id"], first["id"]);
    server.stop().await;
}

#[tokio::test]
async fn an_import_fetches_the_url_and_makes_an_image() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let uploader = header(&token(
        json!({"abilities": {"imported_album": {"Access": {"image_upload": true}}}}),
    ));
    let source = format!("http://{addr}/is/image/SharinPixDemo/{PHOTO}?wid=64&fmt=png");
    let body = format!(
        "album_id=imported_album&filename=photo.png&metadata[attachmentId]=00P24&url={}",
        source.replace('&', "%26")
    );
    let resp = call(
        addr,
        "POST",
        "/api/v1/imports",
        &[("Authorization", &uploader), FORM],
        body.as_bytes(),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let import = json_of(&resp);
    assert_eq!(import["image_id"], Value::Null);
    assert_eq!(import["album_id"], "imported_album");
    assert_eq!(import["params"]["url"], source.as_str());
    let id = import["id"].as_str().expect("id").to_owned();
    let done = poll_import(addr, &uploader, &id).await;
    let image_id = done["image_id"].as_str().expect("image id");
    let image = json_of(
        &call(
            addr,
            "GET",
            &format!("/api/v1/images/{image_id}"),
            &[("Authorization", &admin())],
            b"",
        )
        .await,
    );
    assert_eq!(
        (image["format"].as_str(), image["width"].as_u64()),
        (Some("png"), Some(64)),
        "{image}"
    );
    assert_eq!(image["metadatas"]["attachmentId"], "00P24");
    assert_eq!(image["filename"], "photo.png");
    // A URL that is not an image ends the import with an error, no image.
    let before = snapshot(&server).await;
    let bad = format!("album_id=imported_album&url=http://{addr}/_emulator/health");
    let resp = call(
        addr,
        "POST",
        "/api/v1/imports",
        &[("Authorization", &uploader), FORM],
        bad.as_bytes(),
    )
    .await;
    let id = json_of(&resp)["id"].as_str().expect("id").to_owned();
    let failed = poll_import(addr, &uploader, &id).await;
    assert_eq!(failed["image_id"], Value::Null);
    assert!(failed["error"].as_str().is_some_and(|e| !e.is_empty()), "{failed}");
    assert_eq!(snapshot(&server).await, before);
    server.stop().await;
}

/// Polls an import until it has an image or an error.
async fn poll_import(addr: SocketAddr, auth: &str, id: &str) -> Value {
    for _ in 0..200 {
        let status = json_of(
            &call(
                addr,
                "GET",
                &format!("/api/v1/imports/{id}"),
                &[("Authorization", auth)],
                b"",
            )
            .await,
        );
        if !status["image_id"].is_null() || status.get("error").is_some() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not end");
}

#[tokio::test]
async fn armed_faults_answer_duplicates_with_sharinpix_errors() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let fault = br#"{"api":"sharinpix","operation":"POST /api/v1/images/*/duplicate","status":500,"times":1}"#;
    let armed = call(addr, "POST", "/_emulator/faults", &[JSON], fault).await;
    assert_eq!(armed.status, 201, "{}", armed.text());
    let unauthorized = br#"{"api":"sharinpix","operation":"GET /api/v1/albums","status":401}"#;
    assert_eq!(
        call(addr, "POST", "/_emulator/faults", &[JSON], unauthorized)
            .await
            .status,
        201
    );
    let before = snapshot(&server).await;
    let path = format!("/api/v1/images/{PHOTO}/duplicate");
    let failed = call(addr, "POST", &path, &[("Authorization", &admin())], b"").await;
    assert_eq!(failed.status, 500, "{}", failed.text());
    assert_eq!(json_of(&failed)["errors"][0], "Fault injected by the emulator");
    assert_eq!(snapshot(&server).await, before, "the failed duplicate made nothing");
    let refused = call(addr, "GET", "/api/v1/albums", &[("Authorization", &admin())], b"").await;
    assert_eq!((refused.status, refused.body.len()), (401, 0));
    let done = call(addr, "POST", &path, &[("Authorization", &admin())], b"").await;
    assert_eq!(done.status, 200, "{}", done.text());
    let journal = json_of(&call(addr, "GET", "/_emulator/requests", &[], b"").await);
    let entries = journal
        .as_array()
        .cloned()
        .unwrap_or_else(|| journal["requests"].as_array().cloned().unwrap_or_default());
    let ops: Vec<(Value, Value, Value)> = entries
        .iter()
        .filter(|e| e["api"] == "sharinpix")
        .map(|e| (e["operation"].clone(), e["status"].clone(), e["injected"].clone()))
        .collect();
    assert_eq!(
        ops,
        [
            (json!(format!("POST {path}")), json!(500), json!(1)),
            (json!("GET /api/v1/albums"), json!(401), json!(2)),
            (json!(format!("POST {path}")), json!(200), Value::Null),
        ]
    );
    server.stop().await;
}

/// A multipart body of text fields and one `file` part.
fn form_body(fields: &[(&str, &str)], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--b\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new.png\"\r\nContent-Type: image/png\r\n\r\n");
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--b--\r\n");
    body
}

#[tokio::test]
async fn an_upload_through_the_album_form_becomes_an_image() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let uploader = header(&token(
        json!({"abilities": {FIVE: {"Access": {"see": true, "image_upload": true}}}}),
    ));
    let album = json_of(
        &call(
            addr,
            "GET",
            &format!("/api/v1/albums/{FIVE}"),
            &[("Authorization", &uploader)],
            b"",
        )
        .await,
    );
    let form = &album["upload_form"];
    let url = form["url"].as_str().expect("upload url");
    let upload_path = url
        .strip_prefix(&format!("http://{addr}"))
        .expect("on the server")
        .to_owned();
    let params: Vec<(String, String)> = form["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    let fields: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // Bytes the seed does not have, so a stored file shows in the count.
    let png = support::read(&support::root().join("fixtures/rest/kameleoon/upload.png"));
    let multipart = ("Content-Type", "multipart/form-data; boundary=b");
    let before = snapshot(&server).await;

    // A forged signature, and bytes that are not an image: nothing stored.
    let forged: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (*k, if *k == "signature" { "00" } else { *v }))
        .collect();
    let refused = call(addr, "POST", &upload_path, &[multipart], &form_body(&forged, &png)).await;
    assert_eq!((refused.status, refused.body.len()), (401, 0));
    let junk = call(
        addr,
        "POST",
        &upload_path,
        &[multipart],
        &form_body(&fields, b"not an image"),
    )
    .await;
    assert_eq!(junk.status, 422, "{}", junk.text());
    assert_eq!(snapshot(&server).await, before);

    // Uploaded: stored, waiting for its image (no asset yet).
    let sent = call(addr, "POST", &upload_path, &[multipart], &form_body(&fields, &png)).await;
    assert_eq!(sent.status, 200, "{}", sent.text());
    let cloudinary = json_of(&sent);
    assert_eq!(cloudinary["format"], "png");
    assert_eq!(cloudinary["original_filename"], "new.png");
    let after_upload = snapshot(&server).await;
    assert_eq!(after_upload.0, before.0);

    // The image is made of it, once.
    let body = json!({"cloudinary": cloudinary, "album_id": FIVE, "metadatas": {"k": "v"}}).to_string();
    let path = format!("/api/v1/albums/{FIVE}/images");
    let made = call(
        addr,
        "POST",
        &path,
        &[("Authorization", &uploader), JSON],
        body.as_bytes(),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text());
    let image = json_of(&made);
    assert_image_shape(&image);
    assert_eq!(
        (image["album_id"].as_str(), image["filename"].as_str()),
        (Some(FIVE), Some("new.png"))
    );
    assert_eq!(image["metadatas"]["k"], "v");
    assert_eq!(image["infos"]["public_id"], cloudinary["public_id"]);
    assert_eq!(snapshot(&server).await, (before.0 + 1, after_upload.1));
    let again = call(
        addr,
        "POST",
        &path,
        &[("Authorization", &uploader), JSON],
        body.as_bytes(),
    )
    .await;
    assert_eq!(again.status, 422, "{}", again.text());
    // Without image_upload on the album: 401.
    let reader = header(&token(json!({"abilities": {FIVE: {"Access": {"see": true}}}})));
    let denied = call(
        addr,
        "POST",
        &path,
        &[("Authorization", &reader), JSON],
        body.as_bytes(),
    )
    .await;
    assert_eq!(denied.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn another_organization_sees_none_of_it() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let other = header(
        &ips_emulator::sharinpix::mint(r#"{"admin":true}"#, Some("sharinpix-other"), "ips-emulator-other").expect("t"),
    );
    let other_auth = [("Authorization", other.as_str())];
    let uploader = header(&token(
        json!({"abilities": {"imported_album": {"Access": {"image_upload": true}}}}),
    ));
    let body = format!("album_id=imported_album&url=http://{addr}/_emulator/health");
    let import = json_of(
        &call(
            addr,
            "POST",
            "/api/v1/imports",
            &[("Authorization", &uploader), FORM],
            body.as_bytes(),
        )
        .await,
    );
    let before = snapshot(&server).await;
    for (method, path) in [
        ("GET", format!("/api/v1/images/{PHOTO}")),
        ("POST", format!("/api/v1/images/{PHOTO}/duplicate")),
        ("DELETE", format!("/api/v1/images/{PHOTO}")),
        ("POST", format!("/api/v1/albums/{FIVE}/duplicate")),
        ("GET", format!("/api/v1/albums/{FIVE}/images")),
        ("GET", format!("/api/v1/imports/{}", import["id"].as_str().expect("id"))),
    ] {
        let resp = call(addr, method, &path, &other_auth, b"").await;
        assert_eq!(resp.status, 404, "{method} {path}: {}", resp.text());
    }
    let albums = json_of(&call(addr, "GET", "/api/v1/albums", &other_auth, b"").await);
    assert_eq!(albums, json!([]));
    assert_eq!(snapshot(&server).await, before);
    // Its own album of the same id is its own, in its own company's folder.
    let own = call(addr, "GET", &format!("/api/v1/albums/{FIVE}"), &other_auth, b"").await;
    assert_eq!(own.status, 200, "{}", own.text());
    let own = json_of(&own);
    assert_eq!(
        (own["images_count"].as_u64(), own["organization_id"].as_str()),
        (Some(0), Some("5d1b8c2e-0f3a-4e7b-9c6d-2a4e8f1b3c5d"))
    );
    server.stop().await;
}

/// Accepts one connection on `listener` and answers it with a PNG once
/// `go` fires (or never, if it is dropped).
async fn stalled_source(listener: tokio::net::TcpListener, go: tokio::sync::oneshot::Receiver<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok((mut conn, _)) = listener.accept().await else {
        return;
    };
    let mut head = [0u8; 1024];
    let _ = conn.read(&mut head).await;
    if go.await.is_err() {
        return;
    }
    let png = support::read(&support::root().join("fixtures/rest/kameleoon/upload.png"));
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        png.len()
    );
    let _ = conn.write_all(head.as_bytes()).await;
    let _ = conn.write_all(&png).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_a_reset_overtook_writes_nothing() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let uploader = header(&token(
        json!({"abilities": {"imported_album": {"Access": {"image_upload": true}}}}),
    ));
    let import = |port: u16| {
        let uploader = uploader.clone();
        async move {
            let body = format!("album_id=imported_album&url=http://127.0.0.1:{port}/photo.png");
            let resp = call(
                addr,
                "POST",
                "/api/v1/imports",
                &[("Authorization", &uploader), FORM],
                body.as_bytes(),
            )
            .await;
            assert_eq!(resp.status, 200, "{}", resp.text());
            json_of(&resp)
        }
    };
    // Import A's source holds its reply until after the reset.
    let a_source = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let a_port = a_source.local_addr().expect("addr").port();
    let (release_a, a_go) = tokio::sync::oneshot::channel();
    let a_task = tokio::spawn(stalled_source(a_source, a_go));
    let a = import(a_port).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reset = call(addr, "POST", "/_emulator/reset", &[], b"").await;
    assert_eq!(reset.status, 200, "{}", reset.text());
    let seeded = snapshot(&server).await;
    // Import B, after the reset, gets A's id; its source never answers.
    let b_source = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let b_port = b_source.local_addr().expect("addr").port();
    let (_hold_b, b_go) = tokio::sync::oneshot::channel::<()>();
    let b_task = tokio::spawn(stalled_source(b_source, b_go));
    let b = import(b_port).await;
    assert_eq!(a["id"], b["id"], "ids start over after a reset");
    // A's bytes arrive now: its task must neither make an image nor touch B.
    let _ = release_a.send(());
    let _ = a_task.await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(snapshot(&server).await, seeded, "no asset, no stored file from A");
    let id = b["id"].as_str().expect("id");
    let status = json_of(
        &call(
            addr,
            "GET",
            &format!("/api/v1/imports/{id}"),
            &[("Authorization", &uploader)],
            b"",
        )
        .await,
    );
    assert_eq!(
        (&status["image_id"], status.get("error")),
        (&Value::Null, None),
        "{status}"
    );
    b_task.abort();
    server.stop().await;
}
