//! A strict, namespace-resolving XML reader producing a small element tree.
//!
//! SOAP forbids DTDs and processing instructions, and a SOAP server must not
//! be talked into expanding entities, nesting without bound or reading past
//! the envelope. quick-xml's `NsReader` reports all of those as events; this
//! module turns each into an error and builds a tree only from what is left.
//! Names are kept as (namespace URI, local name): nothing downstream ever
//! looks at a prefix.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Why a document was refused. Messages never echo document content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct XmlError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, XmlError> {
    Err(XmlError(msg.into()))
}

/// An attribute with its namespace resolved (`None` for unprefixed ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Value with references resolved.
    pub value: String,
}

/// An element: its resolved name, attributes, child elements, and the
/// concatenation of the character data directly inside it (text, CDATA and
/// references alike; comments split nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Namespace URI, `None` when the element is in no namespace.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes other than namespace declarations.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Character data directly inside this element.
    pub text: String,
}

impl Element {
    /// Whether the element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    /// The value of attribute `{ns}name`.
    pub fn attr(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name && a.ns.as_deref() == ns)
            .map(|a| a.value.as_str())
    }

    /// The name as `{ns}local` (or `local`), for messages.
    pub fn qname(&self) -> String {
        match &self.ns {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The XML Schema instance namespace (for `xsi:nil`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character XML 1.0 does not allow, if any. Requests are nearly
/// all ASCII, so the bytes are checked first, in blocks with no branch per
/// byte (which the compiler can vectorise); characters are decoded only when
/// some byte is not plain ASCII.
fn first_non_xml_char(src: &str) -> Option<char> {
    let plain = |b: u8| (0x20..0x80).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r');
    let all_plain = src
        .as_bytes()
        .chunks(64)
        .all(|block| block.iter().fold(true, |ok, &b| ok & plain(b)));
    if all_plain {
        return None;
    }
    src.chars().find(|c| !is_xml_char(*c))
}

/// Parses a whole document. `declared_utf16` says the bytes arrived as
/// UTF-16 (and were transcoded), which is the only case where an
/// `encoding="UTF-16"` declaration is true.
pub fn parse(src: &str, max_depth: usize, declared_utf16: bool) -> Result<Element, XmlError> {
    if let Some(c) = first_non_xml_char(src) {
        return err(format!("character U+{:04X} is not allowed in XML", c as u32));
    }
    let mut reader = NsReader::from_str(src);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut first = true;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError(format!("malformed XML: {}", syntax_message(&e))))?;
        // Names are resolved (and an undeclared prefix refused, before any
        // other check) only for start tags: an end tag must repeat its start
        // tag's name, so it resolves the same way, and nothing else has one.
        let ns = match &event {
            Event::Start(start) | Event::Empty(start) => namespace(reader.resolver().resolve_element(start.name()).0)?,
            _ => None,
        };
        let at_start = std::mem::replace(&mut first, false);
        match event {
            Event::Decl(decl) => {
                if !at_start {
                    return err("XML declaration is only allowed at the very start");
                }
                check_decl(&decl, declared_utf16)?;
            }
            Event::DocType(_) => return err("document type declarations are not allowed in a SOAP message"),
            Event::PI(_) => return err("processing instructions are not allowed in a SOAP message"),
            Event::Comment(_) => {}
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return err("content after the end of the root element");
            }
            Event::Start(start) => {
                if stack.len() >= max_depth {
                    return err(format!("elements are nested deeper than {max_depth} levels"));
                }
                stack.push(element(&reader, &start, ns)?);
            }
            Event::Empty(start) => {
                if stack.len() >= max_depth {
                    return err(format!("elements are nested deeper than {max_depth} levels"));
                }
                let el = element(&reader, &start, ns)?;
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(&mut stack, &mut root, el),
                None => return err("unexpected end tag"),
            },
            Event::Text(text) => {
                let text = text.xml10_content();
                push_text(&mut stack, &root, &text)?;
            }
            Event::CData(cdata) => {
                let text = cdata.xml10_content();
                push_text(&mut stack, &root, &text)?;
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => predefined_entity(&r.xml10_content())
                        .ok_or_else(|| XmlError("undefined entity reference".into()))?,
                    Err(_) => return err("invalid character reference"),
                };
                if !is_xml_char(c) {
                    return err(format!(
                        "character reference to U+{:04X} is not allowed in XML",
                        c as u32
                    ));
                }
                push_text(&mut stack, &root, c.encode_utf8(&mut [0; 4]))?;
            }
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return err("the document ends inside an element");
    }
    root.ok_or_else(|| XmlError("the document has no root element".into()))
}

fn syntax_message(e: &quick_xml::Error) -> String {
    // quick-xml's messages name positions and tags, never whole content;
    // still, keep them short (the cut falls on a character boundary: a
    // tag name in the message may hold any character).
    super::writer::cut(&e.to_string(), 200).into_owned()
}

fn namespace(resolved: ResolveResult<'_>) -> Result<Option<String>, XmlError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.0.to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(_) => err("an element uses an undeclared namespace prefix"),
    }
}

fn check_decl(decl: &quick_xml::events::BytesDecl<'_>, declared_utf16: bool) -> Result<(), XmlError> {
    match decl.version() {
        Ok(v) if v == "1.0" => {}
        _ => return err("only XML 1.0 documents are accepted"),
    }
    match decl.encoding() {
        None => Ok(()),
        Some(Ok(enc)) => {
            let enc = enc.to_ascii_lowercase();
            let utf16 = matches!(enc.as_str(), "utf-16" | "utf-16le" | "utf-16be");
            if enc == "utf-8" && !declared_utf16 || utf16 && declared_utf16 {
                Ok(())
            } else {
                err("the declared encoding is not the one the document uses (UTF-8 or UTF-16 only)")
            }
        }
        Some(Err(_)) => err("malformed XML declaration"),
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn element(reader: &NsReader<&[u8]>, start: &BytesStart<'_>, ns: Option<String>) -> Result<Element, XmlError> {
    let name = start.local_name().into_inner().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|_| XmlError("malformed or duplicated attribute".into()))?;
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = namespace(resolved)?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| XmlError("undefined entity reference in an attribute".into()))?;
        let name = local.into_inner().to_owned();
        attrs.push(Attr {
            ns,
            name,
            value: value.into_owned(),
        });
    }
    Ok(Element {
        ns,
        name,
        attrs,
        ..Element::default()
    })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], root: &Option<Element>, text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => el.text.push_str(text),
        None if text.trim_matches(['\t', '\n', '\r', ' ']).is_empty() => {}
        None if root.is_some() => return err("content after the end of the root element"),
        None => return err("text outside the root element"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Element {
        parse(src, 100, false).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn bad(src: &str) -> String {
        parse(src, 100, false).expect_err(src).0
    }

    #[test]
    fn long_messages_are_cut_between_characters() {
        // The mismatched end tag's name is quoted in quick-xml's message;
        // at some length a two-byte character straddles the cut.
        for n in 60..140 {
            let name = "é".repeat(n);
            let msg = bad(&format!("<a></{name}>"));
            let limit = "malformed XML: ".len() + 200 + '…'.len_utf8();
            assert!(msg.len() <= limit, "{n}: {} bytes", msg.len());
        }
    }

    #[test]
    fn names_resolve_by_uri_not_prefix() {
        let a = ok(r#"<a:x xmlns:a="urn:1"><a:y b:z="v" xmlns:b="urn:2"/></a:x>"#);
        let b = ok(r#"<x xmlns="urn:1"><y xmlns:c="urn:2" c:z="v"/></x>"#);
        assert_eq!(a, b);
        assert!(a.is("urn:1", "x"));
        assert_eq!(a.children[0].attr(Some("urn:2"), "z"), Some("v"));
    }

    #[test]
    fn text_joins_cdata_references_and_comment_splits() {
        let el = ok("<n>split<!--c-->value<![CDATA[-cdata]]>&amp;&lt;&#x41;&#66;&quot;</n>");
        assert_eq!(el.text, "splitvalue-cdata&<AB\"");
        let el = ok("<n>\n  padded\t </n>");
        assert_eq!(el.text, "\n  padded\t ", "values are not trimmed");
        let el = ok("<n><![CDATA[</n><n>smuggled]]></n>");
        assert_eq!(el.text, "</n><n>smuggled");
    }

    #[test]
    fn refuses_what_soap_forbids() {
        assert!(
            bad(r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>"#).contains("document type")
        );
        assert!(bad("<x><?evil x?></x>").contains("processing"));
        assert!(bad("<x/><y/>").contains("after"));
        assert!(bad("<x/>trailing").contains("after"));
        assert!(bad("<x>&foo;</x>").contains("entity"));
        assert!(bad("<x>&#0;</x>").contains("reference"));
        assert!(bad("<x>&#1;</x>").contains("U+0001"));
        assert!(bad("<x>\u{1}</x>").contains("U+0001"));
        assert!(bad("<x><y></x>").contains("malformed"));
        assert!(bad("<x><y>").contains("ends inside"));
        assert!(bad("<p:x/>").contains("prefix"));
        assert!(bad(r#"<x a="1" a="2"/>"#).contains("attribute"));
        assert!(bad("").contains("no root"));
        assert!(bad("hello").contains("outside"));
        assert!(bad(r#"<?xml version="1.1"?><x/>"#).contains("1.0"));
        assert!(bad(r#"<?xml version="1.0" encoding="ISO-8859-1"?><x/>"#).contains("encoding"));
        assert!(bad(r#"<?xml version="1.0" encoding="UTF-16"?><x/>"#).contains("encoding"));
        assert!(parse(r#"<?xml version="1.0" encoding="UTF-16"?><x/>"#, 100, true).is_ok());
    }

    #[test]
    fn depth_is_bounded() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&deep(100), 100, false).is_ok());
        assert!(parse(&deep(101), 100, false)
            .expect_err("too deep")
            .0
            .contains("nested"));
        let very = deep(200_000);
        assert!(parse(&very, 100, false).is_err());
    }
}
