//! SOAP: bytes in, bytes out. The only module that knows XML.
//!
//! [`handle`] takes a request body and its transport metadata, and always
//! produces a reply: a return element or a fault. The steps, in order:
//! decode the text, parse strictly, recognise the envelope, find the
//! operation from the Body element (checked against any SOAPAction), read the
//! headers, refuse unknown mandatory headers, authenticate, check the user
//! type, decode the parameters, execute, encode.

mod bare;
pub mod canon;
pub mod codec;
mod dispatch;
mod envelope;
pub mod fault;
mod filter;
pub mod upload;
pub mod versions;
mod writer;
pub mod wsdl;
pub mod xml;

use std::sync::Arc;

pub use bare::handle_bare;
pub use envelope::{SoapVersion, SOAP11, SOAP12};
use fault::Fault;
pub use versions::{is_ips_namespace, IPS_XSD};

use crate::app::AppState;
use crate::auth::{self, Credentials};
use crate::ips;

/// Request-level failures (the lower layers' errors ride along).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not acceptable XML or SOAP (30003).
    #[error("{0}")]
    Malformed(String),
    /// A Body element that names no operation the service implements (30003).
    #[error("{0}")]
    UnknownOperation(String),
    /// A child the schema does not allow there (30003).
    #[error("Unexpected subelement {0}")]
    UnexpectedElement(String),
    /// SOAPAction names another operation than the Body (30003).
    #[error("SOAPAction names operation '{action}' but the Body holds a '{operation}' request")]
    ActionMismatch {
        /// The operation SOAPAction names.
        action: String,
        /// The operation the Body holds.
        operation: String,
    },
    /// A parameter's value is unacceptable: not of its schema type, or over
    /// a size limit (30001).
    #[error("{0}")]
    InvalidValue(String),
    /// A required parameter is absent (30002).
    #[error("Missing required parameter '{0}'")]
    MissingParameter(&'static str),
    /// The envelope namespace is not SOAP's.
    #[error("version mismatch")]
    VersionMismatch,
    /// A `mustUnderstand` header the service does not understand.
    #[error("header {name} not understood")]
    MustUnderstand {
        /// Its namespace.
        ns: Option<String>,
        /// Its local name.
        name: String,
    },
    /// Authentication failed.
    #[error(transparent)]
    Auth(#[from] auth::Error),
    /// The operation failed.
    #[error(transparent)]
    Ips(#[from] ips::Error),
    /// A fault armed through `/_emulator/faults` matched the call: the
    /// fault with this code (its element chosen by the code) and reason.
    #[error("{reason}")]
    Injected {
        /// The IPS fault code.
        code: i32,
        /// The fault's reason.
        reason: String,
    },
}

/// A SOAP request as the HTTP layer hands it over.
#[derive(Debug, Default)]
pub struct SoapRequest {
    /// The body, already stripped of any content coding.
    pub body: Vec<u8>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// Every `SOAPAction` header, in order (more than one is refused).
    pub soap_actions: Vec<String>,
    /// Credentials from `Authorization: Basic`.
    pub basic: Option<Credentials>,
}

/// The reply, with what the HTTP layer needs to send it.
#[derive(Debug)]
pub struct SoapResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// The XML.
    pub body: Vec<u8>,
    /// `authHeader/gzipResponse`, if the request set it.
    pub gzip_response: Option<bool>,
    /// The operation, once known (for logs).
    pub operation: Option<String>,
    /// The IPS fault code, for faults that have one (for logs).
    pub fault_code: Option<i32>,
    /// The fault's kind (`ipsApiFault`, …, `VersionMismatch`), for faults.
    pub fault_kind: Option<&'static str>,
    /// The SOAP version of the reply.
    pub version: SoapVersion,
    /// The namespace of the Body's element, once the envelope was read
    /// (the IPS API version the client speaks).
    pub namespace: Option<String>,
    /// The caller's login, once authenticated.
    pub user: Option<String>,
    /// The armed fault the call used, if one matched it.
    pub injected: Option<u64>,
}

/// The "busy" fault for a request refused before its body was read (too
/// many requests in flight): HTTP 503, in the SOAP version its media type
/// names (`application/soap+xml` is SOAP 1.2), or as a bare fault element
/// for the bare and upload endpoints.
pub fn busy(content_type: Option<&str>, bare: bool) -> (u16, &'static str, Vec<u8>) {
    let fault = Fault::from_ips(&crate::ips::Error::Busy(crate::deadline::Busy));
    let status = fault.http_status(None);
    if bare {
        return (status, bare::CONTENT_TYPE, fault.to_bare_xml().into_bytes());
    }
    let version = if media_type_is(content_type, "application/soap+xml") {
        SoapVersion::V12
    } else {
        SoapVersion::V11
    };
    (status, self::content_type(version), fault.to_xml(version).into_bytes())
}

/// What is known about the request so far; it decides how a fault is sent.
#[derive(Default)]
struct Context {
    version: SoapVersion,
    options: envelope::HeaderOptions,
    operation: Option<String>,
    namespace: Option<String>,
    user: Option<String>,
    injected: Option<u64>,
}

/// Handles one SOAP request. Never fails: every error becomes a fault.
pub async fn handle(state: &Arc<AppState>, mut req: SoapRequest) -> SoapResponse {
    // Until the envelope says otherwise, answer in the version the content
    // type suggests.
    let soap12_type = media_type_is(req.content_type.as_deref(), "application/soap+xml");
    let mut ctx = Context {
        version: if soap12_type {
            SoapVersion::V12
        } else {
            SoapVersion::V11
        },
        options: envelope::HeaderOptions::default(),
        operation: None,
        namespace: None,
        user: None,
        injected: None,
    };
    match process(state, &mut req, &mut ctx).await {
        Ok((ns, node)) => SoapResponse {
            status: 200,
            content_type: content_type(ctx.version),
            body: writer::success(ctx.version, &ns, &node).into_bytes(),
            gzip_response: ctx.options.gzip_response,
            operation: ctx.operation,
            fault_code: None,
            fault_kind: None,
            version: ctx.version,
            namespace: ctx.namespace,
            user: ctx.user,
            injected: ctx.injected,
        },
        Err(e) => {
            let fault = Fault::from_error(&e);
            if fault.is_client() {
                tracing::debug!(error = %e, "request refused");
            }
            let version = if fault == Fault::VersionMismatch {
                SoapVersion::V11
            } else {
                ctx.version
            };
            SoapResponse {
                status: fault.http_status(ctx.options.fault_status),
                content_type: content_type(version),
                body: fault.to_xml(version).into_bytes(),
                gzip_response: ctx.options.gzip_response,
                operation: ctx.operation,
                fault_code: fault.code(),
                fault_kind: Some(fault.kind()),
                version,
                namespace: ctx.namespace,
                user: ctx.user,
                injected: ctx.injected,
            }
        }
    }
}

async fn process(
    state: &Arc<AppState>,
    req: &mut SoapRequest,
    ctx: &mut Context,
) -> Result<(String, writer::Node), Error> {
    let (text, utf16) = decode_text(std::mem::take(&mut req.body))?;
    let root = xml::parse(&text, state.limits.max_xml_depth, utf16).map_err(|e| Error::Malformed(e.0))?;
    drop(text);
    if let Some(version) = envelope::version_of(&root) {
        ctx.version = version;
    }
    let env = envelope::recognise(root)?;
    ctx.namespace = env.body.ns.as_deref().map(bounded);
    let target = dispatch::target(&env.body)?;
    ctx.operation = Some(bounded(&target.name));
    let headers = envelope::read_headers(&env)?;
    ctx.options = headers.options;
    if let Some(h) = envelope::not_understood(&env) {
        return Err(Error::MustUnderstand {
            ns: h.ns.as_deref().map(str::to_owned),
            name: h.name.clone(),
        });
    }
    check_action(req, &target.name)?;
    let op = dispatch::operation(&target)?;
    dispatch::inject(state, op, &mut ctx.injected).await?;
    let credentials = headers
        .from_auth_header
        .or_else(|| req.basic.clone())
        .or(headers.from_legacy);
    let node = dispatch::run(state, op, &target, &env.body, credentials, &mut ctx.user).await?;
    Ok((target.ns, node))
}

/// `s` as XML character data (or a double-quoted attribute value).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    writer::escape(s, &mut out);
    out
}

/// Longest client-chosen name (an element's name or namespace) kept for
/// logs, the journal and fault reasons: a hostile request may send megabytes
/// of it, and none of them is worth keeping.
const MAX_ECHO: usize = 128;

/// `s`, cut to [`MAX_ECHO`] bytes (at a character boundary) with `…` when
/// longer.
fn bounded(s: &str) -> String {
    writer::cut(s, MAX_ECHO).into_owned()
}

/// Refuses a request whose SOAPAction (or SOAP 1.2 `action` parameter) names
/// a different IPS operation than the Body. Values that name no operation
/// (empty, absent, a URI) are ignored: the Body decides.
fn check_action(req: &SoapRequest, operation: &str) -> Result<(), Error> {
    if req.soap_actions.len() > 1 {
        // Which one the sender meant is anyone's guess; run neither.
        return Err(Error::Malformed(
            "The request has more than one SOAPAction header".into(),
        ));
    }
    let from_type = req.content_type.as_deref().and_then(|ct| media_param(ct, "action"));
    for raw in req.soap_actions.iter().map(String::as_str).chain(from_type.as_deref()) {
        if let Some(action) = action_operation(raw) {
            if action != operation {
                return Err(Error::ActionMismatch {
                    action,
                    operation: bounded(operation),
                });
            }
        }
    }
    Ok(())
}

/// The IPS operation a SOAPAction value names, if any: `copyImage`,
/// `"copyImage"`, `…#copyImage`, or SOAP::Lite's `…#copyImageParam`.
fn action_operation(raw: &str) -> Option<String> {
    let v = raw.trim().trim_matches('"').trim();
    let last = v.rsplit(['#', '/']).next().unwrap_or(v);
    let name = last.strip_suffix("Param").unwrap_or(last);
    ips::registry::is_ips_operation(name).then(|| name.to_owned())
}

fn content_type(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

/// The lower-cased media type of a Content-Type value.
pub fn media_type(ct: Option<&str>) -> String {
    media_type_raw(ct).to_ascii_lowercase()
}

/// Whether a Content-Type value's media type is `wanted` (lower case), as
/// [`media_type`] would say, without building a string.
pub fn media_type_is(ct: Option<&str>, wanted: &str) -> bool {
    media_type_raw(ct).eq_ignore_ascii_case(wanted)
}

fn media_type_raw(ct: Option<&str>) -> &str {
    ct.and_then(|v| v.split(';').next()).unwrap_or_default().trim()
}

/// A parameter of a Content-Type value, unquoted.
fn media_param(ct: &str, name: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// UTF-8 (with or without BOM) passes through; UTF-16 with a BOM is
/// transcoded. Anything else is refused, never decoded lossily.
fn decode_text(mut bytes: Vec<u8>) -> Result<(String, bool), Error> {
    let utf16 = |le: bool, rest: &[u8]| -> Result<(String, bool), Error> {
        if rest.len() % 2 != 0 {
            return Err(Error::Malformed("truncated UTF-16 text".into()));
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(|s| (s, true))
            .map_err(|_| Error::Malformed("invalid UTF-16 text".into()))
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => return utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => return utf16(false, rest),
        [0xEF, 0xBB, 0xBF, ..] => {
            bytes.drain(..3);
        }
        _ => {}
    }
    // UTF-8 text is taken over as it is, never copied: a body may be
    // megabytes.
    String::from_utf8(bytes)
        .map(|s| (s, false))
        .map_err(|_| Error::Malformed("the request is not valid UTF-8 (or UTF-16 with a byte order mark)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap_actions() {
        assert_eq!(action_operation("\"copyImage\"").as_deref(), Some("copyImage"));
        assert_eq!(action_operation("copyImage").as_deref(), Some("copyImage"));
        assert_eq!(
            action_operation("http://www.scene7.com/IpsApi/xsd/2008-01-15#copyImageParam").as_deref(),
            Some("copyImage")
        );
        assert_eq!(action_operation("urn:x/deleteAsset").as_deref(), Some("deleteAsset"));
        for none in ["", "\"\"", "urn:whatever", "CopyImage"] {
            assert_eq!(action_operation(none), None, "{none:?}");
        }
    }

    #[test]
    fn content_type_parameters() {
        let ct = "application/soap+xml; charset=utf-8; action=\"copyImage\"";
        assert_eq!(media_type(Some(ct)), "application/soap+xml");
        assert!(media_type_is(
            Some(" Application/SOAP+xml ; x=y"),
            "application/soap+xml"
        ));
        assert!(!media_type_is(Some("text/xml"), "application/soap+xml"));
        assert!(media_type_is(None, ""));
        assert_eq!(media_param(ct, "action").as_deref(), Some("copyImage"));
        assert_eq!(media_param("text/xml", "action"), None);
    }

    #[test]
    fn echoed_names_are_bounded() {
        assert_eq!(bounded("copyImage"), "copyImage");
        let long = "é".repeat(100);
        let cut = bounded(&long);
        assert!(cut.len() <= MAX_ECHO + "…".len() && cut.ends_with('…'));
        assert!(cut.starts_with("éé"));
    }

    #[test]
    fn text_decoding() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF<x/>".to_vec()).expect("bom").0, "<x/>");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<x/>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(utf16).expect("utf16"), ("<x/>".to_owned(), true));
        assert!(decode_text(b"<x>\xC0\xAF</x>".to_vec()).is_err());
        assert!(decode_text(b"\xFF\xFE<".to_vec()).is_err());
    }
}
