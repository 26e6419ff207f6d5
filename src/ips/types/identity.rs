//! The `Company` and `User` types.

use crate::catalog::{CompanyRecord, UserProfile};
use crate::handles::CompanyHandle;
use crate::ips::contract::prelude::*;
use crate::ips::value::Record;

/// `Company`.
pub static COMPANY: Type = Type::new(
    "Company",
    &[
        req("companyHandle", STRING),
        req("name", STRING),
        req("rootPath", STRING),
        opt("expires", DATE_TIME),
        opt("imsOrgId", STRING).since(V2014_04_03),
    ],
);

/// `User`.
pub static USER: Type = Type::new(
    "User",
    &[
        req("userHandle", STRING),
        req("firstName", STRING),
        req("lastName", STRING),
        req("email", STRING),
        req("role", STRING).until(V2012_02_14),
        req("defaultRole", STRING).since(V2012_02_14).until(V2014_04_03),
        opt("imsUserId", STRING).since(V2014_04_03),
        req("isValid", BOOLEAN),
        req("isIpsAdmin", BOOLEAN).since(V2014_04_03),
        opt("passwordExpires", DATE_TIME),
    ],
);

/// A company as `Company` shows it.
pub fn company(c: &CompanyRecord) -> Record {
    Record::new()
        .with("companyHandle", CompanyHandle(c.id).to_string())
        .with("name", c.name.as_str())
        .with("rootPath", c.root_path.as_str())
        .with_opt("expires", c.expires.as_deref())
}

/// The 2008-era user handle, `u|<id>|<email>`.
pub fn user_handle(u: &UserProfile) -> String {
    format!("u|{}|{}", u.id, u.email)
}

/// A user as `User` shows it: the user type as `role` (before 2012-02-14),
/// then `defaultRole`, and from 2014-04-03 only whether it is an IpsAdmin.
pub fn user(u: &UserProfile) -> Record {
    Record::new()
        .with("userHandle", user_handle(u))
        .with("firstName", u.first_name.as_str())
        .with("lastName", u.last_name.as_str())
        .with("email", u.email.as_str())
        .with("role", u.user_type.as_str())
        .with("defaultRole", u.user_type.as_str())
        .with_bool("isValid", true)
        .with_bool("isIpsAdmin", u.user_type == "IpsAdmin")
}
