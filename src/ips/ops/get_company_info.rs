//! `getCompanyInfo`: a company by handle or by name. Given both, they must
//! name the same company (a mismatch is refused rather than one of them
//! ignored). A company the caller does not belong to is answered exactly as
//! one that does not exist.

use crate::auth::{Principal, UserType};
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::types::{identity, COMPANY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, EVERYONE};

/// `getCompanyInfo`. Its reference page omits IpsCompanyAdmin, who may call
/// every other read: taken as a slip, so every user type may call it.
pub static OPERATION: Operation = Operation {
    name: "getCompanyInfo",
    since: Pre40,
    users: EVERYONE,
    param: &[
        opt("companyHandle", STRING),
        opt("companyName", STRING),
        opt("imsOrgId", STRING).since(V2014_04_03),
    ],
    aliases: &[],
    ret: &[req("companyInfo", of(&COMPANY))],
    handler: handler!(get_company_info),
};

fn reaches(principal: &Principal, company_id: i64) -> bool {
    principal.user_type == UserType::IpsAdmin || principal.companies.contains(&company_id)
}

async fn get_company_info(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    // An Adobe IMS organization is not something the emulator keeps.
    p.refuse(&["imsOrgId"])?;
    let catalog = &call.state.catalog;
    let by_handle = match p.text("companyHandle") {
        None => None,
        Some(raw) => {
            let handle = company_for(call.principal, raw)?;
            let found = catalog
                .company(handle.0)
                .await
                .map_err(|e| Subject::new(handle, raw).refusal(e))?;
            Some(found)
        }
    };
    let by_name = match p.text("companyName") {
        None => None,
        Some(name) => {
            let unknown = || Error::InvalidCompanyName(name.to_owned());
            let found = catalog.company_by_name(name.to_owned()).await.map_err(|e| match e {
                crate::catalog::Error::CompanyNotFound => unknown(),
                other => Error::from(other),
            })?;
            if !reaches(call.principal, found.id) {
                return Err(unknown());
            }
            Some(found)
        }
    };
    let company = match (by_handle, by_name) {
        (Some(h), Some(n)) if h.id != n.id => {
            return Err(Error::InvalidCompanyName(p.string("companyName").unwrap_or_default()))
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(Error::MissingParameter("companyHandle")),
    };
    Ok(Record::new().with("companyInfo", identity::company(&company)))
}
