//! `deleteAsset`: puts an asset in the trash. It keeps its handle, folder
//! and name (which stays taken) and its stored file, until
//! `restoreAssetsFromTrash` brings it back or `emptyAssetsFromTrash`
//! removes it for good; an asset already in the trash is refused.

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
    call.state
        .catalog
        .delete_asset(company.0, handle, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    Ok(Record::new())
}
