//! The service contract as served: our WSDL and XSDs with their base URL
//! rewritten for the host that asked.
//!
//! The files in `wsdl/` and `xsd/` carry `http://localhost:8080` as their only
//! base URL; a request through that host gets them byte for byte. Like
//! Adobe's generator, `?serviceUrl=` overrides the `soap:address`.

/// A document the service publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `IpsApi-2008-01-15.wsdl`.
    Wsdl,
    /// `IpsApi-2008-01-15.xsd`: the request and reply types.
    TypesXsd,
    /// `IpsApi.xsd`: `authHeader` and the fault elements.
    CommonXsd,
}

/// The WSDL file.
pub const WSDL: &str = include_str!("../../wsdl/IpsApi-2008-01-15.wsdl");
/// The types schema file.
pub const TYPES_XSD: &str = include_str!("../../xsd/IpsApi-2008-01-15.xsd");
/// The common schema file.
pub const COMMON_XSD: &str = include_str!("../../xsd/IpsApi.xsd");

/// The base URL written in the files.
pub const FILE_BASE: &str = "http://localhost:8080";
/// Where the SOAP endpoint lives under a base URL.
pub const SERVICE_PATH: &str = "/scene7/services/IpsApiService";

impl Document {
    /// The document a file name under `/scene7/webservice/` names.
    pub fn from_file_name(name: &str) -> Option<Self> {
        match name {
            "IpsApi-2008-01-15.wsdl" => Some(Document::Wsdl),
            "IpsApi-2008-01-15.xsd" => Some(Document::TypesXsd),
            "IpsApi.xsd" => Some(Document::CommonXsd),
            _ => None,
        }
    }

    /// The MIME type to serve it with.
    pub fn content_type(self) -> &'static str {
        "text/xml; charset=utf-8"
    }

    /// The document with its URLs pointing at `base` (`http://host:port`),
    /// and the WSDL's `soap:address` at `service_url` when one is given.
    pub fn render(self, base: &str, service_url: Option<&str>) -> String {
        let text = match self {
            Document::Wsdl => WSDL,
            Document::TypesXsd => TYPES_XSD,
            Document::CommonXsd => COMMON_XSD,
        };
        let base = escape_attr(base);
        let address = match service_url {
            Some(url) => escape_attr(&service_address(url)),
            None => format!("{base}{SERVICE_PATH}"),
        };
        text.replace(&format!("{FILE_BASE}{SERVICE_PATH}"), &address)
            .replace(FILE_BASE, &base)
    }
}

/// A `serviceUrl` that is only `scheme://host[:port][/]` means the endpoint
/// at its usual path there; one with a longer path is the address itself.
fn service_address(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.split_once('/') {
        Some((_, path)) if !path.is_empty() => url.to_owned(),
        _ => format!("{}{SERVICE_PATH}", url.trim_end_matches('/')),
    }
}

/// Whether a `serviceUrl` value is an absolute http(s) URL with no
/// characters that could break out of an attribute or a URL.
pub fn is_acceptable_service_url(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2048
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`'))
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    super::writer::escape(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_name_only_the_placeholder_base() {
        for doc in [Document::Wsdl, Document::TypesXsd, Document::CommonXsd] {
            assert_eq!(doc.render(FILE_BASE, None), doc.render(FILE_BASE, None));
        }
        assert_eq!(Document::Wsdl.render(FILE_BASE, None), WSDL);
        let moved = Document::Wsdl.render("http://10.1.2.3:9000", None);
        assert!(!moved.contains("localhost:8080"));
        assert!(moved.contains("location=\"http://10.1.2.3:9000/scene7/services/IpsApiService\""));
        assert!(moved.contains("http://10.1.2.3:9000/scene7/webservice/IpsApi-2008-01-15.xsd"));
    }

    #[test]
    fn service_url_overrides_the_address_only() {
        let w = Document::Wsdl.render("http://h:1", Some("http://localhost:8081"));
        assert!(w.contains("location=\"http://localhost:8081/scene7/services/IpsApiService\""));
        assert!(w.contains("http://h:1/scene7/webservice/IpsApi.xsd"));
        let w = Document::Wsdl.render("http://h:1", Some("https://proxy/x/y"));
        assert!(w.contains("location=\"https://proxy/x/y\""));
        assert!(is_acceptable_service_url("http://localhost:8081"));
        for bad in ["ftp://x", "http://x\"/><evil", "javascript:x", "http://a b"] {
            assert!(!is_acceptable_service_url(bad), "{bad}");
        }
    }
}
