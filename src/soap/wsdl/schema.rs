//! The XML Schemas of the contract: each version's types and elements, and
//! the version-independent `authHeader` and fault elements.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::super::versions::{namespace, IPS_XSD};
use super::Subset;
use crate::ips::contract::{Compositor, Field, Occurs, Ty, Type, Version};
use crate::ips::types::header::{self, AUTH_HEADER};
use crate::ips::Operation;

/// The XML Schema namespace.
const XSD: &str = "http://www.w3.org/2001/XMLSchema";

/// The fault detail elements, the same in every version.
const FAULTS: [&str; 3] = ["ipsApiFault", "authenticationFault", "authorizationFault"];

fn type_name(ty: Ty) -> String {
    match ty {
        Ty::String => "xsd:string".into(),
        Ty::Int => "xsd:int".into(),
        Ty::Long => "xsd:long".into(),
        Ty::Boolean => "xsd:boolean".into(),
        Ty::Double => "xsd:double".into(),
        Ty::DateTime => "xsd:dateTime".into(),
        Ty::Complex(t) => format!("types:{}", t.name),
    }
}

/// The `xsd:element` of one field.
fn element(out: &mut String, indent: &str, f: &Field) {
    let _ = write!(
        out,
        "{indent}<xsd:element name=\"{}\" type=\"{}\"",
        f.name,
        type_name(f.ty)
    );
    match f.occurs {
        Occurs::Required => {}
        Occurs::Optional => out.push_str(" minOccurs=\"0\""),
        Occurs::Many => out.push_str(" minOccurs=\"0\" maxOccurs=\"unbounded\""),
        Occurs::Between(min, max) => {
            let _ = write!(out, " minOccurs=\"{min}\" maxOccurs=\"{max}\"");
        }
    }
    out.push_str("/>\n");
}

/// A complex type's content: its fields for `version`, in a sequence (or
/// an `all`), then, when asked, the open attribute wildcard Adobe's header
/// and fault elements have.
fn content(out: &mut String, indent: &str, compositor: Compositor, fields: &[&Field], any_attribute: bool) {
    let group = match compositor {
        Compositor::Sequence => "sequence",
        Compositor::All => "all",
    };
    if fields.is_empty() {
        let _ = writeln!(out, "{indent}<xsd:{group}/>");
    } else {
        let _ = writeln!(out, "{indent}<xsd:{group}>");
        let inner = format!("{indent}  ");
        for f in fields {
            element(out, &inner, f);
        }
        let _ = writeln!(out, "{indent}</xsd:{group}>");
    }
    if any_attribute {
        let _ = writeln!(
            out,
            "{indent}<xsd:anyAttribute namespace=\"##other\" processContents=\"lax\"/>"
        );
    }
}

/// A top-level element with an anonymous complex type.
fn top_element(out: &mut String, name: &str, compositor: Compositor, fields: &[&Field], any_attribute: bool) {
    let _ = writeln!(out, "  <xsd:element name=\"{name}\">\n    <xsd:complexType>");
    content(out, "      ", compositor, fields, any_attribute);
    out.push_str("    </xsd:complexType>\n  </xsd:element>\n\n");
}

/// The named complex types `fields` reach in `version`, by name.
fn reach(fields: &'static [Field], version: Version, found: &mut BTreeMap<&'static str, &'static Type>) {
    for f in fields.iter().filter(|f| f.in_version(version)) {
        if let Ty::Complex(t) = f.ty {
            if found.insert(t.name, t).is_none() {
                reach(t.fields, version, found);
            }
        }
    }
}

fn open(out: &mut String, target: &str, comment: &str) {
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n{comment}\n-->\n<xsd:schema targetNamespace=\"{target}\"\n    xmlns:xsd=\"{XSD}\"\n    xmlns:types=\"{target}\"\n    elementFormDefault=\"qualified\">\n\n"
    );
}

/// The complex types and the `…Param`/`…Return` elements of `operations`.
fn operations_part(out: &mut String, version: Version, operations: &[&'static Operation]) {
    let mut types = BTreeMap::new();
    for op in operations {
        reach(op.param, version, &mut types);
        reach(op.ret, version, &mut types);
    }
    for t in types.values() {
        let _ = writeln!(out, "  <xsd:complexType name=\"{}\">", t.name);
        let fields: Vec<_> = t.fields_in(version).collect();
        content(out, "    ", t.compositor, &fields, false);
        out.push_str("  </xsd:complexType>\n\n");
    }
    for op in operations {
        for (suffix, fields) in [("Param", op.param), ("Return", op.ret)] {
            let fields: Vec<_> = fields.iter().filter(|f| f.in_version(version)).collect();
            top_element(
                out,
                &format!("{}{suffix}", op.name),
                Compositor::Sequence,
                &fields,
                false,
            );
        }
    }
}

fn header_and_faults(out: &mut String, auth_header: &Type) {
    let fields: Vec<_> = auth_header.fields.iter().collect();
    top_element(out, "authHeader", auth_header.compositor, &fields, true);
    let detail = [Field::req("code", Ty::Int), Field::req("reason", Ty::String)];
    let detail: Vec<_> = detail.iter().collect();
    for fault in FAULTS {
        top_element(out, fault, Compositor::Sequence, &detail, true);
    }
}

/// The types schema of a dated version: every type the subset's operations
/// reach, their `…Param` and `…Return` elements, and (2014-04-03) the
/// version's own `authHeader`.
pub fn types(version: Version, subset: &Subset) -> String {
    let ns = namespace(version);
    let operations = subset.operations(version);
    let mut out = String::with_capacity(64 * 1024);
    let names: Vec<_> = operations.iter().map(|o| o.name).collect();
    open(
        &mut out,
        ns,
        &format!(
            "  Scene7 IPS API {} types as ips-emulator serves them: the types and the\n  request (<op>Param) and reply (<op>Return) elements of the operations it\n  implements in this version: {}.",
            version.label(),
            names.join(", ")
        ),
    );
    operations_part(&mut out, version, &operations);
    let (auth_header, versioned) = header::auth_header(version);
    if versioned {
        let fields: Vec<_> = auth_header.fields.iter().collect();
        top_element(&mut out, "authHeader", auth_header.compositor, &fields, true);
    }
    out.push_str("</xsd:schema>\n");
    out
}

/// The version-independent schema (`http://www.scene7.com/IpsApi/xsd`) of
/// the dated versions: `authHeader` and the fault elements.
pub fn common() -> String {
    let mut out = String::with_capacity(4 * 1024);
    open(
        &mut out,
        IPS_XSD,
        "  Scene7 IPS API elements that are the same in every dated version: the\n  authHeader request header and the three fault detail elements.",
    );
    header_and_faults(&mut out, &AUTH_HEADER);
    out.push_str("</xsd:schema>\n");
    out
}

/// The pre-4.0 schema: that API's types and elements live in the same
/// namespace as `authHeader` (its older shape) and the fault elements.
pub fn pre40(subset: &Subset) -> String {
    let operations = subset.operations(Version::Pre40);
    let names: Vec<_> = operations.iter().map(|o| o.name).collect();
    let mut out = String::with_capacity(32 * 1024);
    open(
        &mut out,
        IPS_XSD,
        &format!(
            "  Scene7 IPS API before 4.0 (IpsApi.wsdl) as ips-emulator serves it: the\n  types and elements of the operations it implements in that version\n  ({}), the authHeader and the fault elements, all in one namespace.",
            names.join(", ")
        ),
    );
    operations_part(&mut out, Version::Pre40, &operations);
    header_and_faults(&mut out, header::auth_header(Version::Pre40).0);
    out.push_str("</xsd:schema>\n");
    out
}
