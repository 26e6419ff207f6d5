//! The well-formedness rules of XML 1.0 and of Namespaces in XML 1.0 that
//! quick-xml's reader leaves to its caller. It finds the markup, matches end
//! tags and refuses a repeated attribute name; it does not look inside
//! attribute values, character data or (unless asked) comments, and it
//! binds whatever a namespace declaration says. Every rule here refuses a
//! document that is not (namespace-)well-formed, so a request that a
//! conforming XML processor would refuse is refused here too, never read in
//! some lenient way of our own.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::events::attributes::Attribute;
use quick_xml::reader::Config;

use super::{err, is_xml_char, Attr, XmlError};

/// Asks the reader for the checks it can make itself: a comment may not
/// hold `--` nor end in `-` (XML 1.0, production 15).
pub(super) fn configure(config: &mut Config) {
    config.check_comments = true;
}

/// An attribute's value with its references resolved, once the value is
/// known to be well-formed: no `<` (WFC: No < in Attribute Values), every
/// `&` opening a reference to a predefined entity or a character
/// (production 10, `AttValue`), and no reference to a character XML does not
/// allow (WFC: Legal Character). Namespace declarations are attributes too.
pub(super) fn attribute_value<'a>(attr: &Attribute<'a>) -> Result<Cow<'a, str>, XmlError> {
    if attr.value.contains('<') {
        return err("an attribute value holds a '<'");
    }
    let value = attr
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .map_err(|_| XmlError("an attribute value holds a malformed or undefined reference".into()))?;
    // The document's own characters were checked as a whole; only a
    // reference can bring in another, and only then is the value a copy.
    if let Cow::Owned(resolved) = &value {
        if let Some(c) = resolved.chars().find(|c| !is_xml_char(*c)) {
            return err(format!(
                "character reference to U+{:04X} is not allowed in XML",
                c as u32
            ));
        }
    }
    Ok(value)
}

/// A namespace declaration (`key` is `xmlns` or `xmlns:…`) with its
/// resolved value: a prefix may not be bound to the empty name (Namespaces
/// in XML 1.0, "No Prefix Undeclaring"); `xmlns=""` may, and leaves the
/// default namespace.
pub(super) fn declaration(key: &str, value: &str) -> Result<(), XmlError> {
    if key != "xmlns" && value.is_empty() {
        return err("a namespace prefix is bound to an empty name");
    }
    Ok(())
}

/// Character data between two pieces of markup or references may not hold
/// `]]>` (production 14, `CharData`): it only ever ends a CDATA section.
pub(super) fn char_data(text: &str) -> Result<(), XmlError> {
    if text.contains("]]>") {
        return err("text holds ']]>' outside a CDATA section");
    }
    Ok(())
}

/// No two attributes of an element may have the same namespace and local
/// name, whatever prefixes they are written with (Namespaces in XML 1.0,
/// "Attributes Unique"); otherwise which one a reader sees would depend on
/// the order it looks in.
pub(super) fn unique(attrs: &[Attr], ns: &Option<Arc<str>>, name: &str) -> Result<(), XmlError> {
    if attrs.iter().any(|a| a.name == name && a.ns == *ns) {
        return err("an element has two attributes with the same namespace and local name");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    fn refused(src: &str) -> String {
        parse(src, 100, false).expect_err(src).0
    }

    fn accepted(src: &str) {
        parse(src, 100, false).unwrap_or_else(|e| panic!("{src}: {e}"));
    }

    #[test]
    fn lt_in_an_attribute_value_is_refused() {
        assert!(refused(r#"<a x="<"/>"#).contains("'<'"));
        assert!(refused(r#"<a xmlns:p="urn:<"/>"#).contains("'<'"));
        accepted(r#"<a x="&lt;>"/>"#);
    }

    #[test]
    fn a_bare_ampersand_in_a_namespace_declaration_is_refused() {
        assert!(refused(r#"<a xmlns:p="a&b"/>"#).contains("reference"));
        assert!(refused(r#"<a xmlns="a&b;"/>"#).contains("reference"));
        assert!(refused(r#"<a x="a&b"/>"#).contains("reference"));
        accepted(r#"<a xmlns:p="urn:a&amp;b"/>"#);
    }

    #[test]
    fn cdata_end_in_text_is_refused() {
        assert!(refused("<a>]]></a>").contains("']]>'"));
        assert!(refused("<a>x<b/>a]]>b</a>").contains("']]>'"));
        // A reference or a comment ends one run of character data.
        accepted("<a>]]&gt;]]&#62;]]<!---->></a>");
        accepted("<a><![CDATA[]]]]><![CDATA[>]]></a>");
    }

    #[test]
    fn a_reference_to_a_forbidden_character_in_an_attribute_is_refused() {
        assert!(refused(r#"<a x="&#1;"/>"#).contains("U+0001"));
        assert!(refused(r#"<a x="&#xFFFE;"/>"#).contains("U+FFFE"));
        assert!(refused(r#"<a xmlns:p="urn:&#x1F;"/>"#).contains("U+001F"));
        let tab = parse(r#"<a x="&#9;&#x1F600;"/>"#, 100, false).expect("allowed characters");
        assert_eq!(tab.attr(None, "x"), Some("\t\u{1F600}"));
    }

    #[test]
    fn double_hyphens_in_a_comment_are_refused() {
        assert!(refused("<a><!-- -- --></a>").contains("`--`"));
        assert!(refused("<a><!-- ends in a hyphen ---></a>").contains("`--`"));
        assert!(refused("<!-- before -- the root --><a/>").contains("`--`"));
        accepted("<a><!-- - single - hyphens --><!----></a>");
    }

    #[test]
    fn a_prefix_bound_to_the_empty_name_is_refused() {
        assert!(refused(r#"<a xmlns:p=""/>"#).contains("empty name"));
        assert!(refused(r#"<p:a xmlns:p="urn:x"><b xmlns:p=""/></p:a>"#).contains("empty name"));
        // The default namespace may be left that way.
        let a = parse(r#"<a xmlns="urn:x"><b xmlns=""/></a>"#, 100, false).expect("undeclared default");
        assert_eq!(a.children[0].ns, None);
    }

    #[test]
    fn an_attribute_repeated_under_two_prefixes_is_refused() {
        let same = r#"<a xmlns:p="urn:x" xmlns:q="urn:x" p:x="1" q:x="2"/>"#;
        assert!(refused(same).contains("same namespace and local name"));
        let inherited = r#"<a xmlns:p="urn:x"><b xmlns:q="urn:x" q:x="1" p:x="2"/></a>"#;
        assert!(refused(inherited).contains("same namespace and local name"));
        // One local name in two namespaces, or in one and in none, is fine.
        accepted(r#"<a xmlns:p="urn:x" xmlns:q="urn:y" p:x="1" q:x="2" x="3"/>"#);
    }
}
