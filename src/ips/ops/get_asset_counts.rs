//! `getAssetCounts` (from 2008-01-15, the 4.0 change log): how many assets
//! the company has of each type (`Image` for every asset the emulator
//! keeps), a type the company has none of left out. Assets in the trash
//! are not counted: they are on their way out, and `searchAssets` leaves
//! them out by default too.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `AssetCount`.
static ASSET_COUNT: Type = Type::new("AssetCount", &[req("assetType", STRING), req("count", INT)]);

/// `AssetCountArray`.
static ASSET_COUNT_ARRAY: Type = Type::new("AssetCountArray", &[many("items", of(&ASSET_COUNT))]);

/// `getAssetCounts`: the user types its page lists.
pub static OPERATION: Operation = Operation {
    name: "getAssetCounts",
    since: V2008_01_15,
    users: &[
        IpsUser,
        IpsAdmin,
        IpsCompanyAdmin,
        TrialSiteAdmin,
        TrialSiteUser,
        ImagePortalAdmin,
        ImagePortalUser,
        ImagePortalContrib,
        ImagePortalContribUser,
    ],
    param: &[req("companyHandle", STRING)],
    aliases: &[],
    ret: &[opt("countArray", of(&ASSET_COUNT_ARRAY))],
    handler: handler!(get_asset_counts),
};

async fn get_asset_counts(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let counts = call
        .state
        .catalog
        .asset_counts(company.0)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    let items = counts
        .into_iter()
        .map(|(asset_type, count)| {
            Value::Record(Record::new().with("assetType", asset_type).with_number("count", count))
        })
        .collect();
    Ok(Record::new().with_array("countArray", items))
}
