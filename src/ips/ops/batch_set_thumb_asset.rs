//! `batchSetThumbAsset`: sets (or, without `thumbAssetHandle`, clears)
//! assets' thumbnail asset, each on its own. A thumbnail must be a live
//! Image of the same company; an item failing for its thumbnail names the
//! thumbnail.

use crate::catalog;
use crate::ips::batch::Outcome;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{capped, MAX_BATCH};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::THUMB_ASSET_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `batchSetThumbAsset`: no change log names it; its page's example is in
/// the 2010-01-31 namespace, the first version taken to have it. Its page
/// lists the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "batchSetThumbAsset",
    since: V2010_01_31,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("updateArray", of(&THUMB_ASSET_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(batch_set_thumb_asset),
};

async fn batch_set_thumb_asset(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let items = capped(
        p.items("updateArray").ok_or(Error::MissingParameter("updateArray"))?,
        "updateArray",
        MAX_BATCH,
    )?;
    let raw: Vec<(String, Option<String>)> = items
        .iter()
        .map(|u| Ok((u.required("assetHandle")?, u.string("thumbAssetHandle"))))
        .collect::<Result<_, Error>>()?;
    let parsed: Vec<Result<_, Error>> = raw
        .iter()
        .map(|(asset, thumb)| Ok((asset_handle(asset)?, thumb.as_deref().map(asset_handle).transpose()?)))
        .collect();
    let valid = parsed.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let mut results = call
        .state
        .catalog
        .set_thumb_assets(company.0, valid, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .into_iter();
    let subject = Subject::new(company, &raw_company);
    let mut outcome = Outcome::default();
    for ((asset, thumb), parsed) in raw.iter().zip(parsed) {
        let result = parsed.and_then(|_| match results.next() {
            Some(Err(catalog::Error::Thumbnail(e))) => {
                Err(subject.asset(thumb.as_deref().unwrap_or_default()).refusal(*e))
            }
            Some(r) => r.map_err(|e| subject.asset(asset).refusal(e)),
            None => Err(Error::Task),
        });
        outcome.record(asset, result);
    }
    Ok(outcome.into_record())
}
