//! A strict, namespace-resolving XML reader producing a small element tree.
//!
//! SOAP forbids DTDs and processing instructions, and a SOAP server must not
//! be talked into expanding entities, nesting without bound or reading past
//! the envelope. quick-xml's `NsReader` reports all of those as events; this
//! module turns each into an error and builds a tree only from what is left,
//! once the well-formedness rules quick-xml leaves to its caller have held
//! (`wellformed`).
//! Names are kept as (namespace URI, local name): nothing downstream ever
//! looks at a prefix.

use std::collections::HashSet;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

mod wellformed;

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
    pub ns: Option<Arc<str>>,
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
    /// Namespace URI, `None` when the element is in no namespace. Shared by
    /// every element and attribute in that namespace.
    pub ns: Option<Arc<str>>,
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

/// Most attributes (namespace declarations included) one element may have.
/// An IPS request needs a handful; quick-xml keeps every attribute of a
/// start tag while it is read.
pub const MAX_ATTRIBUTES_PER_ELEMENT: usize = 64;
/// Most attributes in a whole document.
pub const MAX_ATTRIBUTES: usize = 4096;
/// Most namespace declarations in a whole document (quick-xml also allows
/// no more than 128 in scope at once).
pub const MAX_NAMESPACE_DECLARATIONS: usize = 1024;
/// Longest element or attribute name, prefix included, in bytes.
pub const MAX_NAME: usize = 1024;
/// Longest namespace URI, in bytes.
pub const MAX_NAMESPACE: usize = 4096;
/// Most character data directly inside one element, in bytes.
pub const MAX_TEXT: usize = 1 << 20;
/// The tree may hold at most this many times the document's size, plus
/// [`TREE_SLACK`], counting each element and attribute at its in-memory
/// size: a document of many tiny elements would otherwise cost tens of
/// times its size.
pub const TREE_MULTIPLE: usize = 4;
/// Room every document has regardless of its size (a thousand-item array
/// needs about 150 KiB).
pub const TREE_SLACK: usize = 1 << 20;

/// What a document has used so far of what it may.
struct Budget {
    /// Bytes of tree left.
    bytes: usize,
    attributes: usize,
    namespaces: usize,
}

impl Budget {
    fn for_document(src: &str) -> Self {
        Budget {
            bytes: src.len().saturating_mul(TREE_MULTIPLE).saturating_add(TREE_SLACK),
            attributes: MAX_ATTRIBUTES,
            namespaces: MAX_NAMESPACE_DECLARATIONS,
        }
    }

    fn spend(&mut self, bytes: usize) -> Result<(), XmlError> {
        self.bytes = self
            .bytes
            .checked_sub(bytes)
            .ok_or_else(|| XmlError("the document holds too many elements for its size".into()))?;
        Ok(())
    }

    /// Checks a start tag's name and attributes before its element is
    /// built; says how many attributes it has besides namespace
    /// declarations.
    fn admit(&mut self, start: &BytesStart<'_>) -> Result<usize, XmlError> {
        if start.name().as_ref().len() > MAX_NAME {
            return err(format!("an element name is longer than {MAX_NAME} bytes"));
        }
        let (mut count, mut plain) = (0, 0);
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|_| XmlError("malformed or duplicated attribute".into()))?;
            count += 1;
            if count > MAX_ATTRIBUTES_PER_ELEMENT {
                return err(format!(
                    "an element has more than {MAX_ATTRIBUTES_PER_ELEMENT} attributes"
                ));
            }
            let key = attr.key.as_ref();
            if key.len() > MAX_NAME {
                return err(format!("an attribute name is longer than {MAX_NAME} bytes"));
            }
            if key == "xmlns" || key.starts_with("xmlns:") {
                if attr.value.len() > MAX_NAMESPACE {
                    return err(format!("a namespace URI is longer than {MAX_NAMESPACE} bytes"));
                }
                self.namespaces = self.namespaces.checked_sub(1).ok_or_else(|| {
                    XmlError(format!("more than {MAX_NAMESPACE_DECLARATIONS} namespace declarations"))
                })?;
            } else {
                self.attributes = self
                    .attributes
                    .checked_sub(1)
                    .ok_or_else(|| XmlError(format!("more than {MAX_ATTRIBUTES} attributes")))?;
                plain += 1;
            }
        }
        Ok(plain)
    }
}

/// The heap an element owns apart from its children and text: its name
/// and its attributes (a namespace URI is stored once per document, and
/// bounded by the declarations' cap). The element itself is counted where
/// it lives, in its parent's list of children.
fn footprint(el: &Element) -> usize {
    let attrs: usize = el.attrs.iter().map(|a| a.name.len() + a.value.len()).sum();
    el.name.len() + el.attrs.capacity() * std::mem::size_of::<Attr>() + attrs
}

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

/// Parses a whole request document, within the caps above. `declared_utf16`
/// says the bytes arrived as UTF-16 (and were transcoded), which is the only
/// case where an `encoding="UTF-16"` declaration is true.
pub fn parse(src: &str, max_depth: usize, declared_utf16: bool) -> Result<Element, XmlError> {
    parse_within(src, max_depth, declared_utf16, Budget::for_document(src))
}

/// Parses a document the service or its tests wrote themselves (a WSDL, a
/// schema, a golden reply): nesting up to 1000 and no per-document counts,
/// since a whole contract holds thousands of attributes; the per-element
/// caps still hold.
pub fn parse_trusted(src: &str) -> Result<Element, XmlError> {
    let unbounded = Budget {
        bytes: usize::MAX,
        attributes: usize::MAX,
        namespaces: usize::MAX,
    };
    parse_within(src, 1000, false, unbounded)
}

fn parse_within(src: &str, max_depth: usize, declared_utf16: bool, mut budget: Budget) -> Result<Element, XmlError> {
    if let Some(c) = first_non_xml_char(src) {
        return err(format!("character U+{:04X} is not allowed in XML", c as u32));
    }
    let mut uris = Namespaces::default();
    let mut reader = NsReader::from_str(src);
    wellformed::configure(reader.config_mut());
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
            Event::Start(start) | Event::Empty(start) => {
                uris.resolved(reader.resolver().resolve_element(start.name()).0)?
            }
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
                stack.push(element(&reader, &start, ns, &mut uris, &mut budget)?);
            }
            Event::Empty(start) => {
                if stack.len() >= max_depth {
                    return err(format!("elements are nested deeper than {max_depth} levels"));
                }
                let el = element(&reader, &start, ns, &mut uris, &mut budget)?;
                close(&mut stack, &mut root, el, &mut budget)?;
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(&mut stack, &mut root, el, &mut budget)?,
                None => return err("unexpected end tag"),
            },
            Event::Text(text) => {
                let text = text.xml10_content();
                wellformed::char_data(&text)?;
                push_text(&mut stack, &root, &text, &mut budget)?;
            }
            Event::CData(cdata) => {
                let text = cdata.xml10_content();
                push_text(&mut stack, &root, &text, &mut budget)?;
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
                push_text(&mut stack, &root, c.encode_utf8(&mut [0; 4]), &mut budget)?;
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

/// The namespace URIs of a document, each stored once.
#[derive(Default)]
struct Namespaces(HashSet<Arc<str>>);

impl Namespaces {
    fn resolved(&mut self, resolved: ResolveResult<'_>) -> Result<Option<Arc<str>>, XmlError> {
        match resolved {
            ResolveResult::Bound(ns) => Ok(Some(self.intern(ns.0))),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(_) => err("an element uses an undeclared namespace prefix"),
        }
    }

    fn intern(&mut self, uri: &str) -> Arc<str> {
        if let Some(known) = self.0.get(uri) {
            return known.clone();
        }
        let uri: Arc<str> = Arc::from(uri);
        self.0.insert(uri.clone());
        uri
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

fn element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    ns: Option<Arc<str>>,
    uris: &mut Namespaces,
    budget: &mut Budget,
) -> Result<Element, XmlError> {
    let plain = budget.admit(start)?;
    let name = start.local_name().into_inner().to_owned();
    let mut attrs = Vec::with_capacity(plain);
    for attr in start.attributes() {
        let attr = attr.map_err(|_| XmlError("malformed or duplicated attribute".into()))?;
        let value = wellformed::attribute_value(&attr)?;
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            wellformed::declaration(key, &value)?;
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = uris.resolved(resolved)?;
        let name = local.into_inner().to_owned();
        wellformed::unique(&attrs, &ns, &name)?;
        attrs.push(Attr {
            ns,
            name,
            value: value.into_owned(),
        });
    }
    let el = Element {
        ns,
        name,
        attrs,
        ..Element::default()
    };
    budget.spend(footprint(&el))?;
    Ok(el)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element, budget: &mut Budget) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            let children = &mut parent.children;
            if children.len() == children.capacity() {
                // Most elements have one child or none: start at one slot
                // rather than `Vec`'s four, then double. The budget is asked
                // before the allocation, which briefly holds both buffers.
                let more = children.capacity().max(1);
                budget.spend((children.capacity() + more) * std::mem::size_of::<Element>())?;
                children.reserve_exact(more);
            }
            children.push(el);
        }
        None => *root = Some(el),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], root: &Option<Element>, text: &str, budget: &mut Budget) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => {
            if el.text.len() + text.len() > MAX_TEXT {
                return err(format!("an element holds more than {MAX_TEXT} bytes of text"));
            }
            budget.spend(text.len())?;
            el.text.push_str(text);
        }
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
    fn attributes_names_and_namespaces_are_bounded() {
        let attrs = |n: usize| (0..n).map(|i| format!(" a{i}=\"v\"")).collect::<String>();
        ok(&format!("<r{}/>", attrs(MAX_ATTRIBUTES_PER_ELEMENT)));
        assert!(bad(&format!("<r{}/>", attrs(MAX_ATTRIBUTES_PER_ELEMENT + 1))).contains("attributes"));
        // Namespace declarations count as attributes of their element.
        let decls = (0..MAX_ATTRIBUTES_PER_ELEMENT + 1)
            .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
            .collect::<String>();
        assert!(bad(&format!("<r{decls}/>")).contains("attributes"));
        // Per document: many elements with a few attributes each.
        let many = (0..MAX_ATTRIBUTES / 8 + 1)
            .map(|_| format!("<e{}/>", attrs(8)))
            .collect::<String>();
        assert!(bad(&format!("<r>{many}</r>")).contains("attributes"));
        let ns_many = (0..MAX_NAMESPACE_DECLARATIONS + 1)
            .map(|i| format!("<e xmlns:p=\"urn:{i}\"/>"))
            .collect::<String>();
        assert!(bad(&format!("<r>{ns_many}</r>")).contains("namespace declarations"));
        let long = "n".repeat(MAX_NAME + 1);
        assert!(bad(&format!("<{long}/>")).contains("element name"));
        assert!(bad(&format!("<r {long}=\"v\"/>")).contains("attribute name"));
        let uri = "u".repeat(MAX_NAMESPACE + 1);
        assert!(bad(&format!("<r xmlns=\"{uri}\"/>")).contains("namespace URI"));
    }

    #[test]
    fn text_and_tree_size_are_bounded() {
        let text = "x".repeat(MAX_TEXT);
        assert_eq!(ok(&format!("<r>{text}</r>")).text.len(), MAX_TEXT);
        assert!(bad(&format!("<r>{text}y</r>")).contains("text"));
        // Split by comments, the text still adds up.
        assert!(bad(&format!("<r>{text}<!---->y</r>")).contains("text"));
        // A thousand-item array fits in any document's slack...
        let items = (0..1000)
            .map(|i| format!("<items>a|{i}|1|1</items>"))
            .collect::<String>();
        assert_eq!(ok(&format!("<r>{items}</r>")).children.len(), 1000);
        // ...but tiny elements by the million cost more than their size.
        let tiny = "<a/>".repeat(2_000_000);
        assert!(bad(&format!("<r>{tiny}</r>")).contains("too many elements"));
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
