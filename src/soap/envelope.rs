//! SOAP 1.1/1.2 envelopes, the IPS namespaces, and the headers the service
//! understands.

use super::versions::IPS_XSD;
use super::xml::{Element, XSI};
use super::Error;
use crate::auth::Credentials;

/// SOAP 1.1 envelope namespace.
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Namespace of the deprecated `AuthUser`/`AuthPassword` headers.
pub const IPS_LEGACY: &str = "http://www.scene7.com/IpsApi";

/// The SOAP version of a message, which also decides the reply's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1.
    #[default]
    V11,
    /// SOAP 1.2.
    V12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub fn ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11,
            SoapVersion::V12 => SOAP12,
        }
    }
}

/// A recognised envelope.
#[derive(Debug)]
pub struct Envelope {
    /// Its SOAP version.
    pub version: SoapVersion,
    /// The header blocks, in order.
    pub headers: Vec<Element>,
    /// The single Body child.
    pub body: Element,
}

/// What the root element says the SOAP version is, if it is an Envelope.
pub fn version_of(root: &Element) -> Option<SoapVersion> {
    match root.ns.as_deref() {
        Some(SOAP11) => Some(SoapVersion::V11),
        Some(SOAP12) => Some(SoapVersion::V12),
        _ => None,
    }
}

/// Checks the envelope's structure: Header?, Body, nothing else; exactly one
/// Body child.
pub fn recognise(root: Element) -> Result<Envelope, Error> {
    if root.name != "Envelope" {
        return Err(Error::Malformed("the root element is not a SOAP Envelope".into()));
    }
    let version = version_of(&root).ok_or(Error::VersionMismatch)?;
    let ns = version.ns();
    if !is_blank(&root.text) {
        return Err(Error::Malformed("text directly inside the Envelope".into()));
    }
    let mut children = root.children.into_iter();
    let mut next = children.next();
    let mut headers = Vec::new();
    if let Some(header) = next.take_if(|el| el.is(ns, "Header")) {
        if !is_blank(&header.text) {
            return Err(Error::Malformed("text directly inside the Header".into()));
        }
        headers = header.children;
        next = children.next();
    }
    let body = match next {
        Some(body) if body.is(ns, "Body") => body,
        _ => {
            return Err(Error::Malformed(
                "the Envelope must hold an optional Header and then a Body".into(),
            ))
        }
    };
    if children.next().is_some() {
        return Err(Error::Malformed("elements after the Body are not allowed".into()));
    }
    if !is_blank(&body.text) {
        return Err(Error::Malformed("text directly inside the Body".into()));
    }
    let mut items = body.children.into_iter();
    match (items.next(), items.next()) {
        (Some(body), None) => Ok(Envelope { version, headers, body }),
        (None, _) => Err(Error::Malformed("the Body is empty".into())),
        (Some(_), Some(_)) => Err(Error::Malformed("the Body must hold exactly one element".into())),
    }
}

/// XML whitespace only (the four characters XML calls white space).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Options the `authHeader` carries besides credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeaderOptions {
    /// `gzipResponse`, when present and a valid boolean.
    pub gzip_response: Option<bool>,
    /// `faultHttpStatusCode`, when present and within 200–599.
    pub fault_status: Option<u16>,
}

/// What the headers say about the caller.
#[derive(Debug, Default)]
pub struct Headers {
    /// Credentials from `authHeader`.
    pub from_auth_header: Option<Credentials>,
    /// Credentials from the deprecated `AuthUser`/`AuthPassword` headers
    /// (used only when neither `authHeader` nor HTTP Basic carries any).
    pub from_legacy: Option<Credentials>,
    /// `authHeader` options.
    pub options: HeaderOptions,
}

fn is_auth_header(el: &Element, body_ns: Option<&str>) -> bool {
    el.name == "authHeader" && (el.ns.as_deref() == Some(IPS_XSD) || (el.ns.is_some() && el.ns.as_deref() == body_ns))
}

fn is_legacy_header(el: &Element) -> bool {
    el.ns.as_deref() == Some(IPS_LEGACY) && (el.name == "AuthUser" || el.name == "AuthPassword")
}

/// The first header block that must be understood but is not, per the SOAP
/// version's `mustUnderstand` and actor/role rules.
pub fn not_understood(env: &Envelope) -> Option<&Element> {
    let ns = env.version.ns();
    let body_ns = env.body.ns.as_deref();
    env.headers.iter().find(|h| {
        let must = matches!(h.attr(Some(ns), "mustUnderstand"), Some("1" | "true"));
        let for_us = match env.version {
            SoapVersion::V11 => matches!(
                h.attr(Some(ns), "actor"),
                None | Some("http://schemas.xmlsoap.org/soap/actor/next")
            ),
            SoapVersion::V12 => matches!(
                h.attr(Some(ns), "role"),
                None | Some("http://www.w3.org/2003/05/soap-envelope/role/next")
                    | Some("http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver")
            ),
        };
        must && for_us && !is_auth_header(h, body_ns) && !is_legacy_header(h)
    })
}

/// Reads credentials and options from `authHeader` (in the unversioned IPS
/// namespace or the request's own) or, failing that, the legacy headers.
pub fn read_headers(env: &Envelope) -> Result<Headers, Error> {
    let body_ns = env.body.ns.as_deref();
    let mut auth_headers = env.headers.iter().filter(|h| is_auth_header(h, body_ns));
    let auth = auth_headers.next();
    if auth_headers.next().is_some() {
        return Err(Error::Malformed("more than one authHeader".into()));
    }
    let mut headers = Headers::default();
    if let Some(auth) = auth {
        (headers.from_auth_header, headers.options) = read_auth_header(auth)?;
    }
    {
        let legacy = |name: &str| {
            let mut found = env.headers.iter().filter(|h| is_legacy_header(h) && h.name == name);
            match (found.next(), found.next()) {
                (Some(_), Some(_)) => Err(Error::Malformed(format!("more than one {name} header"))),
                (one, _) => Ok(one.map(|h| h.text.clone())),
            }
        };
        if let (Some(user), password) = (legacy("AuthUser")?, legacy("AuthPassword")?) {
            headers.from_legacy = Some(Credentials {
                user,
                password: password.unwrap_or_default(),
            });
        }
    }
    Ok(headers)
}

/// Credentials and options from an `authHeader` element, wherever it came
/// from (a SOAP header, or the upload servlet's `auth` part). Its children
/// are read in its own namespace; others are ignored.
pub fn read_auth_header(auth: &Element) -> Result<(Option<Credentials>, HeaderOptions), Error> {
    let ns = auth.ns.as_deref().unwrap_or_default();
    let fields = Fields::collect(auth, ns, None)?;
    let options = HeaderOptions {
        gzip_response: fields.get("gzipResponse").and_then(parse_bool),
        fault_status: fields
            .get("faultHttpStatusCode")
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|s| (200..=599).contains(s)),
    };
    let credentials = fields.get("user").map(|user| Credentials {
        user: user.to_owned(),
        password: fields.get("password").unwrap_or_default().to_owned(),
    });
    Ok((credentials, options))
}

/// An `xsd:boolean`.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The simple-valued children of a request element, checked against the
/// names the schema allows.
#[derive(Debug)]
pub struct Fields<'e> {
    values: Vec<(&'e str, &'e str)>,
}

impl<'e> Fields<'e> {
    /// Collects `parent`'s children in namespace `ns`. With `allowed`, any
    /// other child (also one in another namespace) is an error, as a strict
    /// schema-generated server would answer; without it, others are ignored.
    /// A child repeated is an error either way, and `xsi:nil="true"` counts
    /// as absent.
    pub fn collect(parent: &'e Element, ns: &str, allowed: Option<&[&str]>) -> Result<Self, Error> {
        let mut values: Vec<(&str, &str)> = Vec::new();
        for child in &parent.children {
            let known = child.ns.as_deref() == Some(ns) && allowed.is_none_or(|a| a.contains(&child.name.as_str()));
            if !known {
                if allowed.is_some() {
                    return Err(Error::UnexpectedElement(super::bounded(&child.qname())));
                }
                continue;
            }
            if values.iter().any(|(n, _)| *n == child.name) {
                return Err(Error::Malformed(format!(
                    "element '{}' appears more than once",
                    child.name
                )));
            }
            if !child.children.is_empty() {
                return Err(Error::Malformed(format!(
                    "element '{}' must hold text only",
                    child.name
                )));
            }
            if matches!(child.attr(Some(XSI), "nil"), Some("true" | "1")) {
                continue;
            }
            values.push((&child.name, &child.text));
        }
        Ok(Fields { values })
    }

    /// The value of child `name`, if present.
    pub fn get(&self, name: &str) -> Option<&'e str> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// The value of a required child.
    pub fn required(&self, name: &'static str) -> Result<&'e str, Error> {
        self.get(name).ok_or(Error::MissingParameter(name))
    }
}

#[cfg(test)]
mod tests {
    use super::super::xml;
    use super::*;

    fn env(src: &str) -> Result<Envelope, Error> {
        recognise(xml::parse(src, 100, false).expect("well-formed"))
    }

    #[test]
    fn envelope_shapes() {
        let e = env(&format!(
            r#"<S:Envelope xmlns:S="{SOAP11}"><S:Body><x xmlns="urn:x"/></S:Body></S:Envelope>"#
        ))
        .expect("ok");
        assert_eq!(
            (e.version, e.body.name.as_str(), e.headers.len()),
            (SoapVersion::V11, "x", 0)
        );
        let e = env(&format!(
            r#"<e:Envelope xmlns:e="{SOAP12}"><e:Header><h/></e:Header><e:Body><x/></e:Body></e:Envelope>"#
        ))
        .expect("ok");
        assert_eq!((e.version, e.headers.len()), (SoapVersion::V12, 1));
        assert!(matches!(
            env(r#"<e:Envelope xmlns:e="urn:not-soap"><e:Body><x/></e:Body></e:Envelope>"#),
            Err(Error::VersionMismatch)
        ));
        for bad in [
            format!(r#"<e:Envelop xmlns:e="{SOAP11}"><e:Body><x/></e:Body></e:Envelop>"#),
            format!(r#"<e:Envelope xmlns:e="{SOAP11}"><e:Body/></e:Envelope>"#),
            format!(r#"<e:Envelope xmlns:e="{SOAP11}"><e:Body><x/><y/></e:Body></e:Envelope>"#),
            format!(r#"<e:Envelope xmlns:e="{SOAP11}"><e:Body><x/></e:Body><e:Body><x/></e:Body></e:Envelope>"#),
            format!(r#"<e:Envelope xmlns:e="{SOAP11}"><e:Body><x/></e:Body><extra/></e:Envelope>"#),
            format!(r#"<e:Envelope xmlns:e="{SOAP11}"><e:Header/></e:Envelope>"#),
        ] {
            assert!(matches!(env(&bad), Err(Error::Malformed(_))), "{bad}");
        }
    }

    #[test]
    fn auth_header_in_either_namespace_and_legacy_fallback() {
        let body_ns = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
        let doc = |header: &str| {
            format!(
                r#"<e:Envelope xmlns:e="{SOAP11}"><e:Header>{header}</e:Header><e:Body><p xmlns="{body_ns}"/></e:Body></e:Envelope>"#
            )
        };
        let read = |header: &str| read_headers(&env(&doc(header)).expect("env"));
        let h = read(&format!(r#"<authHeader xmlns="{body_ns}"><user>u</user><password> p </password><faultHttpStatusCode>200</faultHttpStatusCode><gzipResponse>true</gzipResponse></authHeader>"#)).expect("ok");
        let creds = h.from_auth_header.expect("creds");
        assert_eq!((creds.user.as_str(), creds.password.as_str()), ("u", " p "));
        assert_eq!(
            h.options,
            HeaderOptions {
                gzip_response: Some(true),
                fault_status: Some(200)
            }
        );
        let h = read(&format!(
            r#"<authHeader xmlns="{IPS_XSD}"><user>u</user><faultHttpStatusCode>99</faultHttpStatusCode></authHeader>"#
        ))
        .expect("ok");
        assert_eq!(h.options.fault_status, None);
        let h = read(r#"<authHeader xmlns="urn:attacker"><user>u</user></authHeader>"#).expect("ok");
        assert!(h.from_auth_header.is_none());
        let h = read(&format!(
            r#"<AuthUser xmlns="{IPS_LEGACY}">u</AuthUser><AuthPassword xmlns="{IPS_LEGACY}">p</AuthPassword>"#
        ))
        .expect("ok");
        assert_eq!(h.from_legacy.expect("legacy").password, "p");
        let dup = format!(
            r#"<authHeader xmlns="{IPS_XSD}"><user>a</user></authHeader><authHeader xmlns="{body_ns}"><user>b</user></authHeader>"#
        );
        assert!(matches!(read(&dup), Err(Error::Malformed(_))));
        let dup_field = format!(r#"<authHeader xmlns="{IPS_XSD}"><user>a</user><user>b</user></authHeader>"#);
        assert!(matches!(read(&dup_field), Err(Error::Malformed(_))));
    }

    #[test]
    fn must_understand() {
        let doc = |attrs: &str, v: &str| {
            format!(
                r#"<e:Envelope xmlns:e="{v}"><e:Header><t xmlns="urn:t" {attrs}/><authHeader xmlns="{IPS_XSD}" e:mustUnderstand="1"/></e:Header><e:Body><x/></e:Body></e:Envelope>"#
            )
        };
        let check = |attrs: &str, v: &str| not_understood(&env(&doc(attrs, v)).expect("env")).map(|h| h.name.clone());
        assert_eq!(check(r#"e:mustUnderstand="1""#, SOAP11), Some("t".into()));
        assert_eq!(check(r#"e:mustUnderstand="0""#, SOAP11), None);
        assert_eq!(
            check(r#"e:mustUnderstand="1" e:actor="urn:someone-else""#, SOAP11),
            None
        );
        assert_eq!(check(r#"e:mustUnderstand="true""#, SOAP12), Some("t".into()));
        assert_eq!(
            check(
                r#"e:mustUnderstand="true" e:role="http://www.w3.org/2003/05/soap-envelope/role/none""#,
                SOAP12
            ),
            None
        );
        assert_eq!(
            check(r#"mustUnderstand="1""#, SOAP11),
            None,
            "unqualified attribute is not the SOAP one"
        );
    }
}
