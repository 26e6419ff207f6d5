//! Kameleoon's Automation API over real HTTP: the token flow, reading and
//! listing images, cloning (seen through IPS and Image Serving too), every
//! refusal leaving the catalog and the store as they were, and a reset;
//! uploads to several sites in `multiple`.

mod multiple;

use std::net::SocketAddr;

use serde_json::{json, Value};

use crate::support::{self, exchange, Response, TestServer};

const SEED_PHOTO: &str = "fixtures/seed/images/macbookwin1.jpg";

/// A request with `Connection: close` and these headers and body.
pub async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    exchange(addr, &support::request(method, path, headers, body)).await
}

pub fn json_of(resp: &Response) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.text()))
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("Content-Type", "application/json");

async fn token_for(addr: SocketAddr, client: &str) -> String {
    let body = format!("grant_type=client_credentials&client_id={client}&client_secret=ips-emulator");
    let resp = call(addr, "POST", "/oauth/token", &[FORM], body.as_bytes()).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    json_of(&resp)["access_token"].as_str().expect("token").to_owned()
}

pub async fn token(addr: SocketAddr) -> String {
    token_for(addr, "kameleoon-demo").await
}

/// Checks an `ExternalResponseObject` with this status.
fn assert_error(resp: &Response, status: u16) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert!(resp
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let body = json_of(resp);
    assert_eq!(body["status"], "ERROR", "{body}");
    assert_eq!(body["code"], status.to_string(), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(
        body["name"].is_string() && body["time"].is_u64() && body["timestamp"].is_string(),
        "{body}"
    );
}

/// The image JSON with its time taken out (checked to be a UTC time).
fn without_date(mut image: Value) -> Value {
    let date = image["date"].as_str().expect("date").to_owned();
    assert!(date.ends_with('Z') && date.len() == 24, "{date}");
    image.as_object_mut().expect("object").remove("date");
    image
}

fn seed_image(addr: SocketAddr) -> Value {
    let size = support::read(&support::root().join(SEED_PHOTO)).len() as u64;
    json!({
        "id": 1001, "name": "macbookwin1", "fileName": "macbookwin1.jpg", "format": "JPEG",
        "width": 640, "height": 427, "size": size, "fileWeight": size.div_ceil(1024),
        "siteId": 1, "createdById": 1, "path": "/is/image/ApiTestCo/macbookwin1", "source": "UPLOAD",
        "sourceUrl": format!("http://{addr}/is/image/ApiTestCo/macbookwin1"), "shared": false,
        "tags": [], "keywords": [], "altText": "", "description": ""
    })
}

#[tokio::test]
async fn the_token_flow_grants_two_hour_bearer_tokens_and_refuses_the_rest() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let body = b"grant_type=client_credentials&client_id=kameleoon-demo&client_secret=ips-emulator";
    let resp = call(addr, "POST", "/oauth/token", &[FORM], body).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let granted = json_of(&resp);
    assert_eq!(granted["expires_in"], 7200);
    assert_eq!(granted["token_type"], "Bearer");
    let jwt = granted["access_token"].as_str().expect("token");
    assert_eq!(jwt.split('.').count(), 3, "a JWT: {jwt}");
    // The same fields as JSON are accepted too.
    let as_json = br#"{"grant_type":"client_credentials","client_id":"kameleoon-demo","client_secret":"ips-emulator"}"#;
    assert_eq!(call(addr, "POST", "/oauth/token", &[JSON], as_json).await.status, 200);
    for (body, status) in [
        (
            &b"grant_type=client_credentials&client_id=kameleoon-demo&client_secret=wrong"[..],
            401,
        ),
        (
            b"grant_type=client_credentials&client_id=nobody&client_secret=ips-emulator",
            401,
        ),
        (b"client_id=kameleoon-demo&client_secret=ips-emulator", 400),
        (
            b"grant_type=password&client_id=kameleoon-demo&client_secret=ips-emulator",
            400,
        ),
        (b"grant_type=client_credentials&client_id=kameleoon-demo", 400),
        (b"grant_type=client_credentials&grant_type=client_credentials", 400),
    ] {
        let resp = call(addr, "POST", "/oauth/token", &[FORM], body).await;
        assert_error(&resp, status);
    }
    let resp = call(addr, "GET", "/oauth/token", &[], b"").await;
    assert_error(&resp, 405);
    assert_eq!(resp.header("allow"), Some("POST"));
    server.stop().await;
}

#[tokio::test]
async fn images_are_read_and_listed_per_client() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = ("Authorization", bearer.as_str());
    let resp = call(addr, "GET", "/images/1001", &[auth], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(without_date(json_of(&resp)), seed_image(addr));
    let resp = call(addr, "GET", "/images?page=1&perPage=10", &[auth], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let list = json_of(&resp);
    let items = list.as_array().expect("array");
    assert_eq!(items.len(), 1, "only the client's own sites: {list}");
    assert_eq!(without_date(items[0].clone()), seed_image(addr));
    assert_eq!(resp.header("x-pagination-total-count"), Some("1"));
    assert_eq!(resp.header("x-pagination-page-count"), Some("1"));
    let empty = call(addr, "GET", "/images?page=2&perPage=10", &[auth], b"").await;
    assert_eq!(json_of(&empty), json!([]));
    // The other client sees its own image, and not this one.
    let other = format!("Bearer {}", token_for(addr, "kameleoon-other").await);
    let resp = call(addr, "GET", "/images/901", &[("Authorization", &other)], b"").await;
    assert_eq!(json_of(&resp)["format"], "PNG", "{}", resp.text());
    assert_error(
        &call(addr, "GET", "/images/1001", &[("Authorization", &other)], b"").await,
        403,
    );
    for (path, headers, status) in [
        ("/images/901", vec![auth], 403),
        ("/images/9999", vec![auth], 404),
        ("/images/abc", vec![auth], 400),
        ("/images?perPage=0", vec![auth], 400),
        ("/images?perPage=201", vec![auth], 400),
        ("/images?filter=x", vec![auth], 400),
        ("/images/1001", vec![], 401),
        ("/images/1001", vec![("Authorization", "Bearer not.a.token")], 401),
        ("/images/1001", vec![("Authorization", "Basic a2FtZWxlb246eA==")], 401),
        ("/images/1001/other", vec![auth], 404),
    ] {
        assert_error(&call(addr, "GET", path, &headers, b"").await, status);
    }
    let unauthorized = call(addr, "GET", "/images", &[], b"").await;
    assert_eq!(unauthorized.header("www-authenticate"), Some("Bearer"));
    server.stop().await;
}

/// A server whose clients may make `short` requests in any 10 seconds,
/// and a bearer header value for `kameleoon-demo` on it.
async fn rate_limited(short: u32) -> (TestServer, String) {
    let limits = ips_emulator::Limits {
        kameleoon_rate: (short, 0),
        ..ips_emulator::Limits::default()
    };
    let server = TestServer::start(support::options(ips_emulator::DataLocation::InMemory, limits)).await;
    let bearer = format!("Bearer {}", token(server.addr).await);
    (server, bearer)
}

/// Looks up an asset by name over IPS (`getAssetsByName`); gives the reply.
async fn ips_lookup(addr: SocketAddr, name: &str) -> String {
    let envelope = include_str!("../fixtures/soap/operations/10-getAssetsByName.request.xml")
        .replace("<items>macbookwin1</items>", &format!("<items>{name}</items>"));
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"getAssetsByName\""),
    ];
    let found = exchange(addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(found.status, 200, "{}", found.text());
    found.text()
}

/// What Image Serving answers for `path` with no commands.
async fn served(addr: SocketAddr, path: &str) -> Response {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    exchange(addr, raw.as_bytes()).await
}

/// What a refused request must leave as it was.
async fn snapshot(server: &TestServer) -> (u64, usize) {
    let files = server.state.store.list().expect("list").len();
    (server.asset_count().await, files)
}

#[tokio::test]
async fn a_clone_is_an_ips_asset_sharing_the_stored_bytes() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = ("Authorization", bearer.as_str());
    let (assets, files) = snapshot(&server).await;
    let body = br#"{"name":"hero","tags":["launch"],"altText":"A rocket"}"#;
    let resp = call(addr, "POST", "/images/1001/clone", &[auth, JSON], body).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let mut expected = seed_image(addr);
    let fields = expected.as_object_mut().expect("object");
    fields.insert("id".into(), json!(1002));
    fields.insert("name".into(), json!("hero"));
    fields.insert("tags".into(), json!(["launch"]));
    fields.insert("altText".into(), json!("A rocket"));
    fields.insert("path".into(), json!("/is/image/ApiTestCo/hero-1002"));
    fields.insert(
        "sourceUrl".into(),
        json!(format!("http://{addr}/is/image/ApiTestCo/hero-1002")),
    );
    assert_eq!(without_date(json_of(&resp)), expected);
    // One more asset, no more stored files: the bytes are shared.
    assert_eq!(snapshot(&server).await, (assets + 1, files));
    let again = call(addr, "GET", "/images/1002", &[auth], b"").await;
    assert_eq!(without_date(json_of(&again)), expected);
    // IPS finds it by name, in the site's folder.
    let text = ips_lookup(addr, "hero-1002").await;
    assert!(
        text.contains("<name>hero-1002</name>") && text.contains("<folder>ApiTestCo/</folder>"),
        "{text}"
    );
    // Image Serving serves the source's bytes under the new name.
    let image = served(addr, "/is/image/ApiTestCo/hero-1002").await;
    assert_eq!(image.status, 200);
    assert_eq!(image.body, support::read(&support::root().join(SEED_PHOTO)));
    // A clone without a body keeps the source's name; the list has both.
    let plain = call(addr, "POST", "/images/1001/clone", &[auth], b"").await;
    assert_eq!(json_of(&plain)["name"], "macbookwin1", "{}", plain.text());
    assert_eq!(json_of(&plain)["path"], "/is/image/ApiTestCo/macbookwin1-1003");
    let list = call(addr, "GET", "/images", &[auth], b"").await;
    let ids: Vec<i64> = json_of(&list)
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [1001, 1002, 1003]);
    server.stop().await;
}

/// A request to refuse: path, headers, body, the status expected.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, u16);

#[tokio::test]
async fn refused_clones_change_nothing() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = ("Authorization", bearer.as_str());
    let before = snapshot(&server).await;
    let oversized = format!(r#"{{"description":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let cases: Vec<Case<'_>> = vec![
        ("/images/1001/clone", vec![], vec![], 401),
        (
            "/images/1001/clone",
            vec![("Authorization", "Bearer x.y.z")],
            vec![],
            401,
        ),
        ("/images/9999/clone", vec![auth], vec![], 404),
        ("/images/901/clone", vec![auth], vec![], 403),
        ("/images/1001/clone", vec![auth, JSON], br#"{"siteId":2}"#.to_vec(), 403),
        ("/images/1001/clone", vec![auth, JSON], br#"{"name":"x""#.to_vec(), 400),
        ("/images/1001/clone", vec![auth, JSON], br#"{"nom":"x"}"#.to_vec(), 400),
        ("/images/1001/clone", vec![auth, JSON], br#"{"name":7}"#.to_vec(), 400),
        (
            "/images/1001/clone",
            vec![auth, ("Content-Type", "text/plain")],
            b"name".to_vec(),
            400,
        ),
        ("/images/1001/clone", vec![auth, JSON], oversized.into_bytes(), 400),
        ("/images/1001/clone", vec![auth, JSON], br#"{"name":""}"#.to_vec(), 422),
        ("/images/x/clone", vec![auth], vec![], 400),
    ];
    for (path, headers, body, status) in cases {
        let resp = call(addr, "POST", path, &headers, &body).await;
        assert_error(&resp, status);
        assert_eq!(snapshot(&server).await, before, "{path} {status} changed something");
    }
    // No id was used up: the next clone is 1002.
    let resp = call(addr, "POST", "/images/1001/clone", &[auth], b"").await;
    assert_eq!(json_of(&resp)["id"], 1002, "{}", resp.text());
    server.stop().await;
}

#[tokio::test]
async fn a_reset_restores_the_seeded_images_and_ids() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = ("Authorization", bearer.as_str());
    let first = json_of(&call(addr, "POST", "/images/1001/clone", &[auth], b"").await);
    let second = json_of(&call(addr, "POST", "/images/1001/clone", &[auth], b"").await);
    assert_eq!((first["id"].as_i64(), second["id"].as_i64()), (Some(1002), Some(1003)));
    let reset = exchange(
        addr,
        b"POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(reset.status, 200, "{}", reset.text());
    // The token names a client the seed still has.
    assert_error(&call(addr, "GET", "/images/1002", &[auth], b"").await, 404);
    let seeded = call(addr, "GET", "/images/1001", &[auth], b"").await;
    assert_eq!(without_date(json_of(&seeded)), seed_image(addr));
    let again = json_of(&call(addr, "POST", "/images/1001/clone", &[auth], b"").await);
    assert_eq!(
        without_date(again),
        without_date(first),
        "the same request gives the same image after a reset"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_image_follows_its_asset_into_the_ips_trash_and_back() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = ("Authorization", bearer.as_str());
    let clone = json_of(&call(addr, "POST", "/images/1001/clone", &[auth], b"").await);
    assert_eq!(clone["id"], 1002);
    let envelope = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><deleteAssetParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandle>a|943|1|580</assetHandle></deleteAssetParam></soapenv:Body></soapenv:Envelope>"#;
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"deleteAsset\""),
    ];
    let deleted = exchange(addr, &support::soap_request(envelope.as_bytes(), &headers)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_error(&call(addr, "GET", "/images/1002", &[auth], b"").await, 404);
    let listed = json_of(&call(addr, "GET", "/images", &[auth], b"").await);
    assert!(
        listed.as_array().is_some_and(|l| l.iter().all(|i| i["id"] != 1002)),
        "{listed}"
    );
    // Restored from the trash over IPS, the image is back.
    let restore = envelope
        .replace("deleteAssetParam", "restoreAssetsFromTrashParam")
        .replace(
            "<assetHandle>a|943|1|580</assetHandle>",
            "<assetHandleArray><items>a|943|1|580</items></assetHandleArray>",
        );
    let headers = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"restoreAssetsFromTrash\""),
    ];
    let restored = exchange(addr, &support::soap_request(restore.as_bytes(), &headers)).await;
    assert!(
        restored.text().contains("<successCount>1</successCount>"),
        "{}",
        restored.text()
    );
    assert_eq!(call(addr, "GET", "/images/1002", &[auth], b"").await.status, 200);
    server.stop().await;
}

/// Over the rate limit (here 2 requests per 10 s), a request is a 429 in
/// the error body and does nothing; each client has its own count, and a
/// reset forgets the counts.
#[tokio::test]
async fn requests_over_the_rate_limit_are_429() {
    let (server, bearer) = rate_limited(2).await;
    let addr = server.addr;
    let auth = [("Authorization", bearer.as_str())];
    for _ in 0..2 {
        assert_eq!(call(addr, "GET", "/images/1001", &auth, b"").await.status, 200);
    }
    let (before, _) = snapshot(&server).await;
    let over = call(addr, "POST", "/images/1001/clone", &auth, b"").await;
    assert_error(&over, 429);
    assert!(json_of(&over)["message"]
        .as_str()
        .is_some_and(|m| m.contains("10 seconds")));
    assert_eq!(snapshot(&server).await.0, before, "a refused clone stores nothing");
    let other = format!("Bearer {}", token_for(addr, "kameleoon-other").await);
    assert_eq!(
        call(addr, "GET", "/images/901", &[("Authorization", other.as_str())], b"")
            .await
            .status,
        200
    );
    let reset = call(addr, "POST", "/_emulator/reset", &[], b"").await;
    assert_eq!(reset.status, 200, "{}", reset.text());
    assert_eq!(call(addr, "GET", "/images/1001", &auth, b"").await.status, 200);
    server.stop().await;
}
