//! `emptyAssetsFromTrash`: removes assets in the trash for good, each on
//! its own: an asset that is not in the trash (a live one is never
//! removed) or not found is listed in order and the others still go. Each
//! removed asset's stored file is released once the removals have
//! committed, and leaves the store when no other asset names it.

use crate::ips::batch::{Handles, Outcome};
use crate::ips::blobs;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `emptyAssetsFromTrash`: added with the trash in 4.0 (2008-01-15).
pub static OPERATION: Operation = Operation {
    name: "emptyAssetsFromTrash",
    since: V2008_01_15,
    users: WRITERS,
    param: super::delete_assets::BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(empty_assets_from_trash),
};

async fn empty_assets_from_trash(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let assets = p.required_strings("assetHandleArray")?;
    let handles = Handles::parse(&assets);
    let subject = Subject::new(company, &raw_company);
    let results = call
        .state
        .catalog
        .empty_trash(company.0, handles.valid())
        .await
        .map_err(|e| subject.refusal(e))?;
    let mut outcome = Outcome::default();
    for (asset, result) in handles.results(results, subject) {
        if let Some(hash) = outcome.record(asset, result) {
            blobs::release(call.state, hash).await;
        }
    }
    Ok(outcome.into_record())
}
