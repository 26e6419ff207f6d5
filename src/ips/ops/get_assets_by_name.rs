//! `getAssetsByName`: assets by name, compared ASCII-case-insensitively
//! (names are unique per company), filtered by asset type and subtype. An
//! asset in the trash still holds its name, and is answered with its
//! `trashState` in the versions that have the field (see `getAssets`).

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::search::subtypes_admit_none;
use crate::ips::types::{ASSET_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getAssetsByName`: every user type but ImagePortalUser, as its page
/// lists. Not in the pre-4.0 contract; its first documented use is in
/// 2010-01-31, and the emulator offers it from 2008-01-15 on (README).
pub static OPERATION: Operation = Operation {
    name: "getAssetsByName",
    since: V2008_01_15,
    users: &[
        IpsAdmin,
        IpsCompanyAdmin,
        IpsUser,
        TrialSiteAdmin,
        TrialSiteUser,
        ImagePortalAdmin,
        ImagePortalContrib,
        ImagePortalContribUser,
    ],
    param: &[
        req("companyHandle", STRING),
        opt("accessUserHandle", STRING),
        opt("accessGroupHandle", STRING),
        req("nameArray", of(&STRING_ARRAY)),
        opt("assetTypeArray", of(&STRING_ARRAY)),
        opt("excludeAssetTypeArray", of(&STRING_ARRAY)),
        opt("assetSubTypeArray", of(&STRING_ARRAY)).since(V2009_07_31),
        opt("strictSubTypeCheck", BOOLEAN).since(V2009_07_31),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[opt("assetArray", of(&ASSET_ARRAY))],
    handler: handler!(get_assets_by_name),
};

async fn get_assets_by_name(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(super::get_assets::IMPERSONATION)?;
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let names = p.required_strings("nameArray")?;
    let types = p.strings("assetTypeArray").unwrap_or_default();
    let exclude = p.strings("excludeAssetTypeArray").unwrap_or_default();
    // Image assets have no subtype: a strict subtype filter matches none.
    let admit = subtypes_admit_none(&p)?;
    let found = call
        .state
        .catalog
        .asset_details_by_name(company.0, names)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    let found: Vec<_> = found
        .into_iter()
        .filter(|d| admit && (types.is_empty() || types.contains(&d.asset.asset_type)))
        .filter(|d| !exclude.contains(&d.asset.asset_type))
        .filter(|d| super::get_assets::visible(call.version, d))
        .collect();
    Ok(super::get_assets::assets_reply(&found))
}
