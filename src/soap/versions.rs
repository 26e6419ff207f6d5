//! The IPS namespaces: which API version each one speaks.
//!
//! Each published version has its namespace (`…/xsd/2008-01-15`…), and the
//! pre-4.0 API the unversioned `…/xsd`, where `authHeader` and the fault
//! elements live for every version. Requests also arrive in namespaces
//! Adobe never published a WSDL for: dated betas (`-beta`) and interim
//! releases seen in Adobe's examples and in client code. Each of those
//! speaks the shapes of the latest published version at or before its date.

use crate::ips::contract::Version;

/// The unversioned IPS namespace: `authHeader` and the fault elements always
/// live here, and pre-4.0 requests use it for everything.
pub const IPS_XSD: &str = "http://www.scene7.com/IpsApi/xsd";

/// Dates of API namespaces the service answers besides the published
/// versions': interim releases in Adobe's examples (2011-11-04, 2012-07-31,
/// 2013-08-29), the betas AEM and its extensions send (2016-01-14,
/// 2017-10-29) and the one in AEM's bundled schema (2021-01-11).
const OTHER_DATES: &[&str] = &[
    "2011-11-04",
    "2012-07-31",
    "2013-08-29",
    "2016-01-14",
    "2017-10-29",
    "2021-01-11",
];

/// The API version a namespace speaks, if it is one the service answers.
pub fn version_of(ns: &str) -> Option<Version> {
    if ns == IPS_XSD {
        return Some(Version::Pre40);
    }
    let dated = ns.strip_prefix(IPS_XSD)?.strip_prefix('/')?;
    let date = dated.strip_suffix("-beta").unwrap_or(dated);
    let known = Version::ALL.iter().any(|v| v.date() == Some(date)) || OTHER_DATES.contains(&date);
    if known {
        Version::at_date(date)
    } else {
        None
    }
}

/// Whether `ns` is an IPS types namespace the service answers in.
pub fn is_ips_namespace(ns: &str) -> bool {
    version_of(ns).is_some()
}

/// A version's own namespace.
pub fn namespace(version: Version) -> &'static str {
    match version {
        Version::Pre40 => IPS_XSD,
        Version::V2008_01_15 => "http://www.scene7.com/IpsApi/xsd/2008-01-15",
        Version::V2008_09_10 => "http://www.scene7.com/IpsApi/xsd/2008-09-10",
        Version::V2009_07_31 => "http://www.scene7.com/IpsApi/xsd/2009-07-31",
        Version::V2010_01_31 => "http://www.scene7.com/IpsApi/xsd/2010-01-31",
        Version::V2012_02_14 => "http://www.scene7.com/IpsApi/xsd/2012-02-14",
        Version::V2013_02_15 => "http://www.scene7.com/IpsApi/xsd/2013-02-15",
        Version::V2014_04_03 => "http://www.scene7.com/IpsApi/xsd/2014-04-03",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_name_versions() {
        for v in Version::ALL {
            assert_eq!(version_of(namespace(v)), Some(v), "{v:?}");
        }
        for (ns, v) in [
            ("http://www.scene7.com/IpsApi/xsd/2014-04-03-beta", Version::V2014_04_03),
            ("http://www.scene7.com/IpsApi/xsd/2016-01-14-beta", Version::V2014_04_03),
            ("http://www.scene7.com/IpsApi/xsd/2017-10-29-beta", Version::V2014_04_03),
            ("http://www.scene7.com/IpsApi/xsd/2011-11-04", Version::V2010_01_31),
            ("http://www.scene7.com/IpsApi/xsd/2013-08-29-beta", Version::V2013_02_15),
        ] {
            assert_eq!(version_of(ns), Some(v), "{ns}");
        }
        for bad in [
            "http://www.scene7.com/IpsApi",
            "http://www.scene7.com/IpsApi/xsd/",
            "http://www.scene7.com/IpsApi/xsd/2023-01-15",
            "http://www.scene7.com/IpsApi/xsd/2014-04-03-alpha",
            "urn:attacker:lookalike",
        ] {
            assert!(!is_ips_namespace(bad), "{bad}");
        }
    }
}
