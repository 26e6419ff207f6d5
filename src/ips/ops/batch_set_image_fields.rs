//! `batchSetImageFields`: sets images' resolution, anchor and user data,
//! each image on its own: failures (a bad handle or value, an asset not
//! found, in the trash or not an Image) are listed in order and the other
//! updates still happen. A field an item leaves out stays as it was.

use crate::catalog::ImageFieldUpdate;
use crate::ips::batch::Outcome;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{capped, MAX_BATCH};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::IMAGE_FIELD_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `batchSetImageFields`: from 2008-01-15 (the 4.0 log adds it); its page
/// lists the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "batchSetImageFields",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("updateArray", of(&IMAGE_FIELD_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(batch_set_image_fields),
};

/// One item read: a positive, finite resolution and a non-negative anchor.
fn update(u: &Params) -> Result<ImageFieldUpdate, Error> {
    let resolution = match u.text("resolution") {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
                .ok_or_else(|| Error::InvalidParameter(format!("resolution must be a positive number, not '{raw}'")))?,
        ),
    };
    let (anchor_x, anchor_y) = (u.integer("anchorX")?, u.integer("anchorY")?);
    if anchor_x.is_some_and(|x| x < 0) || anchor_y.is_some_and(|y| y < 0) {
        return Err(Error::InvalidParameter(
            "anchorX and anchorY must not be negative".into(),
        ));
    }
    Ok(ImageFieldUpdate {
        handle: Some(asset_handle(&u.required("assetHandle")?)?),
        resolution,
        anchor_x,
        anchor_y,
        user_data: u.string("userData"),
    })
}

async fn batch_set_image_fields(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let items = capped(
        p.items("updateArray").ok_or(Error::MissingParameter("updateArray"))?,
        "updateArray",
        MAX_BATCH,
    )?;
    let raw: Vec<String> = items
        .iter()
        .map(|u| u.required("assetHandle"))
        .collect::<Result<_, _>>()?;
    // Items that cannot be read fail on their own, like any other item.
    let parsed: Vec<Result<ImageFieldUpdate, Error>> = items.iter().map(update).collect();
    let valid = parsed.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let mut results = call
        .state
        .catalog
        .set_image_fields(company.0, valid, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .into_iter();
    let mut outcome = Outcome::default();
    for (asset, parsed) in raw.iter().zip(parsed) {
        let result = parsed.and_then(|_| match results.next() {
            Some(r) => r.map_err(|e| Subject::new(company, &raw_company).asset(asset).refusal(e)),
            None => Err(Error::Task),
        });
        outcome.record(asset, result);
    }
    Ok(outcome.into_record())
}
