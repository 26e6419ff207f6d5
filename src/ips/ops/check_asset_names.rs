//! `checkAssetNames`: which of the given names an asset of the company
//! already has, so that a client can pick free Image Serving IDs before it
//! uploads or copies. Names are compared as the catalog keeps them unique,
//! ASCII-case-insensitively, and an asset in the trash still holds its
//! name; the reply lists the names in use as they were asked for, in the
//! request's order. The reference page's table calls the
//! array `assetNamesArray` and the company optional; its example and the
//! WSDLs say `assetNameArray`, required, which is what the emulator takes.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::types::STRING_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `checkAssetNames`: the user types its page lists. In no change log and
/// not in the pre-4.0 contract; offered from 2008-01-15, as
/// `getAssetsByName` is.
pub static OPERATION: Operation = Operation {
    name: "checkAssetNames",
    since: V2008_01_15,
    users: &[
        IpsAdmin,
        IpsUser,
        TrialSiteAdmin,
        TrialSiteUser,
        ImagePortalAdmin,
        ImagePortalContrib,
        ImagePortalContribUser,
        ImagePortalUser,
    ],
    param: &[req("companyHandle", STRING), req("assetNameArray", of(&STRING_ARRAY))],
    aliases: &[],
    ret: &[req("inUseNameArray", of(&STRING_ARRAY))],
    handler: handler!(check_asset_names),
};

async fn check_asset_names(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let names = p.required_strings("assetNameArray")?;
    let found = call
        .state
        .catalog
        .asset_details_by_name(company.0, names.clone())
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    let in_use = names
        .into_iter()
        .filter(|name| found.iter().any(|d| d.asset.name.eq_ignore_ascii_case(name)))
        .map(Value::from)
        .collect();
    Ok(Record::new().with_array("inUseNameArray", in_use))
}
