//! `moveAsset`: an asset into another folder of its company.

use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, folder_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `moveAsset`.
pub static OPERATION: Operation = Operation {
    name: "moveAsset",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("folderHandle", STRING),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(move_asset),
};

async fn move_asset(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let handle = asset_handle(&raw_asset)?;
    let folder = folder_handle(&p.required("folderHandle")?)?;
    call.state
        .catalog
        .move_asset(company.0, handle, folder.0.clone(), call.principal.user_id)
        .await
        .map_err(|e| {
            Subject::new(company, &raw_company)
                .asset(&raw_asset)
                .folder(&folder.0)
                .refusal(e)
        })?;
    Ok(Record::new())
}
