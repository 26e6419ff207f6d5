//! Peak memory of a real server process (the release allocator, its own
//! address space) for the worst XML requests: those the parser's caps and
//! tree budget still accept, and those its budget refuses only after
//! building a tree up to the budget. What one request may cost is bounded
//! by a small multiple of its size.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use crate::support;

/// A server binary running on an in-memory catalog.
pub struct Process {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Process {
    /// Starts `ips-emulator serve --in-memory` with `extra` flags, on a free
    /// loopback port, and waits until it listens.
    pub fn start(extra: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ips-emulator"))
            .args([
                "serve",
                "--in-memory",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
            ])
            .args(extra)
            .env("IPS_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server binary");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("the server logs its address").expect("log line");
            if let Some(rest) = line.split("http://").nth(1) {
                if let Some(addr) = rest.split('/').next().and_then(|a| a.parse().ok()) {
                    break addr;
                }
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Process { child, addr }
    }

    /// The process's peak resident set so far, in bytes (`VmHWM`).
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .expect("VmHWM")
            * 1024
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A copyImage envelope whose Param element holds `inner` (the Param's
/// schema refuses it, after the whole document has been parsed).
fn envelope_around(inner: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password></authHeader></soapenv:Header><soapenv:Body><copyImageParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15">{inner}</copyImageParam></soapenv:Body></soapenv:Envelope>"#
    )
}

/// Repeats `unit` to fill about `bytes`.
fn filled(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len())
}

/// The worst shapes the parser accepts, each about 15 MiB (the body limit
/// is 16 MiB): elements sized so their tree costs the most the budget
/// allows, attributes and namespace declarations at their caps, text nodes
/// at theirs, nesting at the depth limit.
fn shapes() -> Vec<(String, String)> {
    const SIZE: usize = 15 << 20;
    let attrs: String = (0..8).map(|i| format!(" a{i}=\"v\"")).collect();
    let with_attrs = format!("<e{attrs}/>");
    let ns_decls: String = (0..8).map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\"")).collect();
    let with_ns = format!("<e{ns_decls}/>");
    let text = format!("<t>{}</t>", "x".repeat(1 << 20));
    // Names long enough for the budget to take every level.
    let level = "d".repeat(24);
    let nested = format!(
        "{}x{}",
        format!("<{level}>").repeat(90),
        format!("</{level}>").repeat(90)
    );
    // Elements with little text cost the tree the most per byte of
    // document; past some size the budget refuses them (after building a
    // tree up to the budget, which is what the bound must cover too).
    let mut shapes: Vec<(String, String)> = (0..=64)
        .step_by(8)
        .map(|n| {
            let unit = format!("<item>{}</item>", "x".repeat(n));
            (format!("elements with {n} bytes of text"), filled(&unit, SIZE))
        })
        .collect();
    shapes.extend(
        [
            (
                "attributes at the cap",
                // The document's 4096 attributes, then text to the size.
                format!(
                    "{}<pad>{}</pad>",
                    filled(&with_attrs, 512 * with_attrs.len()),
                    "x".repeat(1 << 20)
                ),
            ),
            ("namespace declarations", filled(&with_ns, 120 * with_ns.len())),
            ("one-MiB text nodes", filled(&text, SIZE)),
            ("nesting at the limit", filled(&nested, SIZE)),
            // Refused at the 65th attribute, but quick-xml reads the whole tag.
            (
                "100,000 attributes on one element",
                format!(
                    "<e{}/>",
                    (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect::<String>()
                ),
            ),
        ]
        .map(|(name, body)| (name.to_owned(), body)),
    );
    shapes
}

/// Peak memory over a warmed-up server is at most this many times the
/// request's size: the body as received and as text (about 2x), and the
/// tree's budget (4x, see `soap::xml::TREE_MULTIPLE`), with room for the
/// allocator's rounding.
const MULTIPLE: u64 = 8;

/// What any request may cost beyond that, whatever its size: the tree
/// budget's fixed part (1 MiB) covers the parser's own tables, so a small
/// request is not held to a multiple of a few KiB.
const FIXED: u64 = 1 << 20;

#[tokio::test]
async fn the_worst_xml_requests_cost_a_small_multiple_of_their_size() {
    for (name, inner) in shapes() {
        let server = Process::start(&[]);
        let body = envelope_around(&inner);
        let raw = support::soap_request(body.as_bytes(), support::SOAP_HEADERS);
        // Warm up: the first request's allocations are not the shape's.
        let warm = support::soap_request(support::copy_image("warm", "").as_bytes(), support::SOAP_HEADERS);
        assert_eq!(support::exchange(server.addr, &warm).await.status, 200);
        let before = server.peak_rss();
        let resp = support::exchange(server.addr, &raw).await;
        let after = server.peak_rss();
        let text = resp.text();
        // Refused by the schema after the whole document was parsed, or by
        // the tree's budget while parsing.
        let refusal = [
            "Unexpected subelement",
            "Missing required parameter",
            "too many elements",
            "more than 64 attributes",
        ]
        .into_iter()
        .find(|r| text.contains(r));
        assert!(
            resp.status == 500 && refusal.is_some(),
            "{name}: {}",
            &text[..text.len().min(600)]
        );
        let grew = after.saturating_sub(before);
        let size = body.len() as u64;
        eprintln!(
            "{name}: request {} KiB, peak grew {} KiB ({:.2}x), {}",
            size / 1024,
            grew / 1024,
            grew as f64 / size as f64,
            refusal.unwrap_or_default()
        );
        assert!(grew <= MULTIPLE * size + FIXED, "{name}: grew {grew} for {size} bytes");
    }
}

/// Renders a burst of `n` large images at once through `/is/image` and
/// answers how much the server's peak memory grew, with every status.
async fn render_burst(server: &Process, n: u32) -> (u64, Vec<u16>) {
    // Warm up with a small render: the first one's allocations are not
    // the burst's.
    let warm = b"GET /is/image/ApiTestCo/macbookwin1?wid=50 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    assert_eq!(support::exchange(server.addr, warm).await.status, 200);
    let before = server.peak_rss();
    // 4000x4000 replies as uncompressed TIFF: each render holds a few
    // hundred MB (the reply, its resampling, the encoder's copy); the
    // sizes differ so no two requests are the same.
    let requests = (0..n).map(|i| {
        let addr = server.addr;
        let raw = format!(
            "GET /is/image/ApiTestCo/macbookwin1?wid={}&hei=4000&fit=stretch&fmt=tif HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            4000 - i
        );
        tokio::spawn(async move { support::exchange(addr, raw.as_bytes()).await.status })
    });
    let mut statuses = Vec::new();
    for r in requests.collect::<Vec<_>>() {
        statuses.push(r.await.expect("request task"));
    }
    (server.peak_rss().saturating_sub(before), statuses)
}

/// What a server holds beyond its render budget during a burst: the
/// replies being written out, the connections, the allocator's slack.
const BUDGET_MARGIN: u64 = 96 << 20;

#[tokio::test]
async fn render_bursts_stay_within_the_memory_budget() {
    // About one render's estimate: renders run one at a time, although
    // the CPU budget would let as many run as the machine has cores.
    const BUDGET: u64 = 400 << 20;
    // Waits are not bounded here: on a slow machine the last of eight
    // renders in a row may wait longer than the default patience.
    let server = Process::start(&["--render-memory", "400M", "--max-wait-ms", "600000"]);
    let (grew, statuses) = render_burst(&server, 8).await;
    eprintln!("8 renders of 4000x4000 TIFF: peak grew {} MiB", grew >> 20);
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert!(grew <= BUDGET + BUDGET_MARGIN, "grew {} MiB", grew >> 20);
}

#[tokio::test]
async fn a_render_larger_than_the_whole_budget_is_refused_at_once() {
    let server = Process::start(&["--render-memory", "64M"]);
    let raw = b"GET /is/image/ApiTestCo/macbookwin1?wid=4000&hei=4000&fit=stretch&fmt=tif HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let before = server.peak_rss();
    let resp = support::exchange(server.addr, raw).await;
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert!(resp.text().contains("--render-memory"), "{}", resp.text());
    // copyImage with the same commands: the same refusal, as a fault.
    let body = support::copy_image("too-large", "wid=4000&amp;hei=4000&amp;fit=stretch&amp;fmt=tif");
    let raw = support::soap_request(body.as_bytes(), support::SOAP_HEADERS);
    let resp = support::exchange(server.addr, &raw).await;
    assert_eq!(support::fault_code(&resp), Some(30001), "{}", resp.text());
    assert!(resp.text().contains("(--render-memory)"), "{}", resp.text());
    assert!(server.peak_rss() - before < 32 << 20);
}
