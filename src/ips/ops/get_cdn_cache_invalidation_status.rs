//! `getCdnCacheInvalidationStatus` (2014-04-03): how a
//! `cdnCacheInvalidation` request stands. The emulator's requests are
//! complete once recorded, so the answer is `Done` with the time it was
//! made. Adobe lists the operation as deprecated (purges take about five
//! seconds, so polling is no longer needed), but the 2014-04-03 contract
//! still has it. A handle the company does not have is a 30001.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getCdnCacheInvalidationStatus`: its page is gone; the users of
/// `cdnCacheInvalidation`.
pub static OPERATION: Operation = Operation {
    name: "getCdnCacheInvalidationStatus",
    since: V2014_04_03,
    users: &[IpsAdmin, IpsCompanyAdmin],
    param: &[req("companyHandle", STRING), req("invalidationHandle", STRING)],
    aliases: &[],
    ret: &[
        req("status", STRING),
        opt("pingAfterSeconds", INT),
        opt("completionTime", DATE_TIME),
    ],
    handler: handler!(get_cdn_cache_invalidation_status),
};

async fn get_cdn_cache_invalidation_status(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw = p.required("invalidationHandle")?;
    let unknown = || Error::InvalidParameter(format!("Invalidation '{raw}' was not found in company '{company}'"));
    let id = super::cdn_cache_invalidation::request_id(&raw, company.0).ok_or_else(unknown)?;
    let found = call
        .state
        .catalog
        .cdn_invalidation(company.0, id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .ok_or_else(unknown)?;
    Ok(Record::new()
        .with("status", "Done")
        .with("completionTime", found.created_at))
}
