//! `getUserInfo`: a user by handle and/or e-mail, or the caller when
//! neither is given. A user the caller may not see is answered exactly as
//! an unknown one: everyone may see themselves, an IpsAdmin anyone, an
//! IpsCompanyAdmin the users of its companies.

use crate::auth::{Principal, UserType};
use crate::catalog::UserProfile;
use crate::ips::contract::prelude::*;
use crate::ips::types::USER;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, types, Call, Error, Operation, EVERYONE};

/// `getUserInfo`.
pub static OPERATION: Operation = Operation {
    name: "getUserInfo",
    since: Pre40,
    users: EVERYONE,
    param: &[opt("userHandle", STRING), opt("email", STRING)],
    aliases: &[],
    ret: &[req("userInfo", of(&USER))],
    handler: handler!(get_user_info),
};

/// A user handle: `u|<id>|<email>`, `u|<id>`, or the pre-4.0 `<id>|<email>`.
/// Returns the id and the e-mail, when given.
pub(crate) fn parse_user_handle(raw: &str) -> Option<(i64, Option<&str>)> {
    let (body, prefixed) = match raw.strip_prefix("u|") {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let (id, email) = match body.split_once('|') {
        Some((id, email)) if !email.is_empty() => (id, Some(email)),
        Some(_) => return None,
        None if prefixed => (body, None),
        None => return None,
    };
    let ok = !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0');
    if !ok {
        return None;
    }
    id.parse().ok().map(|id| (id, email))
}

/// Whether `principal` may see `user`: itself; anyone, as an IpsAdmin; the
/// users of its companies, as an IpsCompanyAdmin.
pub(crate) fn may_see(principal: &Principal, user: &UserProfile) -> bool {
    user.id == principal.user_id
        || principal.user_type == UserType::IpsAdmin
        || (principal.user_type == UserType::IpsCompanyAdmin
            && user.companies.iter().any(|c| principal.companies.contains(c)))
}

async fn get_user_info(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (handle, email) = (p.text("userHandle"), p.text("email"));
    let asked = handle.or(email).unwrap_or_default();
    let unknown = || Error::InvalidParameter(format!("User '{asked}' was not found"));
    let catalog = &call.state.catalog;
    let found = match (handle, email) {
        (None, None) => catalog.user_profile(call.principal.user_id).await?,
        (Some(raw), email) => {
            let (id, handle_email) = parse_user_handle(raw).ok_or_else(unknown)?;
            // Every e-mail given must be the user's (logins compare
            // ASCII-case-insensitively, as the catalog does).
            let agrees = |u: &UserProfile| {
                [handle_email, email]
                    .into_iter()
                    .flatten()
                    .all(|e| e.eq_ignore_ascii_case(&u.email))
            };
            catalog.user_profile(id).await?.filter(agrees)
        }
        (None, Some(email)) => catalog.user_profile_by_email(email.to_owned()).await?,
    };
    match found {
        Some(user) if may_see(call.principal, &user) => {
            Ok(Record::new().with("userInfo", types::identity::user(&user)))
        }
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(user_type: UserType, companies: Vec<i64>) -> Principal {
        Principal {
            user_id: 3,
            email: "ipsuser@ips.test".into(),
            user_type,
            companies,
        }
    }

    fn profile(id: i64, companies: Vec<i64>) -> UserProfile {
        UserProfile {
            id,
            email: format!("u{id}@ips.test"),
            first_name: String::new(),
            last_name: String::new(),
            user_type: "IpsUser".into(),
            companies,
        }
    }

    #[test]
    fn user_handles() {
        assert_eq!(
            parse_user_handle("u|3|ipsuser@ips.test"),
            Some((3, Some("ipsuser@ips.test")))
        );
        assert_eq!(parse_user_handle("u|3"), Some((3, None)));
        assert_eq!(
            parse_user_handle("3261|user@scene7.com"),
            Some((3261, Some("user@scene7.com")))
        );
        for bad in [
            "",
            "u|",
            "3",
            "u|x|a@b",
            "u|03",
            "u|3|",
            "c|3",
            "u|-3",
            "u|99999999999999999999",
        ] {
            assert_eq!(parse_user_handle(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn who_may_see_whom() {
        let other = profile(8, vec![21]);
        let colleague = profile(4, vec![6]);
        let me = profile(3, vec![6]);
        let user = principal(UserType::IpsUser, vec![6]);
        assert!(may_see(&user, &me));
        assert!(!may_see(&user, &colleague));
        assert!(!may_see(&user, &other));
        let company_admin = principal(UserType::IpsCompanyAdmin, vec![6]);
        assert!(may_see(&company_admin, &colleague));
        assert!(!may_see(&company_admin, &other));
        let admin = principal(UserType::IpsAdmin, vec![6]);
        assert!(may_see(&admin, &other));
    }
}
