//! `deleteAssets`: several assets, each on its own: failures are listed in
//! order and the other deletions still happen; each deleted asset's stored
//! file is released once the deletions have committed.

use crate::ips::batch::Outcome;
use crate::ips::blobs;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::HANDLE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `deleteAssets`.
pub static OPERATION: Operation = Operation {
    name: "deleteAssets",
    since: V2008_01_15,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("assetHandleArray", of(&HANDLE_ARRAY))],
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(delete_assets),
};

async fn delete_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let assets = p.required_strings("assetHandleArray")?;
    let parsed: Vec<Result<_, Error>> = assets.iter().map(|a| asset_handle(a)).collect();
    let valid = parsed.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let mut results = call
        .state
        .catalog
        .delete_assets(company.0, valid)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .into_iter();
    let mut outcome = Outcome::default();
    for (asset, parsed) in assets.iter().zip(parsed) {
        let result = match parsed {
            Err(e) => Err(e),
            Ok(_) => match results.next() {
                Some(Ok(hash)) => Ok(hash),
                Some(Err(e)) => Err(Subject::new(company, &raw_company).asset(asset).refusal(e)),
                None => Err(Error::Task),
            },
        };
        match result {
            Ok(hash) => {
                outcome.succeeded();
                blobs::release(call.state, hash).await;
            }
            Err(e) => outcome.failed(asset, e),
        }
    }
    Ok(outcome.into_record())
}
