//! The fuzz targets. Each takes the fuzzer's bytes, runs one part of the
//! service on them and checks what comes out; `Err` is a finding, and so is
//! a panic. The AFL binaries in `src/bin/` call these, and the integration
//! tests compile this same file (`tests/fuzz_regressions.rs`) to replay the
//! saved findings under `fixtures/fuzz/` without AFL.
//!
//! Input shapes (what `src/bin/seeds.rs` writes from the fixtures):
//! - `soap`: optional header lines (`Content-Type: …`, `SOAPAction: …`,
//!   `Authorization: Basic …`, `#path /scene7/api/IpsApiService` for the
//!   bare `<Request>` framing) and a blank line, then the body; without a
//!   header block (the input starts with neither a letter nor `#`) the whole
//!   input is the body of a SOAP request with no headers.
//! - `xml`, `modifier`: the document, the `urlModifier`.
//! - `multipart`: the `Content-Type` value, a line feed, then the body.
//! - `image`: a `urlModifier`, a line feed, then the image (at most 64 KiB).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use base64::Engine;
use ips_emulator::auth::Credentials;
use ips_emulator::fuzzing;
use ips_emulator::render::{self, ImageLimits, PlanLimits, RenderConfig};
use ips_emulator::soap::{self, SoapRequest, SoapResponse};
use ips_emulator::{AppState, DataLocation, Limits, Options, SeedSource};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// What a target says about one input: `Err` describes a finding.
pub type Outcome = Result<(), String>;

/// The deepest XML the service parses (its default `max_xml_depth`).
const MAX_XML_DEPTH: usize = 100;

/// The largest image the `image` target renders; bigger inputs are cut.
pub const MAX_IMAGE_INPUT: usize = 64 * 1024;

/// How many SOAP requests run between two resets of the catalog to its
/// seed, so that what the requests create does not pile up.
const RESET_EVERY: usize = 256;

// ---------------------------------------------------------------- soap ---

/// One service state (in memory, the embedded seed) and a runtime to drive
/// it, made on first use and kept for the process.
struct Harness {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    runs: AtomicUsize,
    // Kept so the catalog stays open; never joined (the process just ends).
    _worker: ips_emulator::catalog::Worker,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        // One thread drives the requests, so that what the fuzzer sees of a
        // run depends on the input rather than on scheduling; blocking work
        // (argon2, rendering) still goes to tokio's blocking pool.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let options = Options {
            catalog: None,
            data: DataLocation::InMemory,
            seed: SeedSource::Embedded,
            limits: Limits::default(),
            emulator_api: false,
            fetch: Default::default(),
        };
        let (state, worker) = runtime
            .block_on(ips_emulator::open(&options))
            .expect("the in-memory state opens");
        Harness {
            runtime,
            state,
            runs: AtomicUsize::new(0),
            _worker: worker,
        }
    })
}

/// A request as the `soap` target's input describes it.
struct SoapInput<'a> {
    bare: bool,
    request: SoapRequest,
    body: &'a [u8],
}

impl<'a> SoapInput<'a> {
    fn read(data: &'a [u8]) -> SoapInput<'a> {
        let mut input = SoapInput {
            bare: false,
            request: SoapRequest::default(),
            body: data,
        };
        let has_head = data.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'#');
        let Some(end) = has_head.then(|| find(data, b"\n\n")).flatten() else {
            return input;
        };
        input.body = &data[end + 2..];
        for line in String::from_utf8_lossy(&data[..end]).lines() {
            if let Some(path) = line.strip_prefix("#path ") {
                input.bare = path.trim() == "/scene7/api/IpsApiService";
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim().to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => input.request.content_type = Some(value),
                "soapaction" => input.request.soap_actions.push(value),
                "authorization" => input.request.basic = basic_credentials(&value),
                _ => {}
            }
        }
        input
    }
}

/// `Authorization: Basic …` as the HTTP layer reads it: a value it cannot
/// decode gives credentials that match no user.
fn basic_credentials(value: &str) -> Option<Credentials> {
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let (user, password) = decoded.split_once(':').unwrap_or_default();
    Some(Credentials {
        user: user.to_owned(),
        password: password.to_owned(),
    })
}

/// The whole SOAP path: the input is posted to the SOAP endpoint (or the
/// bare one) of an in-memory service, and the reply must be well-formed
/// XML and must not be an internal-error fault (a panic in a blocking task
/// or a catalog job surfaces as one).
pub fn soap(data: &[u8]) -> Outcome {
    let h = harness();
    let mut input = SoapInput::read(data);
    input.request.body = input.body.to_vec();
    let request = input.request;
    let reply = h.runtime.block_on(async {
        if input.bare {
            soap::handle_bare(&h.state, request).await
        } else {
            soap::handle(&h.state, request).await
        }
    });
    if h.runs.fetch_add(1, Ordering::Relaxed) % RESET_EVERY == RESET_EVERY - 1 {
        h.runtime
            .block_on(ips_emulator::reset(&h.state))
            .map_err(|e| format!("reset failed: {e}"))?;
    }
    check_reply(&reply)
}

fn check_reply(reply: &SoapResponse) -> Outcome {
    let text = String::from_utf8_lossy(&reply.body);
    well_formed(&reply.body).map_err(|e| format!("the reply is not well-formed XML ({e}):\n{text}"))?;
    if reply.fault_code == Some(30000) && text.contains(soap::fault::INTERNAL_REASON) {
        return Err(format!("the request caused an internal error:\n{text}"));
    }
    if !(100..=599).contains(&reply.status) {
        return Err(format!("HTTP status {} is not a status", reply.status));
    }
    Ok(())
}

// ----------------------------------------------------------------- xml ---

/// The service's XML parser on any UTF-8 text: no panic, and whatever it
/// accepts must be well-formed XML.
pub fn xml(data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match soap::xml::parse(text, MAX_XML_DEPTH, false) {
        Ok(_) => well_formed(data).map_err(|e| format!("the parser accepted XML that is not well-formed: {e}")),
        Err(_) => Ok(()),
    }
}

/// Whether `doc` is one well-formed, namespace-well-formed XML 1.0
/// document in UTF-8, without a DOCTYPE (no SOAP message has one). This is
/// quick-xml's reader, plus what it leaves to its callers: characters XML
/// forbids, references, `<` in attribute values, `]]>` in text, `--` in
/// comments, text outside the root, unbound prefixes, prefixes bound to the
/// empty name and attributes repeated under another prefix. It is written
/// apart from the service's parser, so that the two check each other.
pub fn well_formed(doc: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(doc).map_err(|e| format!("not UTF-8: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(c) = text.chars().find(|c| !is_xml_char(*c)) {
        return Err(format!("character U+{:04X} is not allowed in XML", c as u32));
    }
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let (mut depth, mut roots, mut first) = (0usize, 0usize, true);
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let resolved = matches!(resolved, ResolveResult::Unknown(_));
        let opens = matches!(event, Event::Start(_));
        let at_start = std::mem::replace(&mut first, false);
        match event {
            Event::Decl(decl) => {
                if !at_start {
                    return Err("an XML declaration after the start".into());
                }
                match decl.version() {
                    Ok(v) if v == "1.0" => {}
                    _ => return Err("not an XML 1.0 declaration".into()),
                }
            }
            Event::DocType(_) => return Err("a DOCTYPE".into()),
            Event::Start(start) | Event::Empty(start) => {
                if resolved {
                    return Err("an element with an undeclared prefix".into());
                }
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err("a second root element".into());
                    }
                }
                check_attributes(&reader, &start)?;
                // An empty element opens and closes at once.
                depth += usize::from(opens);
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) => {
                if depth == 0 && !t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                    return Err("text outside the root element".into());
                }
                if t.contains("]]>") {
                    return Err("']]>' in text".into());
                }
            }
            Event::CData(_) if depth == 0 => return Err("CDATA outside the root element".into()),
            Event::GeneralRef(_) if depth == 0 => return Err("a reference outside the root element".into()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) if ["lt", "gt", "amp", "apos", "quot"].contains(&r.xml10_content().as_ref()) => 'x',
                    Ok(None) => return Err(format!("undefined entity &{};", r.xml10_content())),
                    Err(e) => return Err(format!("bad character reference: {e}")),
                };
                if !is_xml_char(c) {
                    return Err(format!("a reference to U+{:04X}", c as u32));
                }
            }
            Event::Eof => break,
            Event::Comment(c) => {
                if c.contains("--") || c.ends_with('-') {
                    return Err("'--' inside a comment".into());
                }
            }
            Event::CData(_) | Event::PI(_) => {}
        }
    }
    match (depth, roots) {
        (0, 1) => Ok(()),
        (0, _) => Err("no root element".into()),
        _ => Err("the document ends inside an element".into()),
    }
}

fn check_attributes(reader: &NsReader<&[u8]>, start: &quick_xml::events::BytesStart<'_>) -> Result<(), String> {
    let mut seen: Vec<(Option<String>, String)> = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("attribute: {e}"))?;
        let key: &str = attr.key.as_ref();
        let declaration = key == "xmlns" || key.starts_with("xmlns:");
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| match declaration {
                true => format!("a malformed reference in a namespace declaration ({key}): {e}"),
                false => format!("a malformed reference in attribute {key}: {e}"),
            })?;
        if let Some(c) = value.chars().find(|c| !is_xml_char(*c)) {
            return Err(format!("a reference to U+{:04X} in attribute {key}", c as u32));
        }
        if attr.value.contains('<') {
            return Err(format!("'<' in attribute {key}"));
        }
        if key.starts_with("xmlns:") && value.is_empty() {
            return Err(format!("{key} binds a prefix to the empty name"));
        }
        if declaration {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = match ns {
            ResolveResult::Bound(ns) => Some(ns.0.to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(_) => return Err(format!("attribute {key} has an undeclared prefix")),
        };
        let name = (ns, local.into_inner().to_owned());
        if seen.contains(&name) {
            return Err(format!("attribute {key} repeats another under a second prefix"));
        }
        seen.push(name);
    }
    Ok(())
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ------------------------------------------------------------ modifier ---

/// Source sizes the `modifier` target plans for: the seed photograph's, a
/// single pixel and a long strip.
const PLAN_SOURCES: [(u32, u32); 3] = [(640, 427), (1, 1), (5000, 3)];

/// The `urlModifier` parser; whatever it accepts is planned for a few
/// source sizes under the default limits, and an accepted plan must stay
/// within them.
pub fn modifier(data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(m) = render::modifier::parse(text) else {
        return Ok(());
    };
    for (w, h) in PLAN_SOURCES {
        fuzzing::plan(&m, w, h, &PlanLimits::default()).map_err(|e| format!("{w}x{h} source: {e}"))?;
    }
    Ok(())
}

// ----------------------------------------------------------- multipart ---

/// The upload servlet's `multipart/form-data` parser: an accepted body has
/// between one and the maximum number of parts, and no part's content holds
/// the delimiter that should have ended it.
pub fn multipart(data: &[u8]) -> Outcome {
    let line = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(content_type) = std::str::from_utf8(&data[..line]) else {
        return Ok(());
    };
    let body = data.get(line + 1..).unwrap_or_default();
    let Ok((boundary, parts)) = fuzzing::multipart(content_type, body) else {
        return Ok(());
    };
    if parts.is_empty() || parts.len() > fuzzing::MAX_PARTS {
        return Err(format!("{} parts accepted", parts.len()));
    }
    let delimiter = format!("\r\n--{boundary}");
    let mut total = 0;
    for (name, _, content) in &parts {
        if find(content, delimiter.as_bytes()).is_some() {
            return Err(format!("part {name:?} runs over a delimiter"));
        }
        total += content.len();
    }
    if total > body.len() {
        return Err(format!("{total} bytes of parts from a body of {}", body.len()));
    }
    Ok(())
}

// --------------------------------------------------------------- image ---

/// Limits for the `image` target: small enough that every render takes
/// milliseconds, so that the fuzzer explores instead of waiting.
pub fn image_config() -> RenderConfig {
    RenderConfig {
        plan: PlanLimits {
            max_reply_pixels: 256 * 256,
            max_reply_side: 1024,
            max_layer_pixels: 1 << 20,
        },
        image: ImageLimits {
            max_side: 2048,
            max_pixels: 1 << 20,
        },
        ..RenderConfig::default()
    }
}

/// Probes and renders an image with a `urlModifier`: a render that succeeds
/// gives a readable image of the planned size in the format asked for; one
/// that fails does so as the caller's error, never the encoder's.
pub fn image(data: &[u8]) -> Outcome {
    let data = &data[..data.len().min(MAX_IMAGE_INPUT)];
    let (modifier, source) = match data.iter().take(256).position(|&b| b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), &data[i + 1..]),
        None => (String::new(), data),
    };
    let config = image_config();
    let Ok(m) = render::modifier::parse(&modifier) else {
        return Ok(());
    };
    let Ok(header) = render::probe(source, config.image) else {
        return Ok(());
    };
    let planned = fuzzing::plan(&m, header.width, header.height, &config.plan)?;
    let rendered = match render::render(source, &m, &config) {
        Ok(r) => r,
        Err(e) if e.is_client() => return Ok(()),
        Err(e) => return Err(format!("{modifier:?}: {e}")),
    };
    let reply = render::probe(&rendered.bytes, ImageLimits::default())
        .map_err(|e| format!("{modifier:?}: the reply is unreadable: {e}"))?;
    if reply != rendered.info {
        return Err(format!(
            "{modifier:?}: the reply is {reply:?}, said to be {:?}",
            rendered.info
        ));
    }
    if planned != Some((reply.width, reply.height)) {
        return Err(format!("{modifier:?}: planned {planned:?}, rendered {reply:?}"));
    }
    if render::mime_for(reply.format) != rendered.mime {
        return Err(format!("{modifier:?}: {} sent as {}", reply.format, rendered.mime));
    }
    Ok(())
}
