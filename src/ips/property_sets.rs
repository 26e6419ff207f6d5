//! What the property set operations share: reading type and set handles,
//! resolving owners, and which types, owners and sets a caller may reach.
//!
//! A set's owner is a company (`c|6`) or a user (`u|41|strangio@adobe.com`,
//! `u|41`). A caller reaches a company it belongs to (an IpsAdmin, every
//! company) and the users `getUserInfo` shows it. A company owner it may
//! not reach is an authorizationFault 20000, as for every `companyHandle`;
//! a user, a type or a set it may not reach is answered exactly as an
//! unknown one (30001), so handles cannot be probed.

use std::collections::HashSet;

use crate::auth::UserType;
use crate::catalog::{Owner, PropertySet, PropertySetType};
use crate::handles::CompanyHandle;

use super::ops::get_user_info::{may_see, parse_user_handle};
use super::refusal::Subject;
use super::value::Params;
use super::{company_for, Call, Error};

/// The id in `<prefix><id>`: a strict positive decimal.
fn handle_id(raw: &str, prefix: &str) -> Option<i64> {
    let digits = raw.strip_prefix(prefix)?;
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok.then(|| digits.parse().ok()).flatten()
}

/// Whether the caller belongs to company `id` (an IpsAdmin, to every one).
fn member(call: &Call<'_>, id: i64) -> bool {
    call.principal.user_type == UserType::IpsAdmin || call.principal.companies.contains(&id)
}

/// The type `raw` (`pt|<id>`) names, if it is global or a type of a
/// company the caller belongs to.
pub(crate) async fn visible_type(call: &Call<'_>, raw: &str) -> Result<PropertySetType, Error> {
    let unknown = || Error::InvalidParameter(format!("Property set type '{raw}' was not found"));
    let id = handle_id(raw, "pt|").ok_or_else(unknown)?;
    let found = call.state.catalog.property_set_type(id).await?.ok_or_else(unknown)?;
    match found.company_id {
        Some(company) if !member(call, company) => Err(unknown()),
        _ => Ok(found),
    }
}

/// The owner `raw` names: a user handle, or else a company handle. The
/// company must exist and be the caller's (20000 otherwise); the user must
/// exist, agree with the handle's e-mail, and be one the caller may see.
pub(crate) async fn owner(call: &Call<'_>, raw: &str) -> Result<Owner, Error> {
    if let Some((id, email)) = parse_user_handle(raw) {
        let agrees = |u: &crate::catalog::UserProfile| email.is_none_or(|e| e.eq_ignore_ascii_case(&u.email));
        return match call.state.catalog.user_profile(id).await? {
            Some(user) if agrees(&user) && may_see(call.principal, &user) => Ok(Owner::User(id)),
            _ => Err(Error::InvalidParameter(format!("User '{raw}' was not found"))),
        };
    }
    Ok(Owner::Company(existing_company(call, raw).await?.0))
}

/// The company `raw` names, if it exists and the caller belongs to it
/// (20000 otherwise, the same for both).
async fn existing_company(call: &Call<'_>, raw: &str) -> Result<CompanyHandle, Error> {
    let company = company_for(call.principal, raw)?;
    call.state
        .catalog
        .company(company.0)
        .await
        .map_err(|e| Subject::new(company, raw).refusal(e))?;
    Ok(company)
}

/// The optional owner field `name`.
pub(crate) async fn optional_owner(call: &Call<'_>, p: &Params, name: &str) -> Result<Option<Owner>, Error> {
    match p.text(name) {
        Some(raw) => owner(call, raw).await.map(Some),
        None => Ok(None),
    }
}

/// Whether the caller may reach a stored set's owner.
async fn may_reach(call: &Call<'_>, owner: Owner) -> Result<bool, Error> {
    Ok(match owner {
        Owner::Company(id) => member(call, id),
        Owner::User(id) => call
            .state
            .catalog
            .user_profile(id)
            .await?
            .is_some_and(|u| may_see(call.principal, &u)),
    })
}

/// The set `raw` (`ps|<id>`) names, if the caller may reach its primary
/// owner.
pub(crate) async fn reachable_set(call: &Call<'_>, raw: &str) -> Result<PropertySet, Error> {
    let unknown = || Error::InvalidParameter(format!("Property set '{raw}' was not found"));
    let id = handle_id(raw, "ps|").ok_or_else(unknown)?;
    let found = call.state.catalog.property_set(id).await?.ok_or_else(unknown)?;
    if may_reach(call, found.primary).await? {
        Ok(found)
    } else {
        Err(unknown())
    }
}

/// The `propertyArray`'s `(name, value)` pairs: names not empty, each
/// given once (a set holds one value per name).
pub(crate) fn properties(p: &Params) -> Result<Vec<(String, String)>, Error> {
    let items = p
        .items("propertyArray")
        .ok_or(Error::MissingParameter("propertyArray"))?;
    let mut seen = HashSet::new();
    let mut pairs = Vec::with_capacity(items.len());
    for item in items {
        let (name, value) = (item.required("name")?, item.required("value")?);
        if name.is_empty() {
            return Err(Error::InvalidParameter("A property's name may not be empty".into()));
        }
        if !seen.insert(name.clone()) {
            return Err(Error::InvalidParameter(format!(
                "Property '{name}' is given more than once"
            )));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The company `companyHandle` names, checked as [`owner`] checks one;
/// `None` when it was not sent.
pub(crate) async fn optional_company(call: &Call<'_>, p: &Params) -> Result<Option<CompanyHandle>, Error> {
    match p.text("companyHandle") {
        Some(raw) => existing_company(call, raw).await.map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::handle_id;

    #[test]
    fn handles_are_strict() {
        assert_eq!(handle_id("ps|941", "ps|"), Some(941));
        assert_eq!(handle_id("pt|1", "pt|"), Some(1));
        for bad in ["941", "ps|", "ps|0", "ps|01", "ps|-1", "ps|1x", "pt|1", "ps| 1"] {
            assert_eq!(handle_id(bad, "ps|"), None, "{bad}");
        }
    }
}
