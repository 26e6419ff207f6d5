//! `setAssetMetadata`: sets an asset's values for several of its
//! company's metadata fields at once, all or nothing: a value its field
//! refuses, a field of another asset type or an unknown handle fails the
//! call and changes nothing.

use crate::ips::contract::prelude::*;
use crate::ips::metadata::{company_fields, write_one, writes};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::metadata::METADATA_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `setAssetMetadata`: in the pre-4.0 contract; its page lists the
/// writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "setAssetMetadata",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("updateArray", of(&METADATA_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(set_asset_metadata),
};

async fn set_asset_metadata(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let asset = asset_handle(&raw_asset)?;
    let updates = p.items("updateArray").ok_or(Error::MissingParameter("updateArray"))?;
    let fields = company_fields(call, company, &raw_company).await?;
    let writes = writes(&fields, company, &updates).map_err(|(_, e)| e)?;
    let subject = Subject::new(company, &raw_company).asset(&raw_asset);
    write_one(call, subject, company, asset, writes).await
}
