//! `deleteAssets`: puts several assets in the trash, each on its own:
//! failures are listed in order and the others still go (see
//! `deleteAsset`).

use crate::ips::batch::{Handles, Outcome};
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::types::HANDLE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `deleteAssets`.
pub static OPERATION: Operation = Operation {
    name: "deleteAssets",
    since: V2008_01_15,
    users: WRITERS,
    param: BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(delete_assets),
};

/// The parameters of the operations on a list of assets: the company and
/// the assets' handles.
pub(super) const BATCH_PARAM: &[Field] = &[req("companyHandle", STRING), req("assetHandleArray", of(&HANDLE_ARRAY))];

async fn delete_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let assets = p.required_strings("assetHandleArray")?;
    let handles = Handles::parse(&assets);
    let subject = Subject::new(company, &raw_company);
    let results = call
        .state
        .catalog
        .delete_assets(company.0, handles.valid(), call.principal.user_id)
        .await
        .map_err(|e| subject.refusal(e))?;
    let mut outcome = Outcome::default();
    for (asset, result) in handles.results(results, subject) {
        outcome.record(asset, result);
    }
    Ok(outcome.into_record())
}
