//! Who the caller is and what they belong to: `checkLogin`,
//! `getCompanyInfo`, `getUserInfo`.
//!
//! Whatever the caller may not see is answered exactly as what does not
//! exist: a company the caller is not a member of is the same 20000 as an
//! unknown one, and a user the caller may not look up is the same 30001 as
//! an unknown one.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::{self, Credentials, Principal, UserType};
use crate::catalog::{self, CompanyRecord, UserProfile};
use crate::handles::CompanyHandle;

use super::{company_for, Error, Reply};

/// `checkLoginParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLogin {
    /// `companyHandle`: when given, the login must also belong to it.
    pub company: Option<String>,
    /// `email`.
    pub email: String,
    /// `password`.
    pub password: String,
}

/// `getCompanyInfoParam`: one of the two is required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCompanyInfo {
    /// `companyHandle`.
    pub company: Option<String>,
    /// `companyName`.
    pub company_name: Option<String>,
}

/// `getUserInfoParam`: neither means the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetUserInfo {
    /// `userHandle` (`u|<id>|<email>`).
    pub user: Option<String>,
    /// `email`.
    pub email: Option<String>,
}

/// A company as `Company` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyInfo {
    /// `companyHandle`.
    pub handle: CompanyHandle,
    /// `name`.
    pub name: String,
    /// `rootPath`, ending in `/`.
    pub root_path: String,
}

/// A user as `User` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// Row id (the number in the handle).
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// The IPS user type name (`role`, later `defaultRole`).
    pub user_type: String,
}

impl UserInfo {
    /// `u|<id>|<email>`, the 2008-era user handle.
    pub fn handle(&self) -> String {
        format!("u|{}|{}", self.id, self.email)
    }
}

pub(super) async fn check_login(
    state: &Arc<AppState>,
    _principal: &Principal,
    req: CheckLogin,
) -> Result<Reply, Error> {
    let creds = Credentials {
        user: req.email,
        password: req.password,
    };
    let login = match state.auth.authenticate(Some(creds)).await {
        Ok(login) => login,
        // A wrong password is an answer here, not a fault.
        Err(auth::Error::InvalidCredentials | auth::Error::NoCredentials) => return Ok(Reply::LoginStatus(false)),
        Err(other) => return Err(other.into()),
    };
    let Some(raw) = req.company else {
        return Ok(Reply::LoginStatus(true));
    };
    // With a company, the login must also reach it: as a member, or as an
    // IpsAdmin (who reaches every company that exists). A handle that names
    // no company is one the login does not belong to.
    let valid = match CompanyHandle::parse(&raw) {
        None => false,
        Some(h) if login.companies.contains(&h.0) => true,
        Some(h) if login.user_type == UserType::IpsAdmin => match state.catalog.company(h.0).await {
            Ok(_) => true,
            Err(catalog::Error::CompanyNotFound) => false,
            Err(e) => return Err(e.into()),
        },
        Some(_) => false,
    };
    Ok(Reply::LoginStatus(valid))
}

fn company_info(c: CompanyRecord) -> CompanyInfo {
    CompanyInfo {
        handle: CompanyHandle(c.id),
        name: c.name,
        root_path: c.root_path,
    }
}

fn reaches(principal: &Principal, company_id: i64) -> bool {
    principal.user_type == UserType::IpsAdmin || principal.companies.contains(&company_id)
}

/// `companyHandle` or `companyName`; given both, they must name the same
/// company (a mismatch is refused rather than one of them ignored).
pub(super) async fn get_company_info(
    state: &Arc<AppState>,
    principal: &Principal,
    req: GetCompanyInfo,
) -> Result<Reply, Error> {
    let by_handle = match &req.company {
        None => None,
        Some(raw) => {
            let handle = company_for(principal, raw)?;
            let found = state.catalog.company(handle.0).await.map_err(|e| match e {
                catalog::Error::CompanyNotFound => Error::InvalidCompany(raw.clone()),
                other => Error::Catalog(other),
            })?;
            Some(found)
        }
    };
    let by_name = match &req.company_name {
        None => None,
        Some(name) => {
            let unknown = || Error::InvalidCompanyName(name.clone());
            let found = state.catalog.company_by_name(name.clone()).await.map_err(|e| match e {
                catalog::Error::CompanyNotFound => unknown(),
                other => Error::Catalog(other),
            })?;
            if !reaches(principal, found.id) {
                return Err(unknown());
            }
            Some(found)
        }
    };
    let company = match (by_handle, by_name) {
        (Some(h), Some(n)) if h.id != n.id => {
            return Err(Error::InvalidCompanyName(req.company_name.unwrap_or_default()))
        }
        (Some(c), _) | (None, Some(c)) => c,
        // The SOAP layer requires one of the two.
        (None, None) => return Err(Error::InvalidCompany(String::new())),
    };
    Ok(Reply::Company(company_info(company)))
}

fn user_info(u: UserProfile) -> UserInfo {
    UserInfo {
        id: u.id,
        email: u.email,
        first_name: u.first_name,
        last_name: u.last_name,
        user_type: u.user_type,
    }
}

/// A user handle: `u|<id>|<email>`, `u|<id>`, or the pre-4.0 `<id>|<email>`.
/// Returns the id and the e-mail, when given.
fn parse_user_handle(raw: &str) -> Option<(i64, Option<&str>)> {
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

/// Whether the caller may see `user`: everyone may see themselves, an
/// IpsAdmin anyone, an IpsCompanyAdmin the users of its companies.
fn may_see(principal: &Principal, user: &UserProfile) -> bool {
    user.id == principal.user_id
        || principal.user_type == UserType::IpsAdmin
        || (principal.user_type == UserType::IpsCompanyAdmin
            && user.companies.iter().any(|c| principal.companies.contains(c)))
}

/// Neither parameter: the caller. `userHandle` and/or `email` otherwise;
/// given both, they must name the same user. A user the caller may not see
/// is answered exactly as an unknown one.
pub(super) async fn get_user_info(
    state: &Arc<AppState>,
    principal: &Principal,
    req: GetUserInfo,
) -> Result<Reply, Error> {
    let asked = match (&req.user, &req.email) {
        (None, None) => None,
        (Some(h), _) => Some(h.clone()),
        (None, Some(e)) => Some(e.clone()),
    };
    let unknown = || Error::InvalidParameter(format!("User '{}' was not found", asked.as_deref().unwrap_or_default()));
    let found = match (&req.user, &req.email) {
        (None, None) => state.catalog.user_profile(principal.user_id).await?,
        (Some(raw), email) => {
            let (id, handle_email) = parse_user_handle(raw).ok_or_else(unknown)?;
            let user = state.catalog.user_profile(id).await?;
            // Every e-mail given must be the user's (logins compare
            // ASCII-case-insensitively, as the catalog does).
            let agrees = |u: &UserProfile| {
                [handle_email, email.as_deref()]
                    .into_iter()
                    .flatten()
                    .all(|e| e.eq_ignore_ascii_case(&u.email))
            };
            user.filter(agrees)
        }
        (None, Some(email)) => state.catalog.user_profile_by_email(email.clone()).await?,
    };
    match found {
        Some(user) if may_see(principal, &user) => Ok(Reply::User(user_info(user))),
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
