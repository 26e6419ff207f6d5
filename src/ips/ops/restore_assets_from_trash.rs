//! `restoreAssetsFromTrash`: brings assets back from the trash into their
//! folders, under their names, each on its own: an asset that is not in
//! the trash (or not found) is listed in order and the others still come
//! back.

use crate::ips::batch::{Handles, Outcome};
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `restoreAssetsFromTrash`: added with the trash in 4.0 (2008-01-15).
pub static OPERATION: Operation = Operation {
    name: "restoreAssetsFromTrash",
    since: V2008_01_15,
    users: WRITERS,
    param: super::delete_assets::BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(restore_assets_from_trash),
};

async fn restore_assets_from_trash(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let assets = p.required_strings("assetHandleArray")?;
    let handles = Handles::parse(&assets);
    let subject = Subject::new(company, &raw_company);
    let results = call
        .state
        .catalog
        .restore_assets(company.0, handles.valid(), call.principal.user_id)
        .await
        .map_err(|e| subject.refusal(e))?;
    let mut outcome = Outcome::default();
    for (asset, result) in handles.results(results, subject) {
        outcome.record(asset, result);
    }
    Ok(outcome.into_record())
}
