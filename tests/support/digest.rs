//! A contract's facts, independent of how its documents are written: the
//! port type's operations, the messages, and every element and complex
//! type with its fields (name, type, occurrence, order).
//!
//! Digests of Adobe's WSDLs are kept in `tests/adobe/` (written from the
//! WSDLs in `../shared/reference/wsdl` with `IPS_BLESS=1`), so the
//! contract tests compare the served contract with Adobe's, and validate
//! replies against a schema rebuilt from Adobe's facts, on any machine.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ips_emulator::soap::xml::{self, Element};

const XSD: &str = "http://www.w3.org/2001/XMLSchema";
const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
const IPS_XSD: &str = "http://www.scene7.com/IpsApi/xsd";

/// One field of a type or element.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Field {
    pub name: String,
    /// `xsd:string`… or a complex type's name.
    pub ty: String,
    pub min: String,
    pub max: String,
}

/// A complex type or an element's anonymous type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// `sequence` or `all`.
    pub group: String,
    pub any_attribute: bool,
    pub fields: Vec<Field>,
}

/// The facts of one contract.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digest {
    /// Port type operations, in order.
    pub operations: Vec<String>,
    /// Message name → (part name, element name).
    pub messages: BTreeMap<String, (String, String)>,
    /// (namespace label, element name) → shape. The label is the version's
    /// date, or `xsd` for the unversioned namespace.
    pub elements: BTreeMap<(String, String), Shape>,
    /// Complex type name → shape (every type lives in the version's
    /// namespace, or the unversioned one before 4.0).
    pub types: BTreeMap<String, Shape>,
}

fn label(ns: &str) -> String {
    if ns == IPS_XSD {
        "xsd".into()
    } else {
        ns.rsplit('/').next().unwrap_or(ns).to_owned()
    }
}

/// The local part of a QName attribute value (`types:Asset` → `Asset`),
/// keeping `xsd:` for built-in types.
fn type_ref(raw: &str) -> String {
    match raw.split_once(':') {
        Some(("xsd", local)) => format!("xsd:{local}"),
        Some((_, local)) => local.to_owned(),
        None => raw.to_owned(),
    }
}

fn shape(complex: &Element) -> Shape {
    let mut shape = Shape {
        group: "sequence".into(),
        any_attribute: false,
        fields: Vec::new(),
    };
    for part in &complex.children {
        match part.name.as_str() {
            "sequence" | "all" => {
                shape.group = part.name.clone();
                for e in part.children.iter().filter(|e| e.name == "element") {
                    shape.fields.push(Field {
                        name: e.attr(None, "name").unwrap_or_default().to_owned(),
                        ty: type_ref(e.attr(None, "type").unwrap_or_default()),
                        min: e.attr(None, "minOccurs").unwrap_or("1").to_owned(),
                        max: e.attr(None, "maxOccurs").unwrap_or("1").to_owned(),
                    });
                }
            }
            "anyAttribute" => shape.any_attribute = true,
            other => panic!("unexpected schema construct {other}"),
        }
    }
    shape
}

fn add_schema(d: &mut Digest, schema: &Element) {
    let ns = label(schema.attr(None, "targetNamespace").unwrap_or_default());
    for item in &schema.children {
        match (item.ns.as_deref(), item.name.as_str()) {
            (Some(XSD), "complexType") => {
                let name = item.attr(None, "name").unwrap_or_default().to_owned();
                d.types.insert(name, shape(item));
            }
            (Some(XSD), "element") => {
                let name = item.attr(None, "name").unwrap_or_default().to_owned();
                let complex = item
                    .children
                    .iter()
                    .find(|c| c.name == "complexType")
                    .unwrap_or_else(|| panic!("element {name} has no complex type"));
                d.elements.insert((ns.clone(), name), shape(complex));
            }
            _ => {}
        }
    }
}

fn parse(text: &str) -> Element {
    let text = text.trim_start_matches('\u{feff}');
    xml::parse_trusted(text).expect("well-formed contract document")
}

/// Digests a WSDL (its inline schemas, if any) and the schemas it imports.
pub fn digest(wsdl: &str, schemas: &[String]) -> Digest {
    let mut d = Digest::default();
    let root = parse(wsdl);
    for section in &root.children {
        match (section.ns.as_deref(), section.name.as_str()) {
            (Some(WSDL), "types") => {
                for schema in section.children.iter().filter(|c| c.is(XSD, "schema")) {
                    add_schema(&mut d, schema);
                }
            }
            (Some(WSDL), "message") => {
                let part = section.children.iter().find(|c| c.name == "part").expect("part");
                d.messages.insert(
                    section.attr(None, "name").unwrap_or_default().to_owned(),
                    (
                        part.attr(None, "name").unwrap_or_default().to_owned(),
                        type_ref(part.attr(None, "element").unwrap_or_default()),
                    ),
                );
            }
            (Some(WSDL), "portType") => {
                d.operations = section
                    .children
                    .iter()
                    .filter(|c| c.name == "operation")
                    .filter_map(|c| c.attr(None, "name").map(str::to_owned))
                    .collect();
            }
            _ => {}
        }
    }
    for schema in schemas {
        add_schema(&mut d, &parse(schema));
    }
    d
}

impl Digest {
    /// The part of the contract `operations` reach: their messages, their
    /// `…Param`/`…Return` elements and every type those reach.
    pub fn restricted_to(&self, operations: &[&str]) -> Digest {
        let mut out = Digest {
            operations: self
                .operations
                .iter()
                .filter(|o| operations.contains(&o.as_str()))
                .cloned()
                .collect(),
            ..Digest::default()
        };
        let mut pending: Vec<String> = Vec::new();
        for op in operations {
            for msg in [op.to_string(), format!("{op}Response")] {
                if let Some(m) = self.messages.get(&msg) {
                    out.messages.insert(msg, m.clone());
                }
            }
            for ((ns, name), shape) in &self.elements {
                if *name == format!("{op}Param") || *name == format!("{op}Return") {
                    out.elements.insert((ns.clone(), name.clone()), shape.clone());
                    pending.extend(shape.fields.iter().map(|f| f.ty.clone()));
                }
            }
        }
        let mut seen = BTreeSet::new();
        while let Some(ty) = pending.pop() {
            if let Some(shape) = self.types.get(&ty) {
                if seen.insert(ty.clone()) {
                    out.types.insert(ty, shape.clone());
                    pending.extend(shape.fields.iter().map(|f| f.ty.clone()));
                }
            }
        }
        out
    }

    /// The digest as text, one fact a line.
    pub fn to_text(&self, title: &str) -> String {
        let mut out = format!("# {title}\n");
        for op in &self.operations {
            let _ = writeln!(out, "operation {op}");
        }
        for (name, (part, element)) in &self.messages {
            let _ = writeln!(out, "message {name} {part} {element}");
        }
        let shape_text = |out: &mut String, s: &Shape| {
            for f in &s.fields {
                let _ = writeln!(out, "  {} {} {} {}", f.name, f.ty, f.min, f.max);
            }
        };
        for ((ns, name), s) in &self.elements {
            let any = if s.any_attribute { " anyAttribute" } else { "" };
            let _ = writeln!(out, "element {ns} {name} {}{any}", s.group);
            shape_text(&mut out, s);
        }
        for (name, s) in &self.types {
            let any = if s.any_attribute { " anyAttribute" } else { "" };
            let _ = writeln!(out, "type {name} {}{any}", s.group);
            shape_text(&mut out, s);
        }
        out
    }

    /// Reads a digest written by [`Digest::to_text`].
    pub fn from_text(text: &str) -> Digest {
        let mut d = Digest::default();
        let mut current: Option<&mut Shape> = None;
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            if let Some(field) = line.strip_prefix("  ") {
                let p: Vec<&str> = field.split(' ').collect();
                let shape = current.as_mut().expect("a field belongs to a type or element");
                shape.fields.push(Field {
                    name: p[0].into(),
                    ty: p[1].into(),
                    min: p[2].into(),
                    max: p[3].into(),
                });
                continue;
            }
            let p: Vec<&str> = line.split(' ').collect();
            let new_shape = |group: &str, rest: &[&str]| Shape {
                group: group.into(),
                any_attribute: rest.contains(&"anyAttribute"),
                fields: Vec::new(),
            };
            current = match p[0] {
                "operation" => {
                    d.operations.push(p[1].into());
                    None
                }
                "message" => {
                    d.messages.insert(p[1].into(), (p[2].into(), p[3].into()));
                    None
                }
                "element" => Some(
                    d.elements
                        .entry((p[1].into(), p[2].into()))
                        .or_insert_with(|| new_shape(p[3], &p[4..])),
                ),
                "type" => Some(d.types.entry(p[1].into()).or_insert_with(|| new_shape(p[2], &p[3..]))),
                other => panic!("unknown digest line kind {other}"),
            };
        }
        d
    }

    /// XML Schemas equivalent to the digest's elements and types, one per
    /// namespace: (namespace, schema text). `version_ns` is the dated
    /// namespace the digest's types live in.
    pub fn to_schemas(&self, version_ns: &str) -> Vec<(String, String)> {
        let mut by_ns: BTreeMap<String, String> = BTreeMap::new();
        let ns_of = |label: &str| {
            if label == "xsd" {
                IPS_XSD.to_owned()
            } else {
                version_ns.to_owned()
            }
        };
        let fields_xml = |s: &Shape, indent: &str| {
            let mut out = format!("{indent}<xsd:{}>\n", s.group);
            for f in &s.fields {
                let ty = if f.ty.starts_with("xsd:") {
                    f.ty.clone()
                } else {
                    format!("types:{}", f.ty)
                };
                let _ = writeln!(
                    out,
                    "{indent}  <xsd:element name=\"{}\" type=\"{ty}\" minOccurs=\"{}\" maxOccurs=\"{}\"/>",
                    f.name, f.min, f.max
                );
            }
            let _ = writeln!(out, "{indent}</xsd:{}>", s.group);
            if s.any_attribute {
                let _ = writeln!(
                    out,
                    "{indent}<xsd:anyAttribute namespace=\"##other\" processContents=\"lax\"/>"
                );
            }
            out
        };
        for (name, s) in &self.types {
            let text = by_ns.entry(version_ns.to_owned()).or_default();
            let _ = write!(
                text,
                "<xsd:complexType name=\"{name}\">\n{}</xsd:complexType>\n",
                fields_xml(s, "  ")
            );
        }
        for ((label, name), s) in &self.elements {
            let text = by_ns.entry(ns_of(label)).or_default();
            let _ = write!(
                text,
                "<xsd:element name=\"{name}\"><xsd:complexType>\n{}</xsd:complexType></xsd:element>\n",
                fields_xml(s, "  ")
            );
        }
        by_ns
            .into_iter()
            .map(|(ns, body)| {
                let schema = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xsd:schema targetNamespace=\"{ns}\" xmlns:xsd=\"{XSD}\" xmlns:types=\"{version_ns}\" elementFormDefault=\"qualified\">\n{body}</xsd:schema>\n"
                );
                (ns, schema)
            })
            .collect()
    }
}
