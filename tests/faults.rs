//! Faults armed through `/_emulator/faults`: IPS faults in the request's
//! framing and SOAP version, Kameleoon error statuses, delays, the
//! journal's record of them, listing, disarming, refusals and resets.

use std::net::SocketAddr;

use ips_emulator::soap::xml::{self, Element};
use ips_emulator::{DataLocation, Limits};
use serde_json::{json, Value};

use crate::kameleoon::{call, json_of, token};
use crate::support::{self, exchange, Response, TestServer, SOAP_HEADERS};

const JSON: (&str, &str) = ("Content-Type", "application/json");
const IPS_XSD: &str = "http://www.scene7.com/IpsApi/xsd";
const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

async fn arm(addr: SocketAddr, fault: &Value) -> Response {
    call(addr, "POST", "/_emulator/faults", &[JSON], fault.to_string().as_bytes()).await
}

/// Arms `fault`, which must be accepted; its id.
async fn armed(addr: SocketAddr, fault: Value) -> u64 {
    let resp = arm(addr, &fault).await;
    assert_eq!(resp.status, 201, "{fault}: {}", resp.text());
    json_of(&resp)["id"].as_u64().expect("id")
}

async fn listed(addr: SocketAddr) -> Value {
    let resp = call(addr, "GET", "/_emulator/faults", &[], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    json_of(&resp)
}

async fn journal(addr: SocketAddr) -> Vec<Value> {
    let resp = call(addr, "GET", "/_emulator/requests", &[], b"").await;
    json_of(&resp).as_array().expect("array").clone()
}

async fn copy(addr: SocketAddr, name: &str) -> Response {
    let body = support::copy_image(name, "");
    exchange(addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
}

/// The first element named `name` in `ns`, depth first.
fn find<'e>(e: &'e Element, ns: &str, name: &str) -> Option<&'e Element> {
    if e.is(ns, name) {
        return Some(e);
    }
    e.children.iter().find_map(|c| find(c, ns, name))
}

/// An IPS fault's element name, code and reason, from a reply that parses
/// as XML.
fn ips_fault(root: &Element) -> (String, i32, String) {
    let fault = ["ipsApiFault", "authenticationFault", "authorizationFault"]
        .iter()
        .find_map(|name| find(root, IPS_XSD, name))
        .unwrap_or_else(|| panic!("no IPS fault in {root:?}"));
    let child = |name: &str| find(fault, IPS_XSD, name).map(|c| c.text.clone()).unwrap_or_default();
    (
        fault.name.clone(),
        child("code").parse().expect("a numeric code"),
        child("reason"),
    )
}

fn parsed(resp: &Response) -> Element {
    xml::parse(&resp.text(), 100, false).unwrap_or_else(|e| panic!("{e:?}: {}", resp.text()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ips_fault_answers_the_next_matching_call_in_its_soap_version() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let resp = arm(
        addr,
        &json!({"api": "ips", "operation": "copyImage", "fault": 30001, "message": "disk on fire"}),
    )
    .await;
    assert_eq!(resp.status, 201, "{}", resp.text());
    assert_eq!(
        json_of(&resp),
        json!({"id": 1, "api": "ips", "operation": "copyImage", "times": 1, "remaining": 1,
               "fault": 30001, "message": "disk on fire"})
    );

    let faulted = copy(addr, "faulted").await;
    assert_eq!(faulted.status, 500, "{}", faulted.text());
    let root = parsed(&faulted);
    assert!(
        root.is(SOAP11, "Envelope") && find(&root, SOAP11, "Fault").is_some(),
        "{}",
        faulted.text()
    );
    assert_eq!(
        ips_fault(&root),
        ("ipsApiFault".to_owned(), 30001, "disk on fire".to_owned())
    );
    let faultcode = root
        .children
        .iter()
        .find_map(|c| find(c, SOAP11, "Fault"))
        .and_then(|f| f.children.iter().find(|c| c.name == "faultcode"))
        .map(|c| c.text.clone());
    assert_eq!(faultcode.as_deref(), Some("soapenv:Client"));

    // Used up: the next copy is made, and the fault made nothing (the first
    // handle of the seed is still the next).
    let ok = copy(addr, "copied").await;
    assert_eq!(support::returned_handle(&ok), "a|943|1|580");
    assert_eq!(listed(addr).await, json!([]));

    // Any operation, in SOAP 1.2: the reply is a SOAP 1.2 fault.
    armed(addr, json!({"api": "ips", "fault": 10001})).await;
    let body = support::copy_image("in-soap12", "").replace(SOAP11, SOAP12);
    let headers = [("Content-Type", "application/soap+xml; charset=utf-8")];
    let resp = exchange(addr, &support::soap_request(body.as_bytes(), &headers)).await;
    let root = parsed(&resp);
    assert!(
        root.is(SOAP12, "Envelope") && find(&root, SOAP12, "Fault").is_some(),
        "{}",
        resp.text()
    );
    assert_eq!(
        ips_fault(&root),
        (
            "authenticationFault".to_owned(),
            10001,
            "Fault injected by the emulator".to_owned()
        )
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bare_endpoint_answers_with_a_bare_fault_and_other_operations_pass() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let id = armed(
        addr,
        json!({"api": "ips", "operation": "getCompanyInfo", "fault": 20003, "times": 2}),
    )
    .await;
    // Another operation does not use it.
    assert_eq!(copy(addr, "not-faulted").await.status, 200);
    assert_eq!(listed(addr).await[0]["remaining"], 2);

    let body = support::read(&support::root().join("fixtures/soap/bare/01-getCompanyInfo-2017-10-29-beta.request.xml"));
    let bare = support::request(
        "POST",
        "/scene7/api/IpsApiService",
        &[("Content-Type", "text/xml")],
        &body,
    );
    let resp = exchange(addr, &bare).await;
    // The request's faultHttpStatusCode (200) holds for an injected fault.
    assert_eq!(resp.status, 200, "{}", resp.text());
    let root = parsed(&resp);
    assert!(
        root.is(IPS_XSD, "authorizationFault"),
        "a bare fault element: {}",
        resp.text()
    );
    assert_eq!(ips_fault(&root).1, 20003);
    assert_eq!(
        listed(addr).await[0],
        json!({"id": id, "api": "ips", "operation": "getCompanyInfo",
                                             "times": 2, "remaining": 1, "fault": 20003})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kameleoon_status_answers_the_next_clones_then_they_succeed() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let id = armed(
        addr,
        json!({"api": "kameleoon", "operation": "POST /images/{imageId}/clone", "status": 429, "times": 2}),
    )
    .await;
    let bearer = format!("Bearer {}", token(addr).await);
    let auth = [("Authorization", bearer.as_str())];
    for _ in 0..2 {
        // A route the fault does not name is served.
        assert_eq!(call(addr, "GET", "/images/1001", &auth, b"").await.status, 200);
        let resp = call(addr, "POST", "/images/1001/clone", &auth, b"").await;
        assert_eq!(resp.status, 429, "{}", resp.text());
        let body = json_of(&resp);
        assert_eq!(
            (&body["status"], &body["code"], &body["name"], &body["message"]),
            (
                &json!("ERROR"),
                &json!("429"),
                &json!("TOO_MANY_REQUESTS"),
                &json!("Fault injected by the emulator")
            )
        );
    }
    let resp = call(addr, "POST", "/images/1001/clone", &auth, b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(json_of(&resp)["id"], 1002, "the refused clones made nothing");

    // The journal holds the facade's calls, the injected ones marked.
    let calls: Vec<(Value, Value, Value, Value, Value)> = journal(addr)
        .await
        .iter()
        .map(|e| {
            (
                e["api"].clone(),
                e["operation"].clone(),
                e["outcome"].clone(),
                e["status"].clone(),
                e["injected"].clone(),
            )
        })
        .collect();
    let clone = |outcome: &str, status: u16, injected: Option<u64>| {
        (
            json!("kameleoon"),
            json!("POST /images/1001/clone"),
            json!(outcome),
            json!(status),
            json!(injected),
        )
    };
    let get = (
        json!("kameleoon"),
        json!("GET /images/1001"),
        json!("ok"),
        json!(200),
        Value::Null,
    );
    let token = (
        json!("kameleoon"),
        json!("POST /oauth/token"),
        json!("ok"),
        json!(200),
        Value::Null,
    );
    assert_eq!(
        calls,
        [
            token,
            get.clone(),
            clone("error", 429, Some(id)),
            get,
            clone("error", 429, Some(id)),
            clone("ok", 200, None)
        ]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delay_is_followed_by_the_normal_reply_and_journalled() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    let ips = armed(addr, json!({"api": "ips", "operation": "copyImage", "delay_ms": 30})).await;
    let rest = armed(
        addr,
        json!({"api": "kameleoon", "operation": "GET /images/*", "delay_ms": 30}),
    )
    .await;
    let resp = copy(addr, "delayed").await;
    assert_eq!(support::returned_handle(&resp), "a|943|1|580");
    let bearer = format!("Bearer {}", token(addr).await);
    let resp = call(addr, "GET", "/images/1001", &[("Authorization", bearer.as_str())], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(json_of(&resp)["name"], "macbookwin1");
    let entries = journal(addr).await;
    let injected: Vec<(&str, &str, Option<u64>)> = entries
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap_or_default(),
                e["outcome"].as_str().unwrap_or_default(),
                e["injected"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        injected,
        [
            ("copyImage", "ok", Some(ips)),
            ("POST /oauth/token", "ok", None),
            ("GET /images/1001", "ok", Some(rest))
        ]
    );
    assert_eq!(listed(addr).await, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn faults_are_listed_in_arming_order_and_disarmed() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    for fault in [
        json!({"api": "ips", "fault": 30000}),
        json!({"api": "kameleoon", "status": 500, "times": 5, "message": "down"}),
        json!({"api": "kameleoon", "operation": "/images", "delay_ms": 10}),
    ] {
        armed(addr, fault).await;
    }
    let resp = call(addr, "GET", "/_emulator/faults", &[], b"").await;
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    assert_eq!(
        json_of(&resp),
        json!([
            {"id": 1, "api": "ips", "operation": null, "times": 1, "remaining": 1, "fault": 30000},
            {"id": 2, "api": "kameleoon", "operation": null, "times": 5, "remaining": 5, "status": 500,
             "message": "down"},
            {"id": 3, "api": "kameleoon", "operation": "/images", "times": 1, "remaining": 1, "delay_ms": 10}
        ])
    );
    let resp = call(addr, "DELETE", "/_emulator/faults/2", &[], b"").await;
    assert_eq!((resp.status, json_of(&resp)), (200, json!({"removed": 2})));
    let resp = call(addr, "DELETE", "/_emulator/faults/2", &[], b"").await;
    assert_eq!(resp.status, 404, "{}", resp.text());
    let ids: Vec<Value> = listed(addr)
        .await
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["id"].clone())
        .collect();
    assert_eq!(ids, [1, 3]);
    let resp = call(addr, "DELETE", "/_emulator/faults", &[], b"").await;
    assert_eq!(json_of(&resp), json!({"cleared": 2}));
    assert_eq!(listed(addr).await, json!([]));
    for (method, path, status, allow) in [
        ("PUT", "/_emulator/faults", 405, Some("GET, HEAD, POST, DELETE")),
        ("GET", "/_emulator/faults/1", 405, Some("DELETE")),
        ("DELETE", "/_emulator/faults/one", 404, None),
        ("DELETE", "/_emulator/faults/1/2", 404, None),
    ] {
        let resp = call(addr, method, path, &[], b"").await;
        assert_eq!((resp.status, resp.header("allow")), (status, allow), "{method} {path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_bodies_are_refused_saying_why_and_arm_nothing() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    for (body, says) in [
        ("{", "not a fault"),
        (
            "{\"api\":\"ips\",\"fault\":30001,\"retries\":2}",
            "unknown field `retries`",
        ),
        (
            "{\"api\":\"nope\",\"status\":500}",
            "api must be one of ips, kameleoon, sharinpix, not 'nope'",
        ),
        ("{\"api\":\"ips\",\"status\":500}", "takes a fault code"),
        ("{\"api\":\"kameleoon\",\"fault\":30001}", "takes an HTTP status"),
        (
            "{\"api\":\"ips\",\"operation\":\"copyImages\",\"fault\":30001}",
            "'copyImages' is not an IPS operation",
        ),
        (
            "{\"api\":\"kameleoon\",\"operation\":\"POST /nothing\",\"status\":500}",
            "not a route of kameleoon",
        ),
        (
            "{\"api\":\"kameleoon\",\"operation\":\"post /images\",\"status\":500}",
            "not an HTTP method",
        ),
        (
            "{\"api\":\"ips\",\"fault\":30001,\"times\":0}",
            "times must be from 1 to 1000000",
        ),
        (
            "{\"api\":\"ips\",\"delay_ms\":60001}",
            "delay_ms must be from 0 to 60000",
        ),
        (
            "{\"api\":\"kameleoon\",\"status\":200}",
            "status must be from 400 to 599",
        ),
        ("{\"api\":\"ips\",\"fault\":30001,\"delay_ms\":5}", "only one of"),
        ("{\"api\":\"ips\"}", "one of status, fault or delay_ms is required"),
    ] {
        let resp = call(addr, "POST", "/_emulator/faults", &[JSON], body.as_bytes()).await;
        assert_eq!(resp.status, 400, "{body}: {}", resp.text());
        let error = json_of(&resp)["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(says), "{body}: {error}");
    }
    assert_eq!(listed(addr).await, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn a_reset_disarms_every_fault_and_numbers_them_from_one_again() {
    let server = TestServer::in_memory().await;
    let addr = server.addr;
    armed(addr, json!({"api": "ips", "operation": "copyImage", "fault": 30001})).await;
    armed(addr, json!({"api": "kameleoon", "status": 423})).await;
    let resp = call(addr, "POST", "/_emulator/reset", &[], b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(listed(addr).await, json!([]));
    assert_eq!(copy(addr, "after-reset").await.status, 200);
    assert_eq!(armed(addr, json!({"api": "ips", "fault": 30001})).await, 1);
    server.stop().await;
}

#[tokio::test]
async fn without_the_emulator_api_there_is_nothing_to_arm() {
    let mut options = support::options(DataLocation::InMemory, Limits::default());
    options.emulator_api = false;
    let server = TestServer::start(options).await;
    let resp = arm(server.addr, &json!({"api": "ips", "fault": 30001})).await;
    assert_eq!(resp.status, 404);
    assert_eq!(
        call(server.addr, "GET", "/_emulator/faults", &[], b"").await.status,
        404
    );
    assert_eq!(copy(server.addr, "served").await.status, 200);
    server.stop().await;
}
