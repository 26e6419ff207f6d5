//! The `authHeader` SOAP header, as each version's contract declares it.
//!
//! Every version before 2014-04-03 binds the header to the unversioned
//! element (in `http://www.scene7.com/IpsApi/xsd`); 2014-04-03 binds its own,
//! in which `appName` and `appVersion` are required. The service reads
//! credentials from either, whatever the version (`soap::envelope`).

use crate::ips::contract::prelude::*;

/// The unversioned `authHeader` of every versioned contract before
/// 2014-04-03: any order, every field optional.
pub static AUTH_HEADER: Type = Type {
    name: "authHeader",
    compositor: Compositor::All,
    fields: &[
        opt("user", STRING),
        opt("password", STRING),
        opt("accessToken", STRING),
        opt("locale", STRING),
        opt("appName", STRING),
        opt("appVersion", STRING),
        opt("gzipResponse", BOOLEAN),
        opt("faultHttpStatusCode", INT),
    ],
};

/// The pre-4.0 contract's `authHeader` (the same element name and namespace,
/// an older shape): a sequence starting with the credentials.
pub static AUTH_HEADER_PRE40: Type = Type::new(
    "authHeader",
    &[
        req("user", STRING),
        req("password", STRING),
        opt("locale", STRING),
        opt("appName", STRING),
        opt("appVersion", STRING),
        opt("gzipResponse", BOOLEAN),
        opt("faultHttpStatusCode", INT),
    ],
);

/// The 2014-04-03 `authHeader`, in the version's own namespace.
pub static AUTH_HEADER_VERSIONED: Type = Type::new(
    "authHeader",
    &[
        opt("user", STRING),
        opt("password", STRING),
        opt("accessToken", STRING),
        opt("locale", STRING),
        req("appName", STRING),
        req("appVersion", STRING),
        opt("gzipResponse", BOOLEAN),
        opt("faultHttpStatusCode", INT),
    ],
);

/// Which `authHeader` a version's WSDL binds, and whether it is declared in
/// the version's own namespace.
pub fn auth_header(version: Version) -> (&'static Type, bool) {
    match version {
        Pre40 => (&AUTH_HEADER_PRE40, false),
        V2014_04_03 => (&AUTH_HEADER_VERSIONED, true),
        _ => (&AUTH_HEADER, false),
    }
}
