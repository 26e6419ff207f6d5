//! `renameAsset`: a new name for an asset, which must be free in the
//! company whatever `validateName` says, since the catalog cannot hold two
//! assets of one name; a case-only rename of an asset to itself is allowed.

use crate::ips::contract::prelude::*;
use crate::ips::names::check_name;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `renameAsset`. `renameFiles` was required before 4.0, deprecated after
/// (Adobe's 2008-01-15 example still sends it) and removed in 2012-02-14; it
/// changes nothing here, as file paths follow names.
pub static OPERATION: Operation = Operation {
    name: "renameAsset",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("newName", STRING),
        req("validateName", BOOLEAN),
        req("renameFiles", BOOLEAN).until(V2008_01_15),
        opt("renameFiles", BOOLEAN).since(V2008_01_15).until(V2012_02_14),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(rename_asset),
};

async fn rename_asset(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let new_name = p.required("newName")?;
    let company = company_for(call.principal, &raw_company)?;
    let handle = asset_handle(&raw_asset)?;
    check_name(&new_name)?;
    call.state
        .catalog
        .rename_asset(company.0, handle, new_name.clone(), call.principal.user_id)
        .await
        .map_err(|e| {
            Subject::new(company, &raw_company)
                .asset(&raw_asset)
                .name(&new_name)
                .refusal(e)
        })?;
    Ok(Record::new())
}
