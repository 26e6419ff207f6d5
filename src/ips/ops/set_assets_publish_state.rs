//! `setAssetsPublishState`: marks or unmarks several assets for publish,
//! each on its own: failures (a bad handle, an asset not found, a publish
//! state that is not one) are listed in order and the other updates still
//! happen.

use super::set_asset_publish_state::marked_for_publish;
use crate::ips::batch::Outcome;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::PUBLISH_STATE_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `setAssetsPublishState`: from 2008-01-15 (the 4.0 log adds it). Its page
/// lists the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "setAssetsPublishState",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("publishStateUpdateArray", of(&PUBLISH_STATE_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(set_assets_publish_state),
};

async fn set_assets_publish_state(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let updates: Vec<(String, String)> = p
        .items("publishStateUpdateArray")
        .ok_or(Error::MissingParameter("publishStateUpdateArray"))?
        .iter()
        .map(|u| Ok((u.required("assetHandle")?, u.required("publishState")?)))
        .collect::<Result<_, Error>>()?;
    // Items that cannot be read fail on their own, like any other item.
    let parsed: Vec<Result<_, Error>> = updates
        .iter()
        .map(|(asset, state)| Ok((asset_handle(asset)?, marked_for_publish(state)?)))
        .collect();
    let valid = parsed.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let mut results = call
        .state
        .catalog
        .set_publish_state(company.0, valid, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .into_iter();
    let mut outcome = Outcome::default();
    for ((asset, _), parsed) in updates.iter().zip(parsed) {
        let error = match parsed {
            Err(e) => Some(e),
            Ok(_) => match results.next() {
                Some(Ok(())) => None,
                Some(Err(e)) => Some(Subject::new(company, &raw_company).asset(asset).refusal(e)),
                None => Some(Error::Task),
            },
        };
        match error {
            None => outcome.succeeded(),
            Some(e) => outcome.failed(asset, e),
        }
    }
    Ok(outcome.into_record())
}
