//! Response serialisation: envelopes, return elements and faults as bytes.
//!
//! Replies copy the shape of captured Scene7 responses: a single-quoted XML
//! declaration, a `soapenv` envelope with no Header, and the return element
//! declaring the request's namespace as its default namespace, so every child
//! is qualified without prefixes.

use std::borrow::Cow;

use super::envelope::SoapVersion;
use super::versions::IPS_XSD;

/// A response element tree: a name and either text or children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Local name (in the reply's namespace).
    pub name: Cow<'static, str>,
    /// Content.
    pub content: Content,
}

/// What a [`Node`] holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Character data.
    Text(String),
    /// Child elements, in schema order.
    Children(Vec<Node>),
}

impl Node {
    /// A text-only element.
    pub fn text(name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            content: Content::Text(value.into()),
        }
    }

    /// An element with children (possibly none: IPS returns empty `…Return`
    /// elements for operations that answer nothing).
    pub fn parent(name: impl Into<Cow<'static, str>>, children: Vec<Node>) -> Self {
        Node {
            name: name.into(),
            content: Content::Children(children),
        }
    }
}

/// Escapes character data and double-quoted attribute values. Apostrophes
/// stay literal, as in Scene7's own replies (`Asset ID 'x' is already in use.`).
/// Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF
/// and CR; U+FFFE; U+FFFF) become U+FFFD, so no value a client sent (and a
/// fault echoes) can make a reply unreadable.
pub fn escape(s: &str, out: &mut String) {
    // Copies the runs between characters that need a reference whole (most
    // values have none).
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (replacement, width) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            // A CR would be read back as LF; keep it as a reference.
            b'\r' => ("&#13;", 1),
            b'\t' | b'\n' => ("", 0),
            0..=0x1f => ("\u{fffd}", 1),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => ("\u{fffd}", 3),
            _ => ("", 0),
        };
        if width == 0 {
            i += 1;
            continue;
        }
        // `i` and `i + width` fall on character boundaries: the matched
        // bytes are ASCII or a whole three-byte character.
        out.push_str(&s[run..i]);
        out.push_str(replacement);
        i += width;
        run = i;
    }
    out.push_str(&s[run..]);
}

/// Longest fault reason or string sent: a reason may echo a client's value,
/// and a client's megabytes are not worth sending back.
const MAX_REASON: usize = 512;

/// `s` cut to at most `max` bytes at a character boundary, with `…` when
/// cut.
pub(crate) fn cut(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

fn write_node(node: &Node, xmlns: Option<&str>, out: &mut String) {
    out.push('<');
    out.push_str(&node.name);
    if let Some(ns) = xmlns {
        out.push_str(" xmlns=\"");
        escape(ns, out);
        out.push('"');
    }
    match &node.content {
        Content::Text(t) if t.is_empty() => out.push_str("/>"),
        Content::Children(c) if c.is_empty() => out.push_str("/>"),
        Content::Text(t) => {
            out.push('>');
            escape(t, out);
            write_close(&node.name, out);
        }
        Content::Children(children) => {
            out.push('>');
            for child in children {
                write_node(child, None, out);
            }
            write_close(&node.name, out);
        }
    }
}

fn write_close(name: &str, out: &mut String) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn open_envelope(version: SoapVersion, out: &mut String) {
    out.push_str("<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv=\"");
    out.push_str(version.ns());
    out.push_str("\"><soapenv:Body>");
}

const CLOSE_ENVELOPE: &str = "</soapenv:Body></soapenv:Envelope>";

/// A success envelope holding `node` in namespace `ns`.
pub fn success(version: SoapVersion, ns: &str, node: &Node) -> String {
    let mut out = String::with_capacity(256);
    open_envelope(version, &mut out);
    write_node(node, Some(ns), &mut out);
    out.push_str(CLOSE_ENVELOPE);
    out
}

/// The parts of a fault the writer needs.
#[derive(Debug)]
pub struct FaultParts<'a> {
    /// SOAP fault code local name: `Client`/`Server`/`VersionMismatch`/
    /// `MustUnderstand` (1.2 spellings are derived).
    pub code: &'a str,
    /// `faultstring` / `Reason/Text`.
    pub string: &'a str,
    /// The IPS detail element name and its code and reason, if any.
    pub detail: Option<(&'a str, i32, &'a str)>,
    /// For MustUnderstand in SOAP 1.2: the header not understood (ns, local).
    pub not_understood: Option<(&'a str, &'a str)>,
}

fn write_detail(detail: (&str, i32, &str), out: &mut String) {
    let (element, code, reason) = detail;
    out.push_str(&format!(
        "<tns:{element} xmlns:tns=\"{IPS_XSD}\"><tns:code>{code}</tns:code><tns:reason>"
    ));
    escape(&cut(reason, MAX_REASON), out);
    out.push_str(&format!("</tns:reason></tns:{element}>"));
}

/// A bare document holding `node` in namespace `ns`, with no envelope: the
/// upload servlet's reply.
pub fn document(ns: &str, node: &Node) -> String {
    let mut out = String::with_capacity(160);
    out.push_str("<?xml version='1.0' encoding='UTF-8'?>");
    write_node(node, Some(ns), &mut out);
    out
}

/// A bare fault element with no envelope, as the upload servlet answers:
/// `<tns:authenticationFault xmlns:tns="…/xsd"><tns:code>…`.
pub fn bare_fault(element: &str, code: i32, reason: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version='1.0' encoding='UTF-8'?>");
    write_detail((element, code, reason), &mut out);
    out
}

/// A fault envelope.
pub fn fault(version: SoapVersion, f: &FaultParts<'_>) -> String {
    let mut out = String::with_capacity(512);
    match version {
        SoapVersion::V11 => {
            open_envelope(version, &mut out);
            out.push_str("<soapenv:Fault><faultcode>soapenv:");
            out.push_str(f.code);
            out.push_str("</faultcode><faultstring>");
            escape(&cut(f.string, MAX_REASON), &mut out);
            out.push_str("</faultstring>");
            if let Some(detail) = f.detail {
                out.push_str("<detail>");
                write_detail(detail, &mut out);
                out.push_str("</detail>");
            }
            out.push_str("</soapenv:Fault>");
        }
        SoapVersion::V12 => {
            out.push_str("<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv=\"");
            out.push_str(version.ns());
            out.push_str("\">");
            if let Some((ns, local)) = f.not_understood {
                // A prefix may not be bound to the empty name (Namespaces
                // in XML 1.0): a header in no namespace is named without
                // one, and no default namespace is in scope to qualify it.
                out.push_str("<soapenv:Header><soapenv:NotUnderstood ");
                if !ns.is_empty() {
                    out.push_str("xmlns:nu=\"");
                    escape(ns, &mut out);
                    out.push_str("\" qname=\"nu:");
                } else {
                    out.push_str("qname=\"");
                }
                escape(local, &mut out);
                out.push_str("\"/></soapenv:Header>");
            }
            out.push_str("<soapenv:Body><soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:");
            out.push_str(match f.code {
                "Client" => "Sender",
                "Server" => "Receiver",
                other => other,
            });
            out.push_str("</soapenv:Value>");
            if let Some((element, _, _)) = f.detail {
                out.push_str(&format!(
                    "<soapenv:Subcode><soapenv:Value xmlns:tns=\"{IPS_XSD}\">tns:{element}</soapenv:Value></soapenv:Subcode>"
                ));
            }
            out.push_str("</soapenv:Code><soapenv:Reason><soapenv:Text xml:lang=\"en\">");
            escape(&cut(f.string, MAX_REASON), &mut out);
            out.push_str("</soapenv:Text></soapenv:Reason>");
            if let Some(detail) = f.detail {
                out.push_str("<soapenv:Detail>");
                write_detail(detail, &mut out);
                out.push_str("</soapenv:Detail>");
            }
            out.push_str("</soapenv:Fault>");
        }
    }
    out.push_str(CLOSE_ENVELOPE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_matches_the_captured_shape() {
        let node = Node::parent("copyImageReturn", vec![Node::text("assetHandle", "a|943|1|580")]);
        assert_eq!(
            success(SoapVersion::V11, "http://www.scene7.com/IpsApi/xsd/2008-01-15", &node),
            "<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><copyImageReturn xmlns=\"http://www.scene7.com/IpsApi/xsd/2008-01-15\"><assetHandle>a|943|1|580</assetHandle></copyImageReturn></soapenv:Body></soapenv:Envelope>"
        );
        let empty = Node::parent("deleteAssetReturn", vec![]);
        assert!(success(SoapVersion::V11, "urn:x", &empty).contains("<deleteAssetReturn xmlns=\"urn:x\"/>"));
    }

    #[test]
    fn bare_documents_match_the_servlet_examples() {
        assert_eq!(
            bare_fault("authenticationFault", 10001, "Invalid username/password"),
            "<?xml version='1.0' encoding='UTF-8'?><tns:authenticationFault xmlns:tns=\"http://www.scene7.com/IpsApi/xsd\"><tns:code>10001</tns:code><tns:reason>Invalid username/password</tns:reason></tns:authenticationFault>"
        );
        let node = Node::parent("uploadPostReturn", vec![Node::text("jobHandle", "j|6||a&b|1")]);
        assert_eq!(
            document("http://www.scene7.com/IpsApi/xsd/2014-04-03", &node),
            "<?xml version='1.0' encoding='UTF-8'?><uploadPostReturn xmlns=\"http://www.scene7.com/IpsApi/xsd/2014-04-03\"><jobHandle>j|6||a&amp;b|1</jobHandle></uploadPostReturn>"
        );
    }

    #[test]
    fn a_header_not_understood_is_named_by_a_qname() {
        let header = |ns| FaultParts {
            code: "MustUnderstand",
            string: "Header not understood",
            detail: None,
            not_understood: Some((ns, "h")),
        };
        let qualified = fault(SoapVersion::V12, &header("urn:x"));
        assert!(qualified.contains("<soapenv:NotUnderstood xmlns:nu=\"urn:x\" qname=\"nu:h\"/>"));
        let unqualified = fault(SoapVersion::V12, &header(""));
        assert!(
            unqualified.contains("<soapenv:NotUnderstood qname=\"h\"/>"),
            "{unqualified}"
        );
        for xml in [qualified, unqualified] {
            assert!(crate::soap::xml::parse(&xml, 100, false).is_ok(), "{xml}");
        }
    }

    #[test]
    fn escaping() {
        let mut out = String::new();
        escape("a&b<c>d\"e'f\rg]]>", &mut out);
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e'f&#13;g]]&gt;");
    }
}
