//! The service contract as served: each version's WSDL and XSDs, written
//! from the registry of operations for the host that asked.
//!
//! Documents are generated with `http://localhost:8080` as their base URL
//! (the files in `wsdl/` and `xsd/` are exactly that, kept as a reviewable
//! record of the contract); a request through another host gets its own
//! base. Like Adobe's generator, `?serviceUrl=` overrides the
//! `soap:address`. For code generators that choke on a whole contract,
//! `?operations=a,b` narrows a document to those operations and the types
//! they reach, and `?bindings=soap11` leaves out the SOAP 1.2 binding.

mod definitions;
mod schema;

use crate::ips::contract::Version;
use crate::ips::{registry, Operation};

/// A document the service publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Document {
    /// A version's WSDL (`IpsApi-<date>.wsdl`, or `IpsApi.wsdl` before 4.0).
    Wsdl(Version),
    /// A dated version's types schema (`IpsApi-<date>.xsd`).
    Types(Version),
    /// The pre-4.0 schema, types and header alike (`IpsApi-pre40.xsd`).
    Pre40Types,
    /// The dated versions' `authHeader` and fault elements (`IpsApi.xsd`).
    Common,
}

/// The base URL written in generated documents (and the files).
pub const FILE_BASE: &str = "http://localhost:8080";
/// Where the SOAP endpoint lives under a base URL.
pub const SERVICE_PATH: &str = "/scene7/services/IpsApiService";

impl Document {
    /// Every document, in the order the files are kept.
    pub fn all() -> Vec<Document> {
        let mut docs: Vec<Document> = Version::ALL.into_iter().map(Document::Wsdl).collect();
        docs.extend(
            Version::ALL
                .into_iter()
                .filter(|v| v.date().is_some())
                .map(Document::Types),
        );
        docs.extend([Document::Pre40Types, Document::Common]);
        docs
    }

    /// Its file name under `/scene7/webservice/`.
    pub fn file_name(self) -> String {
        match self {
            Document::Wsdl(v) => match v.date() {
                Some(date) => format!("IpsApi-{date}.wsdl"),
                None => "IpsApi.wsdl".into(),
            },
            Document::Types(v) => format!("IpsApi-{}.xsd", v.date().unwrap_or("pre40")),
            Document::Pre40Types => "IpsApi-pre40.xsd".into(),
            Document::Common => "IpsApi.xsd".into(),
        }
    }

    /// The directory its file is kept in (`wsdl/` or `xsd/`).
    pub fn dir(self) -> &'static str {
        match self {
            Document::Wsdl(_) => "wsdl",
            _ => "xsd",
        }
    }

    /// The document a file name under `/scene7/webservice/` names.
    pub fn from_file_name(name: &str) -> Option<Self> {
        Document::all().into_iter().find(|d| d.file_name() == name)
    }

    /// The MIME type to serve it with.
    pub fn content_type(self) -> &'static str {
        "text/xml; charset=utf-8"
    }

    /// The document for `subset`, with its base URL `FILE_BASE`.
    pub fn generate(self, subset: &Subset) -> String {
        match self {
            Document::Wsdl(v) => definitions::wsdl(v, subset),
            Document::Types(v) => schema::types(v, subset),
            Document::Pre40Types => schema::pre40(subset),
            Document::Common => schema::common(),
        }
    }

    /// The document for `subset`, its URLs pointing at `base`
    /// (`http://host:port`), and a WSDL's address at `service_url` when one
    /// is given. Refused when the subset names an operation this document's
    /// version does not have.
    pub fn render(self, base: &str, service_url: Option<&str>, subset: &Subset) -> Result<String, String> {
        if let Document::Wsdl(v) | Document::Types(v) = self {
            subset.check(v)?;
        }
        if self == Document::Pre40Types {
            subset.check(Version::Pre40)?;
        }
        let text = self.generate(subset);
        let base = escape_attr(base);
        let address = match service_url {
            Some(url) => escape_attr(&service_address(url)),
            None => format!("{base}{SERVICE_PATH}"),
        };
        Ok(text
            .replace(&format!("{FILE_BASE}{SERVICE_PATH}"), &address)
            .replace(FILE_BASE, &base))
    }
}

/// Which part of a contract a document describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subset {
    /// Only these operations (`None`: every one the version has).
    names: Option<Vec<&'static str>>,
    /// Whether the SOAP 1.2 binding is included.
    pub soap12: bool,
}

impl Default for Subset {
    fn default() -> Self {
        Subset {
            names: None,
            soap12: true,
        }
    }
}

impl Subset {
    /// Reads `operations=a,b` and `bindings=soap11` (or `soap11,soap12`)
    /// from a query string's decoded `(name, value)` pairs; other
    /// parameters are not this module's.
    pub fn from_query<'q>(pairs: impl IntoIterator<Item = (&'q str, &'q str)>) -> Result<Subset, String> {
        let mut subset = Subset::default();
        for (name, value) in pairs {
            match name {
                "operations" => {
                    let mut names = Vec::new();
                    for n in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        let op = registry::find(n).ok_or_else(|| format!("unknown operation '{n}'"))?;
                        if !names.contains(&op.name) {
                            names.push(op.name);
                        }
                    }
                    if names.is_empty() {
                        return Err("operations= names no operation".into());
                    }
                    subset.names = Some(names);
                }
                "bindings" => {
                    let mut soap11 = false;
                    let mut soap12 = false;
                    for b in value.split(',').map(str::trim) {
                        match b {
                            "soap11" => soap11 = true,
                            "soap12" => soap12 = true,
                            other => return Err(format!("unknown binding '{other}' (soap11, soap12)")),
                        }
                    }
                    if !soap11 {
                        return Err("bindings= must include soap11".into());
                    }
                    subset.soap12 = soap12;
                }
                _ => {}
            }
        }
        Ok(subset)
    }

    /// The operations `version` has that this subset includes, in registry
    /// order.
    pub fn operations(&self, version: Version) -> Vec<&'static Operation> {
        registry::in_version(version)
            .filter(|op| self.names.as_ref().is_none_or(|n| n.contains(&op.name)))
            .collect()
    }

    /// Refuses a subset naming an operation `version` does not have.
    fn check(&self, version: Version) -> Result<(), String> {
        for name in self.names.iter().flatten() {
            if registry::find(name).is_some_and(|op| !op.in_version(version)) {
                return Err(format!("operation '{name}' is not part of IPS API {}", version.label()));
            }
        }
        Ok(())
    }

    /// The query a WSDL puts on its schema imports, so they describe the
    /// same subset (empty for the whole contract).
    pub fn query(&self) -> String {
        match &self.names {
            Some(names) => format!("?operations={}", names.join(",")),
            None => String::new(),
        }
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

    fn render(doc: Document, base: &str, service_url: Option<&str>) -> String {
        doc.render(base, service_url, &Subset::default()).expect("renders")
    }

    #[test]
    fn documents_name_only_the_placeholder_base() {
        let w = Document::Wsdl(Version::V2008_01_15);
        assert_eq!(render(w, FILE_BASE, None), w.generate(&Subset::default()));
        let moved = render(w, "http://10.1.2.3:9000", None);
        assert!(!moved.contains("localhost:8080"));
        assert!(moved.contains("location=\"http://10.1.2.3:9000/scene7/services/IpsApiService\""));
        assert!(moved.contains("http://10.1.2.3:9000/scene7/webservice/IpsApi-2008-01-15.xsd"));
    }

    #[test]
    fn service_url_overrides_the_address_only() {
        let w = Document::Wsdl(Version::V2008_01_15);
        let text = render(w, "http://h:1", Some("http://localhost:8081"));
        assert!(text.contains("location=\"http://localhost:8081/scene7/services/IpsApiService\""));
        assert!(text.contains("http://h:1/scene7/webservice/IpsApi.xsd"));
        let text = render(w, "http://h:1", Some("https://proxy/x/y"));
        assert!(text.contains("location=\"https://proxy/x/y\""));
        assert!(is_acceptable_service_url("http://localhost:8081"));
        for bad in ["ftp://x", "http://x\"/><evil", "javascript:x", "http://a b"] {
            assert!(!is_acceptable_service_url(bad), "{bad}");
        }
    }

    #[test]
    fn file_names_round_trip() {
        for doc in Document::all() {
            assert_eq!(Document::from_file_name(&doc.file_name()), Some(doc));
        }
        assert_eq!(
            Document::from_file_name("IpsApi.wsdl"),
            Some(Document::Wsdl(Version::Pre40))
        );
        assert_eq!(Document::from_file_name("IpsApi-2099-01-01.wsdl"), None);
    }

    #[test]
    fn subsets() {
        let s = Subset::from_query([("operations", "copyImage, getAssets"), ("bindings", "soap11")]).expect("valid");
        assert!(!s.soap12);
        let names: Vec<_> = s.operations(Version::V2014_04_03).iter().map(|o| o.name).collect();
        assert_eq!(names, ["copyImage", "getAssets"]);
        assert_eq!(s.query(), "?operations=copyImage,getAssets");
        let w = Document::Wsdl(Version::V2014_04_03)
            .render(FILE_BASE, None, &s)
            .expect("renders");
        assert!(!w.contains("soap12:binding") && !w.contains("getFolders"));
        assert!(w.contains("IpsApi-2014-04-03.xsd?operations=copyImage,getAssets"));
        assert!(
            Document::Wsdl(Version::Pre40).render(FILE_BASE, None, &s).is_err(),
            "no copyImage before 4.0"
        );
        for bad in [
            ("operations", "noSuchOp"),
            ("operations", ""),
            ("bindings", "soap12"),
            ("bindings", "http"),
        ] {
            assert!(Subset::from_query([bad]).is_err(), "{bad:?}");
        }
    }
}
