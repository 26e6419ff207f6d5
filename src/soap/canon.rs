//! Canonical text of an XML document, for comparing SOAP messages whatever
//! prefixes, namespace declarations, attribute order or indentation they
//! use. Golden tests and fixture replay compare these.
//!
//! [`matches`] compares an expected document with an actual one the same
//! way, except that an element whose whole text, or an attribute whose whole
//! value, is [`ANY`] in the expected document matches any value there
//! (timestamps, generated ids); on a mismatch it gives a line diff of the two
//! canonical forms.

use std::fmt;

use super::xml::{self, Element, XmlError};

/// In an expected document, an element text or attribute value that matches
/// any value (the element or attribute must still be there).
pub const ANY: &str = "{{any}}";

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
    Ok(render(&parse(src)?))
}

fn parse(src: &str) -> Result<Element, XmlError> {
    xml::parse_trusted(src.trim_start_matches('\u{feff}'))
}

fn render(root: &Element) -> String {
    let mut out = String::new();
    write(root, 0, &mut out);
    out
}

/// Why an actual document does not match the expected one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The expected document is not well-formed XML.
    Expected(XmlError),
    /// The actual document is not well-formed XML.
    Actual(XmlError),
    /// Both are XML but differ: a line diff of their canonical forms
    /// (see [`line_diff`]).
    Differs(String),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Expected(e) => write!(f, "the expected document is not well-formed XML: {e}"),
            Mismatch::Actual(e) => write!(f, "the reply is not well-formed XML: {e}"),
            Mismatch::Differs(diff) => f.write_str(diff),
        }
    }
}

/// Whether `actual` matches `expected` after canonicalisation, where
/// [`ANY`] in `expected` stands for any element text or attribute value.
///
/// The actual tree is masked by the expected one (each value the expected
/// document marks [`ANY`], at the same place in the same element, becomes
/// [`ANY`]) and the canonical forms are then compared as text, so a match
/// means the same structure, names and values everywhere but the marked
/// places, and a mismatch diffs like any other.
pub fn matches(expected: &str, actual: &str) -> Result<(), Mismatch> {
    let want = parse(expected).map_err(Mismatch::Expected)?;
    let mut got = parse(actual).map_err(Mismatch::Actual)?;
    mask(&want, &mut got);
    let (want, got) = (render(&want), render(&got));
    if want == got {
        Ok(())
    } else {
        Err(Mismatch::Differs(line_diff(&want, &got)))
    }
}

fn mask(want: &Element, got: &mut Element) {
    if want.ns != got.ns || want.name != got.name {
        // Different elements: the diff shows it; nothing here can match.
        return;
    }
    if want.text == ANY {
        got.text = ANY.to_owned();
    }
    for a in want.attrs.iter().filter(|a| a.value == ANY) {
        if let Some(g) = got.attrs.iter_mut().find(|g| g.ns == a.ns && g.name == a.name) {
            g.value = ANY.to_owned();
        }
    }
    for (w, g) in want.children.iter().zip(got.children.iter_mut()) {
        mask(w, g);
    }
}

/// Lines of context kept around each change in [`line_diff`].
const CONTEXT: usize = 2;

/// Above this many cells the longest-common-subsequence table is not built,
/// and both texts are shown whole instead.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// A line diff: `- ` lines only in `expected`, `+ ` lines only in `actual`,
/// two lines of unchanged context around each change, `  …` for the rest.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    if (n + 1).saturating_mul(m + 1) > MAX_DIFF_CELLS {
        return format!("--- expected\n{expected}\n+++ actual\n{actual}\n");
    }
    // lcs[i][j]: length of the longest common subsequence of a[i..], b[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        ops[k.saturating_sub(CONTEXT)..(k + CONTEXT + 1).min(ops.len())]
            .iter()
            .any(|(tag, _)| *tag != ' ')
    };
    let mut out = String::from("--- expected\n+++ actual\n");
    let mut skipped = false;
    for (k, (tag, line)) in ops.iter().enumerate() {
        if near_change(k) {
            out.push(*tag);
            out.push(' ');
            out.push_str(line);
            out.push('\n');
            skipped = false;
        } else if !skipped {
            out.push_str("  …\n");
            skipped = true;
        }
    }
    out
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

    const REPLY: &str =
        r#"<s:E xmlns:s="urn:s"><r xmlns="urn:x" at="2024-01-02T03:04:05Z"><h>a|943|1|580</h><t>12:00</t></r></s:E>"#;

    #[test]
    fn identical_documents_match_whatever_their_layout() {
        let relaid = "<E xmlns='urn:s'>\n <x:r xmlns:x='urn:x' at='2024-01-02T03:04:05Z'><x:h>a|943|1|580</x:h><x:t>12:00</x:t></x:r></E>";
        assert_eq!(matches(relaid, REPLY), Ok(()));
    }

    #[test]
    fn the_any_marker_matches_any_text_or_attribute_value() {
        let want = r#"<s:E xmlns:s="urn:s"><r xmlns="urn:x" at="{{any}}"><h>a|943|1|580</h><t>{{any}}</t></r></s:E>"#;
        assert_eq!(matches(want, REPLY), Ok(()));
        // Any value includes none.
        let empty = REPLY.replace("<t>12:00</t>", "<t/>");
        assert_eq!(matches(want, &empty), Ok(()));
    }

    #[test]
    fn the_any_marker_still_needs_the_element_or_attribute() {
        let want = r#"<s:E xmlns:s="urn:s"><r xmlns="urn:x" at="{{any}}"><h>a|943|1|580</h><t>{{any}}</t></r></s:E>"#;
        let no_attr = REPLY.replace(r#" at="2024-01-02T03:04:05Z""#, "");
        assert!(matches!(matches(want, &no_attr), Err(Mismatch::Differs(_))));
        let no_element = REPLY.replace("<t>12:00</t>", "");
        assert!(matches!(matches(want, &no_element), Err(Mismatch::Differs(_))));
        let renamed = REPLY.replace("<t>12:00</t>", "<u>12:00</u>");
        assert!(matches!(matches(want, &renamed), Err(Mismatch::Differs(_))));
    }

    #[test]
    fn the_marker_is_the_whole_value_only() {
        let want = REPLY.replace("a|943|1|580", "a|{{any}}");
        assert!(matches(&want, REPLY).is_err(), "no partial matching");
        // A marker in the actual reply matches nothing special.
        let want_literal = REPLY.replace("12:00", "13:00");
        let actual_marker = REPLY.replace("12:00", ANY);
        assert!(matches(&want_literal, &actual_marker).is_err());
    }

    #[test]
    fn a_mismatch_is_a_readable_line_diff() {
        let want = REPLY.replace("a|943|1|580", "a|944|1|581");
        let Err(Mismatch::Differs(diff)) = matches(&want, REPLY) else {
            panic!("expected a diff");
        };
        assert!(diff.starts_with("--- expected\n+++ actual\n"), "{diff}");
        assert!(diff.contains("\n- ") && diff.contains(r#""a|944|1|581""#), "{diff}");
        assert!(diff.contains("\n+ ") && diff.contains(r#""a|943|1|580""#), "{diff}");
        assert!(matches!(matches("<a>", REPLY), Err(Mismatch::Expected(_))));
        assert!(matches!(matches(REPLY, "not xml"), Err(Mismatch::Actual(_))));
    }

    #[test]
    fn line_diff_keeps_context_short() {
        let a: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let b = a.replace("line 10\n", "line ten\n");
        let diff = line_diff(&a, &b);
        assert_eq!(
            diff,
            "--- expected\n+++ actual\n  …\n  line 8\n  line 9\n- line 10\n+ line ten\n  line 11\n  line 12\n  …\n"
        );
        assert_eq!(line_diff("x\n", "x\n"), "--- expected\n+++ actual\n  …\n");
        assert_eq!(line_diff("", "y\n"), "--- expected\n+++ actual\n+ y\n");
    }
}
