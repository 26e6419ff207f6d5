//! `deleteAsset`: deletes an asset at once (the emulator keeps no trash).
//! Its stored file is removed once no other asset names it: a plain copy
//! shares its source's file, so deleting either keeps it for the other.

use crate::ips::blobs;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `deleteAsset`.
pub static OPERATION: Operation = Operation {
    name: "deleteAsset",
    since: Pre40,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("assetHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_asset),
};

async fn delete_asset(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let handle = asset_handle(&raw_asset)?;
    let hash = call
        .state
        .catalog
        .delete_asset(company.0, handle)
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    blobs::release(call.state, hash).await;
    Ok(Record::new())
}
