//! Elements to values and back, by the contract's declarations.
//!
//! [`decode`] reads a request element against the fields its operation
//! declares for the request's version, strictly: a child the version does
//! not declare there, or one repeated, is refused (30003) rather than
//! ignored, since a misspelt optional field would otherwise silently change
//! the meaning; a required one missing is 30002; a typed value that is not
//! of its type is 30001. Order is not enforced. [`encode`] writes a reply
//! record as the version's return element: its fields in schema order, and
//! only those the version has.

use std::borrow::Cow;

use super::fault::Fault;
use super::writer::Node;
use super::xml::{Element, XSI};
use super::{bounded, Error};
use crate::ips::contract::{Field, Occurs, Ty, Version};
use crate::ips::value::{FailurePart, Record, Value};

/// Most items an array may hold. Every array names things the catalog looks
/// up one by one, on its single worker; Scene7's own paging cap is 1000.
pub const MAX_ITEMS: usize = 1000;

/// Another name a request may use for a field (`companyName` for
/// copyImage's `companyHandle`, as Adobe's reference page spells it).
pub type Alias = (&'static str, &'static str);

fn is_nil(e: &Element) -> bool {
    matches!(e.attr(Some(XSI), "nil"), Some("true" | "1"))
}

/// XML white space only.
fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Reads `element`'s children as the fields `fields` declares for
/// `version`; children must be in `ns`.
pub fn decode(
    element: &Element,
    fields: &'static [Field],
    aliases: &[Alias],
    version: Version,
    ns: &str,
) -> Result<Record, Error> {
    let mut record = Record::new();
    // Field names already seen, and under which name they came.
    let mut seen: Vec<(&'static str, &str)> = Vec::new();
    for child in &element.children {
        let canonical = aliases
            .iter()
            .find(|(alias, _)| *alias == child.name)
            .map_or(child.name.as_str(), |(_, c)| c);
        let field = fields
            .iter()
            .find(|f| f.name == canonical && f.in_version(version))
            .filter(|_| child.ns.as_deref() == Some(ns))
            .ok_or_else(|| Error::UnexpectedElement(bounded(&child.qname())))?;
        if !field.occurs.repeats() {
            if let Some((_, earlier)) = seen.iter().find(|(n, _)| *n == field.name) {
                return Err(Error::Malformed(if *earlier == child.name {
                    format!("element '{}' appears more than once", field.name)
                } else {
                    format!("give {} or {}, not both", field.name, child.name)
                }));
            }
            seen.push((field.name, &child.name));
        }
        if is_nil(child) {
            continue;
        }
        let value = decode_value(child, field, version, ns)?;
        if field.occurs.repeats() {
            push_item(&mut record, field, value, &element.name)?;
        } else {
            record.push(field.name, value);
        }
    }
    if let Some(missing) = fields
        .iter()
        .filter(|f| f.occurs == Occurs::Required && f.in_version(version))
        .find(|f| record.get(f.name).is_none())
    {
        return Err(Error::MissingParameter(missing.name));
    }
    for field in fields.iter().filter(|f| f.in_version(version)) {
        if let Occurs::Between(min, _) = field.occurs {
            let count = match record.get(field.name) {
                Some(Value::List(items)) => items.len(),
                _ => 0,
            };
            if count < usize::from(min) {
                return Err(Error::InvalidValue(format!(
                    "'{}' holds {count} items; at least {min} {} required",
                    bounded(&element.name),
                    if min == 1 { "is" } else { "are" }
                )));
            }
        }
    }
    Ok(record)
}

/// Adds one item of a repeated field, within [`MAX_ITEMS`] and the
/// field's own bound.
fn push_item(record: &mut Record, field: &Field, value: Value, parent: &str) -> Result<(), Error> {
    let (name, most) = match field.occurs {
        Occurs::Between(_, max) => (field.name, usize::from(max).min(MAX_ITEMS)),
        _ => (field.name, MAX_ITEMS),
    };
    match record.take(name) {
        Some(Value::List(mut items)) => {
            if items.len() >= most {
                return Err(Error::InvalidValue(format!(
                    "'{}' holds more than {most} items; at most {most} are accepted",
                    bounded(parent)
                )));
            }
            items.push(value);
            record.push(name, Value::List(items));
        }
        _ => record.push(name, Value::List(vec![value])),
    }
    Ok(())
}

fn decode_value(child: &Element, field: &Field, version: Version, ns: &str) -> Result<Value, Error> {
    match field.ty {
        Ty::Complex(t) => {
            if !is_blank(&child.text) {
                return Err(Error::Malformed(if t.is_array() {
                    format!("element '{}' must hold items elements", field.name)
                } else {
                    format!("element '{}' must hold elements only", field.name)
                }));
            }
            decode(child, t.fields, &[], version, ns).map(Value::Record)
        }
        simple => {
            if !child.children.is_empty() {
                return Err(Error::Malformed(format!(
                    "element '{}' must hold text only",
                    field.name
                )));
            }
            check_lexical(field.name, simple, &child.text)?;
            Ok(Value::Text(child.text.clone()))
        }
    }
}

/// Refuses a typed value that is not in its type's lexical space (XML
/// white space around it is allowed, as the schema's whitespace rule
/// removes it).
fn check_lexical(name: &str, ty: Ty, raw: &str) -> Result<(), Error> {
    let v = raw.trim_matches([' ', '\t', '\n', '\r']);
    let (ok, what) = match ty {
        Ty::Boolean => (matches!(v, "true" | "false" | "1" | "0"), "true or false"),
        Ty::Int => (v.parse::<i32>().is_ok(), "an integer"),
        Ty::Long => (v.parse::<i64>().is_ok(), "an integer"),
        Ty::Double => (is_double(v), "a number"),
        Ty::DateTime => (is_date_time(v), "a date and time (xsd:dateTime)"),
        Ty::String | Ty::Complex(_) => (true, ""),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidValue(format!(
            "{name} must be {what}, not '{}'",
            bounded(raw)
        )))
    }
}

fn is_double(v: &str) -> bool {
    matches!(v, "INF" | "-INF" | "NaN")
        || (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) && v.parse::<f64>().is_ok())
}

/// `[-]YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]`, the lexical form of
/// `xsd:dateTime`, with plausible field ranges.
fn is_date_time(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let (main, zone) = match v.find(['Z', '+']).or_else(|| v.rfind('-').filter(|&i| i > 10)) {
        Some(i) => v.split_at(i),
        None => (v, ""),
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6 && digits(&zone[1..3], 0, 14) && &zone[3..4] == ":" && digits(&zone[4..6], 0, 59));
    let (date, time) = match main.split_once('T') {
        Some(parts) => parts,
        None => return false,
    };
    let mut d = date.split('-');
    let date_ok = matches!(
        (d.next(), d.next(), d.next(), d.next()),
        (Some(y), Some(m), Some(day), None)
            if y.len() >= 4 && y.bytes().all(|b| b.is_ascii_digit()) && digits(m, 1, 12) && digits(day, 1, 31)
    );
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':');
    let time_ok = matches!(
        (t.next(), t.next(), t.next(), t.next()),
        (Some(h), Some(m), Some(s), None) if digits(h, 0, 24) && digits(m, 0, 59) && digits(s, 0, 60)
    ) && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit());
    zone_ok && date_ok && time_ok
}

/// Two ASCII digits within `lo..=hi`.
fn digits(s: &str, lo: u32, hi: u32) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
}

/// Writes `record` as element `name` holding the fields `fields` declares
/// for `version`, in schema order. Fields the record has that the version
/// does not are left out; so are absent optional ones.
pub fn encode(name: impl Into<Cow<'static, str>>, fields: &'static [Field], version: Version, record: &Record) -> Node {
    let mut children = Vec::new();
    // Records are built in schema order, so each lookup usually finds its
    // field right after the previous one.
    let entries = record.entries();
    let mut cursor = 0;
    for field in fields.iter().filter(|f| f.in_version(version)) {
        let found = (cursor..entries.len())
            .chain(0..cursor)
            .find(|&i| entries[i].0 == field.name);
        let Some(at) = found else { continue };
        cursor = at + 1;
        match &entries[at].1 {
            Value::List(items) => {
                for item in items {
                    children.extend(encode_value(field, version, item));
                }
            }
            value => children.extend(encode_value(field, version, value)),
        }
    }
    Node::parent(name, children)
}

fn encode_value(field: &Field, version: Version, value: &Value) -> Option<Node> {
    match (field.ty, value) {
        (Ty::Complex(t), Value::Record(r)) => Some(encode(field.name, t.fields, version, r)),
        (_, Value::Text(t)) => Some(Node::text(field.name, t.as_str())),
        (_, Value::Failure(part, error)) => {
            let fault = Fault::from_ips(error);
            let (code, reason) = fault.code_and_reason().unwrap_or((30000, "internal error"));
            Some(match part {
                FailurePart::Code => Node::text(field.name, code.to_string()),
                FailurePart::Reason => Node::text(field.name, reason),
            })
        }
        // A shape the declaration does not allow: a defect, left out so the
        // reply stays valid.
        _ => {
            tracing::error!(field = field.name, "reply value does not fit its declared type");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml;
    use super::*;
    use crate::ips::contract::prelude::*;

    static ITEM: Type = Type::new("Item", &[req("h", STRING), opt("n", INT)]);
    static ITEMS: Type = Type::new("ItemArray", &[many("items", of(&ITEM))]);
    static FIELDS: &[Field] = &[
        req("a", STRING),
        opt("flag", BOOLEAN),
        opt("when", DATE_TIME),
        opt("list", of(&ITEMS)),
        opt("old", STRING).until(V2012_02_14),
    ];

    fn param(body: &str) -> Element {
        let doc = format!("<p xmlns='urn:t' xmlns:xsi='{XSI}'>{body}</p>");
        xml::parse(&doc, 100, false).expect("well-formed")
    }

    fn run(body: &str, v: Version) -> Result<Record, Error> {
        decode(&param(body), FIELDS, &[("alias", "a")], v, "urn:t")
    }

    #[test]
    fn decodes_by_declaration() {
        let r = run(
            "<a>x</a><flag> 1 </flag><list><items><h>1</h></items><items><h>2</h><n>3</n></items></list>",
            V2014_04_03,
        )
        .expect("valid");
        let list = r.get("list").and_then(Value::as_record).expect("list");
        assert!(matches!(list.get("items"), Some(Value::List(v)) if v.len() == 2));
        assert!(run("<alias>x</alias>", V2014_04_03).is_ok());
        assert!(run("<a>x</a><old>y</old>", V2010_01_31).is_ok());
    }

    #[test]
    fn refuses_what_the_version_does_not_declare() {
        let refused = |body: &str, v| run(body, v).expect_err(body);
        assert!(matches!(
            refused("<a>x</a><old>y</old>", V2012_02_14),
            Error::UnexpectedElement(_)
        ));
        assert!(matches!(
            refused("<a>x</a><zzz/>", V2014_04_03),
            Error::UnexpectedElement(_)
        ));
        assert!(matches!(refused("<a>x</a><a>y</a>", V2014_04_03), Error::Malformed(_)));
        assert!(
            matches!(refused("<a>x</a><alias>y</alias>", V2014_04_03), Error::Malformed(m) if m.contains("not both"))
        );
        assert!(matches!(
            refused("<flag>1</flag>", V2014_04_03),
            Error::MissingParameter("a")
        ));
        assert!(matches!(
            refused("<a xsi:nil='true'/>", V2014_04_03),
            Error::MissingParameter("a")
        ));
        assert!(matches!(
            refused("<a>x</a><flag>yes</flag>", V2014_04_03),
            Error::InvalidValue(_)
        ));
        assert!(matches!(refused("<a><b/></a>", V2014_04_03), Error::Malformed(_)));
        assert!(matches!(
            refused("<a>x</a><list>t</list>", V2014_04_03),
            Error::Malformed(_)
        ));
        assert!(matches!(
            refused("<a>x</a><list><items><n>1</n></items></list>", V2014_04_03),
            Error::MissingParameter("h")
        ));
        assert!(matches!(
            refused("<x:a xmlns:x='urn:other'>1</x:a>", V2014_04_03),
            Error::UnexpectedElement(_)
        ));
        let many = format!(
            "<a>x</a><list>{}</list>",
            "<items><h>1</h></items>".repeat(MAX_ITEMS + 1)
        );
        assert!(matches!(refused(&many, V2014_04_03), Error::InvalidValue(_)));
    }

    #[test]
    fn date_times() {
        for ok in [
            "2008-07-31T12:00:00-06:00",
            "2011-03-01T17:04:40.177Z",
            "2025-01-02T10:11:12",
            "2024-02-29T24:00:00+14:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2008-07-31",
            "2008-13-01T00:00:00Z",
            "2008-07-31T12:00Z",
            "x",
            "2008-07-31T12:00:00.Z",
            "2008-07-31T12:00:00+5",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn encodes_in_schema_order_for_the_version() {
        let r = Record::new()
            .with("old", "o")
            .with_array("list", vec![Record::new().with("n", "5").with("h", "1").into()])
            .with("a", "x");
        let node = encode("ret", FIELDS, V2014_04_03, &r);
        let names: Vec<_> = match &node.content {
            super::super::writer::Content::Children(c) => c.iter().map(|n| n.name.to_string()).collect(),
            _ => vec![],
        };
        assert_eq!(names, ["a", "list"]);
        let old = encode("ret", FIELDS, V2008_01_15, &r);
        assert!(matches!(&old.content, super::super::writer::Content::Children(c) if c.len() == 3));
    }
}
