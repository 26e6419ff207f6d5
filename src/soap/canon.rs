//! Canonical text of an XML document, for comparing SOAP messages whatever
//! prefixes, namespace declarations, attribute order or indentation they
//! use. Golden tests and fixture replay compare these.

use super::xml::{self, Element, XmlError};

/// One line per element, `{namespace}name` with sorted attributes, text
/// shown quoted; whitespace-only text dropped; children indented.
///
/// ```text
/// {http://schemas.xmlsoap.org/soap/envelope/}Envelope
///   {http://schemas.xmlsoap.org/soap/envelope/}Body
///     {urn:x}copyImageReturn
///       {urn:x}assetHandle = "a|943|1|580"
/// ```
pub fn canonical(src: &str) -> Result<String, XmlError> {
    let root = xml::parse(src.trim_start_matches('\u{feff}'), 1000, false)?;
    let mut out = String::new();
    write(&root, 0, &mut out);
    Ok(out)
}

fn write(el: &Element, depth: usize, out: &mut String) {
    out.push_str(&"  ".repeat(depth));
    out.push_str(&el.qname());
    let mut attrs: Vec<String> = el
        .attrs
        .iter()
        .map(|a| match &a.ns {
            Some(ns) => format!(" @{{{ns}}}{}={:?}", a.name, a.value),
            None => format!(" @{}={:?}", a.name, a.value),
        })
        .collect();
    attrs.sort();
    out.push_str(&attrs.concat());
    if !super::envelope::is_blank(&el.text) {
        out.push_str(&format!(" = {:?}", el.text));
    }
    out.push('\n');
    for child in &el.children {
        write(child, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_layout_do_not_matter() {
        let a = r#"<?xml version='1.0'?><s:E xmlns:s="urn:s"><r xmlns="urn:x" b="2" a="1"><h>v</h></r></s:E>"#;
        let b = "<E xmlns='urn:s'>\n  <x:r xmlns:x='urn:x' a='1' b='2'>\n    <x:h>v</x:h>\n  </x:r>\n</E>";
        assert_eq!(canonical(a).expect("a"), canonical(b).expect("b"));
        let c = r#"<s:E xmlns:s="urn:s"><r xmlns="urn:y" a="1" b="2"><h>v</h></r></s:E>"#;
        assert_ne!(
            canonical(a).expect("a"),
            canonical(c).expect("c"),
            "namespaces do matter"
        );
    }
}
